"""Claim arithmetic: worked examples by hand, validation, and invariants for any input."""

from __future__ import annotations

from decimal import ROUND_DOWN, Decimal, localcontext

import pytest
from hypothesis import given
from hypothesis import strategies as st

from verifier.domain.claims import (
    ClaimTotals,
    LineAmounts,
    LineInput,
    check_invariants,
    compute_claim,
    compute_line,
    total,
)
from verifier.domain.coverage import Guarantee
from verifier.domain.errors import DomainError, ValidationError

D = Decimal
PHAR_100 = Guarantee("PHAR", D(100))


def amounts(price: str, br: str, amo: str, tm: str, amc: str, patient: str) -> LineAmounts:
    return LineAmounts(D(price), D(br), D(amo), D(tm), D(amc), D(patient))


# Worked examples --------------------------------------------------------------------


def test_box_at_65_percent_with_phar_100() -> None:
    line = LineInput("PH7", 1, D("10.00"), D(65))
    assert compute_line(line, PHAR_100) == amounts("10.00", "10.00", "6.50", "3.50", "3.50", "0.00")


def test_ph2_drug_with_phar_not_covering_it() -> None:
    # 10,00 at 15%: AMO 1,50, TM 8,50; PHAR does not cover PH2, so the patient pays the TM.
    line = LineInput("PH2", 1, D("10.00"), D(15))
    lines, totals = compute_claim([line], [PHAR_100])
    assert lines == [amounts("10.00", "10.00", "1.50", "8.50", "0.00", "8.50")]
    assert totals.patient == totals.tm == D("8.50")


def test_ph2_drug_with_phar_covering_it() -> None:
    line = LineInput("PH2", 1, D("10.00"), D(15))
    lines, _ = compute_claim([line], [Guarantee("PHAR", D(100), covers_ph2=True)])
    assert lines == [amounts("10.00", "10.00", "1.50", "8.50", "8.50", "0.00")]


def test_device_above_br_with_200_percent() -> None:
    # Price 30,00, BR 20,00, AMO 60%: AMO 12,00, TM 8,00;
    # AMC = min(200% x 20,00 - 12,00, 30,00 - 12,00) = min(28,00, 18,00) = 18,00.
    line = LineInput("1234567", 1, D("30.00"), D(60), br_unit=D("20.00"))
    lines, _ = compute_claim([line], [Guarantee("LPP", D(200))])
    assert lines == [amounts("30.00", "20.00", "12.00", "8.00", "18.00", "0.00")]


def test_device_above_br_with_100_percent_leaves_the_excess_to_the_patient() -> None:
    line = LineInput("LPP", 1, D("30.00"), D(60), br_unit=D("20.00"))
    lines, _ = compute_claim([line], [PHAR_100])
    assert lines == [amounts("30.00", "20.00", "12.00", "8.00", "8.00", "10.00")]


def test_generic_priced_above_its_tfr() -> None:
    # BR 4,00 (tarif forfaitaire), price 5,00: the patient pays the 1,00 above the BR.
    line = LineInput("PH7", 1, D("5.00"), D(65), br_unit=D("4.00"))
    assert compute_line(line, PHAR_100) == amounts("5.00", "4.00", "2.60", "1.40", "1.40", "1.00")


def test_quantity_multiplies_before_rounding() -> None:
    # 2 x 12,34 = 24,68; AMO 30% = 7,404 -> 7,40; TM 17,28.
    line = LineInput("PH4", 2, D("12.34"), D(30))
    assert compute_line(line, PHAR_100) == amounts("24.68", "24.68", "7.40", "17.28", "17.28", "0.00")


@pytest.mark.parametrize(
    ("code", "quantity", "price", "rate", "amo"),
    [
        ("PH7", 1, "0.15", 65, "0.10"),  # 0,0975 -> 0,10
        ("PH4", 1, "0.05", 30, "0.02"),  # 0,015 -> 0,02
        ("PH7", 1, "0.50", 65, "0.33"),  # 0,325 -> 0,33 (half-even would say 0,32)
        ("PH7", 3, "0.15", 65, "0.29"),  # 3 x 0,15 = 0,45; 0,2925 -> 0,29
        ("PH4", 3, "2.35", 30, "2.12"),  # 3 x 2,35 = 7,05; 2,115 -> 2,12
    ],
)
def test_half_up_rounding(code: str, quantity: int, price: str, rate: int, amo: str) -> None:
    line = LineInput(code, quantity, D(price), D(rate))
    result = compute_line(line, PHAR_100)
    assert result.amo == D(amo)
    assert result.tm == result.price - result.amo
    assert result.amc == result.tm  # 100% BR: the mutuelle pays the TM
    assert result.patient == D("0.00")


def test_amc_capped_at_what_remains_after_amo() -> None:
    # 0,05 at 30%: AMO 0,02; 150% BR = 0,075 -> 0,08, minus AMO = 0,06, but only 0,03 remains.
    line = LineInput("PH4", 1, D("0.05"), D(30))
    result = compute_line(line, Guarantee("PHAR", D(150)))
    assert result == amounts("0.05", "0.05", "0.02", "0.03", "0.03", "0.00")


