"""How one value is written in the bundle's files: amounts, rates, dates, names.

Shared by the CSV, JSON and PDF writers so that the three files always agree, and kept
free of locale settings: the same batch gives the same bytes on every machine.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import UTC, date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

CENT = Decimal("0.01")

# Printed times are read by French staff and insurers: Paris time, whatever the machine's
# zone, so one batch prints the same everywhere. (On Windows, zoneinfo needs the `tzdata`
# package for this name.)
PRINT_ZONE = ZoneInfo("Europe/Paris")

# A cell starting with one of these is run as a formula by Excel, LibreOffice and Google
# Sheets (CSV injection): a typed patient name or label must never do that.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def amount(value: Decimal) -> str:
    """`12.50`: a Decimal to the cent with a dot, no grouping; refuses sub-cent values."""
    text = str(value)
    if len(text) > 3 and text[-3] == "." and "E" not in text:
        return text  # already to the cent: the common case, 4x faster than quantizing
    cents = value.quantize(CENT)
    if cents != value:
        raise ValueError(f"amount {value} is not a whole number of cents")
    return f"{cents:f}"


def amount_fr(value: Decimal) -> str:
    """`12,50`: as `amount`, with the decimal comma a French spreadsheet reads as a number."""
    return amount(value).replace(".", ",")


def amount_grouped_fr(value: Decimal) -> str:
    """`1 234,56` with a plain space between thousands, for the printed slip."""
    text = amount(value)
    sign = "-" if text.startswith("-") else ""
    whole, cents = text.lstrip("-").split(".")
    groups: list[str] = []
    while len(whole) > 3:
        groups.insert(0, whole[-3:])
        whole = whole[:-3]
    groups.insert(0, whole)
    return f"{sign}{' '.join(groups)},{cents}"


def rate(value: Decimal) -> str:
    """A percentage without trailing zeros or exponent: `65`, `65.5`, `100`."""
    text = f"{value.normalize():f}"
    return text


def rate_fr(value: Decimal) -> str:
    return rate(value).replace(".", ",")


def date_fr(value: date | None) -> str:
    """`29/11/2026`; empty for None."""
    return "" if value is None else f"{value.day:02d}/{value.month:02d}/{value.year:04d}"


def date_iso(value: date | None) -> str | None:
    return None if value is None else f"{value.year:04d}-{value.month:02d}-{value.day:02d}"


def as_utc(value: datetime) -> datetime:
    """`value` in UTC, to the second; a naive datetime is taken as UTC (how the store keeps it)."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC).replace(microsecond=0)


def datetime_iso(value: datetime) -> str:
    """`2026-11-29T08:15:00Z` (UTC, seconds)."""
    t = as_utc(value)
    return f"{t.year:04d}-{t.month:02d}-{t.day:02d}T{t.hour:02d}:{t.minute:02d}:{t.second:02d}Z"


def datetime_fr(value: datetime) -> str:
    """`29/11/2026 08:15:00` (UTC, seconds)."""
    t = as_utc(value)
    return f"{t.day:02d}/{t.month:02d}/{t.year:04d} {t.hour:02d}:{t.minute:02d}:{t.second:02d}"


def as_paris(value: datetime) -> datetime:
    """A stored instant (naive = UTC) as the clock on a French wall shows it."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(PRINT_ZONE)


def time_printed_fr(value: datetime) -> str:
    """`29/11/2026 09:15`: a stored instant in Paris time, to the minute, for printed documents."""
    t = as_paris(value)
    return f"{t.day:02d}/{t.month:02d}/{t.year:04d} {t.hour:02d}:{t.minute:02d}"


def spreadsheet_text(value: str | None) -> str:
    """Text for a CSV cell: empty for None; an apostrophe before a would-be formula."""
    if not value:
        return ""
    return "'" + value if value.startswith(_FORMULA_START) else value


def slug(text: str, limit: int = 40) -> str:
    """ASCII, lower case, words joined by `-`: `Pharmacie de l'Église` -> `pharmacie-de-l-eglise`."""
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    words = re.sub(r"[^a-z0-9]+", "-", folded.lower()).strip("-")
    return words[:limit].rstrip("-")


def pdf_text(text: str) -> str:
    """`text` in the characters the PDF's standard fonts can show (Windows-1252).

    Other letters lose their accents (`ễ` -> `e`, `Ł` -> `L`), and what has no Latin
    equivalent becomes `?`: better than the black boxes the font would draw. Control
    characters (line breaks, tabs) become spaces. The exact text is in claims.csv and
    claims.json.
    """
    if not text.isprintable():
        text = "".join(c if c.isprintable() else " " for c in text)  # tabs, line breaks
    try:
        text.encode("cp1252")
        return text
    except UnicodeEncodeError:
        pass
    out = []
    for char in text:
        try:
            char.encode("cp1252")
            out.append(char)
            continue
        except UnicodeEncodeError:
            pass
        base = "".join(c for c in unicodedata.normalize("NFKD", char) if not unicodedata.combining(c))
        base = base.translate(_NO_DECOMPOSITION)
        try:
            base.encode("cp1252")
            out.append(base or "?")
        except UnicodeEncodeError:
            out.append("?")
    return "".join(out)


# Letters NFKD does not split into a base and an accent.
_NO_DECOMPOSITION = str.maketrans({"Ł": "L", "ł": "l", "Đ": "D", "đ": "d", "Ħ": "H", "ħ": "h", "ı": "i"})
