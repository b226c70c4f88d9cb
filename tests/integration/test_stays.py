"""Stays and consultations stored and queued (services.stays), on SQLite and PostgreSQL.

The worked examples of docs/clinics.md go through the real use case: the patient, the PEC
(the coverage check), the claim, its care lines and its stay row are written in one
transaction, and read back as they were computed.
"""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from tests.factories import AMC, make_site, patient_input
from verifier.domain.care import CareLine, LineKind
from verifier.domain.care_guarantees import parse_guarantees
from verifier.domain.errors import ValidationError
from verifier.domain.states import ClaimKind, ClaimStatus
from verifier.services import audit, claims, stays
from verifier.services.context import Context
from verifier.services.stays import PecFields, StayFields, StayForm
from verifier.store.engine import Location
from verifier.store.schema import Claim, ClaimStay, CoverageCheck, Patient

D = Decimal
SURGERY_GUARANTEES = (
    "SEJOUR 100 % BR",
    "FJ 100 % FR",
    "HONO OPTAM 200 % BR",
    "HONO NON OPTAM 180 % BR",
    "CP 50 €/j 60 j/an",
)


def surgery_lines() -> tuple[CareLine, ...]:
    return (
        CareLine(LineKind.STAY_FEES, "PJ", "Frais de séjour", 1, D("2400.00"), D("2400.00")),
        CareLine(LineKind.DAILY_CHARGE, "FJ", "Forfait journalier", 5, D("0")),
        CareLine(LineKind.FEE, "ADC", "Chirurgien", 1, D("627.00"), D("313.50"), practitioner_rpps="10003456786"),
        CareLine(LineKind.FEE, "ADA", "Anesthésiste", 1, D("250.00"), D("150.00"), optam=False),
        CareLine(LineKind.ROOM, "CP", "Chambre particulière", 5, D("90.00")),
        CareLine(LineKind.COMFORT, "TV", "Télévision", 5, D("6.00")),
    )


def patient(**kw: object):  # type: ignore[no-untyped-def]
    p = patient_input(**kw)  # type: ignore[arg-type]
    return replace(p, card_valid_from=date(2026, 1, 1), card_valid_to=date(2027, 12, 31))


def surgery_form(**stay_kw: object) -> StayForm:
    return StayForm(
        ClaimKind.STAY,
        patient(),
        PecFields("portal", "PEC-2026-000123", date(2026, 2, 20), date(2026, 3, 31), SURGERY_GUARANTEES),
        StayFields(
            date(2026, 3, 2),
            **{  # type: ignore[arg-type]
                "discharge": date(2026, 3, 6),
                "planned_discharge": date(2026, 3, 6),
                "entry_number": "E2026-0042",
                "mode": "03",
                "dmt": "122",
                **stay_kw,
            },
        ),
        surgery_lines(),
    )


@pytest.fixture
def ctx(location: Location) -> Context:
    return make_site(location)


def test_the_surgery_stay_is_stored_with_the_amounts_of_the_worked_example(ctx: Context) -> None:
    out = stays.submit(ctx, surgery_form())
    assert out.error is None, out.error
    assert out.claim is not None
    claim = claims.get(ctx, out.claim.id)
    assert claim.kind is ClaimKind.STAY and claim.status is ClaimStatus.QUEUED
    assert (claim.price, claim.amo, claim.amc, claim.patient_share) == (
        D("3857.00"),
        D("2839.50"),
        D("787.50"),
        D("230.00"),
    )
    stay = stays.get(ctx, claim.id)
    assert (stay.entry_number, stay.mode, stay.dmt, stay.pav, stay.pec_number) == (
        "E2026-0042",
        "03",
        "122",
        True,
        "PEC-2026-000123",
    )
    assert [ln.amounts.amc for ln in stay.lines] == [D("24.00"), D("100.00"), D("313.50"), D("100.00"), D("250.00"), 0]
    assert [ln.kind for ln in stay.lines] == [line.kind for line in surgery_lines()]
    assert stay.lines[0].withheld == D("24.00")  # the PAV, kept from the stay fees' AMO share
    assert stay.lines[1].unit_price == D("20.00")  # the FJ priced from the tariffs
    assert stay.lines[2].practitioner_rpps == "10003456786" and stay.lines[3].optam is False
    assert stay.lines[4].days_paid == 5
    assert stay.guarantees == tuple(g.text() for g in parse_guarantees(SURGERY_GUARANTEES))  # as cards print them
    with ctx.store.read() as s:
        check = s.scalar(select(CoverageCheck).where(CoverageCheck.id == claim.check_id))
        assert check is not None and (check.method, check.reference) == ("portal", "PEC-2026-000123")
    assert audit.verify(ctx).broken_at is None