def test_amo_never_above_price() -> None:
    # BR 10,00 above a price of 8,00 at 100%: the AMO pays the price, nothing more.
    line = LineInput("PH1", 1, D("8.00"), D(100), br_unit=D("10.00"))
    assert compute_line(line, PHAR_100) == amounts("8.00", "10.00", "8.00", "2.00", "0.00", "0.00")


def test_guarantee_below_amo_pays_nothing() -> None:
    line = LineInput("PH7", 1, D("10.00"), D(65))
    assert compute_line(line, Guarantee("PHAR", D(50))).amc == D("0.00")
    assert compute_line(line, Guarantee("PHAR", D(0))).amc == D("0.00")


def test_no_guarantee() -> None:
    line = LineInput("PH7", 1, D("10.00"), D(65))
    assert compute_line(line, None) == amounts("10.00", "10.00", "6.50", "3.50", "0.00", "3.50")


def test_phn_is_paid_by_the_patient() -> None:
    line = LineInput("PHN", 2, D("4.99"), D(0))
    lines, totals = compute_claim([line], [Guarantee("PHAR", D(300), covers_ph2=True)])
    assert lines == [amounts("9.98", "9.98", "0.00", "9.98", "0.00", "9.98")]
    assert totals.patient == D("9.98")


def test_free_line() -> None:
    line = LineInput("PH7", 1, D("0"), D(65))
    assert compute_line(line, PHAR_100) == amounts("0.00", "0.00", "0.00", "0.00", "0.00", "0.00")


def test_claim_totals() -> None:
    lines_in = [
        LineInput("PH7", 1, D("10.00"), D(65)),
        LineInput("PH2", 1, D("10.00"), D(15)),
        LineInput("LPP", 1, D("30.00"), D(60), br_unit=D("20.00")),
    ]
    lines, totals = compute_claim(lines_in, [PHAR_100, Guarantee("LPP", D(200))])
    assert [line.amc for line in lines] == [D("3.50"), D("0.00"), D("18.00")]
    assert totals == ClaimTotals(
        price=D("50.00"),
        br=D("40.00"),
        amo=D("20.00"),
        tm=D("20.00"),
        amc=D("21.50"),
        patient=D("8.50"),
    )
    check_invariants(totals)


def test_empty_claim() -> None:
    lines, totals = compute_claim([], [PHAR_100])
    assert lines == []
    assert totals == ClaimTotals(*(D("0.00"),) * 6)
    assert total([]) == totals


def test_global_decimal_context_does_not_matter() -> None:
    line = LineInput("PH7", 1, D("0.50"), D(65))
    with localcontext() as ctx:
        ctx.prec = 2
        ctx.rounding = ROUND_DOWN
        result = compute_line(line, PHAR_100)
    assert result == amounts("0.50", "0.50", "0.33", "0.17", "0.17", "0.00")


# Validation -------------------------------------------------------------------------


def test_line_input_normalises() -> None:
    line = LineInput(" ph7 ", 1, D("12.5"), D("65.0"))
    assert line.prestation_code == "PH7"
    assert line.unit_price == D("12.50") and str(line.unit_price) == "12.50"
    assert str(line.amo_rate) == "65"
    assert line.effective_br_unit == D("12.50")
    assert LineInput("PH7", 1, D("12.500"), D(65)).unit_price == D("12.50")


@pytest.mark.parametrize(
    ("kwargs", "code", "field"),
    [
        ({"prestation_code": "XYZ"}, "line.unknown_prestation", "prestation_code"),
        ({"quantity": 0}, "line.quantity_out_of_range", "quantity"),
        ({"quantity": 1000}, "line.quantity_out_of_range", "quantity"),
        ({"unit_price": D("-0.01")}, "line.price_negative", "unit_price"),
        ({"unit_price": D("2.345")}, "line.price_too_precise", "unit_price"),
        ({"unit_price": D("1000000000")}, "line.price_too_large", "unit_price"),
        ({"br_unit": D("-1")}, "line.br_negative", "br_unit"),
        ({"br_unit": D("1.001")}, "line.br_too_precise", "br_unit"),
        ({"br_unit": D("1E+10")}, "line.br_too_large", "br_unit"),
        ({"amo_rate": D(101)}, "line.amo_rate_out_of_range", "amo_rate"),
        ({"amo_rate": D(-1)}, "line.amo_rate_out_of_range", "amo_rate"),
        ({"amo_rate": D("65.125")}, "line.amo_rate_too_precise", "amo_rate"),
        ({"prestation_code": "PHN"}, "line.phn_reimbursed", "amo_rate"),
    ],
)
def test_line_input_refuses(kwargs: dict[str, object], code: str, field: str) -> None:
    values: dict[str, object] = {
        "prestation_code": "PH7",
        "quantity": 1,
        "unit_price": D("10.00"),
        "amo_rate": D(65),
    }
    values.update(kwargs)
    with pytest.raises(ValidationError) as error:
        LineInput(**values)  # type: ignore[arg-type]
    assert [(p.code, p.field) for p in error.value.problems] == [(code, field)]
    assert not str(error.value).startswith("line.")


