"""Encrypted bundles (CMS EnvelopedData, .p7m): they open with the right secret only, both with
`open_bundle` and with the real `openssl cms` command, and reveal nothing without it."""

from __future__ import annotations

import shutil
import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import NameOID

from tests.unit.test_bundle_samples import header_for, make_lines, source
from verifier.domain.errors import ValidationError
from verifier.exports import crypto_envelope
from verifier.exports.bundle import Encryption, open_bundle, write_bundle
from verifier.exports.rows import ExportLine

PASSPHRASE = "tiers-payant-mutuelle-2026"
OPENSSL = shutil.which("openssl")
needs_openssl = pytest.mark.skipif(OPENSSL is None, reason="the openssl command is not installed")


def make_certificate(
    key: object | None = None, days: int = 365, key_usage: x509.KeyUsage | None = None, start: datetime | None = None
) -> tuple[bytes, bytes]:
    """(certificate PEM, private key PEM), self-signed, for a fictional insurer."""
    key = key or rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.COMMON_NAME, "Mutuelle Fictive – chiffrement"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Mutuelle Fictive"),
        ]
    )
    start = start or datetime.now(UTC) - timedelta(days=1)
    builder = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())  # type: ignore[attr-defined]
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(start + timedelta(days=days))
    )
    if key_usage is not None:
        builder = builder.add_extension(key_usage, critical=True)
    cert = builder.sign(key, hashes.SHA256())  # type: ignore[arg-type]
    key_pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,  # type: ignore[attr-defined]
        serialization.NoEncryption(),
    )
    return cert.public_bytes(serialization.Encoding.PEM), key_pem


def usage(key_encipherment: bool) -> x509.KeyUsage:
    return x509.KeyUsage(
        digital_signature=True,
        content_commitment=False,
        key_encipherment=key_encipherment,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=False,
        crl_sign=False,
        encipher_only=False,
        decipher_only=False,
    )


@pytest.fixture(scope="module")
def insurer() -> tuple[bytes, bytes]:
    return make_certificate(key_usage=usage(True))


@pytest.fixture(scope="module")
def other_key() -> bytes:
    return make_certificate()[1]


@pytest.fixture(scope="module")
def lines() -> list[ExportLine]:
    return make_lines(25, seed=11)


@pytest.fixture(scope="module")
def plain_zip(tmp_path_factory: pytest.TempPathFactory, lines: list[ExportLine]) -> bytes:
    return write_bundle(tmp_path_factory.mktemp("plain"), header_for(lines), source(lines)).read_bytes()


def openssl(*args: str) -> subprocess.CompletedProcess[bytes]:
    assert OPENSSL is not None
    return subprocess.run([OPENSSL, "cms", *args], capture_output=True, timeout=120, check=False)


def secrets_of(lines: list[ExportLine]) -> set[bytes]:
    found = set()
    for x in lines:
        found |= {x.patient_nir.encode(), x.patient_surname.encode("utf-8"), x.patient_first_name.encode("utf-8")}
    return found | {b"claims.csv", b"manifest.json", b"PK\x03\x04", "Pharmacie de l'Église".encode()}


# -- passphrase ---------------------------------------------------------------------------------
def test_passphrase_bundle_opens_with_the_passphrase_only(
    tmp_path: Path, lines: list[ExportLine], plain_zip: bytes
) -> None:
    path = write_bundle(tmp_path, header_for(lines), source(lines), Encryption(passphrase=PASSPHRASE))
    assert path.name.endswith(".zip.p7m")
    assert [p.name for p in tmp_path.iterdir()] == [path.name]
    data = path.read_bytes()
    assert all(secret not in data for secret in secrets_of(lines))
    files = open_bundle(path, Encryption(passphrase=PASSPHRASE))
    assert set(files) == {"manifest.json", "claims.csv", "claims.json", "bordereau.pdf"}
    with pytest.raises(ValueError, match="wrong passphrase or key"):
        open_bundle(path, Encryption(passphrase=PASSPHRASE + "!"))
    with pytest.raises(ValueError, match="encrypted"):
        open_bundle(path)


@needs_openssl
def test_openssl_opens_the_passphrase_bundle_to_the_very_same_zip(
    tmp_path: Path, lines: list[ExportLine], plain_zip: bytes
) -> None:
    path = write_bundle(tmp_path, header_for(lines), source(lines), Encryption(passphrase=PASSPHRASE))
    out = tmp_path / "bundle.zip"
    done = openssl(
        "-decrypt", "-binary", "-inform", "DER", "-in", str(path), "-pwri_password", PASSPHRASE, "-out", str(out)
    )
    assert done.returncode == 0, done.stderr.decode()
    assert out.read_bytes() == plain_zip  # the inner zip is the byte-identical plain bundle
    wrong = openssl(
        "-decrypt",
        "-binary",
        "-inform",
        "DER",
        "-in",
        str(path),
        "-pwri_password",
        "not the one",
        "-out",
        str(tmp_path / "wrong.zip"),
    )
    assert wrong.returncode != 0


