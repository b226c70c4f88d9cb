"""Stored instants as people read them: in this computer's time zone, day first.

The store keeps timezone-aware UTC (a naive value is taken as UTC, as the store writes it);
the GUI and the command line show local time through these functions only. Exports print
in their own fixed zone (`exports.values`), not here.
"""

from __future__ import annotations

from datetime import UTC, datetime

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


def local_day(moment: datetime) -> str:
    """14/05/2024: the local day of `moment`."""
    return to_local(moment).strftime(DAY)