def test_an_open_stay_is_a_draft_until_its_invoice_at_discharge(ctx: Context) -> None:
    form = surgery_form(discharge=None)
    out = stays.submit(ctx, replace(form, lines=()))
    assert out.error is None, out.error
    assert out.claim is not None and out.claim.status is ClaimStatus.DRAFT
    assert stays.get(ctx, out.claim.id).is_open
    queued = stays.discharge(ctx, out.claim.id, date(2026, 3, 6), surgery_lines())
    assert queued.status is ClaimStatus.QUEUED and queued.amc == D("787.50")
    stay = stays.get(ctx, out.claim.id)
    assert stay.discharge == date(2026, 3, 6) and stay.pav is True
    with pytest.raises(ValidationError) as refused:
        stays.discharge(ctx, out.claim.id, date(2026, 3, 6), surgery_lines())
    assert refused.value.problems[0].code == "stay.not_open"


def test_a_discharge_past_the_pec_validity_is_refused_and_the_stay_stays_open(ctx: Context) -> None:
    out = stays.submit(ctx, replace(surgery_form(discharge=None), lines=()))
    assert out.claim is not None
    with pytest.raises(ValidationError) as refused:
        stays.discharge(ctx, out.claim.id, date(2026, 4, 2), surgery_lines())
    assert [p.code for p in refused.value.problems] == ["pec.expired_before_discharge"]
    assert stays.get(ctx, out.claim.id).is_open
    assert claims.get(ctx, out.claim.id).status is ClaimStatus.DRAFT


def test_the_room_days_of_earlier_stays_count_against_the_yearly_limit(ctx: Context) -> None:
    short_limit = tuple(g if not g.startswith("CP") else "CP 50 €/j 7 j/an" for g in SURGERY_GUARANTEES)
    first = surgery_form()
    first = replace(first, pec=replace(first.pec, guarantees=short_limit))
    assert stays.submit(ctx, first).error is None
    second = replace(
        first,
        stay=replace(
            first.stay,
            admission=date(2026, 3, 20),
            discharge=date(2026, 3, 24),
            planned_discharge=None,
            entry_number="E2026-0077",
        ),
    )
    out = stays.submit(ctx, second)
    assert out.error is None, out.error
    assert out.claim is not None
    room = stays.get(ctx, out.claim.id).lines[4]
    assert room.days_paid == 2 and room.amounts.amc == D("100.00")  # 5 days used, 7 a year: 2 left


def test_a_consultation_is_queued_with_the_participation_left_to_the_patient(ctx: Context) -> None:
    today = date.today()
    form = StayForm(
        ClaimKind.CONSULTATION,
        patient_input(),
        PecFields("card", "", today, None, ("CONS 100 % BR",)),
        StayFields(today, today),
        (CareLine(LineKind.CONSULTATION, "G", "Consultation", 1, D("30.00"), D("30.00")),),
    )
    out = stays.submit(ctx, form)
    assert out.error is None, out.error
    assert out.claim is not None and out.claim.kind is ClaimKind.CONSULTATION
    assert (out.claim.amo, out.claim.amc, out.claim.patient_share) == (D("19.00"), D("9.00"), D("2.00"))
    line = stays.get(ctx, out.claim.id).lines[0]
    assert (line.withheld, line.participation) == (D("2.00"), D("2.00"))


def test_a_refused_stay_stores_nothing_and_names_each_problem(ctx: Context) -> None:
    form = surgery_form(mode="3", dmt="12x", exemption="holiday")
    form = replace(form, pec=replace(form.pec, number="", guarantees=("CP cinquante",)))
    out = stays.submit(ctx, form)
    assert isinstance(out.error, ValidationError)
    fields = {p.field for p in out.error.problems}
    assert {"mode", "dmt", "exemption", "pec_number", "guarantees"} <= fields
    with ctx.store.read() as s:
        for table in (Claim, ClaimStay, Patient, CoverageCheck):
            assert s.scalar(select(func.count()).select_from(table)) == 0


def test_a_stay_over_the_stay_ceiling_needs_an_override(ctx: Context) -> None:
    from verifier.services import settings

    current = settings.load(ctx)
    settings.save(ctx, replace(current, stay_amc_ceiling=D("500.00")))
    out = stays.submit(ctx, surgery_form())
    assert out.error is not None and [p.code for p in out.error.problems] == ["ceiling.claim"]
    # 787,50 € is above the pharmacy's 300 € per claim, but a stay is held to its own ceiling.
    settings.save(ctx, replace(current, stay_amc_ceiling=D("1000.00")))
    assert stays.submit(ctx, surgery_form()).error is None


