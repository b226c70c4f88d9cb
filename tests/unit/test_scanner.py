"""Scanner input: plain codes, DataMatrix in every separator variant, and property tests."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st
from stdnum import ean

from verifier import i18n
from verifier.domain.identifiers import cip7_to_cip13
from verifier.domain.scanner import ScanResult, parse_scan

TODAY = dt.date(2025, 6, 15)
GS = "\x1d"
BASE = "]d2010340094949729417271231101AB12C\x1d21XYZ987"
EXPECTED = ScanResult(
    cip13="3400949497294",
    source="datamatrix",
    expiry=dt.date(2027, 12, 31),
    lot="1AB12C",
    serial="XYZ987",
)
SEPARATORS = [GS, "~", "|", "^", "#", "<GS>", "<gs>", "[GS]", "{GS}", "^]", "@", " ", "§"]
PREFIXES = ["", "]d2", "]C1", "]Q3"]
CSET82 = "!\"%&'()*+,-./0123456789:;<=>?ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz"


def scan(text: str) -> ScanResult:
    checked = parse_scan(text, today=TODAY)
    assert checked.warnings == ()
    return checked.unwrap()


def codes(text: str) -> list[str]:
    return [p.code for p in parse_scan(text, today=TODAY).problems]


# --- plain codes --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "cip13", "source"),
    [("3400949497294", "3400949497294", "ean13"), ("3400933208639", "3400933208639", "ean13"),
     ("4949729", "3400949497294", "cip7"), ("]E03400949497294", "3400949497294", "ean13"),
     ("3400933208639\r\n", "3400933208639", "ean13"), ("03400949497294", "3400949497294", "ean13"),
     ("3 400949 497294", "3400949497294", "ean13")],
)  # fmt: skip
def test_plain_codes(typed: str, cip13: str, source: str) -> None:
    assert scan(typed) == ScanResult(cip13=cip13, source=source)


def test_scanner_typing_on_an_azerty_keyboard() -> None:
    azerty = "3400949497294".translate(str.maketrans("0123456789", "à&é\"'(-è_ç"))
    assert scan(azerty).cip13 == "3400949497294"


@pytest.mark.parametrize(
    ("typed", "expected"),
    [("", ["scan.empty"]), ("  \r\n", ["scan.empty"]), ("]d2", ["scan.empty"]),
     ("3400949497295", ["scan.key"]), ("5000159484695", ["scan.not_cip"]),
     ("12345678", ["scan.not_cip"]), ("036000291452", ["scan.not_cip"]),
     ("13400949497291", ["scan.not_cip"]), ("123456", ["scan.unreadable"]),
     ("hello", ["scan.unreadable"]), ("ABC123", ["scan.unreadable"])],
)  # fmt: skip
def test_plain_problems(typed: str, expected: list[str]) -> None:
    assert codes(typed) == expected


# --- DataMatrix ---------------------------------------------------------------------------


@pytest.mark.parametrize("prefix", PREFIXES)
@pytest.mark.parametrize("separator", SEPARATORS)
def test_datamatrix_in_every_separator_variant(prefix: str, separator: str) -> None:
    text = prefix + BASE.removeprefix("]d2").replace(GS, separator)
    assert scan(text) == EXPECTED
    assert scan(text + "\r\n") == EXPECTED


@pytest.mark.parametrize("prefix", PREFIXES)
def test_datamatrix_without_its_separator_is_refused(prefix: str) -> None:
    # Lot "1AB12C" then serial: without the separator, lot "1AB12C21XYZ987" reads as well.
    assert codes(prefix + BASE.removeprefix("]d2").replace(GS, "")) == ["scan.ambiguous"]


def test_datamatrix_with_leading_and_trailing_separators() -> None:
    assert scan(f"]d2{GS}{BASE[3:]}{GS}") == EXPECTED
    assert scan(f"{GS}{BASE[3:]}") == EXPECTED


@pytest.mark.parametrize(
    "text",
    ["010340094949729421XYZ987\x1d17271231101AB12C", "0103400949497294101AB12C\x1d17271231\x1d21XYZ987",
     "010340094949729417271231\x1d101AB12C\x1d21XYZ987\x1d"],
)  # fmt: skip
def test_datamatrix_other_orders(text: str) -> None:
    assert scan(text) == EXPECTED


def test_expiry_day_00_is_the_end_of_the_month() -> None:
    assert scan("01034009494972941724020010L1").expiry == dt.date(2024, 2, 29)
    assert scan("01034009494972941725020010L1").expiry == dt.date(2025, 2, 28)


def test_expiry_century_follows_gs1() -> None:
    assert scan("01034009494972941799123110L1").expiry == dt.date(1999, 12, 31)
    assert scan("01034009494972941775123110L1").expiry == dt.date(2075, 12, 31)
    assert parse_scan("0103400949497294172712311001").unwrap().expiry == dt.date(2027, 12, 31)


def test_only_gtin_and_other_date_ais() -> None:
    assert scan("0103400949497294") == ScanResult("3400949497294", "datamatrix")
    result = scan("010340094949729411240101172712311001AB\x1d21X")
    assert (result.expiry, result.lot, result.serial) == (dt.date(2027, 12, 31), "01AB", "X")


def test_other_ais_are_read_by_biip_when_separated() -> None:
    assert scan(BASE + GS + "7141234567") == EXPECTED
    assert scan(BASE + "~240ABC") == EXPECTED


def test_other_ais_without_separator_are_refused() -> None:
    # NHRN (714) is variable-length: without a separator it would swallow the expiry and lot.
    assert codes("0103400949497294" + "7141234567" + "1727123110AB") == ["scan.ambiguous"]


def test_unknown_text_after_the_last_field_belongs_to_it() -> None:
    # Without a separator, "240XYZ" cannot be told from the end of the lot.
    assert scan("0103400949497294172712311001AB240XYZ").lot == "01AB240XYZ"


def test_issue9_dropped_separator_is_refused_not_guessed() -> None:
    """Lot "AB21CD" then expiry: with the GS dropped it must not read as lot "AB", serial "CD"."""
    assert scan("010340093005910410AB21CD\x1d17270131") == ScanResult(
        "3400930059104", "datamatrix", dt.date(2027, 1, 31), "AB21CD", None
    )
    assert codes("010340093005910410AB21CD17270131") == ["scan.ambiguous"]


@pytest.mark.parametrize(
    "text",
    ["010340094949729417271231" + "10AB21CD" + "21XY",  # two readings of lot and serial
     "010340094949729417271231" + "10LOT21SER",  # lot "LOT21SER" alone, or lot + serial
     "0103400949497294" + "10LOT17271231",  # lot then expiry, or a lot of 11 characters
     "010340094949729421XYZ98717271231101AB12C",  # the serial may swallow the expiry
     "0103400949497294101AB12C1727123121XYZ987",
     "010340094949729411240101172712311001AB21X"],
)  # fmt: skip
def test_variable_field_followed_by_data_without_separator_is_refused(text: str) -> None:
    assert codes(text) == ["scan.ambiguous"]


def test_missing_separator_is_fine_when_only_one_reading_exists() -> None:
    # Fixed-length fields in any order, and a variable field that can only end at the end.
    assert scan("010340094949729417271231" + "10AB2C") == ScanResult(
        "3400949497294", "datamatrix", dt.date(2027, 12, 31), "AB2C"
    )
    # A serial of 20 characters (the maximum) must end there, separator or not.
    assert scan("0103400949497294" + "21" + "S" * 20 + "17271231" + "10AB").serial == "S" * 20


def test_with_separators_a_variable_field_runs_to_the_separator() -> None:
    # The scanner sends separators: "10AB21CD<GS>" is lot "AB21CD", never lot + serial.
    assert scan("010340094949729410AB21CD\x1d17271231").lot == "AB21CD"


def test_field_longer_than_20_characters_cuts_at_the_separator_only() -> None:
    assert codes("0103400949497294" + "10" + "A" * 21) == ["scan.unreadable"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [("0105000159484695172712311001", ["scan.not_cip"]),
     ("0103400949497295172712311001", ["scan.key"]),
     ("0113400949497291172712311001", ["scan.not_cip"]),
     ("172712311001AB\x1d21X", ["scan.no_product"]),
     ("0103400949497294172713311001", ["scan.unreadable"]),
     ("010340094949729", ["scan.unreadable"]), ("]d2garbage", ["scan.unreadable"])],
)  # fmt: skip
def test_datamatrix_problems(text: str, expected: list[str]) -> None:
    assert codes(text) == expected


@pytest.mark.parametrize("language", ["fr", "en"])
def test_messages_are_registered_and_hide_the_scan(language: str) -> None:
    before = i18n.language()
    i18n.set_language(language)
    try:
        texts = ["", "hello", "5000159484695", "3400949497295", "172712311001AB"]
        problems = [p for t in texts for p in parse_scan(t, today=TODAY).problems]
        problems += parse_scan("010340094949729417271231" + "10AB21CD21XY").problems
        assert {p.code for p in problems} == {
            "scan.empty", "scan.unreadable", "scan.not_cip", "scan.key", "scan.no_product",
            "scan.ambiguous",
        }  # fmt: skip
        for problem in problems:
            assert problem.message() != problem.code
            assert "3400949497" not in problem.message() and "5000159" not in problem.message()
    finally:
        i18n.set_language(before)


# --- properties ---------------------------------------------------------------------------

ORDERS = [("01", "17", "10", "21"), ("01", "21", "17", "10"), ("01", "17", "21", "10"),
          ("01", "10", "17", "21")]  # fmt: skip


def encode(values: dict[str, str], order: tuple[str, ...], separator: str) -> str:
    """A GS1 element string with `separator` after each variable field that is not last."""
    parts = []
    for index, ai in enumerate(order):
        parts.append(ai + values[ai])
        if ai in ("10", "21") and index < len(order) - 1:
            parts.append(separator)
    return "".join(parts)


def _text(alphabet: str, min_size: int = 1) -> st.SearchStrategy[str]:
    return st.text(alphabet, min_size=min_size, max_size=20).filter(lambda s: "<gs>" not in s.lower())


@st.composite
def boxes(draw: st.DrawFn, alphabet: str = CSET82, min_size: int = 1) -> tuple[ScanResult, dict[str, str]]:
    cip13 = cip7_to_cip13(draw(st.from_regex(r"[0-9]{7}", fullmatch=True)))
    expiry = draw(st.dates(dt.date(2000, 1, 1), dt.date(2075, 12, 31)))
    end_of_month = (expiry + dt.timedelta(days=1)).day == 1
    yymmdd = expiry.strftime("%y%m") + ("00" if end_of_month and draw(st.booleans()) else
                                        expiry.strftime("%d"))  # fmt: skip
    lot, serial = draw(_text(alphabet, min_size)), draw(_text(alphabet, min_size))
    result = ScanResult(cip13, "datamatrix", expiry, lot, serial)
    return result, {"01": "0" + cip13, "17": yymmdd, "10": lot, "21": serial}


@given(
    boxes(), st.sampled_from(ORDERS), st.sampled_from(SEPARATORS), st.sampled_from(PREFIXES),
    st.sampled_from(["", "\r\n", "\n", GS]),
)  # fmt: skip
def test_property_separated_datamatrix_round_trips(
    box: tuple[ScanResult, dict[str, str]],
    order: tuple[str, ...],
    separator: str,
    prefix: str,
    suffix: str,
) -> None:
    expected, values = box
    assert scan(prefix + encode(values, order, separator) + suffix) == expected


@given(
    boxes(alphabet=CSET82.replace("0", "").replace("1", "").replace("2", ""), min_size=20),
    st.sampled_from(ORDERS),
    st.sampled_from(PREFIXES),
)
def test_property_missing_separator_with_one_reading_round_trips(
    box: tuple[ScanResult, dict[str, str]], order: tuple[str, ...], prefix: str
) -> None:
    """Lots and serials without 0, 1 or 2 cannot hide the start of an AI, and at 20 characters
    (the maximum) cannot swallow the next field: one reading, accepted as it is."""
    expected, values = box
    assert scan(prefix + encode(values, order, "")) == expected


@given(boxes(), st.sampled_from(ORDERS))
def test_property_missing_separator_is_right_or_refused(
    box: tuple[ScanResult, dict[str, str]], order: tuple[str, ...]
) -> None:
    """Without separators the reading is never a guess: exactly right, or refused."""
    expected, values = box
    checked = parse_scan(encode(values, order, ""), today=TODAY)
    if checked.ok:
        assert checked.unwrap() == expected
    else:
        assert [p.code for p in checked.problems] == ["scan.ambiguous"]


@given(st.from_regex(r"[0-9]{7}", fullmatch=True))
def test_property_plain_cip7_and_cip13_agree(cip7: str) -> None:
    cip13 = cip7_to_cip13(cip7)
    assert scan(cip7) == ScanResult(cip13, "cip7")
    assert scan(cip13) == ScanResult(cip13, "ean13")
    assert ean.is_valid(cip13)
    assert scan("01" + "0" + cip13).cip13 == cip13


@pytest.mark.parametrize("separator", ["~", "|", "^", "#", "@", "<GS>"])
def test_the_site_separator_setting_takes_gs_and_its_stand_in(separator: str) -> None:
    text = BASE.replace(GS, separator)
    assert parse_scan(text, today=TODAY, separator=separator).unwrap() == EXPECTED
    assert parse_scan(BASE, today=TODAY, separator=separator).unwrap() == EXPECTED
    other = "|" if separator != "|" else "~"
    assert [p.code for p in parse_scan(BASE.replace(GS, other), today=TODAY, separator=separator).problems] == [
        "scan.unreadable"
    ]


def test_the_gs_only_setting_refuses_stand_ins() -> None:
    assert parse_scan(BASE, today=TODAY, separator="gs").unwrap() == EXPECTED
    assert [p.code for p in parse_scan(BASE.replace(GS, "~"), today=TODAY, separator="gs").problems] == [
        "scan.unreadable"
    ]
    assert parse_scan("3400949497294", today=TODAY, separator="gs").unwrap().cip13 == "3400949497294"