def test_line_input_reports_every_problem() -> None:
    with pytest.raises(ValidationError) as error:
        LineInput("XYZ", 0, D("-1"), D(200), br_unit=D("0.001"))
    assert [p.field for p in error.value.problems] == [
        "prestation_code",
        "quantity",
        "unit_price",
        "br_unit",
        "amo_rate",
    ]


@pytest.mark.parametrize(
    "kwargs",
    [
        {"unit_price": 10.0},
        {"amo_rate": 65.0},
        {"br_unit": 10.0},
        {"quantity": 1.0},
        {"quantity": True},
        {"unit_price": "10"},
    ],
)
def test_line_input_refuses_floats(kwargs: dict[str, object]) -> None:
    values: dict[str, object] = {
        "prestation_code": "PH7",
        "quantity": 1,
        "unit_price": D("10.00"),
        "amo_rate": D(65),
    }
    values.update(kwargs)
    with pytest.raises(TypeError):
        LineInput(**values)  # type: ignore[arg-type]


# check_invariants -------------------------------------------------------------------


@pytest.mark.parametrize(
    "broken",
    [
        amounts("10.00", "10.00", "6.50", "3.50", "3.50", "0.01"),  # does not add up
        amounts("10.00", "10.00", "6.50", "3.40", "3.50", "0.00"),  # tm != br - amo
        amounts("10.00", "10.00", "6.50", "3.50", "4.50", "-1.00"),  # negative patient
        amounts("10.00", "10.00", "6.505", "3.495", "3.495", "0.00"),  # not to the cent
    ],
)
def test_check_invariants_refuses(broken: LineAmounts) -> None:
    with pytest.raises(DomainError) as error:
        check_invariants(broken)
    assert error.value.problem.code == "claim.amounts_inconsistent"


# Properties -------------------------------------------------------------------------

CODES = ["PH7", "PH4", "PH2", "PH1", "PMR", "PM4", "PMH", "PHN", "LPP", "1234567"]
cents = st.integers(min_value=0, max_value=10**9).map(lambda c: D(c) / 100)
small_cents = st.integers(min_value=0, max_value=10**6).map(lambda c: D(c) / 100)
percent = st.integers(min_value=0, max_value=10_000).map(lambda c: D(c) / 100)


@st.composite
def line_inputs(draw: st.DrawFn) -> LineInput:
    code = draw(st.sampled_from(CODES))
    price = draw(st.one_of(small_cents, cents))
    br_unit = draw(st.one_of(st.none(), small_cents, st.just(price)))
    rate = D(0) if code == "PHN" else draw(percent)
    return LineInput(code, draw(st.integers(1, 999)), price, rate, br_unit=br_unit)


guarantees = st.builds(
    Guarantee,
    domain=st.sampled_from(["PHAR", "LPP", "DENT"]),
    rate=st.integers(min_value=0, max_value=100_000).map(lambda c: D(c) / 100),
    covers_ph2=st.booleans(),
)


def assert_line_invariants(result: LineAmounts | ClaimTotals) -> None:
    assert result.amo + result.amc + result.patient == result.price
    for value in (result.price, result.br, result.amo, result.tm, result.amc, result.patient):
        assert value >= 0
        assert value.as_tuple().exponent == -2
    assert result.amc <= result.price - result.amo
    assert result.amo <= result.price
    assert result.tm == result.br - result.amo
    check_invariants(result)


@given(line_inputs(), st.one_of(st.none(), guarantees))
def test_line_invariants(line: LineInput, guarantee: Guarantee | None) -> None:
    result = compute_line(line, guarantee)
    assert_line_invariants(result)
    if guarantee is None:
        assert result.amc == 0
        assert result.patient == result.price - result.amo
    elif guarantee.rate >= 100 and result.br >= result.price:
        assert result.patient == 0  # 100% BR or more covers everything up to the BR


@given(st.lists(line_inputs(), max_size=8), st.lists(guarantees, max_size=3))
def test_claim_invariants(lines_in: list[LineInput], cover: list[Guarantee]) -> None:
    lines, totals = compute_claim(lines_in, cover)
    assert len(lines) == len(lines_in)
    for line in lines:
        assert_line_invariants(line)
    assert_line_invariants(totals)
    for name in ("price", "br", "amo", "tm", "amc", "patient"):
        assert getattr(totals, name) == sum((getattr(line, name) for line in lines), D(0))
    assert total(lines) == totals


def test_a_line_problem_says_where_it_is_as_data() -> None:
    """Line problems carry the line number and the field apart: nothing parses "line2.x"."""
    from verifier.domain.errors import Problem

    with pytest.raises(ValidationError) as error:
        LineInput("PH7", 0, D("10.00"), D(65))
    placed = error.value.problems[0].on_line(2)
    assert (placed.field, placed.line, placed.path) == ("quantity", 2, "line2.quantity")
    assert placed.message() == error.value.problems[0].message()
    assert Problem("claim.no_lines", {}, "lines").path == "lines"
    assert Problem("x", {}, None, line=3).path == "line3"
    assert Problem("x").path == ""