@needs_openssl
def test_a_passphrase_envelope_made_by_openssl_opens_here(tmp_path: Path, plain_zip: bytes) -> None:
    source_zip = tmp_path / "b.zip"
    source_zip.write_bytes(plain_zip)
    made = tmp_path / "b.zip.p7m"
    done = openssl(
        "-encrypt",
        "-binary",
        "-aes-256-cbc",
        "-in",
        str(source_zip),
        "-outform",
        "DER",
        "-out",
        str(made),
        "-pwri_password",
        PASSPHRASE,
    )
    assert done.returncode == 0, done.stderr.decode()
    assert open_bundle(made, Encryption(passphrase=PASSPHRASE)) == open_bundle(source_zip)


def test_each_encryption_differs_but_opens_to_the_same_files(
    tmp_path: Path, lines: list[ExportLine], plain_zip: bytes
) -> None:
    a = write_bundle(tmp_path / "a", header_for(lines), source(lines), Encryption(passphrase=PASSPHRASE))
    b = write_bundle(tmp_path / "b", header_for(lines), source(lines), Encryption(passphrase=PASSPHRASE))
    assert a.read_bytes() != b.read_bytes()  # fresh salt, IVs and key each time
    assert crypto_envelope.open_envelope(a.read_bytes(), PASSPHRASE) == plain_zip
    assert crypto_envelope.open_envelope(b.read_bytes(), PASSPHRASE) == plain_zip


