"""Read what a keyboard-wedge scanner typed from a drug box: EAN-13 (CIP13), CIP7 or DataMatrix.

A GS1 DataMatrix on a French drug box holds AI (01) GTIN-14 = "0" + CIP13, (17) expiry
YYMMDD, (10) lot and (21) serial. Scanners type it as keystrokes: the group separator
(ASCII 29) that ends a variable-length field may arrive as itself, as a stand-in ("~", "|",
"^", "#", "<GS>", ...) or not at all, and a symbology prefix ("]d2") may come first.

Separators: every character outside GS1's character set 82 (the only one lots and serials
may use) is taken as a separator, and so are the stand-ins "<GS>", "[GS]", "{GS}", "^]".

Missing separators: a lot or serial that is not last then runs into the next field, and
the reading would be a guess ("10AB21CD" is lot "AB21CD", or lot "AB" and serial "CD").
When the text holds a separator, the scanner sends them: a variable field (10, 21) ends at
the next separator, at the end, or after its 20 characters, as GS1 says. When it holds none,
every way of cutting the text into known AIs (01: 14 digits; 11, 15, 16, 17: a valid date;
10 and 21: 1-20 characters; each AI at most once) is tried: one reading only (fixed-length
fields in any order, a variable field that can only end where it does) is kept; several
readings are refused with `scan.ambiguous` ("... scannez à nouveau"), never guessed.
Messages with other AIs go to biip, which cuts a variable field only at a separator: read
without any separator, a message with a variable field is refused the same way.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass

from biip import ParseConfig
from biip import ParseError as BiipParseError
from biip.gs1_messages import GS1Message
from stdnum import ean

from verifier import i18n
from verifier.domain.errors import Checked, Problem
from verifier.domain.identifiers import CIP13_PREFIX, cip7_to_cip13

GS = "\x1d"
# AIs the splitter knows: GTIN, dates (production, best before, sell by, expiry), lot, serial.
_FIXED_LENGTH = {"01": 14, "11": 6, "15": 6, "16": 6, "17": 6}
_VARIABLE = ("10", "21")
_MAX_VARIABLE = 20
_CSET82 = re.compile(r'[!"%-?A-Z_a-z]')
_NOT_CSET82 = re.compile(r'[^!"%-?A-Z_a-z\x1d]')
_GS_STAND_INS = re.compile(r"<GS>|\[GS\]|\{GS\}|\^\]", re.IGNORECASE)
# "]d2" (DataMatrix), "]C1" (GS1-128), "]Q3" (QR), "]E0" (EAN-13)...: symbology identifiers.
_SYMBOLOGY = re.compile(r"\][A-Za-z][0-9A-Za-z]")
_DIGITS = re.compile(r"[0-9]+")
# A scanner set up as a US keyboard on a French AZERTY PC types the unshifted digit row.
_AZERTY_DIGITS = "à&é\"'(-è_ç"
_FROM_AZERTY = str.maketrans(_AZERTY_DIGITS, "0123456789")

i18n.register(
    {
        "scan.empty": i18n.N_("Le scan est vide : scannez à nouveau le code de la boîte."),
        "scan.unreadable": i18n.N_("Le code scanné est illisible : scannez à nouveau ou saisissez le code CIP."),
        "scan.no_product": i18n.N_("Le code scanné ne contient pas de code produit : scannez la boîte de médicament."),
        "scan.not_cip": i18n.N_(
            "Ce n'est pas un code de médicament français (CIP13) : scannez la boîte du médicament."
        ),
        "scan.key": i18n.N_("La clé du code scanné est fausse : scannez à nouveau ou saisissez le code CIP."),
        "scan.ambiguous": i18n.N_(
            "Le lecteur n'a pas transmis de séparateur après le lot ou le n° de série : ils ne peuvent pas être lus sans deviner. Vérifiez le réglage du séparateur (Administration › Réglages) puis scannez à nouveau"
        ),
    }
)


@dataclass(frozen=True)
class ScanResult:
    """A scanned drug box."""

    cip13: str
    source: str  # "ean13" | "cip7" | "datamatrix"
    expiry: dt.date | None = None
    lot: str | None = None
    serial: str | None = None


Fields = tuple[tuple[str, str], ...]


def parse_scan(text: str, *, today: dt.date | None = None, separator: str = "auto") -> Checked[ScanResult]:
    """Read a scan: a plain EAN-13/CIP13, a CIP7, or a GS1 DataMatrix element string.

    `separator` is the site's setting: "auto" takes GS, the usual stand-ins and any character
    outside GS1's set 82 as separators; "gs" only GS; another value ("~", "|", "^", "#", "@",
    "<GS>") GS and that stand-in, and any other character outside set 82 makes the scan unreadable.
    """
    today = today or dt.date.today()
    # Only the Enter/Tab a scanner appends is stripped: str.strip() would also eat a GS.
    body = text.strip(" \t\r\n")
    symbology = _SYMBOLOGY.match(body)
    if symbology:
        body = body[symbology.end() :]
    body = body.strip(" \t\r\n" + GS)
    if not body:
        return Checked.bad(Problem("scan.empty"))
    if len(body) in (7, 13, 14) and all(ch in _AZERTY_DIGITS for ch in body):
        body = body.translate(_FROM_AZERTY)
    digits = body.replace(" ", "")  # a code typed by hand in the scan field may be grouped
    if _DIGITS.fullmatch(digits) and len(digits) < 16:
        return _plain(digits)
    if separator == "auto":
        body = _NOT_CSET82.sub(GS, _GS_STAND_INS.sub(GS, body))
    else:
        if separator != "gs":
            body = body.replace(separator, GS) if separator != "<GS>" else _GS_STAND_INS.sub(GS, body)
        if _NOT_CSET82.search(body):
            return Checked.bad(Problem("scan.unreadable"))
    body = body.strip(GS)
    found = _gs1_fields(body, today)
    if found is None:
        return Checked.bad(Problem("scan.unreadable"))
    fields, ambiguous = found
    if ambiguous:
        return Checked.bad(Problem("scan.ambiguous"))
    gtin = fields.get("01")
    if gtin is None:
        return Checked.bad(Problem("scan.no_product"))
    problems = _gtin_problems(gtin)
    if problems:
        return Checked.bad(*problems)
    raw_expiry = fields.get("17")
    result = ScanResult(
        cip13=gtin[1:],
        source="datamatrix",
        expiry=_expiry(raw_expiry, today) if raw_expiry is not None else None,
        lot=fields.get("10"),
        serial=fields.get("21"),
    )
    return Checked.good(result)


def _plain(digits: str) -> Checked[ScanResult]:
    """A linear barcode or typed code: CIP7, EAN-13, or GTIN-14 of a single box."""
    if len(digits) == 7:
        return Checked.good(ScanResult(cip13=cip7_to_cip13(digits), source="cip7"))
    if len(digits) == 13:
        digits = "0" + digits
    elif len(digits) in (8, 12):  # EAN-8 or UPC-A: a product, but not a drug box
        return Checked.bad(Problem("scan.not_cip"))
    elif len(digits) != 14:
        return Checked.bad(Problem("scan.unreadable"))
    problems = _gtin_problems(digits)
    if problems:
        return Checked.bad(*problems)
    return Checked.good(ScanResult(cip13=digits[1:], source="ean13"))


def _gtin_problems(gtin14: str) -> list[Problem]:
    problems = []
    if not gtin14.startswith("0" + CIP13_PREFIX):
        problems.append(Problem("scan.not_cip"))
    if not ean.is_valid(gtin14):
        problems.append(Problem("scan.key"))
    return problems


def _gs1_fields(text: str, today: dt.date) -> tuple[dict[str, str], bool] | None:
    """The element strings of `text` and whether their cut would be a guess; None if unreadable.

    The splitter below reads the AIs found on drug boxes. biip reads what it cannot (other
    AIs), but cuts a variable field only at a separator or after its maximum length: without
    separators, a variable field that is not last is a guess.
    """
    split = _split(text, today)
    if split is not None:
        return dict(split[0]), split[1]
    parsed = _parse_with_biip(text)
    if parsed is None:
        return None
    fields, variable = parsed
    return fields, variable and GS not in text


def _parse_with_biip(text: str) -> tuple[dict[str, str], bool] | None:
    """The fields biip reads, and whether one has a variable length (its end may be a guess)."""
    try:
        message = GS1Message.parse(text, config=ParseConfig(separator_chars=(GS,)))
    except (BiipParseError, ValueError):
        return None
    fields: dict[str, str] = {}
    for element in message.element_strings:
        fields.setdefault(element.ai.ai, element.value)
    return fields, any(element.ai.separator_required for element in message.element_strings)


def _split(text: str, today: dt.date) -> tuple[Fields, bool] | None:
    """The reading of `text` in known AIs, and whether several readings were possible."""
    readings: set[frozenset[tuple[str, str]]] = set()
    first: Fields | None = None
    for fields in _cuts(text, 0, (), today, GS in text):
        first = first or fields
        readings.add(frozenset(fields))
        if len(readings) > 1:
            return first, True
    return None if first is None else (first, False)


def _cuts(text: str, pos: int, found: Fields, today: dt.date, separated: bool) -> Iterator[Fields]:
    """Every complete reading of text[pos:] given the fields already found.

    `separated`: the scanner sends separators, so a variable field ends only at one, at the
    end of the text, or at its maximum length (one reading at most).
    """
    while pos < len(text) and text[pos] == GS:
        pos += 1
    if pos == len(text):
        if found:
            yield found
        return
    ai = text[pos : pos + 2]
    if ai in (seen for seen, _ in found):
        return
    start = pos + 2
    if ai in _FIXED_LENGTH:
        value = text[start : start + _FIXED_LENGTH[ai]]
        if _fixed_ok(ai, value, today):
            yield from _cuts(text, start + len(value), (*found, (ai, value)), today, separated)
        return
    if ai not in _VARIABLE:
        return
    end = start
    while end < len(text) and end - start < _MAX_VARIABLE and _CSET82.fullmatch(text[end]):
        end += 1
        at_boundary = end == len(text) or text[end] == GS or end - start == _MAX_VARIABLE
        if not separated or at_boundary:
            yield from _cuts(text, end, (*found, (ai, text[start:end])), today, separated)


def _fixed_ok(ai: str, value: str, today: dt.date) -> bool:
    if len(value) != _FIXED_LENGTH[ai] or not _DIGITS.fullmatch(value):
        return False
    return ai == "01" or _expiry(value, today) is not None


def _expiry(yymmdd: str, today: dt.date) -> dt.date | None:
    """The date of a GS1 YYMMDD value (day 00 = end of month), None if it is no date."""
    if len(yymmdd) != 6 or not _DIGITS.fullmatch(yymmdd):
        return None
    two_digit, month, day = int(yymmdd[:2]), int(yymmdd[2:4]), int(yymmdd[4:])
    if not 1 <= month <= 12:
        return None
    year = _full_year(two_digit, today)
    last = calendar.monthrange(year, month)[1]
    if day > last:
        return None
    return dt.date(year, month, day or last)


def _full_year(two_digit: int, today: dt.date) -> int:
    """GS1 General Specifications 7.12: from 49 years back to 50 years ahead of today."""
    century = today.year - today.year % 100
    difference = two_digit - today.year % 100
    if difference >= 51:
        return century - 100 + two_digit
    if difference <= -50:
        return century + 100 + two_digit
    return century + two_digit
