"""Who pays what on a clinic's stay and a consultation: the worked examples of issue 11, each
amount exact, and properties over random stays."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from verifier.domain import tariffs as t
from verifier.domain.care import CareLine, Exemption, LineKind, Stay, _guarantee_for, compute, pav_applies
from verifier.domain.care_guarantees import (
    Basis,
    CareGuarantee,
    Item,
    parse_guarantee,
    parse_guarantees,
    responsible_contract_warnings,
)
from verifier.domain.claims import check_invariants
from verifier.domain.errors import ValidationError

D = Decimal


def g(*texts: str) -> list[CareGuarantee]:
    return parse_guarantees(list(texts))


def line(kind: LineKind, code: str, qty: int, price: str, br: str | None = None, **kw: object) -> CareLine:
    return CareLine(kind, code, code, qty, D(price), D(br) if br is not None else None, **kw)  # type: ignore[arg-type]


def test_surgery_with_a_heavy_act_room_and_tv() -> None:
    stay = Stay(date(2026, 3, 2), date(2026, 3, 6))
    lines = [
        line(LineKind.STAY_FEES, "FS", 1, "2400.00", "2400.00"),
        line(LineKind.DAILY_CHARGE, "FJ", stay.daily_charge_days, "20.00"),
        line(LineKind.FEE, "ADC", 1, "627.00", "313.50", optam=True),
        line(LineKind.FEE, "ADA", 1, "250.00", "150.00", optam=False),
        line(LineKind.ROOM, "CP", stay.days, "90.00"),
        line(LineKind.COMFORT, "TV", stay.days, "6.00"),
    ]
    guarantees = g(
        "SEJOUR 100 % BR", "FJ 100 % FR", "HONO OPTAM 200 % BR", "HONO NON OPTAM 180 % BR", "CP 50 €/j 60 j/an"
    )
    invoice = compute(stay, lines, guarantees)
    assert invoice.pav
    assert [r.amounts.amo for r in invoice.lines] == [
        D("2376.00"),
        D("0.00"),
        D("313.50"),
        D("150.00"),
        D("0.00"),
        D("0.00"),
    ]
    assert [r.amounts.amc for r in invoice.lines] == [
        D("24.00"),
        D("100.00"),
        D("313.50"),
        D("100.00"),
        D("250.00"),
        D("0.00"),
    ]
    assert (invoice.totals.price, invoice.totals.amo, invoice.totals.amc, invoice.totals.patient) == (
        D("3857.00"),
        D("2839.50"),
        D("787.50"),
        D("230.00"),
    )
    assert invoice.lines[0].withheld == D("24.00") and "care.note.pav" in invoice.lines[0].notes
    assert invoice.days_used == {(Item.ROOM, 2026): 5}


def test_medical_stay_the_daily_charge_is_absorbed_by_the_ticket_moderateur() -> None:
    stay = Stay(date(2026, 2, 10), date(2026, 2, 13))
    lines = [
        line(LineKind.STAY_FEES, "FS", 1, "1800.00", "1800.00"),
        line(LineKind.DAILY_CHARGE, "FJ", stay.daily_charge_days, "20.00"),
    ]
    invoice = compute(stay, lines, g("SEJOUR 100 % BR", "FJ 100 % FR"))
    fees, fj = invoice.lines
    assert not invoice.pav
    assert (fees.amounts.amo, fees.amounts.tm, fees.amounts.amc, fees.amounts.patient) == (
        D("1440.00"),
        D("360.00"),
        D("360.00"),
        D("0.00"),
    )
    assert fj.amounts.price == D("0.00") and "care.note.fj_absorbed" in fj.notes  # 4 x 20,00 inside the TM
    assert (invoice.totals.amc, invoice.totals.patient) == (D("360.00"), D("0.00"))


def test_a_daily_charge_larger_than_the_ticket_moderateur_costs_the_larger_only() -> None:
    stay = Stay(date(2026, 2, 1), date(2026, 2, 10))  # 10 x 20,00 = 200,00 against a TM of 60,00
    lines = [line(LineKind.STAY_FEES, "FS", 1, "300.00", "300.00"), line(LineKind.DAILY_CHARGE, "FJ", 10, "20.00")]
    invoice = compute(stay, lines, [])
    assert invoice.totals.patient == D("200.00")  # the larger of 60 and 200, not both


def test_psychiatry_under_ald_the_daily_charge_stays_due() -> None:
    stay = Stay(date(2026, 4, 1), date(2026, 4, 30), psychiatry=True, exemption=Exemption.ALD)
    lines = [line(LineKind.DAILY_CHARGE, "FJ", stay.daily_charge_days, "0")]
    (fj,) = compute(stay, lines, g("FJ 100 % FR")).lines
    assert (fj.amounts.price, fj.amounts.amo, fj.amounts.amc, fj.amounts.patient) == (
        D("450.00"),
        D("0.00"),
        D("450.00"),
        D("0.00"),
    )


@pytest.mark.parametrize(("exemption", "expected"), [(Exemption.NONE, "19.61"), (Exemption.ALD, "8.49")])
def test_emergency_visit_full_and_reduced(exemption: Exemption, expected: str) -> None:
    day = date(2026, 1, 20)
    (fpu,) = compute(
        Stay(day, day, exemption=exemption), [line(LineKind.EMERGENCY, "FPU", 1, "0")], g("FPU 100 % FR")
    ).lines
    assert (fpu.amounts.price, fpu.amounts.amo, fpu.amounts.amc, fpu.amounts.patient) == (
        D(expected),
        D("0.00"),
        D(expected),
        D("0.00"),
    )


def test_consultation_the_participation_forfaitaire_is_never_the_insurers() -> None:
    day = date(2026, 1, 20)
    (c,) = compute(Stay(day, day), [line(LineKind.CONSULTATION, "G", 1, "30.00", "30.00")], g("CONS 100 % BR")).lines
    assert (c.amounts.amo, c.withheld, c.amounts.amc, c.amounts.patient) == (
        D("19.00"),
        D("2.00"),
        D("9.00"),
        D("2.00"),
    )
    young = compute(
        Stay(day, day, under_18=True), [line(LineKind.CONSULTATION, "G", 1, "30.00", "30.00")], g("CONS 100 % BR")
    )
    assert young.lines[0].amounts.amo == D("21.00") and young.totals.patient == D("0.00")


def test_values_follow_the_dates_of_the_stay() -> None:
    before = Stay(date(2017, 12, 30), date(2018, 1, 2))  # 2 days at 18,00, 2 at 20,00
    (fj,) = compute(before, [line(LineKind.DAILY_CHARGE, "FJ", 4, "0")], g("FJ 100 % FR")).lines
    assert fj.amounts.price == D("76.00")
    old = date(2024, 5, 14)
    (c,) = compute(Stay(old, old), [line(LineKind.CONSULTATION, "G", 1, "26.50", "26.50")], []).lines
    assert c.withheld == D("1.00")  # 2,00 from 15 May 2024
    raised = t.DEFAULT.with_values([t.Tariff(t.FJ, date(2027, 1, 1), D("22.00"))])
    assert raised.at(t.FJ, date(2026, 12, 31)) == D("20.00") and raised.at(t.FJ, date(2027, 1, 1)) == D("22.00")


def test_a_room_guarantee_pays_only_the_days_left_in_the_year() -> None:
    stay = Stay(date(2026, 12, 29), date(2027, 1, 2))  # 3 days in 2026, 2 in 2027
    lines = [line(LineKind.ROOM, "CP", stay.days, "90.00")]
    invoice = compute(stay, lines, g("CP 50 €/j 60 j/an"), used_days={(Item.ROOM, 2026): 59})
    (room,) = invoice.lines
    assert room.days_paid == 3  # one left in 2026, two in 2027
    assert room.amounts.amc == D("150.00") and "care.note.limit_reached" in room.notes
    assert invoice.days_used == {(Item.ROOM, 2026): 1, (Item.ROOM, 2027): 2}


def test_exempt_stays_pay_no_ticket_moderateur_nor_heavy_act_participation() -> None:
    stay = Stay(date(2026, 5, 1), date(2026, 5, 3), exemption=Exemption.MATERNITY)
    lines = [
        line(LineKind.STAY_FEES, "FS", 1, "900.00", "900.00"),
        line(LineKind.FEE, "ACO", 1, "200.00", "200.00"),
        line(LineKind.DAILY_CHARGE, "FJ", 3, "0"),
    ]
    invoice = compute(stay, lines, [])
    assert not invoice.pav and invoice.totals.patient == D("0.00")
    assert invoice.lines[2].amounts.amo == D("60.00")  # the FJ, paid by the AMO in maternity
    assert not pav_applies(stay, lines)


def test_guarantees_are_read_as_typed_and_each_problem_is_named() -> None:
    assert parse_guarantee("CP 50 €/j 60 j/an") == CareGuarantee(Item.ROOM, Basis.PER_DAY, D(50), 60)
    assert parse_guarantee("hono optam 200% BR") == CareGuarantee(Item.FEES_OPTAM, Basis.PERCENT_BR, D(200))
    assert parse_guarantee("Forfait journalier 100 % frais réels").basis is Basis.PERCENT_ACTUAL
    assert parse_guarantee("Chambre particulière 45,50 €/nuit").value == D("45.5")
    assert parse_guarantee("ACC 150 €") == CareGuarantee(Item.COMPANION, Basis.FLAT, D(150))
    assert parse_guarantee("CP 50 €/j 60 j/an").text() == "CP 50 €/j 60 j/an"
    for bad, code in [
        ("", "care_guarantee.empty"),
        ("LUNETTES 100 % BR", "care_guarantee.item"),
        ("CP", "care_guarantee.value_missing"),
        ("CP cinquante", "care_guarantee.value_missing"),
        ("SEJOUR 2000 % BR", "care_guarantee.percent_range"),
        ("CP 50 €/j 400 j/an", "care_guarantee.days_range"),
        ("CP 50,555 €/j", "care_guarantee.too_precise"),
        ("SEJOUR 100 % XY", "care_guarantee.value"),
    ]:
        with pytest.raises(ValidationError) as exc:
            parse_guarantee(bad)
        assert code in [p.code for p in exc.value.problems], bad
        assert all(p.message() and "{" not in p.message() for p in exc.value.problems)
    with pytest.raises(ValidationError) as twice:
        parse_guarantees(["FJ 100 % FR", "", "fj 50 % FR", "XX 1 %"])
    assert [(p.code, p.line) for p in twice.value.problems] == [("care_guarantee.twice", 3), ("care_guarantee.item", 4)]


def test_contrat_responsable_clauses_are_warned_about() -> None:
    assert (
        responsible_contract_warnings(
            g("SEJOUR 100 % BR", "FJ 100 % FR", "HONO OPTAM 200 % BR", "HONO NON OPTAM 180 % BR")
        )
        == []
    )
    codes = [
        p.code
        for p in responsible_contract_warnings(g("SEJOUR 90 % BR", "HONO OPTAM 200 % BR", "HONO NON OPTAM 250 % BR"))
    ]
    assert codes == [
        "care_guarantee.responsible_fj",
        "care_guarantee.responsible_tm",
        "care_guarantee.responsible_non_optam",
        "care_guarantee.responsible_gap",
    ]


def test_lines_that_cannot_be_billed_are_refused_with_their_place() -> None:
    day = date(2026, 1, 20)
    with pytest.raises(ValidationError) as exc:
        compute(
            Stay(day, day), [line(LineKind.FEE, "ADC", 1, "100.00", "150.00"), line(LineKind.FEE, "X", 0, "1.00")], []
        )
    assert [(p.code, p.line) for p in exc.value.problems] == [
        ("care.below_br", 1),
        ("care.quantity", 2),
        ("care.br_missing", 2),
    ]
    with pytest.raises(ValidationError):
        Stay(day, day - timedelta(days=1))


# --- properties over random stays --------------------------------------------------------------

MONEY = st.decimals(min_value=D("0.01"), max_value=D("5000"), places=2)
KINDS = list(LineKind)


@st.composite
def stays(draw: st.DrawFn) -> tuple[Stay, list[CareLine], list[CareGuarantee], dict[tuple[Item, int], int]]:
    start = draw(st.dates(min_value=date(2022, 1, 1), max_value=date(2027, 12, 1)))  # the FPU exists from 2022
    stay = Stay(
        start,
        start + timedelta(days=draw(st.integers(0, 40))),
        psychiatry=draw(st.booleans()),
        exemption=draw(st.sampled_from(list(Exemption))),
        under_18=draw(st.booleans()),
    )
    lines = []
    for kind in draw(st.lists(st.sampled_from(KINDS), min_size=1, max_size=8)):
        br = draw(MONEY)
        over = draw(st.decimals(min_value=D(0), max_value=D("500"), places=2))
        if kind in (LineKind.FEE, LineKind.CONSULTATION):
            lines.append(
                CareLine(kind, "ACT", "acte", draw(st.integers(1, 3)), br + over, br, optam=draw(st.booleans()))
            )
        elif kind is LineKind.STAY_FEES:
            lines.append(CareLine(kind, "FS", "séjour", 1, br, br))
        else:
            lines.append(CareLine(kind, kind.value, kind.value, draw(st.integers(1, 40)), draw(MONEY)))
    pool = [
        "SEJOUR {p} % BR",
        "FJ {p} % FR",
        "HONO OPTAM {p} % BR",
        "HONO NON OPTAM {p} % BR",
        "CP {a} €/j {d} j/an",
        "ACC {a} €",
        "FPU {p} % FR",
        "CONS {p} % BR",
    ]
    chosen = draw(st.lists(st.sampled_from(pool), unique=True, max_size=len(pool)))
    texts = [
        x.format(p=draw(st.integers(0, 400)), a=draw(st.integers(1, 200)), d=draw(st.integers(1, 90))) for x in chosen
    ]
    used = {(Item.ROOM, stay.admission.year): draw(st.integers(0, 90))}
    return stay, lines, parse_guarantees(texts), used


@settings(max_examples=300, deadline=None)
@given(stays())
def test_every_line_adds_up_and_the_insurer_never_pays_more_than_allowed(
    case: tuple[Stay, list[CareLine], list[CareGuarantee], dict[tuple[Item, int], int]],
) -> None:
    stay, lines, guarantees, used = case
    invoice = compute(stay, lines, guarantees, used_days=used)
    for r in invoice.lines:
        a = r.amounts
        check_invariants(a)  # AMO + AMC + patient = charged, TM = BR - AMO, nothing negative
        assert a.amc <= a.price - a.amo - r.withheld or r.line.kind is LineKind.STAY_FEES or "care.note.pav" in r.notes
        if r.line.kind is LineKind.COMFORT:
            assert a.amc == 0
        guarantee = _guarantee_for(r.line, guarantees)
        if guarantee is None:
            assert a.amc == 0
        elif guarantee.basis is Basis.PER_DAY:
            assert a.amc <= guarantee.value * r.days_paid
        elif guarantee.basis is Basis.FLAT:
            assert a.amc <= guarantee.value
        elif guarantee.basis is Basis.PERCENT_BR:
            assert a.amo + a.amc <= a.br * guarantee.value / 100 + D("0.005") or a.amc == 0
        assert a.patient >= r.participation  # the participation forfaitaire stays the patient's
    check_invariants(invoice.totals)
    room = next((x for x in guarantees if x.item is Item.ROOM), None)
    if room is not None and room.days_per_year is not None:
        for (item, year), days in invoice.days_used.items():
            assert used.get((item, year), 0) + days <= max(room.days_per_year, used.get((item, year), 0))


@settings(max_examples=100, deadline=None)
@given(st.lists(st.integers(1, 30), min_size=2, max_size=6), st.integers(1, 90))
def test_a_yearly_day_limit_holds_across_several_claims(stays_days: list[int], limit: int) -> None:
    used: dict[tuple[Item, int], int] = {}
    guarantees = g(f"CP 40 €/j {limit} j/an")
    start = date(2026, 1, 5)
    for days in stays_days:
        stay = Stay(start, start + timedelta(days=days - 1))
        invoice = compute(stay, [line(LineKind.ROOM, "CP", days, "70.00")], guarantees, used_days=used)
        for key, n in invoice.days_used.items():
            used[key] = used.get(key, 0) + n
        start += timedelta(days=days)
    assert sum(n for (_, year), n in used.items() if year == 2026) <= limit


def test_what_a_review_found_stays_fixed() -> None:
    day = date(2026, 3, 2)
    # A per-day guarantee pays at most what each covered day costs, not its amount.
    stay = Stay(day, day + timedelta(days=4))
    (room,) = compute(
        stay, [line(LineKind.ROOM, "CP", 5, "40.00")], g("CP 50 €/j 60 j/an"), used_days={(Item.ROOM, 2026): 58}
    ).lines
    assert (room.days_paid, room.amounts.amc) == (2, D("80.00"))
    # A flat guarantee is paid once per claim, shared by the lines it covers.
    fees = [line(LineKind.FEE, f"A{n}", 1, "250.00", "100.00") for n in range(3)]
    invoice = compute(Stay(day, day + timedelta(days=1)), fees, g("HONO 150 €"))
    assert invoice.totals.amc == D("150.00")
    # An AMO rate outside 0-100 % is refused, not computed into a negative share.
    with pytest.raises(ValidationError) as bad:
        compute(Stay(day, day), [line(LineKind.FEE, "A", 1, "50.00", "50.00", amo_rate=D(-10))], [])
    assert [p.code for p in bad.value.problems] == ["care.rate"]
    # The PAV is taken whole even when the first stay-fees line's AMO share is below it.
    small = [
        line(LineKind.STAY_FEES, "FS", 1, "10.00", "10.00"),
        line(LineKind.FEE, "ADC", 1, "200.00", "200.00"),
    ]
    pav = compute(Stay(day, day + timedelta(days=1)), small, [])
    assert pav.pav and sum(r.withheld for r in pav.lines) == D("24.00")
    assert pav.totals.amo == D("186.00")
    # A per-day guarantee on the forfait journalier pays its days.
    (fj,) = compute(
        Stay(day, day + timedelta(days=2)), [line(LineKind.DAILY_CHARGE, "FJ", 3, "0")], g("FJ 20 €/j")
    ).lines
    assert fj.amounts.amc == D("60.00")


def test_absurd_amounts_are_refused_before_any_arithmetic() -> None:
    day = date(2026, 3, 2)
    for price in (D("1e999999"), D("9" * 5000), D("12.345"), D("NaN")):
        with pytest.raises(ValidationError) as exc:
            compute(Stay(day, day), [CareLine(LineKind.FEE, "A", "A", 1, price, D("10.00"))], [])
        assert "care.amount" in [p.code for p in exc.value.problems], price
    with pytest.raises(ValidationError) as rate:
        compute(Stay(day, day), [CareLine(LineKind.FEE, "A", "A", 1, D("10.00"), D("10.00"), D("NaN"))], [])
    assert [p.code for p in rate.value.problems] == ["care.rate"]
