"""Recording a manual coverage check: who checked, how, the reference, the outcome, the guarantee."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from decimal import Decimal

from verifier import i18n
from verifier.domain.coverage import Guarantee
from verifier.domain.errors import NotFound, Problem, ValidationError
from verifier.domain.identifiers import check_member_number
from verifier.domain.states import CheckMethod, CheckOutcome
from verifier.services import settings
from verifier.services.context import Context
from verifier.services.outages import open_outage_id
from verifier.store import audit_log
from verifier.store import checks as check_store
from verifier.store import insurers as insurer_store
from verifier.store.schema import CoverageCheck, Patient
from verifier.store.types import utcnow

METHODS = tuple(CheckMethod)
OUTCOMES = tuple(CheckOutcome)
# Outcomes that allow queueing a claim against the insurer.
COVERING = tuple(o for o in CheckOutcome if o.allows_claim)


@dataclass(frozen=True)
class CheckInput:
    patient_id: str
    amc_number: str
    method: CheckMethod | str  # a plain value ("hotline") is checked and converted
    outcome: CheckOutcome | str
    guarantees: list[Guarantee] = field(default_factory=list)
    reference: str = ""
    member_number: str = ""
    note: str = ""
    checked_at: datetime | None = None
    reused_check_id: str | None = None  # this check repeats that earlier one (same patient, same insurer)
    # A clinic's PEC or consultation check: its guarantees are care guarantees, kept with the
    # stay (services.stays), not pharmacy ones.
    care: bool = False


@dataclass(frozen=True)
class CheckInfo:
    id: str
    patient_id: str
    insurer_id: int
    method: CheckMethod
    outcome: CheckOutcome
    reference: str | None
    guarantees: list[Guarantee]
    member_number: str | None
    note: str | None
    checked_by: int
    checked_at: datetime
    operator_down: bool
    reused_check_id: str | None = None
    checked_by_name: str = ""


def guarantees_to_json(guarantees: list[Guarantee]) -> str:
    return json.dumps(
        [{"domain": g.domain, "rate": str(g.rate), "covers_ph2": g.covers_ph2} for g in guarantees],
        sort_keys=True,
    )


def guarantees_from_json(text: str) -> list[Guarantee]:
    return [Guarantee(d["domain"], Decimal(d["rate"]), bool(d["covers_ph2"])) for d in json.loads(text)]


def to_info(ctx: Context, c: CoverageCheck) -> CheckInfo:
    dec = ctx.store.cipher.decrypt
    return CheckInfo(
        c.id,
        c.patient_id,
        c.insurer_id,
        CheckMethod(c.method),
        CheckOutcome(c.outcome),
        c.reference,
        guarantees_from_json(c.guarantees),
        dec(c.member_number_enc, "coverage_checks.member_number"),
        dec(c.note_enc, "coverage_checks.note"),
        c.checked_by,
        c.checked_at,
        c.operator_down,
        c.reused_check_id,
    )


def record(ctx: Context, data: CheckInput) -> CheckInfo:
    problems: list[Problem] = []
    if data.method not in METHODS:
        problems.append(Problem("check.method_invalid", {}, "method"))
    if data.outcome not in OUTCOMES:
        problems.append(Problem("check.outcome_invalid", {}, "outcome"))
    reference = data.reference.strip()
    if data.method in METHODS and CheckMethod(data.method).needs_reference and not reference:
        problems.append(Problem("check.reference_missing", {}, "reference"))
    if len(reference) > 100:
        problems.append(Problem("check.reference_long", {}, "reference"))
    if data.outcome in COVERING and not data.guarantees and not data.care:
        problems.append(Problem("check.guarantee_missing", {}, "guarantees"))
    member = None
    if data.member_number.strip():
        checked = check_member_number(data.member_number)
        problems += [Problem(p.code, p.params, "member_number") for p in checked.problems]
        member = checked.value
    now = utcnow()
    checked_at = data.checked_at or now
    if checked_at > now:
        problems.append(Problem("check.future", {}, "checked_at"))
    with ctx.store.write() as s:
        patient = s.get(Patient, data.patient_id)
        if patient is None:
            raise NotFound("patient.not_found")
        insurer = insurer_store.by_amc_number(s, data.amc_number.strip())
        if insurer is None:
            problems.append(Problem("insurer.not_found", {"amc": data.amc_number.strip()}, "amc_number"))
        if data.reused_check_id is not None:
            original = s.get(CoverageCheck, data.reused_check_id)
            if (
                original is None
                or insurer is None
                or (original.patient_id, original.insurer_id) != (patient.id, insurer.id)
            ):
                problems.append(Problem("check.reuse_mismatch", {}, "reused_check_id"))
        if problems:
            raise ValidationError(problems)
        assert insurer is not None
        enc = ctx.store.cipher.encrypt
        outage_id = open_outage_id(s, insurer.operator_id)
        if member is None:  # the card's number as known for the patient, re-sealed for this column
            member = ctx.store.cipher.decrypt(patient.member_number_enc, "patients.member_number")
        check = CoverageCheck(
            id=str(uuid.uuid4()),
            patient_id=patient.id,
            insurer_id=insurer.id,
            method=CheckMethod(data.method),
            reference=reference or None,
            outcome=CheckOutcome(data.outcome),
            guarantees=guarantees_to_json(data.guarantees),
            member_number_enc=enc(member, "coverage_checks.member_number"),
            note_enc=enc(data.note.strip(), "coverage_checks.note") if data.note.strip() else None,
            operator_down=outage_id is not None,
            outage_id=outage_id,
            checked_by=ctx.actor.user_id,
            checked_at=checked_at,
            reused_check_id=data.reused_check_id,
        )
        if member is not None and patient.member_number_enc is None:
            patient.member_number_enc = enc(member, "patients.member_number")
        s.add(check)
        s.flush()
        audit_log.append(
            s,
            ctx.actor.login,
            "check.recorded",
            "coverage_check",
            check.id,
            {
                "method": CheckMethod(data.method).value,
                "outcome": CheckOutcome(data.outcome).value,
                "insurer": insurer.amc_number,
                **({"reuses": data.reused_check_id} if data.reused_check_id else {}),
            },
        )
        return to_info(ctx, check)


def last_reusable(ctx: Context, patient_id: str, amc_number: str, now: datetime | None = None) -> CheckInfo | None:
    """The patient's last covering check with this insurer, when younger than the site's
    reuse age (`check_reuse_days`), to be offered again at the counter; None otherwise."""
    now = now or utcnow()
    with ctx.store.read() as s:
        days = settings.load_in(s).check_reuse_days
        if days <= 0:
            return None
        row = check_store.last_with_insurer(s, patient_id, amc_number.strip(), COVERING, now - timedelta(days=days))
        if row is None:
            return None
        return replace(to_info(ctx, row[0]), checked_by_name=row[1])


def reuse_input(original: CheckInfo, amc_number: str) -> CheckInput:
    """A new check repeating `original` (method, reference, outcome, guarantees, note)."""
    return CheckInput(
        original.patient_id,
        amc_number,
        original.method,
        original.outcome,
        list(original.guarantees),
        original.reference or "",
        original.member_number or "",
        original.note or "",
        reused_check_id=original.id,
    )


def get(ctx: Context, check_id: str) -> CheckInfo:
    with ctx.store.read() as s:
        c = s.get(CoverageCheck, check_id)
        if c is None:
            raise NotFound("check.not_found")
        return to_info(ctx, c)


i18n.register(
    {
        "check.method_invalid": i18n.N_(
            "Choisissez comment les droits ont été vérifiés : carte papier, appel à la plateforme, portail ou fax."
        ),
        "check.outcome_invalid": i18n.N_(
            "Choisissez le résultat : couvert, partiellement, non couvert ou impossible à vérifier."
        ),
        "check.reuse_mismatch": i18n.N_(
            "La vérification reprise n'est pas celle de ce patient avec cet organisme : vérifiez à nouveau."
        ),
        "check.reference_missing": i18n.N_(
            "Notez la référence donnée par la plateforme, le portail ou le fax : l'organisme la demandera."
        ),
        "check.reference_long": i18n.N_("La référence ne peut dépasser 100 caractères."),
        "check.guarantee_missing": i18n.N_(
            "Indiquez au moins une garantie (par exemple PHAR 100 % BR) lue sur l'attestation."
        ),
        "check.future": i18n.N_("La date de vérification est dans le futur : corrigez-la."),
        "check.not_found": i18n.N_("Cette vérification n'existe pas."),
    }
)