def test_sending_the_same_form_twice_stores_one_claim(ctx: Context) -> None:
    form = replace(surgery_form(), claim_id="5b0e4a1c-6d0f-4c3e-9a55-3f1f7e2d9c01")
    first = stays.submit(ctx, form)
    again = stays.submit(ctx, form)
    assert first.claim is not None and again.claim is not None
    assert again.already and again.claim.id == first.claim.id
    with ctx.store.read() as s:
        assert s.scalar(select(func.count()).select_from(Claim)) == 1


def test_the_stay_row_keeps_the_days_used_by_item_and_year(ctx: Context) -> None:
    out = stays.submit(ctx, surgery_form())
    assert out.claim is not None
    with ctx.store.read() as s:
        row = s.get(ClaimStay, out.claim.id)
        assert row is not None and json.loads(row.days_used or "{}") == {"CP:2026": 5}
    assert AMC  # the factories' insurer


def test_a_rejected_stay_is_rectified_as_an_open_stay_invoiced_again_within_the_limits(ctx: Context) -> None:
    short_limit = tuple(g if not g.startswith("CP") else "CP 50 €/j 5 j/an" for g in SURGERY_GUARANTEES)
    form = surgery_form()
    form = replace(form, pec=replace(form.pec, guarantees=short_limit))
    out = stays.submit(ctx, form)
    assert out.claim is not None
    with ctx.store.write() as s:  # as a return file would: exported, then rejected
        row = s.get(Claim, out.claim.id)
        assert row is not None
        row.status = ClaimStatus.REJECTED
    # Meanwhile another stay takes the 5 room days the rejected one gave back.
    other = replace(form, stay=replace(form.stay, admission=date(2026, 3, 20), discharge=date(2026, 3, 24)))
    other = replace(other, stay=replace(other.stay, planned_discharge=None, entry_number="E2026-0077"))
    assert stays.submit(ctx, other).error is None
    new = claims.rectify(ctx, out.claim.id)
    assert new.kind is ClaimKind.STAY and new.status is ClaimStatus.DRAFT
    reopened = stays.get(ctx, new.id)
    assert reopened.is_open and reopened.planned_discharge == date(2026, 3, 6)
    assert [ln.kind for ln in reopened.lines] == [ln.kind for ln in surgery_lines()]
    assert new.id in {o.claim_id for o in stays.list_open(ctx)}
    with pytest.raises(ValidationError) as refused:
        claims.queue(ctx, new.id)  # never queued as it was: invoiced again
    assert [p.code for p in refused.value.problems] == ["claim.stay_open"]
    invoiced = stays.discharge(ctx, new.id, date(2026, 3, 6), [ln.as_line() for ln in reopened.lines])
    room = stays.get(ctx, invoiced.id).lines[4]
    assert room.days_paid == 0 and invoiced.amc == D("537.50")  # the 5 days are the other stay's now
    with pytest.raises(ValidationError) as refused:
        claims.update_lines(ctx, new.id, [])
    assert refused.value.problems[0].code in ("claim.care_lines", "claim.not_editable")


def test_an_open_stay_shows_in_the_queue_and_cannot_be_queued_before_discharge(ctx: Context) -> None:
    from verifier.services import queue

    out = stays.submit(ctx, replace(surgery_form(discharge=None), lines=()))
    assert out.claim is not None
    (row,) = queue.list_claims(ctx, queue.Search()).rows
    assert row.kind is ClaimKind.STAY and row.open_stay and row.status_label() == "séjour en cours"
    with pytest.raises(ValidationError) as refused:
        claims.queue(ctx, out.claim.id)
    assert [p.code for p in refused.value.problems] == ["claim.stay_open"]
    stays.discharge(ctx, out.claim.id, date(2026, 3, 6), surgery_lines())
    (row,) = queue.read_page(ctx, queue.Search()).rows
    assert not row.open_stay and row.status is ClaimStatus.QUEUED and row.amc == D("787.50")


