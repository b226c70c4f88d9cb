"""Issue 13: the per-box dispensing fee split from a box line as the invoice shows it (PH7 +
HD7, totals unchanged), and a pharmacist's acts as lines of their own."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from verifier.domain import pharmacy_acts
from verifier.domain.claims import LineInput, compute_line
from verifier.domain.coverage import ACT_CODES, PHAR, Guarantee, guarantee_for, is_known_prestation, line_kind
from verifier.domain.errors import ValidationError
from verifier.domain.pharmacy_fees import box_fee_code, split_box
from verifier.domain.tariffs import DEFAULT

D = Decimal
PHAR_100 = Guarantee(PHAR, D(100))


def amounts(code: str, quantity: int, unit: str, rate: str, guarantee: Guarantee | None = PHAR_100):  # type: ignore[no-untyped-def]
    return compute_line(LineInput(code, quantity, D(unit), D(rate)), guarantee)


def test_two_boxes_at_2_18_split_into_product_and_hd7() -> None:
    whole = amounts("PH7", 2, "2.18", "65")
    split = split_box("PH7", 2, D("2.18"), D(65), whole, D("1.02"), PHAR_100)
    assert split is not None
    assert (split.product_code, split.product_unit, split.fee_code, split.fee_unit) == (
        "PH7",
        D("1.16"),
        "HD7",
        D("1.02"),
    )
    # The fee as a line of its own: 2 x 1,02 = 2,04, AMO 65 % = 1,326 -> 1,33, AMC the rest.
    f = split.fee
    assert (f.price, f.br, f.amo, f.tm, f.amc, f.patient) == (
        D("2.04"),
        D("2.04"),
        D("1.33"),
        D("0.71"),
        D("0.71"),
        D("0.00"),
    )
    p = split.product
    assert (p.price, p.amo, p.amc) == (D("2.32"), whole.amo - D("1.33"), whole.amc - D("0.71"))
    for name in ("price", "br", "amo", "tm", "amc", "patient"):
        assert getattr(split.product, name) + getattr(split.fee, name) == getattr(whole, name)


def test_the_fee_code_follows_the_rate_and_the_3_month_box() -> None:
    assert [box_fee_code(c, D("1.02")) for c in ("PH1", "PH2", "PH4", "PH7")] == ["HD1", "HD2", "HD4", "HD7"]
    assert box_fee_code("PH4", D("2.76")) == "HG4"
    assert box_fee_code("PHN", D("1.02")) is None and box_fee_code("LPP", D("1.02")) is None


def test_no_split_without_a_fee_or_when_a_part_would_go_negative() -> None:
    whole = amounts("PH7", 1, "3.29", "65")
    assert split_box("PH7", 1, D("3.29"), D(65), whole, None, PHAR_100) is None
    assert split_box("PH7", 1, D("3.29"), D(65), whole, D("3.29"), PHAR_100) is None  # the fee is not the whole price
    assert split_box("PHN", 1, D("3.29"), D(0), amounts("PHN", 1, "3.29", "0", None), D("1.02"), None) is None
    # An AMC capped below the fee's own share (a guarantee of 70 % on a 65 % drug pays 0,16 €
    # on the line): the fee's 0,05 fits; no part goes below zero, or there is no split.
    low = Guarantee(PHAR, D(70))
    capped = amounts("PH7", 1, "3.29", "65", low)
    split = split_box("PH7", 1, D("3.29"), D(65), capped, D("1.02"), low)
    assert split is None or all(getattr(split.product, n) >= 0 for n in ("price", "amo", "amc", "patient"))


@settings(deadline=None)
@given(
    quantity=st.integers(1, 20),
    cents=st.integers(2, 100_000),
    fee_cents=st.integers(1, 400),
    rate=st.sampled_from(["15", "30", "65", "100"]),
    guarantee=st.sampled_from([None, "100", "150", "70", "300"]),
)
def test_the_parts_always_add_up_to_the_line(
    quantity: int, cents: int, fee_cents: int, rate: str, guarantee: str | None
) -> None:
    unit, fee = D(cents) / 100, D(fee_cents) / 100
    code = {"15": "PH2", "30": "PH4", "65": "PH7", "100": "PH1"}[rate]
    g = None if guarantee is None else Guarantee(PHAR, D(guarantee), covers_ph2=True)
    whole = compute_line(LineInput(code, quantity, unit, D(rate)), guarantee_for(code, [g] if g else []))
    split = split_box(code, quantity, unit, D(rate), whole, fee, guarantee_for(code, [g] if g else []))
    if fee >= unit:
        assert split is None
        return
    if split is not None:
        for name in ("price", "br", "amo", "tm", "amc", "patient"):
            part, rest = getattr(split.fee, name), getattr(split.product, name)
            assert part >= 0 and rest >= 0 and part + rest == getattr(whole, name)


def test_every_act_is_a_known_prestation_paid_under_the_pharmacy_guarantee() -> None:
    assert {a.code for a in pharmacy_acts.ACTS} == ACT_CODES
    for act in pharmacy_acts.ACTS:
        assert is_known_prestation(act.code) and line_kind(act.code) == "act"
        assert guarantee_for(act.code, [PHAR_100]) == PHAR_100
    assert line_kind("HDR") == "fee" and line_kind("PH7") == "item"


@pytest.mark.parametrize(
    ("code", "day", "expected"),
    [
        ("TRD", date(2026, 3, 2), [D("10.00"), D("15.00")]),
        ("PEE", date(2026, 3, 2), [D("10.00"), D("15.00")]),
        ("RVA", date(2026, 3, 2), [D("7.50"), D("9.60")]),
        ("RVA", date(2023, 1, 10), [D("7.50")]),  # the prescription by the pharmacist came later
        ("VGP", date(2022, 11, 6), [D("6.30")]),
        ("VGP", date(2022, 11, 7), [D("7.50")]),
        ("AKI", date(2026, 3, 2), []),  # billed step by step since 2025: the pharmacist types it
    ],
)
def test_an_acts_amounts_are_those_in_force_on_its_day(code: str, day: date, expected: list[Decimal]) -> None:
    act = pharmacy_acts.act_of(code.lower())
    assert act is not None
    found = []
    for key in act.amounts:
        try:
            found.append(DEFAULT.at(key, day))
        except ValidationError:
            continue
    assert found == expected


def test_a_rapid_test_with_an_antibiotic_at_70_percent() -> None:
    """15 EUR at 70 %: the AMO pays 10,50, the AMC under PHAR 100 the 4,50 of ticket modérateur."""
    a = amounts("TRD", 1, "15.00", "70")
    assert (a.amo, a.tm, a.amc, a.patient) == (D("10.50"), D("4.50"), D("4.50"), D("0.00"))


@settings(deadline=None)  # no time limit in a unit test (temporary files are slow here)
@given(st.binary(max_size=400))
def test_a_specific_drugs_list_file_of_any_bytes_reads_without_a_crash(tmp_path_factory, data: bytes) -> None:  # type: ignore[no-untyped-def]
    """A clerk's file of anything (binary, cp1252, formulas): codes with their line numbers,
    every one a stripped first cell; refusing the bad ones is set_specific's (tested with the
    database)."""
    from verifier.services.drugs import read_code_list

    path = tmp_path_factory.mktemp("list") / "liste.csv"
    path.write_bytes(data)
    found = read_code_list(path)
    numbers = [n for n, _ in found]
    assert numbers == sorted(set(numbers)) and all(code == code.strip() for _, code in found)