def test_a_tampered_envelope_is_refused(tmp_path: Path, lines: list[ExportLine]) -> None:
    path = write_bundle(tmp_path, header_for(lines), source(lines), Encryption(passphrase=PASSPHRASE))
    data = bytearray(path.read_bytes())
    for offset in (len(data) // 2, len(data) - 40, len(data) - 1):
        changed = bytearray(data)
        changed[offset] ^= 0x55
        bad = tmp_path / "bad.p7m"
        bad.write_bytes(bytes(changed))
        with pytest.raises(ValueError):
            open_bundle(bad, Encryption(passphrase=PASSPHRASE))


# -- the insurer's certificate ------------------------------------------------------------------
def test_certificate_bundle_opens_with_the_private_key_only(
    tmp_path: Path, lines: list[ExportLine], insurer: tuple[bytes, bytes], other_key: bytes, plain_zip: bytes
) -> None:
    cert, key = insurer
    path = write_bundle(tmp_path, header_for(lines), source(lines), Encryption(recipient_certificate_pem=cert))
    assert path.name.endswith(".zip.p7m")
    data = path.read_bytes()
    assert all(secret not in data for secret in secrets_of(lines))
    assert crypto_envelope.open_envelope(data, private_key_pem=key) == plain_zip
    assert open_bundle(path, Encryption(recipient_certificate_pem=cert), private_key_pem=key) == open_bundle_plain(
        plain_zip, tmp_path
    )
    with pytest.raises(ValueError, match="wrong passphrase or key"):
        open_bundle(path, private_key_pem=other_key)
    with pytest.raises(ValueError):
        open_bundle(path, Encryption(passphrase=PASSPHRASE))


def open_bundle_plain(data: bytes, tmp_path: Path) -> dict[str, bytes]:
    path = tmp_path / "plain.zip"
    path.write_bytes(data)
    return open_bundle(path)


@needs_openssl
def test_openssl_opens_the_certificate_bundle_with_the_key_only(
    tmp_path: Path, lines: list[ExportLine], insurer: tuple[bytes, bytes], other_key: bytes, plain_zip: bytes
) -> None:
    cert, key = insurer
    (tmp_path / "cert.pem").write_bytes(cert)
    (tmp_path / "key.pem").write_bytes(key)
    (tmp_path / "other.pem").write_bytes(other_key)
    path = write_bundle(tmp_path / "out", header_for(lines), source(lines), Encryption(recipient_certificate_pem=cert))
    out = tmp_path / "bundle.zip"
    done = openssl(
        "-decrypt",
        "-binary",
        "-inform",
        "DER",
        "-in",
        str(path),
        "-inkey",
        str(tmp_path / "key.pem"),
        "-recip",
        str(tmp_path / "cert.pem"),
        "-out",
        str(out),
    )
    assert done.returncode == 0, done.stderr.decode()
    assert out.read_bytes() == plain_zip
    # Without -recip too (openssl tries the key on every recipient).
    done = openssl(
        "-decrypt",
        "-binary",
        "-inform",
        "DER",
        "-in",
        str(path),
        "-inkey",
        str(tmp_path / "key.pem"),
        "-out",
        str(tmp_path / "again.zip"),
    )
    assert done.returncode == 0, done.stderr.decode()
    assert (tmp_path / "again.zip").read_bytes() == plain_zip
    wrong = openssl(
        "-decrypt",
        "-binary",
        "-inform",
        "DER",
        "-in",
        str(path),
        "-inkey",
        str(tmp_path / "other.pem"),
        "-recip",
        str(tmp_path / "cert.pem"),
        "-out",
        str(tmp_path / "wrong.zip"),
    )
    # OpenSSL answers a wrong RSA key with a random content key (its defence against padding
    # oracles): about 1 run in 256 the padding happens to check and it exits 0 with garbage.
    # What matters is that the wrong key never gives the bundle.
    garbage = (tmp_path / "wrong.zip").read_bytes() if (tmp_path / "wrong.zip").exists() else b""
    assert wrong.returncode != 0 or garbage != plain_zip


@needs_openssl
@pytest.mark.parametrize("padding", ["pkcs1", "oaep"])
def test_a_certificate_envelope_made_by_openssl_opens_here(
    tmp_path: Path, insurer: tuple[bytes, bytes], plain_zip: bytes, padding: str
) -> None:
    cert, key = insurer
    (tmp_path / "cert.pem").write_bytes(cert)
    source_zip = tmp_path / "b.zip"
    source_zip.write_bytes(plain_zip)
    made = tmp_path / "b.zip.p7m"
    options = ["-keyopt", "rsa_padding_mode:oaep", "-keyopt", "rsa_oaep_md:sha256"] if padding == "oaep" else []
    done = openssl(
        "-encrypt",
        "-binary",
        "-aes-256-cbc",
        "-in",
        str(source_zip),
        "-outform",
        "DER",
        "-out",
        str(made),
        "-recip",
        str(tmp_path / "cert.pem"),
        *options,
    )
    assert done.returncode == 0, done.stderr.decode()
    assert open_bundle(made, private_key_pem=key) == open_bundle(source_zip)


# -- refusing what should not be used ----------------------------------------------------------
def codes(error: ValidationError) -> list[str]:
    return [p.code for p in error.problems]


def test_exactly_one_secret() -> None:
    with pytest.raises(ValidationError) as none:
        Encryption()
    with pytest.raises(ValidationError) as both:
        Encryption(passphrase=PASSPHRASE, recipient_certificate_pem=b"x")
    assert codes(none.value) == codes(both.value) == ["export.encryption_one"]


def test_short_passphrase_is_refused() -> None:
    with pytest.raises(ValidationError) as caught:
        Encryption(passphrase="court")
    assert codes(caught.value) == ["export.passphrase_short"]
    assert "12" in str(caught.value)


def test_generated_passphrases_are_long_and_distinct() -> None:
    made = {crypto_envelope.generate_passphrase() for _ in range(20)}
    assert len(made) == 20
    assert all(len(p) == 35 and Encryption(passphrase=p) for p in made)


@pytest.mark.parametrize(
    "case, code",
    [
        ("garbage", "export.certificate_unreadable"),
        ("ec", "export.certificate_not_rsa"),
        ("rsa1024", "export.certificate_weak"),
        ("expired", "export.certificate_expired"),
        ("future", "export.certificate_not_yet_valid"),
        ("signing_only", "export.certificate_usage"),
    ],
)
def test_unusable_certificates_are_refused_with_the_reason(case: str, code: str) -> None:
    if case == "garbage":
        pem = b"-----BEGIN CERTIFICATE-----\nnot base64\n-----END CERTIFICATE-----\n"
    elif case == "ec":
        pem = make_certificate(ec.generate_private_key(ec.SECP256R1()))[0]
    elif case == "rsa1024":
        pem = make_certificate(rsa.generate_private_key(public_exponent=65537, key_size=1024))[0]
    elif case == "expired":
        pem = make_certificate(start=datetime.now(UTC) - timedelta(days=400), days=30)[0]
    elif case == "future":
        pem = make_certificate(start=datetime.now(UTC) + timedelta(days=10))[0]
    else:
        pem = make_certificate(key_usage=usage(False))[0]
    with pytest.raises(ValidationError) as caught:
        Encryption(recipient_certificate_pem=pem)
    assert codes(caught.value) == [code]


def test_envelope_reader_refuses_other_files() -> None:
    with pytest.raises(ValueError):
        crypto_envelope.open_envelope(b"\x30\x03\x06\x01\x00", PASSPHRASE)
    with pytest.raises(ValueError):
        crypto_envelope.open_envelope(b"not DER at all", PASSPHRASE)
