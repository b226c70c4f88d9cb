"""The export bundle of one batch: a zip of claims.csv, claims.json, bordereau.pdf and a
manifest, optionally encrypted for the insurer (CMS, `.p7m`). Format: docs/export-format.md.

`write_bundle` reads the lines once, as they stream, and writes the three files at the
same time into sealed temporary files (see `crypto_envelope.SealedTemp`), checking on the
way that the lines agree with each other and with the batch header. Only then is the zip
built, and the bundle appears under its final name in one rename. The same header and
lines always give the same zip, byte for byte.
"""

from __future__ import annotations

import hashlib
import io
import json
import operator
import os
import zipfile
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import rsa

import verifier
from verifier import i18n
from verifier.domain.errors import DomainError, Problem, ValidationError
from verifier.exports.bordereau import Bordereau, slip_row
from verifier.exports.crypto_envelope import (
    EnvelopeError,
    SealedTemp,
    open_envelope,
    recipient_for_certificate,
    recipient_for_passphrase,
    write_envelope,
)
from verifier.exports.csv_writer import CsvWriter
from verifier.exports.json_writer import JsonWriter, batch_part
from verifier.exports.rows import BundleHeader, ExportLine
from verifier.exports.stay_bordereau import StayBatchHeader, StayLineRow, StayRow
from verifier.exports.stay_bordereau import render as render_stays
from verifier.exports.values import as_utc, slug
from verifier.files import PRIVATE, atomic_write

MIN_PASSPHRASE = 12
MIN_RSA_BITS = 2048
ENCRYPTED_SUFFIX = ".p7m"
COMPRESSION_LEVEL = 6
CLAIM_FIELDS = (
    "claim_id",
    "claim_number",
    "claim_version",
    "previous_claim_id",
    "dispensed_on",
    "prescriber_rpps",
    "operator_down",
    "patient_surname",
    "patient_first_name",
    "patient_birth_date",
    "patient_nir",
    "patient_rank",
    "amo_fund",
    "member_number",
    "insurer_amc_number",
    "insurer_name",
    "check_method",
    "check_reference",
    "check_outcome",
    "checked_at",
    "guarantees",
    "claim_price",
    "claim_amo",
    "claim_amc",
    "claim_patient_share",
)
_claim_key = operator.attrgetter(*CLAIM_FIELDS)

i18n.register(
    {
        "export.encryption_one": i18n.N_(
            "Choisissez un seul moyen de chiffrement : la phrase secrète convenue avec l'organisme, ou son certificat."
        ),
        "export.passphrase_short": i18n.N_(
            "La phrase secrète ne compte que {length} caractères : il en faut au moins {minimum} (utilisez une phrase générée par le logiciel)."
        ),
        "export.certificate_unreadable": i18n.N_(
            "Le certificat de l'organisme est illisible : fournissez son certificat X.509 au format PEM (« -----BEGIN CERTIFICATE----- »)."
        ),
        "export.certificate_not_rsa": i18n.N_(
            "Le certificat de l'organisme n'a pas de clé RSA : demandez-lui un certificat de chiffrement RSA."
        ),
        "export.certificate_weak": i18n.N_(
            "La clé du certificat de l'organisme ne fait que {bits} bits : demandez-lui un certificat de {minimum} bits au moins."
        ),
        "export.certificate_expired": i18n.N_(
            "Le certificat de l'organisme a expiré le {date} : demandez-lui son nouveau certificat."
        ),
        "export.certificate_not_yet_valid": i18n.N_(
            "Le certificat de l'organisme n'est valable qu'à partir du {date} : vérifiez la date de l'ordinateur ou attendez cette date."
        ),
        "export.certificate_usage": i18n.N_(
            "Ce certificat ne permet pas de chiffrer (usage de clé) : demandez à l'organisme son certificat de chiffrement."
        ),
        "export.order": i18n.N_(
            "Le lot n° {batch} n'a pas été exporté : les lignes ne sont pas dans l'ordre (demande {claim}). Aucun fichier n'a été écrit ; signalez-le au support."
        ),
        "export.claim_mismatch": i18n.N_(
            "Le lot n° {batch} n'a pas été exporté : les lignes de la demande {claim} ne concordent pas ({field}). Aucun fichier n'a été écrit ; signalez-le au support."
        ),
        "export.amounts": i18n.N_(
            "Le lot n° {batch} n'a pas été exporté : les montants de la demande {claim} ne s'additionnent pas ({field}). Aucun fichier n'a été écrit ; signalez-le au support."
        ),
        "export.batch_totals": i18n.N_(
            "Le lot n° {batch} n'a pas été exporté : ses totaux ne correspondent pas à ses lignes ({field} : {expected} attendu, {found} dans les lignes). Aucun fichier n'a été écrit ; signalez-le au support."
        ),
    }
)


