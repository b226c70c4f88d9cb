"""The administrators' signing key (Ed25519): what the database key alone does not give.

Every signed-in user holds the database key, so anyone of them could change a row by SQL.
The rows that carry authority (users and their roles) are therefore signed with a key that
only administrators hold: its private half is sealed to each administrator's key slot
(security.keyslots), its public half is kept in the site's settings. A row whose signature
does not verify gives no right.
"""

from __future__ import annotations

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
