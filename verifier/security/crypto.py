"""Key derivation, key wrapping and field encryption.

- The database key is 32 random bytes. It is never stored in clear: each user's key slot
  holds it wrapped (AES-256-GCM) under a key derived from that user's password with
  Argon2id. A wrong password fails the GCM tag check: a failed sign-in, nothing more.
- Sub-keys for field encryption and blind indexes are derived from the database key with
  HKDF, so one secret opens everything and nothing else needs storing.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import secrets
import unicodedata
from dataclasses import asdict, dataclass

from argon2.low_level import Type, hash_secret_raw
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

KEY_BYTES = 32


@dataclass(frozen=True)
class KdfParams:
    """Argon2id parameters, stored with each slot so they can be raised later."""

    time_cost: int = 3
    memory_cost: int = 65536  # KiB: 64 MiB, RFC 9106's second recommended option
    parallelism: int = 4

    def to_dict(self) -> dict[str, int]:
        return asdict(self)


# Tests lower this (the cost is recorded in each slot, so slots stay readable).
DEFAULT_KDF = KdfParams()
_current_kdf = DEFAULT_KDF


def set_default_kdf(params: KdfParams) -> None:
    global _current_kdf
    _current_kdf = params


def default_kdf() -> KdfParams:
    return _current_kdf


def new_database_key() -> bytes:
    return secrets.token_bytes(KEY_BYTES)


def derive_kek(password: str, salt: bytes, params: KdfParams) -> bytes:
    """The key-encryption key for one slot, from a password (NFC-normalised first)."""
    secret = unicodedata.normalize("NFC", password).encode("utf-8")
    return hash_secret_raw(
        secret,
        salt,
        time_cost=params.time_cost,
        memory_cost=params.memory_cost,
        parallelism=params.parallelism,
        hash_len=KEY_BYTES,
        type=Type.ID,
    )


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def unb64(text: str) -> bytes:
    return base64.b64decode(text.encode("ascii"), validate=True)


@dataclass(frozen=True)
class WrappedKey:
    salt: bytes
    nonce: bytes
    ciphertext: bytes
    kdf: KdfParams


def wrap_key(db_key: bytes, password: str, context: bytes, params: KdfParams | None = None) -> WrappedKey:
    """Wrap the database key under a password; `context` (the slot's name) is authenticated."""
    params = params or _current_kdf
    salt = os.urandom(16)
    nonce = os.urandom(12)
    kek = derive_kek(password, salt, params)
    return WrappedKey(salt, nonce, AESGCM(kek).encrypt(nonce, db_key, context), params)


def unwrap_key(wrapped: WrappedKey, password: str, context: bytes) -> bytes | None:
    """The database key, or None when the password is wrong."""
    kek = derive_kek(password, wrapped.salt, wrapped.kdf)
    try:
        return AESGCM(kek).decrypt(wrapped.nonce, wrapped.ciphertext, context)
    except InvalidTag:
        return None


def wrap_secret(secret: bytes, password: str, context: bytes, params: KdfParams | None = None) -> WrappedKey:
    """Wrap any 32-byte secret (a user's private key) under a password, like `wrap_key`."""
    return wrap_key(secret, password, context, params)


@dataclass(frozen=True)
class Sealed:
    """A secret sealed to an X25519 public key: an ephemeral key pair's public half, and the
    secret under AES-256-GCM with a key from HKDF(ECDH(ephemeral, recipient)). Whoever holds
    the recipient's public key can seal; only the private key opens."""

    ephemeral: bytes
    nonce: bytes
    ciphertext: bytes

    def to_dict(self) -> dict[str, str]:
        return {"ephemeral": b64(self.ephemeral), "nonce": b64(self.nonce), "ciphertext": b64(self.ciphertext)}

    @staticmethod
    def from_dict(data: dict[str, str]) -> Sealed:
        return Sealed(unb64(data["ephemeral"]), unb64(data["nonce"]), unb64(data["ciphertext"]))


def new_keypair() -> tuple[bytes, bytes]:
    """A fresh X25519 key pair: (private, public), 32 raw bytes each."""
    private = X25519PrivateKey.generate()
    return private.private_bytes_raw(), private.public_key().public_bytes_raw()


def _seal_key(shared: bytes, ephemeral: bytes, recipient: bytes, context: bytes) -> bytes:
    return HKDF(
        algorithm=hashes.SHA256(), length=KEY_BYTES, salt=ephemeral + recipient, info=b"verifier/seal/v1\x00" + context
    ).derive(shared)


def seal(public: bytes, secret: bytes, context: bytes) -> Sealed:
    """`secret` sealed to the holder of `public`'s private key; `context` is authenticated."""
    ephemeral = X25519PrivateKey.generate()
    eph_public = ephemeral.public_key().public_bytes_raw()
    shared = ephemeral.exchange(X25519PublicKey.from_public_bytes(public))
    nonce = os.urandom(12)
    key = _seal_key(shared, eph_public, public, context)
    return Sealed(eph_public, nonce, AESGCM(key).encrypt(nonce, secret, context))


def open_sealed(private: bytes, sealed: Sealed, context: bytes) -> bytes | None:
    """The sealed secret, or None when `private` is not the recipient's or it was altered."""
    me = X25519PrivateKey.from_private_bytes(private)
    public = me.public_key().public_bytes_raw()
    shared = me.exchange(X25519PublicKey.from_public_bytes(sealed.ephemeral))
    key = _seal_key(shared, sealed.ephemeral, public, context)
    try:
        return AESGCM(key).decrypt(sealed.nonce, sealed.ciphertext, context)
    except InvalidTag:
        return None


def subkey(db_key: bytes, purpose: str) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=KEY_BYTES, salt=None, info=purpose.encode("ascii")).derive(db_key)


