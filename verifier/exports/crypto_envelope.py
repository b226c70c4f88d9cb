"""Encrypting a bundle for its insurer: CMS EnvelopedData (RFC 5652), `.p7m`.

One standard for both kinds of secret, opened by one common command,
`openssl cms -decrypt` (also by any S/MIME or CMS library):

* the insurer's X.509 certificate (RSA): a key-transport recipient (RFC 5652 6.2.1),
  the content key wrapped with RSAES-OAEP, SHA-256 and MGF1-SHA-256 (RFC 4055);
* a passphrase agreed with the insurer: a password recipient (RFC 3211), key derived with
  PBKDF2-HMAC-SHA256 (600,000 iterations, 16-byte random salt), content key wrapped with
  AES-256-CBC as RFC 3211 says.

The content is encrypted with AES-256-CBC under a fresh random key and IV. The file is
written as it streams (its length is known beforehand from the zip's size), so a large
bundle never sits in memory whole. Reading (`open_envelope`) is for tests and support.

Also here: `SealedTemp`, the temporary files the bundle is built in, encrypted under a
key that lives only in memory, so that a crash mid-export leaves nothing readable behind.
"""

from __future__ import annotations

import hmac
import os
import secrets
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import BinaryIO

from cryptography import x509
from cryptography.hazmat.primitives import hashes, padding
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.asymmetric.padding import MGF1, OAEP, PKCS1v15
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.kdf.pbkdf2 import PBKDF2HMAC
from cryptography.hazmat.primitives.serialization import load_pem_private_key

from verifier.exports import der
from verifier.exports.der import Node

PBKDF2_ITERATIONS = 600_000
MAX_ITERATIONS = 10_000_000  # refuse files that would make us spin for minutes
CHUNK = 1 << 20

ENVELOPED_DATA = der.oid("1.2.840.113549.1.7.3")
DATA = der.oid("1.2.840.113549.1.7.1")
AES_CBC = {
    der.oid("2.16.840.1.101.3.4.1.2"): 16,
    der.oid("2.16.840.1.101.3.4.1.22"): 24,
    der.oid("2.16.840.1.101.3.4.1.42"): 32,
}
AES256_CBC = der.oid("2.16.840.1.101.3.4.1.42")
RSA_ENCRYPTION = der.oid("1.2.840.113549.1.1.1")
RSAES_OAEP = der.oid("1.2.840.113549.1.1.7")
MGF1_OID = der.oid("1.2.840.113549.1.1.8")
PBKDF2_OID = der.oid("1.2.840.113549.1.5.12")
PWRI_KEK = der.oid("1.2.840.113549.1.9.16.3.9")
HASHES: dict[bytes, type[hashes.HashAlgorithm]] = {
    der.oid("1.3.14.3.2.26"): hashes.SHA1,
    der.oid("2.16.840.1.101.3.4.2.1"): hashes.SHA256,
    der.oid("2.16.840.1.101.3.4.2.2"): hashes.SHA384,
    der.oid("2.16.840.1.101.3.4.2.3"): hashes.SHA512,
}
SHA256 = der.oid("2.16.840.1.101.3.4.2.1")
HMACS: dict[bytes, type[hashes.HashAlgorithm]] = {
    der.oid("1.2.840.113549.2.7"): hashes.SHA1,
    der.oid("1.2.840.113549.2.9"): hashes.SHA256,
    der.oid("1.2.840.113549.2.10"): hashes.SHA384,
    der.oid("1.2.840.113549.2.11"): hashes.SHA512,
}
HMAC_SHA256 = der.oid("1.2.840.113549.2.9")


class EnvelopeError(ValueError):
    """The file is not an envelope we can open, or the secret does not open it."""


def generate_passphrase(groups: int = 6) -> str:
    """A passphrase to agree with an insurer: 6 groups of 5 letters and digits (~155 bits)."""
    alphabet = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i to misread on the phone
    return "-".join("".join(secrets.choice(alphabet) for _ in range(5)) for _ in range(groups))


