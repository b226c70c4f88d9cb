"""GUI tests: Qt offscreen, and garbage collection only on the GUI thread, as the app does."""

from __future__ import annotations

import gc
import os
from collections.abc import Iterator

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QCoreApplication, QEvent, QThreadPool  # noqa: E402


@pytest.fixture(autouse=True)
def _collect_on_the_gui_thread() -> Iterator[None]:
    """A collection started by a worker thread can destroy Qt objects there and crash
    (start.GarbageCollector avoids it in the app); the tests do the same, test by test.

    Only while a GUI test runs: automatic collection comes back after each one (once
    `_drain_pool` has frozen what exists). Left off for the rest of the session, the
    integration tests that follow piled up millions of objects (SQLAlchemy metadata,
    closed connections) that hypothesis's own gc.collect() then freed all at once, and CI
    died there with a segmentation fault.
    """
    gc.freeze()
    gc.disable()
    yield
    gc.enable()


@pytest.fixture(autouse=True)
def _drain_pool() -> Iterator[None]:
    """Every background task ends before the next test, then garbage is collected here."""
    yield
    QThreadPool.globalInstance().waitForDone(10_000)
    # Widgets closed by qtbot are deleted by Qt first (their deleteLater), so that the
    # collection below never meets a wrapper whose C++ object Qt is about to delete.
    app = QCoreApplication.instance()
    if app is not None:
        for _ in range(3):
            QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete.value)
            app.processEvents()
    QThreadPool.globalInstance().waitForDone(10_000)
    # Frozen, not collected: under PySide6 6.11 a full collection after the GUI tests met a
    # dict holding a pointer to a freed object (gdb: visit_decref in dict_traverse, CI exit
    # 139). Frozen objects are never traversed again; a test run can afford the memory.
    gc.freeze()