class BundleInconsistent(DomainError, ValueError):
    """The lines disagree with each other or with the header: nothing is written."""


@dataclass(frozen=True)
class Encryption:
    """How to encrypt a bundle for its insurer: exactly one of the two."""

    passphrase: str | None = None
    recipient_certificate_pem: bytes | None = None  # X.509 certificate of the insurer

    def __post_init__(self) -> None:
        if (self.passphrase is None) == (self.recipient_certificate_pem is None):
            raise ValidationError([Problem("export.encryption_one")])
        if self.passphrase is not None and len(self.passphrase) < MIN_PASSPHRASE:
            raise ValidationError(
                [
                    Problem(
                        "export.passphrase_short",
                        {"length": len(self.passphrase), "minimum": MIN_PASSPHRASE},
                        "passphrase",
                    )
                ]
            )
        if self.recipient_certificate_pem is not None:
            check_certificate(self.certificate())

    def certificate(self) -> x509.Certificate:
        assert self.recipient_certificate_pem is not None
        try:
            return x509.load_pem_x509_certificate(self.recipient_certificate_pem)
        except ValueError:
            raise ValidationError([Problem("export.certificate_unreadable", field="certificate")]) from None


def check_certificate(cert: x509.Certificate, now: datetime | None = None) -> None:
    """Refuse a certificate a bundle should not be encrypted for, saying why."""
    now = now or datetime.now(UTC)
    key = cert.public_key()
    if not isinstance(key, rsa.RSAPublicKey):
        raise ValidationError([Problem("export.certificate_not_rsa", field="certificate")])
    if key.key_size < MIN_RSA_BITS:
        raise ValidationError(
            [Problem("export.certificate_weak", {"bits": key.key_size, "minimum": MIN_RSA_BITS}, "certificate")]
        )
    if cert.not_valid_after_utc < now:
        raise ValidationError(
            [Problem("export.certificate_expired", {"date": f"{cert.not_valid_after_utc:%d/%m/%Y}"}, "certificate")]
        )
    if cert.not_valid_before_utc > now:
        raise ValidationError(
            [
                Problem(
                    "export.certificate_not_yet_valid", {"date": f"{cert.not_valid_before_utc:%d/%m/%Y}"}, "certificate"
                )
            ]
        )
    try:
        usage = cert.extensions.get_extension_for_class(x509.KeyUsage).value
    except x509.ExtensionNotFound:
        return
    if not usage.key_encipherment:
        raise ValidationError([Problem("export.certificate_usage", field="certificate")])


@dataclass(frozen=True)
class CertificateSummary:
    """What an administrator is shown of a recipient's certificate."""

    subject: str  # its common name, or the whole subject when it has none
    not_after: datetime
    fingerprint: str  # SHA-256 of the DER, hex: to read out to the insurer and compare


def summarize_certificate(pem: bytes) -> CertificateSummary:
    """The certificate a bundle would be encrypted for, checked (check_certificate) and
    summed up; an unusable one is refused with its sentence."""
    cert = Encryption(recipient_certificate_pem=pem).certificate()
    names = cert.subject.get_attributes_for_oid(x509.NameOID.COMMON_NAME)
    subject = str(names[0].value) if names else cert.subject.rfc4514_string()
    return CertificateSummary(subject, cert.not_valid_after_utc, cert.fingerprint(hashes.SHA256()).hex())


