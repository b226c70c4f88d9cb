"""Patients (beneficiaries): found by name or exact NIR, stored with identity encrypted.

A person is identified by NIR + birth date + rank (dependants share the insured's NIR).
Names are searchable through blind-indexed prefixes (see docs/security.md): the database
holds keyed hashes of name prefixes, never the names in clear.
"""

from __future__ import annotations

import unicodedata
import uuid
from dataclasses import dataclass
from datetime import date

from verifier import i18n
from verifier.domain.errors import NotFound, Problem, ValidationError
from verifier.domain.identifiers import (
    BirthDate,
    check_amo_fund,
    check_member_number,
    check_nir,
    check_rank,
    mask_nir,
    parse_birth_date,
)
from verifier.security.crypto import FieldCipher
from verifier.services.context import Context
from verifier.store import audit_log
from verifier.store import insurers as insurer_store
from verifier.store import patients as patient_store
from verifier.store.schema import Patient
from verifier.store.session import Session
from verifier.store.types import utcnow

MAX_PREFIX = 10


@dataclass(frozen=True)
class PatientInput:
    surname: str
    first_name: str
    birth_date: str  # as typed; lunar dates allowed
    nir: str
    rank: str = "1"
    amo_fund: str = ""
    amc_number: str = ""
    member_number: str = ""
    card_valid_from: date | None = None
    card_valid_to: date | None = None


@dataclass(frozen=True)
class PatientInfo:
    id: str
    surname: str
    first_name: str
    birth_date: BirthDate
    nir: str
    rank: int
    amo_fund: str | None
    insurer_id: int | None
    member_number: str | None
    card_valid_from: date | None
    card_valid_to: date | None

    @property
    def display_name(self) -> str:
        return f"{self.surname} {self.first_name}"

    @property
    def masked_nir(self) -> str:
        return mask_nir(self.nir)


def normalise_name(text: str) -> str:
    """Upper case without accents, single spaces: 'Éloïse  d'Arc' -> "ELOISE D'ARC"."""
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(plain.upper().split())


def name_words(text: str) -> list[str]:
    words = "".join(c if c.isalnum() else " " for c in normalise_name(text)).split()
    return [w for w in words if w]


def search_tokens(cipher: FieldCipher, surname: str, first_name: str) -> set[str]:
    tokens = set()
    for word in name_words(surname) + name_words(first_name):
        for n in range(1, min(len(word), MAX_PREFIX) + 1):
            tokens.add(cipher.blind_index(word[:n], "name-prefix"))
    return tokens


def nir_index(cipher: FieldCipher, nir: str) -> str:
    return cipher.blind_index(nir, "nir")


def _decrypt(cipher: FieldCipher, p: Patient) -> PatientInfo:
    dec = cipher.decrypt
    return PatientInfo(
        id=p.id,
        surname=dec(p.surname_enc, "patients.surname") or "",
        first_name=dec(p.first_name_enc, "patients.first_name") or "",
        birth_date=BirthDate.from_text(dec(p.birth_date_enc, "patients.birth_date") or ""),
        nir=dec(p.nir_enc, "patients.nir") or "",
        rank=p.rank,
        amo_fund=p.amo_fund,
        insurer_id=p.insurer_id,
        member_number=dec(p.member_number_enc, "patients.member_number"),
        card_valid_from=p.card_valid_from,
        card_valid_to=p.card_valid_to,
    )


@dataclass(frozen=True)
class _Valid:
    surname: str
    first_name: str
    birth: BirthDate
    nir: str
    rank: int
    amo_fund: str | None
    member_number: str | None
    warnings: tuple[Problem, ...]


def validate(data: PatientInput) -> _Valid:
    """Every problem with the patient's identity at once, or the normalised values."""
    problems: list[Problem] = []
    warnings: list[Problem] = []
    surname, first = " ".join(data.surname.split()), " ".join(data.first_name.split())
    if not surname:
        problems.append(Problem("patient.surname_missing", {}, "surname"))
    if not first:
        problems.append(Problem("patient.first_name_missing", {}, "first_name"))
    birth = parse_birth_date(data.birth_date)
    problems += [Problem(p.code, p.params, "birth_date") for p in birth.problems]
    nir = check_nir(data.nir, birth.value)
    problems += [Problem(p.code, p.params, "nir") for p in nir.problems]
    warnings += [Problem(p.code, p.params, "nir") for p in nir.warnings]
    rank = check_rank(data.rank or "1")
    problems += [Problem(p.code, p.params, "rank") for p in rank.problems]
    fund = check_amo_fund(data.amo_fund) if data.amo_fund.strip() else None
    if fund is not None:
        problems += [Problem(p.code, p.params, "amo_fund") for p in fund.problems]
    member = check_member_number(data.member_number) if data.member_number.strip() else None
    if member is not None:
        problems += [Problem(p.code, p.params, "member_number") for p in member.problems]
    if data.card_valid_from and data.card_valid_to and data.card_valid_to < data.card_valid_from:
        problems.append(Problem("patient.card_dates", {}, "card_valid_to"))
    if problems:
        raise ValidationError(problems)
    assert birth.value is not None and nir.value is not None and rank.value is not None
    return _Valid(
        surname,
        first,
        birth.value,
        nir.value,
        rank.value,
        fund.value if fund else None,
        member.value if member else None,
        tuple(warnings),
    )


