"""The administrators' signing key (Ed25519): what the database key alone does not give.

Every signed-in user holds the database key, so anyone of them could change a row by SQL.
The rows that carry authority (users and their roles, the insurer directory, the site
settings) are therefore signed with a key that only administrators hold: its private half
is sealed to each administrator's key slot (security.keyslots), its public half is kept in
the site's settings. A row whose signature does not verify gives no right.
"""

from __future__ import annotations

import hashlib

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from verifier.security.crypto import b64, unb64


def new_signing_key() -> bytes:
    return Ed25519PrivateKey.generate().private_bytes_raw()


def public_of(private: bytes) -> bytes:
    return Ed25519PrivateKey.from_private_bytes(private).public_key().public_bytes_raw()


def sign(private: bytes, message: bytes) -> str:
    return b64(Ed25519PrivateKey.from_private_bytes(private).sign(message))


def verifies(public: bytes, message: bytes, signature: str | None) -> bool:
    if not signature:
        return False
    try:
        Ed25519PublicKey.from_public_bytes(public).verify(unb64(signature), message)
    except (InvalidSignature, ValueError):
        return False
    return True


def user_message(user_id: int, login: str, role: str, active: bool) -> bytes:
    """What a user's signature covers: who they are, their role, whether they may sign in."""
    return "\x00".join(("verifier-user/v1", str(user_id), login, role, "1" if active else "0")).encode("utf-8")


def _digest(text: str | None) -> str:
    return "" if text is None else hashlib.sha256(text.encode("utf-8")).hexdigest()


def insurer_message(
    insurer_id: int,
    amc_number: str,
    name: str,
    operator_id: int | None,
    hotline: str | None,
    portal: str | None,
    batch_by: str,
    active: bool,
    provisional: bool,
    export_protection: str,
    export_certificate: str | None,
) -> bytes:
    """What an insurer's signature covers: everything the counter reads (its hotline, its
    portal), where its batches go, and how they are protected (the certificate by its hash)."""
    parts = (
        "verifier-insurer/v1",
        str(insurer_id),
        amc_number,
        name,
        "" if operator_id is None else str(operator_id),
        hotline or "",
        portal or "",
        batch_by,
        "1" if active else "0",
        "1" if provisional else "0",
        export_protection,
        _digest(export_certificate),
    )
    return "\x00".join(parts).encode("utf-8")


def operator_message(
    operator_id: int,
    code: str,
    name: str,
    health_url: str | None,
    active: bool,
    export_protection: str,
    export_certificate: str | None,
) -> bytes:
    """What an operator's signature covers: its identity, the address probed, how its batches
    are protected."""
    parts = (
        "verifier-operator/v1",
        str(operator_id),
        code,
        name,
        health_url or "",
        "1" if active else "0",
        export_protection,
        _digest(export_certificate),
    )
    return "\x00".join(parts).encode("utf-8")


def setting_message(key: str, value: str) -> bytes:
    """What a signed site setting's signature covers: its name and its stored JSON."""
    return "\x00".join(("verifier-setting/v1", key, value)).encode("utf-8")
