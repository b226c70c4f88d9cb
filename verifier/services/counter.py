"""The counter's use case: save the patient, record the check, queue the claim, as one transaction.

Either all three are stored or nothing is (a refused line, a ceiling, a lost server...).
The claim's id is made once per form (`Form.claim_id`): sending the same form again
(after a refused override, or a connection lost while the server committed) stores
nothing new when the claim is queued already, and never touches one that has moved on
(exported, voided...: claim.id_settled) or that has another content (claim.id_taken).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from verifier.domain.coverage import Guarantee
from verifier.domain.errors import DomainError, Problem
from verifier.domain.pharmacy_fees import PrescriptionForm
from verifier.domain.states import ClaimStatus
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
class Form:
    """What the counter (or an imported file) says about one dispensing to claim."""

    patient: PatientInput
    check: CheckFields
    lines: tuple[LineDraft, ...]
    dispensed_on: date
    prescriber_rpps: str | None
    override: Override | None = None
    claim_id: str | None = None  # made once per form: retries send the same
    prescription: PrescriptionForm | None = None  # ALD two-part, on call, generic refused, fees removed


@dataclass
class Submitted:
    """The outcome: the queued claim, or the refusal in `error` (then nothing was stored)."""

    claim: ClaimInfo | None = None
    warnings: tuple[Problem, ...] = ()
    error: DomainError | None = None
    already: bool = False  # an earlier attempt with this claim id had queued it: nothing new stored

    @property
    def patient_id(self) -> str | None:
        return self.claim.patient_id if self.claim is not None else None


def check_input(patient_id: str, form: Form) -> CheckInput:
    c = form.check
    return CheckInput(
        patient_id=patient_id,
        amc_number=form.patient.amc_number,
        method=c.method,
        outcome=c.outcome,
        guarantees=list(c.guarantees),
        reference=c.reference,
        member_number=form.patient.member_number,
        note=c.note,
        reused_check_id=c.reused_check_id,
    )


def store(ctx: Context, form: Form) -> tuple[ClaimInfo, tuple[Problem, ...], bool]:
    """Inside the caller's `ctx.store.transaction()`: (claim, patient warnings, already queued).

    Raises what the services raise; the caller's transaction then stores nothing.
    """
    lines = list(form.lines)
    if form.claim_id is not None:
        earlier = claims.earlier_attempt(ctx, form.claim_id, lines, form.dispensed_on, form.prescriber_rpps)
        if earlier is not None:
            if earlier.status is ClaimStatus.QUEUED:
                return earlier, (), True
            return claims.queue(ctx, earlier.id, form.override), (), True
    patient, warnings = patients.save(ctx, form.patient)
    check = checks.record(ctx, check_input(patient.id, form))
    claim = claims.create(
        ctx,
        check.id,
        lines,
        form.dispensed_on,
        form.prescriber_rpps,
        queue_now=True,
        override=form.override,
        claim_id=form.claim_id,
        prescription=form.prescription,
    )
    return claim, warnings, False


def submit(ctx: Context, form: Form) -> Submitted:
    """Queue the form's claim with its patient and check in one transaction.

    A refusal (ValidationError, CeilingExceeded...) comes back in `error`, with the
    patient's warnings when the patient was valid; nothing is stored then.
    """
    out = Submitted()
    try:
        out.warnings = patients.validate(form.patient).warnings
    except DomainError:
        pass  # reported by patients.save below, with the other problems of the patient
    try:
        with ctx.store.transaction():
            out.claim, warnings, out.already = store(ctx, form)
            out.warnings = warnings or out.warnings
    except DomainError as exc:
        out.claim, out.already, out.error = None, False, exc
    return out