def bundle_name(header: BundleHeader) -> str:
    """`verifier_<site>_<amc>_lot-000042_2026-11-29.zip`: ASCII, no spaces, UTC date of the batch.

    A batch for an operator is named after it: `verifier_<site>_op-<code>_lot-000007_<date>.zip`.
    """
    site = slug(header.site_name) or "site"
    if header.for_operator:
        amc = "op-" + (slug(header.operator_code or "", 20) or "operator")
    else:
        amc = slug(header.insurer_amc_number or "", 20) or "amc"
    day = as_utc(header.created_at).date().isoformat()
    return f"verifier_{site}_{amc}_lot-{header.batch_number:06d}_{day}.zip"


# -- checking the lines as they stream ----------------------------------------------------
class _Tally:
    AMOUNTS = ("price", "br", "amo", "tm", "amc", "patient_share")

    def __init__(self, header: BundleHeader) -> None:
        self.h = header
        self.claims = self.lines = 0
        self.sums = dict.fromkeys(self.AMOUNTS, Decimal(0))
        self.insurers: dict[str, tuple[int, Decimal]] = {}

    def fail(self, code: str, **params: object) -> None:
        raise BundleInconsistent(code, batch=f"{self.h.batch_number:06d}", **params)

    def claim(self, lines: list[ExportLine]) -> None:
        first = lines[0]
        sums = dict.fromkeys(self.AMOUNTS, Decimal(0))
        for x in lines:
            if x.amo + x.amc + x.patient_share != x.price or x.tm != x.br - x.amo:
                self.fail("export.amounts", claim=first.claim_number, field=f"line_position {x.line_position}")
            for name in self.AMOUNTS:
                sums[name] += getattr(x, name)
        for name, claimed in (
            ("price", first.claim_price),
            ("amo", first.claim_amo),
            ("amc", first.claim_amc),
            ("patient_share", first.claim_patient_share),
        ):
            if sums[name] != claimed:
                self.fail("export.amounts", claim=first.claim_number, field=name)
        for name in self.AMOUNTS:
            self.sums[name] += sums[name]
        self.claims += 1
        self.lines += len(lines)
        count, amc = self.insurers.get(first.insurer_amc_number, (0, Decimal(0)))
        self.insurers[first.insurer_amc_number] = (count + 1, amc + sums["amc"])
        if not _recipient_holds(self.h, first.insurer_amc_number):
            self.fail("export.claim_mismatch", claim=first.claim_number, field="insurer_amc_number")

    def check(self) -> None:
        h = self.h
        expected: list[tuple[str, object, object]] = [
            ("claim_count", h.claim_count, self.claims),
            ("line_count", h.line_count, self.lines),
            ("total_price", h.total_price, self.sums["price"]),
            ("total_br", h.total_br, self.sums["br"]),
            ("total_amo", h.total_amo, self.sums["amo"]),
            ("total_tm", h.total_tm, self.sums["tm"]),
            ("total_amc", h.total_amc, self.sums["amc"]),
            ("total_patient", h.total_patient, self.sums["patient_share"]),
        ]
        if h.insurers:
            shares = {p.amc_number: (p.claim_count, p.total_amc) for p in h.insurers}
            for amc_number in sorted(shares.keys() | self.insurers.keys()):
                want_share, got_share = shares.get(amc_number), self.insurers.get(amc_number)
                if want_share != got_share:
                    expected.append((f"insurers[{amc_number}]", want_share, got_share))
        for field, want, got in expected:
            if want != got:
                self.fail("export.batch_totals", field=field, expected=want, found=got)


def _recipient_holds(header: BundleHeader, amc_number: str) -> bool:
    """A batch for one insurer holds only that insurer's claims."""
    return header.for_operator or amc_number == header.insurer_amc_number


def _claims(lines: Iterator[ExportLine], tally: _Tally) -> Iterator[list[ExportLine]]:
    """The lines grouped by claim, checked: ordered, and agreeing on every claim field."""
    current: list[ExportLine] = []
    key: tuple[Any, ...] = ()
    for line in lines:
        if current and line.claim_id == current[0].claim_id:
            if line.line_position <= current[-1].line_position:
                tally.fail("export.order", claim=line.claim_number)
            if _claim_key(line) != key:
                field = next(f for f, a, b in zip(CLAIM_FIELDS, _claim_key(line), key) if a != b)
                tally.fail("export.claim_mismatch", claim=line.claim_number, field=field)
            current.append(line)
            continue
        if current:
            if line.claim_number <= current[0].claim_number:
                tally.fail("export.order", claim=line.claim_number)
            tally.claim(current)
            yield current
        current, key = [line], _claim_key(line)
    if current:
        tally.claim(current)
        yield current


