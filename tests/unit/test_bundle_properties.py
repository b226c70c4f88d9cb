"""Property tests: for any set of claims, claims.csv and claims.json agree with the lines and
with each other, and the totals add up; plus the value formats they rely on."""

from __future__ import annotations

import csv
import io
import json
import tempfile
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.unit.test_bundle import SCHEMA, assert_json_matches, expected_csv_row, schema_errors
from tests.unit.test_bundle_samples import header_for, source
from verifier.exports.bundle import open_bundle, write_bundle
from verifier.exports.csv_writer import COLUMNS
from verifier.exports.rows import ExportLine
from verifier.exports.values import amount, amount_fr, amount_grouped_fr, pdf_text, rate, slug

# Text as staff may type it: accents, other scripts, quotes, separators, would-be formulas.
TEXT = st.one_of(
    st.text(st.characters(blacklist_categories=("Cs", "Cc")), max_size=24),
    st.sampled_from(["=1+1", "+33 6", "-", "@SUM(A1)", "a;b", 'say "hi"', "l'œil", "NGUYỄN", "  spaced  "]),
)
CENTS = st.integers(min_value=0, max_value=500_000)


@st.composite
def line_amounts(draw: st.DrawFn) -> dict[str, Decimal]:
    price, br = draw(CENTS), draw(CENTS)
    amo = draw(st.integers(0, min(price, br)))
    amc = draw(st.integers(0, price - amo))
    c = Decimal("0.01")
    return {
        "price": price * c,
        "br": br * c,
        "amo": amo * c,
        "tm": (br - amo) * c,
        "amc": amc * c,
        "patient_share": (price - amo - amc) * c,
        "unit_price": draw(CENTS) * c,
        "br_unit": draw(CENTS) * c,
    }