def _find_same_person(session: Session, cipher: FieldCipher, v: _Valid) -> Patient | None:
    for p in patient_store.with_nir_index(session, nir_index(cipher, v.nir)):
        info = _decrypt(cipher, p)
        if info.birth_date == v.birth and info.rank == v.rank:
            return p
    return None


def save(ctx: Context, data: PatientInput) -> tuple[PatientInfo, tuple[Problem, ...]]:
    """Find the patient (NIR + birth date + rank) and update the card details, or create one.

    Returns the patient and any warnings (e.g. NIR and birth date disagree).
    """
    v = validate(data)
    cipher = ctx.store.cipher
    enc = cipher.encrypt
    with ctx.store.write() as s:
        insurer_id = None
        if data.amc_number.strip():
            insurer = insurer_store.by_amc_number(s, data.amc_number.strip())
            insurer_id = insurer.id if insurer is not None else None
            if insurer_id is None:
                raise ValidationError([Problem("insurer.not_found", {"amc": data.amc_number.strip()}, "amc_number")])
        p = _find_same_person(s, cipher, v)
        now = utcnow()
        created = p is None
        if p is None:
            p = Patient(id=str(uuid.uuid4()), created_at=now, nir_bidx=nir_index(cipher, v.nir))
            s.add(p)
        p.surname_enc = enc(v.surname, "patients.surname") or ""
        p.first_name_enc = enc(v.first_name, "patients.first_name") or ""
        p.birth_date_enc = enc(v.birth.text, "patients.birth_date") or ""
        p.nir_enc = enc(v.nir, "patients.nir") or ""
        p.rank = v.rank
        p.amo_fund = v.amo_fund
        p.insurer_id = insurer_id or p.insurer_id
        p.member_number_enc = enc(v.member_number, "patients.member_number") if v.member_number else p.member_number_enc
        p.card_valid_from = data.card_valid_from or p.card_valid_from
        p.card_valid_to = data.card_valid_to or p.card_valid_to
        p.updated_at = now
        s.flush()
        patient_store.replace_search_tokens(s, p.id, search_tokens(cipher, v.surname, v.first_name))
        audit_log.append(s, ctx.actor.login, "patient.created" if created else "patient.updated", "patient", p.id)
        return _decrypt(cipher, p), v.warnings


def get(ctx: Context, patient_id: str) -> PatientInfo:
    with ctx.store.read() as s:
        p = s.get(Patient, patient_id)
        if p is None:
            raise NotFound("patient.not_found")
        return _decrypt(ctx.store.cipher, p)


def matching_ids(session: Session, cipher: FieldCipher, text: str) -> list[str] | None:
    """Patient ids matching a typed name or an exact NIR; None when `text` is empty."""
    text = text.strip()
    if not text:
        return None
    compact = text.replace(" ", "").upper()
    if len(compact) == 15 and compact[:13].replace("A", "").replace("B", "").isdigit():
        nir = check_nir(compact)
        if nir.ok and nir.value:
            return patient_store.ids_with_nir_index(session, nir_index(cipher, nir.value))
    words = name_words(text)
    if not words:
        return []
    tokens = {cipher.blind_index(w[:MAX_PREFIX], "name-prefix") for w in words}
    ids = patient_store.ids_with_every_token(session, tokens)
    if any(len(w) > MAX_PREFIX for w in words):  # a long word's token only covers its prefix
        keep = []
        for pid in ids:
            p = session.get(Patient, pid)
            assert p is not None
            info = _decrypt(cipher, p)
            have = name_words(info.surname) + name_words(info.first_name)
            if all(any(h.startswith(w) for h in have) for w in words):
                keep.append(pid)
        ids = keep
    return ids


def search(ctx: Context, text: str, limit: int = 20) -> list[PatientInfo]:
    """Patients whose names start with every typed word, or whose NIR is exactly `text`."""
    with ctx.store.read() as s:
        ids = matching_ids(s, ctx.store.cipher, text) or []
        found = [_decrypt(ctx.store.cipher, p) for p in patient_store.by_ids(s, ids[:500])]
    found.sort(key=lambda p: (normalise_name(p.surname), normalise_name(p.first_name)))
    return found[:limit]


i18n.register(
    {
        "patient.surname_missing": i18n.N_("Indiquez le nom de famille du patient."),
        "patient.first_name_missing": i18n.N_("Indiquez le prénom du patient."),
        "patient.card_dates": i18n.N_("La fin de validité de la carte est avant son début : vérifiez les deux dates."),
        "patient.not_found": i18n.N_("Ce patient n'existe pas (ou plus)."),
    }
)