# -- writing ------------------------------------------------------------------------------
class _Part:
    """One file of the bundle while it is written: sealed on disk, hashed as it goes."""

    def __init__(self, name: str, directory: Path) -> None:
        self.name = name
        self.sealed = SealedTemp(directory)
        self.sha256 = hashlib.sha256()

    def write(self, data: bytes) -> None:
        self.sha256.update(data)
        self.sealed.write(data)

    def write_text(self, text: str) -> None:
        self.write(text.encode("utf-8"))


def _zip_info(name: str, when: datetime, stored: bool) -> zipfile.ZipInfo:
    """A zip entry whose every header field is fixed: no clock, no platform, no umask."""
    t = as_utc(when)
    info = zipfile.ZipInfo(name, (max(t.year, 1980), t.month, t.day, t.hour, t.minute, t.second))
    info.create_system = 3
    info.external_attr = 0o100644 << 16
    info.compress_type = zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED
    # Python 3.11/3.12 call it _compresslevel, 3.13 compress_level.
    setattr(
        info,
        "compress_level" if hasattr(info, "compress_level") else "_compresslevel",
        None if stored else COMPRESSION_LEVEL,
    )
    return info


def manifest_bytes(header: BundleHeader, parts: list[_Part]) -> bytes:
    manifest = batch_part(header)
    manifest["generator"] = f"verifier {verifier.__version__}"
    manifest["files"] = [{"name": p.name, "bytes": p.sealed.size, "sha256": p.sha256.hexdigest()} for p in parts]
    if header.audit_witness is not None:
        manifest["audit_witness"] = header.audit_witness
    return (json.dumps(manifest, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


STAY_SLIP = "bordereau-sejours.pdf"
# Lines billed for one day rather than over the stay.
_ONE_DAY = ("fee", "consultation", "fpu")


def stay_row(claim: list[ExportLine]) -> StayRow:
    """A stay or consultation claim as the AMC invoice shows it."""
    c = claim[0]
    st = c.stay
    assert st is not None
    end = st.discharge or st.admission
    return StayRow(
        claim_number=f"{c.claim_number:07d}",
        entry_number=st.entry_number or "",
        admission=st.admission,
        discharge=end,
        beneficiary=f"{c.patient_surname} {c.patient_first_name}",
        birth_date=c.patient_birth_date,
        member_number=c.member_number or "",
        pec_number=c.check_reference or "",
        mode=st.mode,
        dmt=st.dmt,
        lines=[
            StayLineRow(
                code=x.prestation_code,
                label=x.label,
                start=st.admission,
                end=st.admission if x.care is not None and x.care.kind in _ONE_DAY else end,
                unit_price=x.unit_price,
                quantity=x.quantity,
                price=x.price,
                amo=x.amo,
                amc=x.amc,
                patient=x.patient_share,
            )
            for x in claim
        ],
    )


def stay_header(header: BundleHeader) -> StayBatchHeader:
    return StayBatchHeader(
        batch_number=f"{header.batch_number:06d}",
        created_on=header.created_at.date(),
        site_name=header.site_name,
        finess=header.site_finess or "",
        address=header.site_address or "",
        insurer_name=header.recipient_name,
        amc_number=header.insurer_amc_number or (header.operator_code or ""),
    )


def write_bundle(
    out_dir: Path,
    header: BundleHeader,
    lines: Callable[[], Iterator[ExportLine]],
    encryption: Encryption | None = None,
    scratch: Path | None = None,
) -> Path:
    """Write the batch's bundle into `out_dir` and return its path.

    `<bundle_name>` for a plain zip, `<bundle_name>.p7m` when encrypted. `lines()` is
    called once. Raises `BundleInconsistent` (nothing written) if the lines disagree with
    each other or with `header`.
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    work = scratch or out_dir
    final = out_dir / (bundle_name(header) + (ENCRYPTED_SUFFIX if encryption else ""))
    parts = [_Part("claims.csv", work), _Part("claims.json", work), _Part("bordereau.pdf", work)]
    temps = [p.sealed for p in parts]
    try:
        csv_part, json_part, pdf_part = parts
        csv_out, json_out = CsvWriter(header, csv_part.write_text), JsonWriter(header, json_part.write_text)
        slip = Bordereau(header)
        tally = _Tally(header)
        stays: list[StayRow] = []  # a clinic's claims, a few per batch: kept for their own slip
        for claim in _claims(lines(), tally):
            csv_out.write_claim(claim)
            json_out.write_claim(claim)
            slip.add(slip_row(claim))
            if claim[0].stay is not None:
                stays.append(stay_row(claim))
        tally.check()
        csv_out.close()
        json_out.close()
        pdf_part.write(slip.finish())
        del slip
        if stays:
            # Format 1.3: the stays and consultations as the AMC invoice lays them out.
            stay_part = _Part(STAY_SLIP, work)
            temps.append(stay_part.sealed)
            stay_part.write(render_stays(stay_header(header), stays))
            parts.append(stay_part)

        archive = SealedTemp(work)
        temps.append(archive)
        with zipfile.ZipFile(archive, "w") as zf:
            with zf.open(_zip_info("manifest.json", header.created_at, False), "w") as dst:
                dst.write(manifest_bytes(header, parts))
            for part in parts:
                info = _zip_info(part.name, header.created_at, stored=part.name.endswith(".pdf"))
                info.file_size = part.sealed.size  # decides zip64 up front, as a seekable file would
                with zf.open(info, "w") as dst:
                    for chunk in part.sealed.chunks():
                        dst.write(chunk)
                part.sealed.discard()

        # Private like every sealed part: a plain bundle names patients.
        with atomic_write(final, PRIVATE) as out:
            if encryption is None:
                for chunk in archive.chunks():
                    out.write(chunk)
            else:
                cek = os.urandom(32)
                if encryption.passphrase is not None:
                    recipient = recipient_for_passphrase(encryption.passphrase, cek)
                else:
                    recipient = recipient_for_certificate(encryption.certificate(), cek)
                write_envelope(archive.chunks(), archive.size, out, recipient, cek)
    finally:
        for temp in temps:
            temp.discard()
    return final


# -- reading ------------------------------------------------------------------------------
def open_bundle(
    path: Path, encryption: Encryption | None = None, private_key_pem: bytes | None = None
) -> dict[str, bytes]:
    """Every file of a bundle by name, decrypted if needed, after checking the manifest.

    Raises ValueError if the secret does not open it, if it is not a bundle, or naming the
    file whose size or SHA-256 differs from the manifest.
    """
    data = Path(path).read_bytes()
    if not data.startswith(b"PK\x03\x04"):
        passphrase = encryption.passphrase if encryption is not None else None
        if passphrase is None and private_key_pem is None:
            raise ValueError(f"{Path(path).name} is encrypted: give the passphrase or the private key")
        data = open_envelope(data, passphrase=passphrase, private_key_pem=private_key_pem)
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            names = zf.namelist()
            if len(set(names)) != len(names):
                raise ValueError("the bundle holds the same file twice")
            files = {name: zf.read(name) for name in names}
    except (zipfile.BadZipFile, zlib.error, EOFError, EnvelopeError) as exc:
        raise ValueError(f"{Path(path).name} is not a readable bundle: {exc}") from exc
    if "manifest.json" not in files:
        raise ValueError("manifest.json is missing")
    manifest = json.loads(files["manifest.json"])
    listed = {entry["name"]: entry for entry in manifest["files"]}
    for name in files:
        if name != "manifest.json" and name not in listed:
            raise ValueError(f"{name} is not listed in manifest.json")
    for name, entry in listed.items():
        if name not in files:
            raise ValueError(f"{name} is listed in manifest.json but missing from the bundle")
        if len(files[name]) != entry["bytes"] or hashlib.sha256(files[name]).hexdigest() != entry["sha256"]:
            raise ValueError(f"{name} does not match its SHA-256 in manifest.json")
    return files
