"""GUI tests: Qt offscreen, and garbage collection only on the GUI thread, as the app does."""

from __future__ import annotations

import gc
import os
from collections.abc import Iterator

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QThreadPool  # noqa: E402


@pytest.fixture(scope="session", autouse=True)
def _collect_on_the_gui_thread() -> Iterator[None]:
    """A collection started by a worker thread can destroy Qt objects there and crash
    (start.GarbageCollector avoids it in the app); the tests do the same."""
    gc.collect()
    gc.disable()
    yield
    gc.enable()


@pytest.fixture(autouse=True)
def _drain_pool() -> Iterator[None]:
    """Every background task ends before the next test, then garbage is collected here."""
    yield
    QThreadPool.globalInstance().waitForDone(10_000)
    gc.collect()