@st.composite
def batches(draw: st.DrawFn) -> list[ExportLine]:
    numbers = sorted(draw(st.sets(st.integers(1, 10**9), min_size=1, max_size=8)))
    out: list[ExportLine] = []
    for n in numbers:
        amounts = draw(st.lists(line_amounts(), min_size=1, max_size=4))
        claim = {k: sum((a[k] for a in amounts), Decimal("0.00")) for k in ("price", "amo", "amc", "patient_share")}
        shared = {
            "claim_id": f"id-{n}",
            "claim_number": n,
            "claim_version": draw(st.integers(1, 3)),
            "previous_claim_id": draw(st.none() | TEXT),
            "dispensed_on": draw(st.dates(date(2000, 1, 1), date(2099, 12, 31))),
            "prescriber_rpps": draw(st.none() | st.from_regex(r"\A[0-9]{11}\Z")),
            "operator_down": draw(st.booleans()),
            "patient_surname": draw(TEXT),
            "patient_first_name": draw(TEXT),
            "patient_birth_date": draw(st.from_regex(r"\A[0-3][0-9]/[01][0-9]/(19|20)[0-9]{2}\Z")),
            "patient_nir": draw(st.from_regex(r"\A[12][0-9]{4}(2A|2B|[0-9]{2})[0-9]{8}\Z")),
            "patient_rank": draw(st.integers(1, 3)),
            "amo_fund": draw(st.none() | st.from_regex(r"\A[0-9]{9}\Z")),
            "member_number": draw(st.none() | TEXT),
            "insurer_amc_number": "90412345",
            "insurer_name": draw(TEXT.filter(bool)),
            "check_method": draw(st.sampled_from(["card", "hotline", "portal", "fax"])),
            "check_reference": draw(st.none() | TEXT),
            "check_outcome": draw(st.sampled_from(["covered", "partial", "not_covered", "unverified"])),
            "checked_at": draw(st.datetimes(datetime(2020, 1, 1), datetime(2030, 1, 1), timezones=st.just(UTC))),
            "guarantees": draw(TEXT),
            "claim_price": claim["price"],
            "claim_amo": claim["amo"],
            "claim_amc": claim["amc"],
            "claim_patient_share": claim["patient_share"],
        }
        for position, a in enumerate(amounts, 1):
            out.append(
                ExportLine(
                    **shared,
                    line_position=position,
                    code=draw(st.from_regex(r"\A[0-9]{7,13}\Z")),
                    code_kind=draw(st.sampled_from(["cip13", "lpp", "manual"])),
                    label=draw(TEXT),
                    prestation_code=draw(st.sampled_from(["PH7", "PH4", "PH2", "PH1", "PMR", "PHN"])),
                    quantity=draw(st.integers(1, 99)),
                    amo_rate=Decimal(draw(st.sampled_from(["0", "15", "30", "65", "65.5", "100"]))),
                    expiry=draw(st.none() | st.dates(date(2024, 1, 1), date(2035, 12, 31))),
                    lot=draw(st.none() | TEXT),
                    serial=draw(st.none() | TEXT),
                    **a,
                )
            )
    return out


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(batches())
def test_csv_and_json_agree_with_any_lines_and_totals_add_up(lines: list[ExportLine]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        files = open_bundle(write_bundle(Path(tmp), header_for(lines), source(lines)))
    text = files["claims.csv"].decode("utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.DictReader(io.StringIO(text[1:], newline=""), delimiter=";"))
    assert len(rows) == len(lines)
    for row, x in zip(rows, lines):
        assert row == expected_csv_row(x)
        assert list(row) == list(COLUMNS)
    doc = json.loads(files["claims.json"])
    assert schema_errors(doc, SCHEMA) == []
    assert_json_matches(doc, lines)
    # CSV and JSON agree with each other, row by row, on the amounts.
    flat = [line for claim in doc["claims"] for line in claim["lines"]]
    for row, line in zip(rows, flat):
        for name in ("price", "br", "amo", "tm", "amc", "patient_share"):
            assert row[name].replace(",", ".") == line[name]
    manifest = json.loads(files["manifest.json"])
    for name in ("price", "br", "amo", "tm", "amc", "patient_share"):
        total = sum((Decimal(line[name]) for line in flat), Decimal("0.00"))
        assert doc["totals"][name] == manifest["totals"][name] == f"{total:.2f}"
    for claim in doc["claims"]:
        for name in ("price", "amo", "amc", "patient_share"):
            assert Decimal(claim["amounts"][name]) == sum((Decimal(x[name]) for x in claim["lines"]), Decimal(0))


# -- value formats -----------------------------------------------------------------------------
@given(st.integers(-(10**12), 10**12))
def test_amount_formats_are_exact(cents: int) -> None:
    value = Decimal(cents) / 100
    assert Decimal(amount(value)) == value and amount(value).count(".") == 1 and len(amount(value).split(".")[1]) == 2
    assert amount_fr(value) == amount(value).replace(".", ",")
    grouped = amount_grouped_fr(value)
    assert Decimal(grouped.replace(" ", "").replace(",", ".")) == value
    assert all(len(g) == 3 for g in grouped.lstrip("-").split(",")[0].split(" ")[1:])


def test_amount_refuses_fractions_of_a_cent_and_normalises_the_rest() -> None:
    with pytest.raises(ValueError):
        amount(Decimal("1.005"))
    assert amount(Decimal("12.5")) == "12.50"
    assert amount(Decimal("1E+2")) == "100.00"
    assert amount(Decimal(7)) == "7.00"
    assert amount_grouped_fr(Decimal("-1234567.8")) == "-1 234 567,80"
    assert rate(Decimal("65.00")) == "65" and rate(Decimal("65.50")) == "65.5" and rate(Decimal("1E+2")) == "100"


def test_slug_and_pdf_text() -> None:
    assert slug("Pharmacie de l'Église – Saint-Étienne (42)") == "pharmacie-de-l-eglise-saint-etienne-42"
    assert slug("中文") == ""
    assert pdf_text("Œuvre à l'œil") == "Œuvre à l'œil"
    assert pdf_text("Đặng Thị Ngọc Łucja") == "Dang Thi Ngoc Lucja"