def test_lines_are_held_to_the_stay_and_to_the_kind_of_claim(ctx: Context) -> None:
    lines = list(surgery_lines())
    lines[4] = replace(lines[4], quantity=60)  # 60 room days in a 5-day stay
    lines.append(CareLine(LineKind.EMERGENCY, "FPU", "Urgences", 2, D("0")))
    lines.append(CareLine(LineKind.CONSULTATION, "G", "Consultation", 1, D("30.00"), D("30.00")))
    lines.append(CareLine(LineKind.FEE, "QZFA0010123", "Acte", 1, D("50.00"), D("50.00")))
    out = stays.submit(ctx, replace(surgery_form(), lines=tuple(lines)))
    assert isinstance(out.error, ValidationError)
    found = {(p.code, p.line) for p in out.error.problems}
    assert found == {("stay.too_many_days", 5), ("stay.fpu_once", 7), ("stay.line_kind", 8), ("stay.code_long", 9)}
    typed_days = list(surgery_lines())
    typed_days[1] = replace(typed_days[1], quantity=100)  # the FJ's days come from the dates
    out = stays.submit(ctx, replace(surgery_form(), lines=tuple(typed_days)))
    assert out.claim is not None and out.claim.amc == D("787.50")
    assert stays.get(ctx, out.claim.id).lines[1].quantity == 5


def test_the_same_invoice_sent_changed_is_refused_and_an_open_stay_is_invoiced_when_sent_again(ctx: Context) -> None:
    form = replace(surgery_form(), claim_id="0d9b7f0e-3c1a-4c55-8a77-2f6b1e0c9d42")
    assert stays.submit(ctx, form).claim is not None
    changed = replace(
        form, lines=(replace(form.lines[0], unit_price=D("9400.00"), br_unit=D("9400.00")), *form.lines[1:])
    )
    refused = stays.submit(ctx, changed)
    assert isinstance(refused.error, ValidationError) and refused.error.problems[0].code == "claim.id_taken"
    other_pec = replace(form, pec=replace(form.pec, number="PEC-AUTRE"))
    assert stays.submit(ctx, other_pec).error is not None

    admitted = replace(
        surgery_form(discharge=None, entry_number="E2026-0099"), claim_id="7a1e2d3c-4b5a-4968-8776-655443322110"
    )
    opened = stays.submit(ctx, replace(admitted, lines=()))
    assert opened.claim is not None and opened.claim.status is ClaimStatus.DRAFT
    at_discharge = replace(admitted, stay=replace(admitted.stay, discharge=date(2026, 3, 6)))
    invoiced = stays.submit(ctx, at_discharge)
    assert invoiced.claim is not None and invoiced.claim.id == opened.claim.id
    assert invoiced.claim.status is ClaimStatus.QUEUED and not invoiced.already


def test_two_stays_invoiced_at_once_never_take_the_same_days_of_a_yearly_limit(location: Location) -> None:
    import threading

    from tests.factories import PASSWORD
    from verifier.services import auth

    ctx = make_site(location)
    limit = tuple(g if not g.startswith("CP") else "CP 50 €/j 5 j/an" for g in SURGERY_GUARANTEES)
    ids = []
    for n, admission in enumerate((date(2026, 3, 2), date(2026, 3, 20))):
        form = surgery_form(discharge=None, entry_number=f"E-{n}", planned_discharge=None)
        form = replace(form, pec=replace(form.pec, guarantees=limit), stay=replace(form.stay, admission=admission))
        out = stays.submit(ctx, replace(form, lines=()))
        assert out.claim is not None
        ids.append((out.claim.id, admission + (date(2026, 3, 6) - date(2026, 3, 2))))
    sessions = [auth.sign_in(location, "admin", PASSWORD) for _ in ids]
    start = threading.Barrier(len(ids))
    errors: list[BaseException] = []

    def invoice(session: Context, claim_id: str, day: date) -> None:
        try:
            start.wait()
            stays.discharge(session, claim_id, day, surgery_lines())
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=invoice, args=(c, i, d)) for c, (i, d) in zip(sessions, ids, strict=True)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for c in sessions:
        c.close()
    assert errors == []
    paid = [stays.get(ctx, i).lines[4].days_paid for i, _ in ids]
    assert sorted(paid) == [0, 5]  # one stay has the five days, the other none
    ctx.close()


def test_an_open_stay_with_lines_adds_up_as_an_estimate(ctx: Context) -> None:
    out = stays.submit(ctx, surgery_form(discharge=None))  # the lines known at admission
    assert out.claim is not None and out.claim.status is ClaimStatus.DRAFT
    claim = claims.get(ctx, out.claim.id)
    assert claim.amc == sum((a.amc for _, a in claim.lines), D("0")) == D("787.50")  # priced to the planned day
    from verifier.services import queue

    assert queue.awaiting_export(ctx) == []  # a draft: nobody owes it yet
