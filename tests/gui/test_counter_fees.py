"""Issue 13 at the counter: F7 adds the prescription's fee lines after the boxes, from the
patient's birth date as typed; asked again it replaces them; without a birth date it says so."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from datetime import date
from decimal import Decimal

from PySide6.QtCore import Qt

from tests.gui.test_counter import ctx, make_counter  # noqa: F401 - the fixture
from verifier.domain.pharmacy_fees import OnCall
from verifier.services.claims import LineDraft
from verifier.services.context import Context


def test_f7_adds_the_fees_after_the_boxes(qtbot, ctx: Context) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    widget = make_counter(qtbot, ctx)
    box = LineDraft("DOLIPRANE 1000 mg cp B/8", "PH7", 1, Decimal("3.29"), Decimal(65))
    widget.lines.model.add_line(box, by_hand=True)
    qtbot.keyClick(widget.lines.table, Qt.Key.Key_F7)
    assert "date de naissance" in widget.message.text()
    assert widget.lines.model.rowCount() == 1  # nothing added
    widget.patient.birth_edit.setText(f"05/01/{date.today().year - 72}")
    qtbot.keyClick(widget.lines.table, Qt.Key.Key_F7)
    qtbot.waitUntil(lambda: widget.lines.model.rowCount() >= 3, timeout=30_000)
    codes = [line.prestation_code for line in widget.lines.model.lines()]
    assert codes == ["PH7", "HDR", "HDA"]  # no on-call fee unless the pharmacy says it is on call
    assert widget.lines.model.by_hand(0) and not widget.lines.model.by_hand(1)
    assert "HDR" in widget.message.text()
    # Asked again (the button this time), the fees are computed anew, not added twice.
    widget.message.setText("")
    widget.lines.fees_button.click()
    qtbot.waitUntil(lambda: "Honoraires ajoutés" in widget.message.text(), timeout=30_000)
    assert [line.prestation_code for line in widget.lines.model.lines()].count("HDR") == 1
    # A younger patient: no age fee once computed again.
    widget.patient.birth_edit.setText("05/01/1980")
    widget.lines.fees_button.click()
    qtbot.waitUntil(lambda: "HDA" not in [line.prestation_code for line in widget.lines.model.lines()], timeout=30_000)


def test_the_on_call_fee_only_when_the_pharmacy_is_on_call(qtbot, ctx: Context, monkeypatch) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    from datetime import datetime

    from verifier.gui.counter import widget as counter_widget

    class Sunday(datetime):
        @classmethod
        def now(cls, tz=None):  # type: ignore[no-untyped-def, override]
            return datetime(2026, 12, 6, 15, 0)  # a Sunday afternoon, the clock only

    monkeypatch.setattr(counter_widget, "datetime", Sunday)
    widget = make_counter(qtbot, ctx)
    widget.lines.date_edit.setDate(date(2026, 12, 6))
    widget.lines.model.add_line(LineDraft("Boîte", "PH7", 1, Decimal("3.29"), Decimal(65)), by_hand=True)
    widget.patient.birth_edit.setText("05/01/1980")
    widget.lines.on_call_box.setChecked(True)
    widget.lines.fees_button.click()
    qtbot.waitUntil(lambda: "GPD" in [line.prestation_code for line in widget.lines.model.lines()], timeout=30_000)
    assert widget.lines.prescription().on_call is OnCall.SUNDAY  # what the claim records: the fee billed
    # A fee's amount and quantity are the rules': not editable (removed with a reason only).
    model = widget.lines.model
    fee_row = [line.prestation_code for line in model.lines()].index("GPD")
    for column in range(model.columnCount()):
        assert not model.flags(model.index(fee_row, column)) & Qt.ItemFlag.ItemIsEditable
    widget.lines.on_call_box.setChecked(False)
    widget.message.setText("")
    widget.lines.fees_button.click()
    qtbot.waitUntil(lambda: "Honoraires ajoutés" in widget.message.text(), timeout=30_000)
    assert [line.prestation_code for line in widget.lines.model.lines()] == ["PH7", "HDR"]
    assert widget.lines.prescription().on_call is None
