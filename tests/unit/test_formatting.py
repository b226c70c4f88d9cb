"""Stored instants shown in local time, one way for the GUI and the command line; numbers and
dates written by the same module, in the current language's way."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from verifier import i18n
from verifier.formatting import (
    format_count,
    format_day,
    format_decimal,
    format_eur,
    local_datetime,
    local_day,
    to_local,
    with_colon,
)


@pytest.fixture
def paris() -> Iterator[None]:
    if not hasattr(time, "tzset"):
        pytest.skip("the time zone cannot be changed in-process here")
    before = os.environ.get("TZ")
    os.environ["TZ"] = "Europe/Paris"
    time.tzset()
    yield
    if before is None:
        del os.environ["TZ"]
    else:
        os.environ["TZ"] = before
    time.tzset()


def test_local_time_in_winter_and_summer_and_across_midnight(paris: None) -> None:
    assert local_datetime(datetime(2026, 1, 15, 8, 53, tzinfo=UTC)) == "15/01/2026 09:53"
    assert local_datetime(datetime(2026, 7, 15, 8, 53, tzinfo=UTC)) == "15/07/2026 10:53"
    assert local_day(datetime(2026, 1, 15, 23, 30, tzinfo=UTC)) == "16/01/2026"
    assert local_datetime(datetime(2026, 1, 15, 8, 53, tzinfo=UTC), "en") == "2026-01-15 09:53"


def test_a_naive_instant_is_utc_as_the_store_keeps_it(paris: None) -> None:
    naive = datetime(2026, 3, 1, 12, 0)
    assert to_local(naive) == to_local(naive.replace(tzinfo=UTC))
    assert local_datetime(naive) == "01/03/2026 13:00"


def test_french_writes_numbers_with_no_break_spaces_and_commas() -> None:
    assert format_count(1234567) == "1\u00a0234\u00a0567"
    assert format_decimal(Decimal("12.5"), 2) == "12,50"
    assert format_decimal(3.25, 1) == "3,2"  # 3.25 is 3.2499… as a float: the float is rounded, not the text
    assert format_eur(Decimal("1234.5")) == "1\u00a0234,50\u00a0€"
    assert with_colon("Total") == "Total :"
    assert format_day(date(2024, 5, 14)) == "14/05/2024"


def test_english_writes_them_its_own_way_but_dates_stay_day_first() -> None:
    i18n.set_language("en")
    assert format_count(1234567) == "1,234,567"
    assert format_decimal(Decimal("12.5"), 2) == "12.50"
    assert format_eur(Decimal("1234.5")) == "€1,234.50"
    assert with_colon("Total") == "Total:"
    assert format_day(date(2024, 5, 14)) == "14/05/2024"