# -- writing ------------------------------------------------------------------------------
def _oaep_sha256() -> bytes:
    return der.seq(
        RSAES_OAEP, der.seq(der.tlv(0xA0, der.seq(SHA256)), der.tlv(0xA1, der.seq(MGF1_OID, der.seq(SHA256))))
    )


def recipient_for_certificate(cert: x509.Certificate, cek: bytes) -> bytes:
    """KeyTransRecipientInfo (version 0, issuer and serial number) for an RSA certificate."""
    key = cert.public_key()
    if not isinstance(key, rsa.RSAPublicKey):
        raise TypeError("only RSA certificates can receive a bundle")
    encrypted = key.encrypt(cek, OAEP(MGF1(hashes.SHA256()), hashes.SHA256(), None))
    rid = der.seq(cert.issuer.public_bytes(), der.integer(cert.serial_number))
    return der.seq(der.integer(0), rid, _oaep_sha256(), der.octets(encrypted))


def _kek(passphrase: str, salt: bytes, iterations: int, algorithm: type[hashes.HashAlgorithm], size: int) -> bytes:
    return PBKDF2HMAC(algorithm(), size, salt, iterations).derive(passphrase.encode("utf-8"))


def _cbc(key: bytes, iv: bytes, data: bytes, decrypt: bool = False) -> bytes:
    cipher = Cipher(algorithms.AES(key), modes.CBC(iv))
    ctx = cipher.decryptor() if decrypt else cipher.encryptor()
    return ctx.update(data) + ctx.finalize()