def key_check(db_key: bytes) -> str:
    """A public fingerprint that tells which database a key belongs to, revealing nothing."""
    return hashlib.sha256(subkey(db_key, "verifier/key-check/v1")).hexdigest()[:16]


class FieldCipher:
    """Encrypts personal fields (AES-256-GCM) and computes blind indexes (HMAC-SHA256).

    The ciphertext is `v1:` + base64(nonce || ciphertext+tag). The column name is bound
    as associated data so a value cannot be moved to another column unnoticed.
    """

    PREFIX = "v1:"

    def __init__(self, db_key: bytes, previous: bytes | None = None) -> None:
        self.database_key = db_key  # kept in memory only, to wrap it for new users
        self._aead = AESGCM(subkey(db_key, "verifier/fields/v1"))
        self._index_key = subkey(db_key, "verifier/blind-index/v1")
        # During a key rotation: the key the rows not re-encrypted yet are still under.
        self._previous = AESGCM(subkey(previous, "verifier/fields/v1")) if previous is not None else None

    def encrypt(self, plaintext: str | None, column: str) -> str | None:
        if plaintext is None:
            return None
        nonce = os.urandom(12)
        ct = self._aead.encrypt(nonce, plaintext.encode("utf-8"), column.encode("ascii"))
        return self.PREFIX + b64(nonce + ct)

    def decrypt(self, token: str | None, column: str) -> str | None:
        if token is None:
            return None
        if not token.startswith(self.PREFIX):
            raise ValueError("unknown field encryption format")
        raw = unb64(token[len(self.PREFIX) :])
        try:
            return self._aead.decrypt(raw[:12], raw[12:], column.encode("ascii")).decode("utf-8")
        except InvalidTag:
            if self._previous is None:
                raise
            return self._previous.decrypt(raw[:12], raw[12:], column.encode("ascii")).decode("utf-8")

    def is_current(self, token: str | None, column: str) -> bool:
        """Whether `token` is under this cipher's own key (not the previous one): a rotation
        that resumes after a crash skips the rows already re-encrypted."""
        if token is None or not token.startswith(self.PREFIX):
            return True
        raw = unb64(token[len(self.PREFIX) :])
        try:
            self._aead.decrypt(raw[:12], raw[12:], column.encode("ascii"))
        except InvalidTag:
            return False
        return True

    def blind_index(self, value: str, purpose: str) -> str:
        """A keyed hash for exact-match search; equal inputs give equal outputs."""
        mac = hmac.new(self._index_key, f"{purpose}\x00{value}".encode(), hashlib.sha256)
        return mac.hexdigest()[:32]
