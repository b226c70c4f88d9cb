"""Prestation codes and which mutuelle guarantee pays for a line."""

from __future__ import annotations

from decimal import Decimal

import pytest

from verifier import i18n
from verifier.domain.coverage import (
    PRESTATION_RATES,
    Guarantee,
    coverage_problem,
    guarantee_for,
    is_lpp,
    prestation_for_rate,
)
from verifier.domain.errors import ValidationError

PHAR = Guarantee("PHAR", Decimal(100))
PHAR_PH2 = Guarantee("PHAR", Decimal(100), covers_ph2=True)
LPP = Guarantee("LPP", Decimal(200))
DENT = Guarantee("DENT", Decimal(300))


def test_prestation_rates() -> None:
    assert PRESTATION_RATES == {
        "PH7": Decimal(65),
        "PH4": Decimal(30),
        "PH2": Decimal(15),
        "PH1": Decimal(100),
        "PMR": Decimal(65),
        "PM4": Decimal(35),
        "PMH": Decimal(35),
        "PHN": Decimal(0),
        "LPP": None,
        "HDR": Decimal(70),
        "HDA": Decimal(70),
        "HDE": Decimal(70),
        "HC": Decimal(100),
        "GPN": Decimal(65),
        "GPD": Decimal(65),
        "GPF": Decimal(65),
        "UPH": Decimal(65),
        # A pharmacist's acts (issue 13, docs/pharmacy-fees.md).
        **dict.fromkeys(("RVA", "VGP", "TRD", "PEE", "AKI", "AKS", "AOI", "AOS", "ASI", "ASS"), Decimal(70)),
        **dict.fromkeys(("BMI", "BMT", "BMS"), Decimal(70)),
        **dict.fromkeys(("INJ", "TAC", "AC1", "AC2", "AC3", "AC4"), Decimal(100)),
    }


@pytest.mark.parametrize(
    ("rate", "code"),
    [
        (Decimal(65), "PH7"),
        (Decimal(30), "PH4"),
        (Decimal(15), "PH2"),
        (Decimal(100), "PH1"),
        (Decimal("65.0"), "PH7"),
        (Decimal(0), "PHN"),
        (None, "PHN"),
    ],
)
def test_prestation_for_rate(rate: Decimal | None, code: str) -> None:
    assert prestation_for_rate(rate) == code


def test_prestation_for_an_ambiguous_rate() -> None:
    with pytest.raises(ValidationError) as error:
        prestation_for_rate(Decimal(35))
    assert error.value.problems[0].code == "prestation.unknown_rate"
    assert "35 %" in str(error.value)


def test_prestation_for_rate_refuses_floats() -> None:
    with pytest.raises(TypeError):
        prestation_for_rate(65.0)  # type: ignore[arg-type]


# Guarantee --------------------------------------------------------------------------


def test_guarantee_normalises() -> None:
    guarantee = Guarantee("  phar ", Decimal("100.00"))
    assert guarantee.domain == "PHAR"
    assert guarantee.rate == Decimal(100)
    assert guarantee.covers_ph2 is False
    assert guarantee == Guarantee("PHAR", Decimal(100))


@pytest.mark.parametrize("rate", ["0", "100", "200", "1000", "62.5"])
def test_guarantee_accepts_rates(rate: str) -> None:
    assert Guarantee("PHAR", Decimal(rate)).rate == Decimal(rate)


@pytest.mark.parametrize(
    ("domain", "rate", "expected"),
    [
        ("", "100", ["guarantee.domain_empty"]),
        ("   ", "100", ["guarantee.domain_empty"]),
        ("ABCDEFGHIJK", "100", ["guarantee.domain_too_long"]),
        ("PHAR", "-1", ["guarantee.rate_out_of_range"]),
        ("PHAR", "1000.01", ["guarantee.rate_out_of_range"]),
        ("PHAR", "100.125", ["guarantee.rate_too_precise"]),
        ("", "2000", ["guarantee.domain_empty", "guarantee.rate_out_of_range"]),
    ],
)
def test_guarantee_refuses(domain: str, rate: str, expected: list[str]) -> None:
    with pytest.raises(ValidationError) as error:
        Guarantee(domain, Decimal(rate))
    assert [p.code for p in error.value.problems] == expected


def test_guarantee_refuses_float_rate() -> None:
    with pytest.raises(TypeError):
        Guarantee("PHAR", 100.0)  # type: ignore[arg-type]


def test_guarantee_ten_characters_is_fine() -> None:
    assert Guarantee("ABCDEFGHIJ", Decimal(100)).domain == "ABCDEFGHIJ"


# guarantee_for ----------------------------------------------------------------------


@pytest.mark.parametrize("code", ["PH7", "PH4", "PH1", "PMR", "PM4", "PMH", "ph7", " PH4 "])
def test_drugs_use_phar(code: str) -> None:
    assert guarantee_for(code, [DENT, PHAR]) is PHAR
    assert guarantee_for(code, [DENT]) is None
    assert guarantee_for(code, []) is None


def test_ph2_needs_covers_ph2() -> None:
    # domain.md: a pharmacy that applied PHAR to a 15% drug was refused payment.
    assert guarantee_for("PH2", [PHAR]) is None
    assert guarantee_for("PH2", [PHAR_PH2]) is PHAR_PH2


def test_phn_never_covered() -> None:
    assert guarantee_for("PHN", [PHAR_PH2, LPP]) is None


@pytest.mark.parametrize("code", ["LPP", "1234567", "lpp"])
def test_devices_prefer_lpp_then_phar(code: str) -> None:
    assert guarantee_for(code, [PHAR, LPP]) is LPP
    assert guarantee_for(code, [PHAR]) is PHAR
    assert guarantee_for(code, [DENT]) is None


def test_unknown_code_is_not_covered() -> None:
    assert guarantee_for("XYZ", [PHAR]) is None
    assert guarantee_for("123456", [PHAR]) is None  # 6 digits is not an LPP code


def test_first_guarantee_of_a_domain_wins() -> None:
    other = Guarantee("PHAR", Decimal(300))
    assert guarantee_for("PH7", [PHAR, other]) is PHAR


def test_is_lpp() -> None:
    assert is_lpp("LPP") and is_lpp("1234567") and is_lpp(" 1234567 ")
    assert not is_lpp("PH7") and not is_lpp("12345678")


# coverage_problem -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "guarantees", "expected"),
    [
        ("PH7", [PHAR], None),
        ("PH2", [PHAR_PH2], None),
        ("1234567", [PHAR], None),
        ("PH2", [PHAR], "coverage.ph2_not_covered"),
        ("PH2", [], "coverage.no_guarantee"),
        ("PH7", [DENT], "coverage.no_guarantee"),
        ("PHN", [PHAR], "coverage.not_reimbursable"),
        ("XYZ", [PHAR], "coverage.unknown_prestation"),
    ],
)
def test_coverage_problem(code: str, guarantees: list[Guarantee], expected: str | None) -> None:
    problem = coverage_problem(code, guarantees)
    assert (problem.code if problem else None) == expected
    if problem is not None:
        assert problem.field == "prestation_code"
        assert problem.message().endswith(".")


def test_ph2_message_says_what_to_do() -> None:
    problem = coverage_problem("PH2", [PHAR])
    assert problem is not None
    assert "15 %" in problem.message()
    i18n.set_language("en")
    assert "15%" in problem.message()