def recipient_for_passphrase(passphrase: str, cek: bytes, iterations: int = PBKDF2_ITERATIONS) -> bytes:
    """PasswordRecipientInfo ([3], version 0): PBKDF2-HMAC-SHA256, RFC 3211 AES-256 key wrap."""
    salt, iv = os.urandom(16), os.urandom(16)
    kek = _kek(passphrase, salt, iterations, hashes.SHA256, 32)
    # RFC 3211 2.3.1: length, check bytes, key, random padding to at least two blocks,
    # then encrypted twice in CBC, the second time chained from the last block of the first.
    block = bytes([len(cek)]) + bytes(b ^ 0xFF for b in cek[:3]) + cek
    block += os.urandom(max(32, -(-len(block) // 16) * 16) - len(block))
    first = _cbc(kek, iv, block)
    wrapped = _cbc(kek, first[-16:], first)
    # keyDerivationAlgorithm is an AlgorithmIdentifier tagged [0] IMPLICIT.
    kdf = der.tlv(
        0xA0, PBKDF2_OID, der.seq(der.octets(salt), der.integer(iterations), der.seq(HMAC_SHA256, der.null()))
    )
    kea = der.seq(PWRI_KEK, der.seq(AES256_CBC, der.octets(iv)))
    return der.tlv(0xA3, der.integer(0), kdf, kea, der.octets(wrapped))


def write_envelope(chunks: Iterable[bytes], size: int, out: BinaryIO, recipient: bytes, cek: bytes) -> None:
    """Write ContentInfo(EnvelopedData) for `size` bytes of `chunks`, AES-256-CBC under `cek`."""
    version = 3 if recipient[0] == 0xA3 else 0  # RFC 5652 6.1: 3 with a password recipient
    iv = os.urandom(16)
    encrypted_size = (size // 16 + 1) * 16  # PKCS#7 padding always adds 1 to 16 bytes
    alg = der.seq(AES256_CBC, der.octets(iv))
    content_head = der.header(0x80, encrypted_size)  # [0] IMPLICIT OCTET STRING
    eci_len = len(DATA) + len(alg) + len(content_head) + encrypted_size
    eci_head = der.header(der.SEQUENCE, eci_len)
    env_body = der.integer(version) + der.set_of(recipient)
    env_len = len(env_body) + len(eci_head) + eci_len
    env_head = der.header(der.SEQUENCE, env_len)
    explicit_head = der.header(0xA0, len(env_head) + env_len)
    ci_head = der.header(der.SEQUENCE, len(ENVELOPED_DATA) + len(explicit_head) + len(env_head) + env_len)
    out.write(ci_head + ENVELOPED_DATA + explicit_head + env_head + env_body + eci_head + DATA + alg + content_head)
    encryptor = Cipher(algorithms.AES(cek), modes.CBC(iv)).encryptor()
    padder = padding.PKCS7(128).padder()
    seen = written = 0
    for chunk in chunks:
        seen += len(chunk)
        data = encryptor.update(padder.update(chunk))
        written += len(data)
        out.write(data)
    data = encryptor.update(padder.finalize()) + encryptor.finalize()
    written += len(data)
    out.write(data)
    if seen != size or written != encrypted_size:
        raise ValueError(f"envelope content was {seen} bytes, {size} announced")


# -- reading ------------------------------------------------------------------------------
def _unwrap_ktri(info: Node, key: rsa.RSAPrivateKey) -> bytes:
    parts = info.children()
    alg = parts[2].children()
    if alg[0].encoded == RSA_ENCRYPTION:
        return key.decrypt(parts[3].content, PKCS1v15())
    if alg[0].encoded != RSAES_OAEP:
        raise EnvelopeError("unsupported key transport algorithm")
    digest: type[hashes.HashAlgorithm] = hashes.SHA1  # RFC 4055 defaults
    mgf_digest: type[hashes.HashAlgorithm] = hashes.SHA1
    for param in alg[1].children() if len(alg) > 1 else []:
        if param.tag == 0xA0:
            digest = HASHES[param.children()[0].children()[0].encoded]
        elif param.tag == 0xA1:
            mgf_digest = HASHES[param.children()[0].children()[1].children()[0].encoded]
        elif param.tag == 0xA2:
            raise EnvelopeError("OAEP labels are not supported")
    return key.decrypt(parts[3].content, OAEP(MGF1(mgf_digest()), digest(), None))


def _unwrap_pwri(info: Node, passphrase: str) -> bytes:
    parts = info.children()
    if len(parts) != 4 or parts[1].tag != 0xA0:
        raise EnvelopeError("password recipient without key derivation parameters")
    kdf = parts[1].children()
    if kdf[0].encoded != PBKDF2_OID:
        raise EnvelopeError("unsupported key derivation")
    params = kdf[1].children()
    salt, iterations = params[0].expect(der.OCTET_STRING, "salt").content, params[1].as_int()
    prf: type[hashes.HashAlgorithm] = hashes.SHA1
    for extra in params[2:]:
        if extra.tag == der.SEQUENCE:
            prf = HMACS[extra.children()[0].encoded]
    if not 0 < iterations <= MAX_ITERATIONS:
        raise EnvelopeError("unreasonable PBKDF2 iteration count")
    kea = parts[2].children()
    if kea[0].encoded != PWRI_KEK:
        raise EnvelopeError("unsupported password key encryption")
    kek_alg = kea[1].children()
    size = AES_CBC.get(kek_alg[0].encoded)
    if size is None:
        raise EnvelopeError("unsupported key encryption cipher")
    iv, wrapped = kek_alg[1].content, parts[3].content
    if len(wrapped) < 32 or len(wrapped) % 16:
        raise EnvelopeError("bad wrapped key")
    kek = _kek(passphrase, salt, iterations, prf, size)
    # Undo the second CBC pass: its IV is the first pass's last block, which is the
    # ECB decryption of the last wrapped block XOR the one before it.
    ecb = Cipher(algorithms.AES(kek), modes.ECB()).decryptor()
    last = ecb.update(wrapped[-16:]) + ecb.finalize()
    iv2 = bytes(a ^ b for a, b in zip(last, wrapped[-32:-16]))
    block = _cbc(kek, iv, _cbc(kek, iv2, wrapped, decrypt=True), decrypt=True)
    n = block[0]
    cek = block[4 : 4 + n]
    if len(cek) != n or not hmac.compare_digest(bytes(b ^ 0xFF for b in block[1:4]), cek[:3]):
        raise EnvelopeError("wrong passphrase")
    return cek


def open_envelope(data: bytes, passphrase: str | None = None, private_key_pem: bytes | None = None) -> bytes:
    """The content of a CMS EnvelopedData file (DER), opened with a passphrase or an RSA key."""
    try:
        top = Node(data).expect(der.SEQUENCE, "ContentInfo").children()
        if top[0].encoded != ENVELOPED_DATA:
            raise EnvelopeError("not a CMS enveloped-data file")
        env = top[1].expect(0xA0, "content").children()[0].children()
        rest = env[1:]
        if rest[0].tag == 0xA0:  # originatorInfo
            rest = rest[1:]
        recipients = rest[0].expect(der.SET, "recipientInfos").children()
        eci = rest[1].children()
    except (IndexError, ValueError) as exc:
        raise EnvelopeError(f"not a CMS enveloped-data file: {exc}") from exc
    key = None
    if private_key_pem is not None:
        loaded = load_pem_private_key(private_key_pem, password=None)
        if not isinstance(loaded, rsa.RSAPrivateKey):
            raise EnvelopeError("only RSA private keys are supported")
        key = loaded
    cek = None
    for info in recipients:
        try:
            if info.tag == der.SEQUENCE and key is not None:
                cek = _unwrap_ktri(info, key)
            elif info.tag == 0xA3 and passphrase is not None:
                cek = _unwrap_pwri(info, passphrase)
        except (ValueError, KeyError, IndexError):
            cek = None
        if cek is not None:
            break
    if cek is None:
        raise EnvelopeError("this secret does not open the bundle (wrong passphrase or key)")
    alg = eci[1].children()
    if AES_CBC.get(alg[0].encoded) != len(cek):
        raise EnvelopeError("unsupported content encryption")
    body = eci[2]
    if body.tag == 0x80:
        encrypted = body.content
    elif body.tag == 0xA0:  # constructed: a series of OCTET STRINGs
        encrypted = b"".join(part.content for part in body.children())
    else:
        raise EnvelopeError("no encrypted content")
    plain = _cbc(cek, alg[1].content, encrypted, decrypt=True)
    unpadder = padding.PKCS7(128).unpadder()
    try:
        return unpadder.update(plain) + unpadder.finalize()
    except ValueError as exc:
        raise EnvelopeError("this secret does not open the bundle (wrong passphrase or key)") from exc


# -- temporary files ----------------------------------------------------------------------
class SealedTemp:
    """An append-only temporary file encrypted (AES-256-CTR) under a key kept in memory.

    Written once, read back as plain chunks, removed by `discard()`. If the process dies
    in between, what stays on disk is noise.
    """

    def __init__(self, directory: Path) -> None:
        fd, name = tempfile.mkstemp(prefix=".sealed-", dir=directory)
        self.path = Path(name)
        self._file = os.fdopen(fd, "w+b")
        self._key, self._nonce = os.urandom(32), os.urandom(16)
        self._enc = Cipher(algorithms.AES(self._key), modes.CTR(self._nonce)).encryptor()
        self.size = 0

    # The zip writer asks for these; refusing seek makes it stream (data descriptors).
    def write(self, data: bytes) -> int:
        self._file.write(self._enc.update(data))
        self.size += len(data)
        return len(data)

    def tell(self) -> int:
        return self.size

    def seekable(self) -> bool:
        return False

    def seek(self, *_: object) -> int:
        raise OSError("append-only")

    def flush(self) -> None:
        self._file.flush()

    def close(self) -> None:
        """What the zip writer calls when done: the content stays readable until `discard()`."""
        self._file.flush()

    def chunks(self) -> Iterator[bytes]:
        """The plain content, from the start, in chunks."""
        self._file.flush()
        self._file.seek(0)
        dec = Cipher(algorithms.AES(self._key), modes.CTR(self._nonce)).decryptor()
        while True:
            block = self._file.read(CHUNK)
            if not block:
                break
            yield dec.update(block)

    def discard(self) -> None:
        self._file.close()
        self.path.unlink(missing_ok=True)
