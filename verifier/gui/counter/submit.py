"""Queueing from the counter, as one action: save the patient, record the check, queue the claim.

Runs off the GUI thread. Each step is skipped when the form has not changed since it was
done (a retry after a refused override, say), so a retry neither records a second check
nor updates the patient twice. Problems come back in the outcome, with what was done.

The claim's id is made once per form (`Submission.claim_id`), so a retry after the
connection was lost while the server committed finds the claim instead of queueing a
second one (see services.claims.create).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from verifier.domain.coverage import Guarantee
from verifier.domain.errors import DomainError, Problem
from verifier.services import checks, claims, patients
from verifier.services.ceilings import Override
from verifier.services.checks import CheckInput
from verifier.services.claims import ClaimInfo, LineDraft
from verifier.services.context import Context
from verifier.services.patients import PatientInput


@dataclass(frozen=True)
class CheckFields:
    method: str
    outcome: str
    reference: str
    guarantees: tuple[Guarantee, ...]
    note: str
    reused_check_id: str | None = None  # the fields repeat this earlier check, taken with F6


@dataclass(frozen=True)
class Submission:
    patient: PatientInput
    check: CheckFields
    lines: tuple[LineDraft, ...]
    dispensed_on: date
    prescriber_rpps: str | None
    override: Override | None = None
    claim_id: str | None = None  # made once per form: retries send the same
    patient_id: str | None = None  # this very patient input was saved as this id
    check_id: str | None = None  # this very check was recorded as this id


@dataclass
class Outcome:
    patient_id: str | None = None
    warnings: tuple[Problem, ...] = ()
    check_input: CheckInput | None = None
    check_id: str | None = None
    claim: ClaimInfo | None = None
    error: DomainError | None = None
    steps: list[str] = field(default_factory=list)


def check_input(patient_id: str, s: Submission) -> CheckInput:
    return CheckInput(
        patient_id=patient_id, amc_number=s.patient.amc_number, method=s.check.method, outcome=s.check.outcome,
        guarantees=list(s.check.guarantees), reference=s.check.reference, member_number=s.patient.member_number,
        note=s.check.note, reused_check_id=s.check.reused_check_id,
    )


def submit(ctx: Context, s: Submission) -> Outcome:
    """Do what is left to do; a refusal (ValidationError, CeilingExceeded...) ends in `error`."""
    out = Outcome(patient_id=s.patient_id, check_id=s.check_id)
    try:
        if out.patient_id is None:
            info, warnings = patients.save(ctx, s.patient)
            out.patient_id, out.warnings = info.id, warnings
            out.steps.append("patient")
        out.check_input = check_input(out.patient_id, s)
        if out.check_id is None:
            out.check_id = checks.record(ctx, out.check_input).id
            out.steps.append("check")
        out.claim = claims.create(ctx, out.check_id, list(s.lines), s.dispensed_on, s.prescriber_rpps,
                                  queue_now=True, override=s.override, claim_id=s.claim_id)
        out.steps.append("claim")
    except DomainError as exc:
        out.error = exc
    return out
