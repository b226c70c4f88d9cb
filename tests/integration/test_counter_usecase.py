"""services.counter.submit on both backends: the patient, the check and the claim are stored
together or not at all; the same form sent again queues nothing new and never touches a
claim that has moved on."""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal

from sqlalchemy import func, select

from tests.factories import AMC, PASSWORD, line, patient_input
from tests.integration.test_counter_services import admin, counter  # noqa: F401 - a site and a counter user
from verifier.domain.coverage import Guarantee
from verifier.domain.errors import ValidationError
from verifier.domain.states import ClaimStatus
from verifier.services import batches, claims, directory
from verifier.services.ceilings import CeilingExceeded, Override
from verifier.services.claims import LineDraft
from verifier.services.context import Context
from verifier.services.counter import CheckFields, Form, submit
from verifier.store.schema import Claim, CoverageCheck, Patient


def _counts(ctx: Context) -> tuple[int, int, int]:
    with ctx.store.read() as s:
        return tuple(
            int(s.scalar(select(func.count()).select_from(t)) or 0)  # type: ignore[return-value]
            for t in (Patient, CoverageCheck, Claim)
        )


def _form(
    lines: list[LineDraft] | None = None,
    claim_id: str | None = None,
    override: Override | None = None,
    **patient_kw: object,
) -> Form:
    fields = CheckFields("hotline", "covered", "HOT-12345", (Guarantee("PHAR", Decimal("100")),), "")
    return Form(
        patient_input(**patient_kw),
        fields,
        tuple(lines or [line()]),
        date.today(),
        None,  # type: ignore[arg-type]
        override,
        claim_id or str(uuid.uuid4()),
    )


def test_a_success_stores_the_patient_the_check_and_the_queued_claim(counter: Context) -> None:
    out = submit(counter, _form([line(), line("4.50", "30", 2, "PH4")]))
    assert out.error is None and out.claim is not None and not out.already
    assert out.claim.status is ClaimStatus.QUEUED and out.claim.amc == Decimal("9.80")  # 3.50 + 6.30
    assert _counts(counter) == (1, 1, 1)
    stored = claims.get(counter, out.claim.id)
    assert stored.status is ClaimStatus.QUEUED and stored.patient_id == out.patient_id


def test_a_bad_line_leaves_no_patient_and_no_check(counter: Context) -> None:
    out = submit(counter, _form([line(), line(quantity=0)]))
    assert isinstance(out.error, ValidationError) and out.claim is None
    assert any(p.line == 2 and p.path.startswith("line2.") for p in out.error.problems)
    assert _counts(counter) == (0, 0, 0)


def test_a_ceiling_exceeded_leaves_nothing_and_the_override_then_queues(counter: Context) -> None:
    big = [line("250.00", "30"), line("200.00", "30")]  # over the per-claim ceiling
    form = _form(big)
    out = submit(counter, form)
    assert isinstance(out.error, CeilingExceeded)
    assert _counts(counter) == (0, 0, 0)
    authorised = Form(
        form.patient,
        form.check,
        form.lines,
        form.dispensed_on,
        None,
        Override("admin", PASSWORD, "Ordonnance urgente"),
        form.claim_id,
    )
    done = submit(counter, authorised)
    assert done.error is None and done.claim is not None and done.claim.id == form.claim_id
    assert _counts(counter) == (1, 1, 1)


def test_a_bad_patient_is_refused_with_its_field_and_nothing_stored(counter: Context) -> None:
    form = _form()
    bad = Form(patient_input(surname=" "), form.check, form.lines, form.dispensed_on, None, None, form.claim_id)
    out = submit(counter, bad)
    assert isinstance(out.error, ValidationError)
    assert [p.field for p in out.error.problems] == ["surname"]
    assert _counts(counter) == (0, 0, 0)


def test_a_retry_with_the_same_claim_id_queues_nothing_new(counter: Context) -> None:
    form = _form()
    first = submit(counter, form)
    again = submit(counter, form)  # the answer to the first was lost: the counter sends the form again
    assert first.claim is not None and again.claim is not None and again.error is None
    assert again.already and (again.claim.id, again.claim.number) == (first.claim.id, first.claim.number)
    assert _counts(counter) == (1, 1, 1)
    # Another content under the same id is refused, and nothing is stored.
    changed = submit(counter, _form([line("12.00")], claim_id=form.claim_id))
    assert isinstance(changed.error, ValidationError)
    assert [p.code for p in changed.error.problems] == ["claim.id_taken"]
    assert _counts(counter) == (1, 1, 1)


def test_a_claim_exported_since_is_not_touched(counter: Context, admin: Context) -> None:
    form = _form()
    first = submit(counter, form)
    assert first.claim is not None
    made = batches.create_batch(admin, directory.get_insurer(admin, AMC).id)
    assert made.batch.claim_count == 1
    again = submit(counter, form)
    assert isinstance(again.error, ValidationError)
    assert [p.code for p in again.error.problems] == ["claim.id_settled"]
    assert claims.get(counter, first.claim.id).status is ClaimStatus.EXPORTED
    assert _counts(counter) == (1, 1, 1)
