"""Stored instants as people read them: in this computer's time zone, day first.

The store keeps timezone-aware UTC (a naive value is taken as UTC, as the store writes it);
the GUI and the command line show local time through these functions only. Exports print
in their own fixed zone (`exports.values`), not here.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from verifier import i18n
from verifier.domain.money import format_eur, format_rate

__all__ = [
    "format_count",
    "format_day",
    "format_decimal",
    "format_eur",
    "format_rate",
    "local_datetime",
    "local_day",
    "to_local",
    "with_colon",
]

DAY = "%d/%m/%Y"
DAY_TIME = "%d/%m/%Y %H:%M"
DAY_TIME_ISO = "%Y-%m-%d %H:%M"  # the command line's English


def to_local(moment: datetime) -> datetime:
    """`moment` in this computer's time zone."""
    aware = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return aware.astimezone()


def local_datetime(moment: datetime, language: str = "fr") -> str:
    """14/05/2024 09:30 in local time; with language "en", 2024-05-14 09:30."""
    return to_local(moment).strftime(DAY_TIME_ISO if language == "en" else DAY_TIME)


def format_day(day: date) -> str:
    """14/05/2024: a calendar date as every screen, receipt and report writes it."""
    return day.strftime(DAY)


def local_day(moment: datetime) -> str:
    """14/05/2024: the local day of `moment`."""
    return to_local(moment).strftime(DAY)


# --- numbers and amounts, as the current language writes them -------------------------------
# Amounts and rates are written by the domain (verifier.domain.money), re-exported here so that
# the interface and the command line take every displayed number from this one module.
NBSP = "\u00a0"


def format_count(n: int) -> str:
    """1 234 567 in French (no-break spaces, never wrapped), 1,234,567 in English."""
    grouped = f"{n:,}"
    return grouped.replace(",", NBSP) if i18n.language() == "fr" else grouped


def format_decimal(value: object, places: int) -> str:
    """A number with `places` decimals and the current language's decimal mark (12,5 / 12.5)."""
    text = f"{value:.{places}f}"
    return text.replace(".", ",") if i18n.language() == "fr" else text


def with_colon(caption: str) -> str:
    """A caption followed by its colon: "Total :" in French, "Total:" in English."""
    return i18n.tr("{caption} :", caption=caption)
