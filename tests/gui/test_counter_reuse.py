"""A returning patient whose last check was by telephone: F6 reuses it, recorded as a new
check pointing to the original; the journey costs well under the 30 keystrokes of before."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from datetime import timedelta

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from tests.factories import make_check, patient_input
from tests.gui.test_counter import DATAMATRIX, ctx, make_counter, scan, stop  # noqa: F401 - ctx is a fixture
from verifier.domain.states import ClaimStatus
from verifier.services import checks, patients
from verifier.services.context import Context
from verifier.store.schema import CoverageCheck
from verifier.store.types import utcnow


class Keys:
    """Key presses sent to the focused widget, counted as the clerk's keystrokes."""

    def __init__(self, qtbot) -> None:  # type: ignore[no-untyped-def]
        self.qtbot, self.count = qtbot, 0

    def type(self, text: str) -> None:
        for ch in text:
            self.qtbot.keyClicks(QApplication.focusWidget(), ch)
            self.count += 1

    def press(self, key: Qt.Key, target=None) -> None:  # type: ignore[no-untyped-def]
        self.qtbot.keyClick(target or QApplication.focusWidget(), key)
        self.count += 1


def test_a_returning_patient_reuses_the_telephone_check_with_one_key(qtbot, ctx: Context) -> None:  # type: ignore[no-untyped-def]
    known, _ = patients.save(ctx, patient_input())
    original = make_check(ctx, known.id)  # by telephone, reference HOT-12345
    widget = make_counter(qtbot, ctx)
    keys = Keys(qtbot)
    keys.type("durand")
    popup = widget.patient.popup()
    qtbot.waitUntil(lambda: widget.patient.results.rowCount() == 1 and popup.isVisible(), timeout=10_000)
    keys.press(Qt.Key.Key_Down, popup)
    keys.press(Qt.Key.Key_Return, popup)
    label = widget.check.reuse_label
    qtbot.waitUntil(lambda: label.isVisible() and "F6" in label.text(), timeout=10_000)
    assert "Appel à la plateforme, réf. HOT-12345, droits ouverts, le " in label.text() and "par Admin" in label.text()
    keys.press(Qt.Key.Key_F6)
    assert widget.check.method() == "hotline" and widget.check.reference_edit.text() == "HOT-12345"
    assert widget.check.outcome() == "covered" and widget.lines.scan_edit.hasFocus()
    for _ in range(3):
        scan(qtbot, widget, DATAMATRIX.replace("XYZ987", f"XYZ98{_}"))  # the scans: not counted
    keys.count += 1  # Ctrl+Entrée, the shell's shortcut for the queue button
    with qtbot.waitSignal(widget.queued, timeout=20_000):
        widget.queue_button.click()
    claim = widget.last_claim
    assert claim is not None and claim.status is ClaimStatus.QUEUED
    new = checks.get(ctx, claim.check_id)
    assert new.id != original.id and new.reused_check_id == original.id and new.reference == "HOT-12345"
    assert keys.count <= 12, keys.count
    print(f"returning patient, telephone check reused: {keys.count} keystrokes beyond the scans (goal <= 12)")
    stop(widget)


def test_a_check_older_than_the_reuse_age_is_not_offered(qtbot, ctx: Context) -> None:  # type: ignore[no-untyped-def]
    known, _ = patients.save(ctx, patient_input())
    old = make_check(ctx, known.id)
    checks_old = checks.CheckInput(
        known.id,
        "90412345",
        "hotline",
        "covered",
        list(old.guarantees),
        reference="OLD-1",
        checked_at=utcnow() - timedelta(days=8),
    )
    with ctx.store.write() as s:  # only the old one stays
        s.delete(s.get(CoverageCheck, old.id))
    checks.record(ctx, checks_old)
    widget = make_counter(qtbot, ctx)
    widget.patient.select_patient(patients.get(ctx, known.id))
    widget.patient.chosen.emit()
    qtbot.waitUntil(lambda: widget._reuse_key is not None and widget._reuse_task is None, timeout=10_000)
    assert not widget.check.reuse_label.isVisible() and widget.check.offered is None
    qtbot.keyClick(widget.check.method_combo, Qt.Key.Key_F6)  # nothing to take
    assert widget.check.reference_edit.text() == ""
    stop(widget)
