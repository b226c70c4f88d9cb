"""Amounts and rates: rounding, formatting and parsing what staff type."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from verifier import i18n
from verifier.domain.errors import ValidationError
from verifier.domain.money import (
    CENT,
    MAX_AMOUNT,
    format_eur,
    format_rate,
    parse_amount,
    parse_rate,
    to_cents,
)

NBSP = "\u00a0"


def codes(error: pytest.ExceptionInfo[ValidationError]) -> list[str]:
    return [p.code for p in error.value.problems]


# to_cents ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("0.005", "0.01"),
        ("0.0049", "0.00"),
        ("0.015", "0.02"),  # half-even would give 0.02 too; 0.025 tells them apart
        ("0.025", "0.03"),
        ("0.0975", "0.10"),  # 0,15 x 65 %
        ("7.035", "7.04"),  # 3 x 2,345
        ("-0.005", "-0.01"),  # half away from zero
        ("12", "12.00"),
    ],
)
def test_to_cents_rounds_half_up(value: str, expected: str) -> None:
    result = to_cents(Decimal(value))
    assert result == Decimal(expected)
    assert result.as_tuple().exponent == -2


def test_to_cents_refuses_floats() -> None:
    with pytest.raises(TypeError):
        to_cents(0.1)  # type: ignore[arg-type]


def test_to_cents_refuses_nan() -> None:
    with pytest.raises(ValueError):
        to_cents(Decimal("NaN"))


def test_cent() -> None:
    assert CENT == Decimal("0.01")


# format_eur -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "french", "english"),
    [
        ("1234.56", f"1{NBSP}234,56{NBSP}€", "€1,234.56"),
        ("-1234.56", f"-1{NBSP}234,56{NBSP}€", "-€1,234.56"),
        ("0", f"0,00{NBSP}€", "€0.00"),
        ("-0.001", f"0,00{NBSP}€", "€0.00"),
        ("12.5", f"12,50{NBSP}€", "€12.50"),
        ("1234567.891", f"1{NBSP}234{NBSP}567,89{NBSP}€", "€1,234,567.89"),
        ("2.345", f"2,35{NBSP}€", "€2.35"),
    ],
)
def test_format_eur(value: str, french: str, english: str) -> None:
    assert format_eur(Decimal(value)) == french
    assert format_eur(Decimal(value), "fr") == french
    assert format_eur(Decimal(value), "en") == english


def test_format_eur_follows_current_language() -> None:
    i18n.set_language("en")
    assert format_eur(Decimal(3)) == "€3.00"


def test_format_eur_refuses_floats_and_unknown_languages() -> None:
    with pytest.raises(TypeError):
        format_eur(1.5)  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        format_eur(Decimal(1), "de")


# parse_amount -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("12,5", "12.50"),
        ("12.50", "12.50"),
        ("12", "12.00"),
        ("0", "0.00"),
        (",5", "0.50"),
        ("1 234,56", "1234.56"),
        ("1 234,56 €", "1234.56"),
        (f"1{NBSP}234,56{NBSP}€", "1234.56"),
        ("1\u202f234,56\u202f€", "1234.56"),
        ("€12.50", "12.50"),
        ("12,50€", "12.50"),
        ("12,50 EUR", "12.50"),
        ("  7,3  ", "7.30"),
        ("1,234.56", "1234.56"),
        ("1.234,56", "1234.56"),
        ("1 234 567,00", "1234567.00"),
        ("-0", "0.00"),
    ],
)
def test_parse_amount_accepts_what_staff_type(text: str, expected: str) -> None:
    result = parse_amount(text)
    assert result == Decimal(expected)
    assert result.as_tuple().exponent == -2
    assert not result.is_signed()


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("", "amount.empty"),
        ("   ", "amount.empty"),
        ("abc", "amount.invalid"),
        ("12,5,0", "amount.invalid"),
        ("1 23,45", "amount.invalid"),  # a stray space is not a thousands separator
        ("12 €50", "amount.invalid"),
        ("€", "amount.invalid"),
        (",", "amount.invalid"),
        ("+12", "amount.invalid"),
        ("1e3", "amount.invalid"),
        ("١٢", "amount.invalid"),  # non-ASCII digits
        ("-12,50", "amount.negative"),
        ("-12,50 €", "amount.negative"),
        ("-€12.50", "amount.negative"),
        ("\u221212,50", "amount.negative"),
        ("12,505", "amount.too_precise"),
        ("1,500", "amount.too_precise"),  # an English 1500? refused rather than guessed
        ("12,500", "amount.too_precise"),
        ("1 000 000 000", "amount.too_large"),
    ],
)
def test_parse_amount_refuses(text: str, code: str) -> None:
    with pytest.raises(ValidationError) as error:
        parse_amount(text)
    assert codes(error) == [code]
    assert error.value.problems[0].field == "amount"
    assert str(error.value)  # a rendered sentence, not a code
    assert not str(error.value).startswith("amount.")


def test_parse_amount_message_quotes_the_text() -> None:
    with pytest.raises(ValidationError) as error:
        parse_amount("douze")
    assert "« douze »" in str(error.value)
    i18n.set_language("en")
    assert "“douze”" in str(error.value)


def test_parse_amount_refuses_non_str() -> None:
    with pytest.raises(TypeError):
        parse_amount(12.5)  # type: ignore[arg-type]


def test_max_amount_is_accepted() -> None:
    assert parse_amount(format_eur(MAX_AMOUNT)) == MAX_AMOUNT


cents = st.integers(min_value=0, max_value=10**9).map(lambda c: (Decimal(c) / 100).quantize(CENT))


@given(cents, st.sampled_from(["fr", "en"]))
def test_parse_amount_reads_back_format_eur(amount: Decimal, language: str) -> None:
    parsed = parse_amount(format_eur(amount, language))
    assert parsed == amount
    assert parsed.as_tuple().exponent == -2


@given(cents)
def test_parse_amount_reads_plain_french_and_english(amount: Decimal) -> None:
    plain = f"{amount:f}"
    assert parse_amount(plain) == amount
    assert parse_amount(plain.replace(".", ",")) == amount


# parse_rate -------------------------------------------------------------------------


@pytest.mark.parametrize("text", ["65%", "65 %", "65", "65,0", "65.00", f"65{NBSP}%", " 65 "])
def test_parse_rate(text: str) -> None:
    result = parse_rate(text)
    assert result == Decimal(65)
    assert str(result) == "65"


@pytest.mark.parametrize(("text", "expected"), [("0", "0"), ("100", "100"), ("65,5", "65.5")])
def test_parse_rate_bounds_and_decimals(text: str, expected: str) -> None:
    assert str(parse_rate(text)) == expected


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("", "rate.empty"),
        ("%", "rate.empty"),
        ("soixante", "rate.invalid"),
        ("6 5", "rate.invalid"),
        ("65,125", "rate.too_precise"),
        ("101", "rate.out_of_range"),
        ("-5", "rate.out_of_range"),
    ],
)
def test_parse_rate_refuses(text: str, code: str) -> None:
    with pytest.raises(ValidationError) as error:
        parse_rate(text)
    assert codes(error) == [code]


def test_parse_rate_with_a_higher_maximum() -> None:
    assert parse_rate("200 %", maximum=Decimal(1000)) == Decimal(200)
    with pytest.raises(ValidationError) as error:
        parse_rate("1001", maximum=Decimal(1000))
    assert "1000" in str(error.value)


def test_format_rate() -> None:
    assert format_rate(Decimal("65.0")) == "65"
    assert format_rate(Decimal("65.50")) == "65,5"
    assert format_rate(Decimal("65.5"), "en") == "65.5"
