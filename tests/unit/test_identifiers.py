"""Identifier checks: real examples, every precise reason, and property tests."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from stdnum import luhn
from stdnum.fr import nir as stdnum_nir

from verifier import i18n
from verifier.domain.errors import Checked, ValidationError
from verifier.domain.identifiers import (
    BirthDate,
    NirInfo,
    amo_fund_parts,
    check_amc_number,
    check_amo_fund,
    check_cip,
    check_finess,
    check_lpp,
    check_member_number,
    check_nir,
    check_rank,
    check_rpps,
    cip7_to_cip13,
    cip13_to_cip7,
    mask_nir,
    nir_info,
    parse_birth_date,
)

TODAY = dt.date(2025, 6, 15)


def with_key(body: str) -> str:
    """The NIR body followed by its key, computed here from the published formula."""
    number = int(body[:5] + {"2A": "19", "2B": "18"}.get(body[5:7], body[5:7]) + body[7:])
    return f"{body}{97 - number % 97:02d}"


def codes(checked: Checked[Any]) -> list[str]:
    return [p.code for p in checked.problems]


def warning_codes(checked: Checked[Any]) -> list[str]:
    return [p.code for p in checked.warnings]


@pytest.fixture(params=["fr", "en"])
def language(request: pytest.FixtureRequest) -> Iterator[str]:
    before = i18n.language()
    i18n.set_language(request.param)
    yield request.param
    i18n.set_language(before)


# --- birth dates --------------------------------------------------------------------------


def test_birth_date_text_is_zero_padded_as_entered() -> None:
    assert BirthDate(5, 3, 1980).text == "05/03/1980"
    assert BirthDate(31, 2, 1980).text == "31/02/1980"
    assert BirthDate(0, 0, 1975).text == "00/00/1975"
    assert str(BirthDate(1, 1, 2000)) == "01/01/2000"


@pytest.mark.parametrize(
    ("day", "month", "year", "lunar"),
    [(5, 3, 1980, False), (31, 2, 1980, True), (0, 0, 1975, True), (0, 5, 1975, True),
     (12, 0, 1975, True), (29, 2, 2024, False), (29, 2, 2023, True), (31, 4, 1990, True)],
)  # fmt: skip
def test_is_lunar(day: int, month: int, year: int, lunar: bool) -> None:
    birth = BirthDate(day, month, year)
    assert birth.is_lunar is lunar
    assert (birth.as_date() is None) is lunar


def test_from_text_reads_stored_values_and_refuses_others() -> None:
    assert BirthDate.from_text("31/02/1980") == BirthDate(31, 2, 1980)
    assert BirthDate.from_text("00/00/1975") == BirthDate(0, 0, 1975)
    for bad in ("1/2/1980", "31-02-1980", "31021980", "", "32/01/1980", "01/13/1980"):
        with pytest.raises(ValueError):
            BirthDate.from_text(bad)


@pytest.mark.parametrize(
    "typed", ["05/03/1980", "05-03-1980", "05.03.1980", "05031980", " 05/03/1980 ", "5/3/1980",
              "05 03 1980", "05 / 03 / 1980"],
)  # fmt: skip
def test_parse_birth_date_accepts_the_usual_forms(typed: str) -> None:
    assert parse_birth_date(typed, today=TODAY).unwrap() == BirthDate(5, 3, 1980)


@pytest.mark.parametrize(
    ("typed", "day", "month"),
    [("31/02/1980", 31, 2), ("00/00/1975", 0, 0), ("00/07/1975", 0, 7), ("15/00/1975", 15, 0)],
)
def test_lunar_birth_dates_are_kept_as_typed(typed: str, day: int, month: int) -> None:
    birth = parse_birth_date(typed, today=TODAY).unwrap()
    assert (birth.day, birth.month) == (day, month)
    assert birth.is_lunar
    assert birth.text == typed


@pytest.mark.parametrize(
    ("typed", "expected"),
    [("", ["birth_date.empty"]), ("   ", ["birth_date.empty"]),
     ("5 mars 1980", ["birth_date.letters"]), ("O5/03/1980", ["birth_date.letters"]),
     ("05/03/80", ["birth_date.format"]), ("050380", ["birth_date.format"]),
     ("05/03/1980/1", ["birth_date.format"]), ("32/01/1980", ["birth_date.day"]),
     ("01/13/1980", ["birth_date.month"]), ("32/13/1980", ["birth_date.day", "birth_date.month"]),
     ("01/01/1849", ["birth_date.year"]), ("01/01/2026", ["birth_date.year"]),
     ("16/06/2025", ["birth_date.future"]), ("01/07/2025", ["birth_date.future"]),
     ("00/07/2025", ["birth_date.future"]), ("31/06/2025", ["birth_date.future"])],
)  # fmt: skip
def test_parse_birth_date_problems(typed: str, expected: list[str]) -> None:
    checked = parse_birth_date(typed, today=TODAY)
    assert codes(checked) == expected
    assert checked.value is None


@pytest.mark.parametrize("typed", ["15/06/2025", "00/06/2025", "00/00/2025", "01/01/1850"])
def test_parse_birth_date_limits_that_pass(typed: str) -> None:
    assert parse_birth_date(typed, today=TODAY).ok


def test_parse_birth_date_defaults_to_the_real_today() -> None:
    next_year = dt.date.today().year + 1
    assert codes(parse_birth_date(f"01/01/{next_year}")) == ["birth_date.year"]


@given(
    st.integers(0, 31), st.integers(0, 12), st.integers(1850, TODAY.year - 1),
    st.sampled_from(["/", "-", ".", ""]),
)  # fmt: skip
def test_any_entered_date_round_trips(day: int, month: int, year: int, sep: str) -> None:
    typed = f"{day:02d}{sep}{month:02d}{sep}{year}"
    birth = parse_birth_date(typed, today=TODAY).unwrap()
    assert birth == BirthDate(day, month, year)
    assert BirthDate.from_text(birth.text) == birth


# --- NIR ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "body",
    ["1800275123456", "2690599350123", "269052A004001", "269052B004001", "7801299999001",
     "8551099099123", "1852099123456", "2853075123001", "1854275123001", "1855075123001",
     "1859975123001", "2699712345001", "1800299123001"],
)  # fmt: skip
def test_valid_nirs_pass_with_their_computed_key(body: str) -> None:
    nir = with_key(body)
    assert check_nir(nir).unwrap() == nir
    # stdnum really maps 2A -> 19 and 2B -> 18: its key is the one computed above.
    assert stdnum_nir.calc_check_digits(nir) == nir[13:]


def test_corsica_example_key() -> None:
    assert with_key("269052A004001") == "269052A00400139"
    assert with_key("269052B004001") == "269052B00400166"


@pytest.mark.parametrize(
    "typed",
    ["2 69 05 2a 004 001 39", " 2.69.05.2A.004.001.39 ", "2-69-05-2a-004-001-39",
     "269052a00400139", "2 69 05\u00a02A 004 001 39"],
)  # fmt: skip
def test_nir_tolerates_what_staff_type(typed: str) -> None:
    assert check_nir(typed).unwrap() == "269052A00400139"


@pytest.mark.parametrize(
    ("typed", "expected"),
    [("", ["nir.empty"]), (" - ", ["nir.empty"]),
     ("180027512345677", ["nir.key"]),
     ("1800275123456", ["nir.key_missing"]),
     ("18002751234567", ["nir.length"]),
     ("1800275123456766", ["nir.length"]),
     ("18002751234X676", ["nir.digits"]),
     ("180022C00400184", ["nir.digits"]),
     ("1800275123456X", ["nir.digits", "nir.length"])],
)  # fmt: skip
def test_nir_problems(typed: str, expected: list[str]) -> None:
    assert codes(check_nir(typed)) == expected


@pytest.mark.parametrize("sex", ["0", "3", "4", "5", "6", "9"])
def test_nir_sex_digit(sex: str) -> None:
    assert "nir.sex" in codes(check_nir(with_key(sex + "800275123456")))


@pytest.mark.parametrize("month", ["00", "13", "19", "21", "29", "43", "49"])
def test_nir_impossible_months(month: str) -> None:
    assert codes(check_nir(with_key(f"180{month}75123456"))) == ["nir.month"]


@pytest.mark.parametrize("month", ["01", "12", "20", "30", "35", "42", "50", "63", "99"])
def test_nir_real_and_pseudo_months(month: str) -> None:
    assert check_nir(with_key(f"180{month}75123456")).ok


def test_nir_reports_every_reason_at_once() -> None:
    assert codes(check_nir("3801375")) == ["nir.length", "nir.sex", "nir.month"]


def test_nir_length_message_says_how_many_characters(language: str) -> None:
    problem = check_nir("18002751234567").problems[0]
    assert problem.params == {"count": 14}
    assert "14" in problem.message()


@pytest.mark.parametrize(
    ("birth", "warned"),
    [(BirthDate(14, 2, 1980), False), (BirthDate(14, 3, 1980), True),
     (BirthDate(14, 2, 1981), True), (BirthDate(14, 2, 1880), False),
     (BirthDate(0, 0, 1980), False), (BirthDate(31, 2, 1980), False),
     (BirthDate(31, 2, 1979), True)],
)  # fmt: skip
def test_nir_birth_mismatch_is_a_warning(birth: BirthDate, warned: bool) -> None:
    checked = check_nir(with_key("1800275123456"), birth)
    assert checked.ok
    assert warning_codes(checked) == (["nir.birth_mismatch"] if warned else [])


def test_nir_pseudo_month_does_not_warn_on_month_but_on_year() -> None:
    nir = with_key("1803575123456")
    assert check_nir(nir, BirthDate(14, 7, 1980)).warnings == ()
    assert warning_codes(check_nir(nir, BirthDate(14, 7, 1981))) == ["nir.birth_mismatch"]


def test_nir_info() -> None:
    assert nir_info(with_key("269052A004001")) == NirInfo("2", "69", "05", "2A", "004", "001", "39")
    overseas = nir_info(with_key("2690597123001"))
    assert (overseas.department, overseas.commune, overseas.order) == ("971", "23", "001")
    abroad = nir_info(with_key("1800299123001"))
    assert (abroad.department, abroad.commune) == ("99", "123")
    with pytest.raises(ValueError):
        nir_info("180027512345677")


def test_mask_nir_shows_sex_year_month_only() -> None:
    assert mask_nir("269052A00400139") == "2 69 05 •• ••• ••• ••"
    assert mask_nir("2 69 05 2A 004 001 39") == "2 69 05 •• ••• ••• ••"
    assert mask_nir("1234") == "••••"
    assert mask_nir("") == ""


_NIR_BODIES = st.builds(
    lambda sex, year, month, dept, rest: f"{sex}{year:02d}{month}{dept}{rest}",
    st.sampled_from("1278"),
    st.integers(0, 99),
    st.sampled_from([f"{m:02d}" for m in [*range(1, 13), 20, *range(30, 43), *range(50, 100)]]),
    st.one_of(st.sampled_from(["2A", "2B"]), st.from_regex(r"[0-9]{2}", fullmatch=True)),
    st.from_regex(r"[0-9]{6}", fullmatch=True),
)


@given(_NIR_BODIES)
def test_property_any_body_with_its_key_passes(body: str) -> None:
    nir = with_key(body)
    assert check_nir(nir).value == nir
    masked = mask_nir(nir)
    assert masked.startswith(f"{nir[0]} {nir[1:3]} {nir[3:5]} ")
    assert len(masked) == 21 and masked.count("•") == 10


@given(_NIR_BODIES, st.integers(13, 14), st.integers(1, 9))
def test_property_changing_a_key_digit_fails(body: str, position: int, shift: int) -> None:
    nir = with_key(body)
    changed = nir[:position] + str((int(nir[position]) + shift) % 10) + nir[position + 1 :]
    assert codes(check_nir(changed)) == ["nir.key"]


@given(_NIR_BODIES, st.data())
def test_property_changing_any_digit_fails(body: str, data: st.DataObject) -> None:
    nir = with_key(body)
    position = data.draw(st.sampled_from([i for i, ch in enumerate(nir) if ch.isdigit()]))
    shift = data.draw(st.integers(1, 9))
    changed = nir[:position] + str((int(nir[position]) + shift) % 10) + nir[position + 1 :]
    assert not check_nir(changed).ok


@given(_NIR_BODIES, st.lists(st.sampled_from([" ", ".", "-"]), min_size=15, max_size=15))
def test_property_separators_are_ignored(body: str, seps: list[str]) -> None:
    nir = with_key(body)
    typed = "".join(ch + sep for ch, sep in zip(nir.lower(), seps, strict=True))
    assert check_nir(typed).value == nir


# --- rank, funds, AMC, RPPS, FINESS, LPP, member number -------------------------------------


def test_rank() -> None:
    assert check_rank(" 1 ").unwrap() == 1
    assert check_rank("9").unwrap() == 9
    assert codes(check_rank("0")) == ["rank.range"]
    assert codes(check_rank("10")) == ["rank.length"]
    assert codes(check_rank("a")) == ["rank.digits"]
    assert codes(check_rank("")) == ["rank.empty"]


def test_amo_fund() -> None:
    assert check_amo_fund("01 751 0000").unwrap() == "017510000"
    assert amo_fund_parts("017510000") == ("01", "751", "0000")
    assert codes(check_amo_fund("01751000")) == ["amo_fund.length"]
    assert codes(check_amo_fund("01751000A")) == ["amo_fund.digits"]
    assert codes(check_amo_fund("")) == ["amo_fund.empty"]
    with pytest.raises(ValidationError):
        amo_fund_parts("0175")


@pytest.mark.parametrize("typed", ["1", "12345678", "123456789", "0123456789", " 12 345 678 "])
def test_amc_number_accepts_1_to_10_digits(typed: str) -> None:
    assert check_amc_number(typed).unwrap() == typed.replace(" ", "")


def test_amc_number_problems() -> None:
    assert codes(check_amc_number("12345678901")) == ["amc.length"]
    assert codes(check_amc_number("12A45")) == ["amc.digits"]
    assert codes(check_amc_number("")) == ["amc.empty"]


def test_rpps() -> None:
    valid = "1000000000" + luhn.calc_check_digit("1000000000")
    assert check_rpps(valid).unwrap() == valid
    assert check_rpps(f" {valid[:5]} {valid[5:]} ").unwrap() == valid
    wrong = valid[:-1] + str((int(valid[-1]) + 1) % 10)
    assert codes(check_rpps(wrong)) == ["rpps.key"]
    assert codes(check_rpps("1000000000")) == ["rpps.length"]
    assert codes(check_rpps("1000000000A")) == ["rpps.digits"]


def test_finess_key_only_warns() -> None:
    valid = "75000000" + luhn.calc_check_digit("75000000")
    assert check_finess(valid) == Checked.good(valid)
    wrong = valid[:-1] + str((int(valid[-1]) + 1) % 10)
    checked = check_finess(wrong)
    assert checked.value == wrong
    assert warning_codes(checked) == ["finess.key_unverified"]


def test_finess_corsica_and_problems() -> None:
    assert check_finess("2a0000123") == Checked.good("2A0000123")
    assert codes(check_finess("75000000")) == ["finess.length"]
    assert codes(check_finess("7500000X1")) == ["finess.characters"]
    assert codes(check_finess("752A00001")) == ["finess.characters"]
    assert codes(check_finess("")) == ["finess.empty"]


def test_lpp() -> None:
    assert check_lpp("1100001").unwrap() == "1100001"
    assert codes(check_lpp("110000")) == ["lpp.length"]
    assert codes(check_lpp("11O0001")) == ["lpp.digits"]


def test_member_number_is_free_text_as_printed() -> None:
    assert check_member_number("  AB-12 345/6 ").unwrap() == "AB-12 345/6"
    assert check_member_number("x" * 30).ok
    assert codes(check_member_number("x" * 31)) == ["member.length"]
    assert codes(check_member_number("AB\t12")) == ["member.characters"]
    assert codes(check_member_number("   ")) == ["member.empty"]


# --- CIP ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "cip13"),
    [("3400949497294", "3400949497294"), ("4949729", "3400949497294"),
     ("3400933208639", "3400933208639"), ("3320863", "3400933208639"),
     (" 3 400 949 497 294 ", "3400949497294"), ("494-97-29", "3400949497294")],
)  # fmt: skip
def test_cip_real_examples(typed: str, cip13: str) -> None:
    assert check_cip(typed).unwrap() == cip13


def test_cip_conversions() -> None:
    assert cip7_to_cip13("4949729") == "3400949497294"
    assert cip13_to_cip7("3400949497294") == "4949729"
    for bad in ("494972", "494972A", "49497290"):
        with pytest.raises(ValueError):
            cip7_to_cip13(bad)
    for bad in ("3401949497294", "340094949729", "5012345678900"):
        with pytest.raises(ValueError):
            cip13_to_cip7(bad)


@pytest.mark.parametrize(
    ("typed", "expected"),
    [("3400949497295", ["cip.key"]), ("5000159484695", ["cip.prefix"]),
     ("3401949497295", ["cip.prefix", "cip.key"]), ("34009494972", ["cip.length"]),
     ("494972", ["cip.length"]), ("34009494972A4", ["cip.digits"]), ("", ["cip.empty"])],
)  # fmt: skip
def test_cip_problems(typed: str, expected: list[str]) -> None:
    assert codes(check_cip(typed)) == expected


@given(st.from_regex(r"[0-9]{7}", fullmatch=True), st.integers(1, 9))
def test_property_cip7_round_trips(cip7: str, shift: int) -> None:
    cip13 = cip7_to_cip13(cip7)
    assert cip13.startswith("34009") and len(cip13) == 13
    assert cip13_to_cip7(cip13) == cip7
    assert check_cip(cip13).value == cip13
    assert check_cip(cip7).value == cip13
    wrong = cip13[:-1] + str((int(cip13[-1]) + shift) % 10)
    assert codes(check_cip(wrong)) == ["cip.key"]


# --- messages -----------------------------------------------------------------------------

_BAD_INPUTS = [
    (check_nir, ["", "1", "3801375", "18002751234X676", "180027512345677", "1800275123456",
                 "3 80 13 75 123 456 00"]),
    (check_rank, ["", "0", "10", "a"]),
    (check_amo_fund, ["", "12", "A12345678"]),
    (check_amc_number, ["", "12345678901", "12A"]),
    (check_rpps, ["", "1", "1000000000A", "10000000001"]),
    (check_finess, ["", "1", "7500000X1"]),
    (check_cip, ["", "1", "3400949497295", "5000159484695", "34009A9497295"]),
    (check_lpp, ["", "1", "11O0001"]),
    (check_member_number, ["", "x" * 31, "A\x00B"]),
    (parse_birth_date, ["", "a", "31/13/1980", "32/12/1980", "05/03/80", "01/01/1849",
                        "01/01/2999"]),
]  # fmt: skip


@pytest.mark.parametrize(("check", "inputs"), _BAD_INPUTS)
def test_every_message_is_registered_and_never_shows_the_value(check: object, inputs: list[str], language: str) -> None:
    assert callable(check)
    for typed in inputs:
        checked = check(typed)
        assert checked.problems, typed
        for problem in checked.problems:
            text = problem.message()
            assert text != problem.code and "{" not in text
            if len(typed.strip()) > 2:
                assert typed.strip() not in text


def test_warnings_are_registered(language: str) -> None:
    for problem in (
        check_nir(with_key("1800275123456"), BirthDate(1, 1, 1990)).warnings[0],
        check_finess("750000000").warnings[0],
    ):
        assert problem.message() != problem.code
