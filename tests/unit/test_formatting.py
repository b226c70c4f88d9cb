"""Stored instants shown in local time, one way for the GUI and the command line."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from verifier.formatting import local_datetime, local_day, to_local


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
