"""Issue 13 at the counter: a pharmacist's act typed in the scan field, a fee removed only with
a reason (kept with the claim, audited), a generic refused (no tiers payant), the per-box fee
shown split under the table."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import json
from datetime import date
from decimal import Decimal

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QInputDialog
from sqlalchemy import select

from tests.gui.test_counter import ctx, fill_patient_and_check, make_counter, scan  # noqa: F401 - the fixture
from verifier.services import claims
from verifier.services.context import Context
from verifier.store.schema import AuditEvent

DOLIPRANE = "3400935955838"  # 2,09 EUR with its 1,02 EUR fee in the shipped reference


def answer_next_dialog(text: str | None) -> None:
    """Type `text` into the reason dialog when it opens and press Enter (None: Escape)."""

    def act() -> None:
        dialog = QApplication.activeModalWidget()
        if not isinstance(dialog, QInputDialog):
            QTimer.singleShot(20, act)
            return
        if text is None:
            dialog.reject()
        else:
            dialog.setTextValue(text)
            dialog.accept()

    QTimer.singleShot(20, act)


def test_an_act_typed_in_the_scan_field_is_offered_then_added(qtbot, ctx: Context) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    widget = make_counter(qtbot, ctx)
    scan(qtbot, widget, "trd")
    lines = widget.lines
    assert lines.label_edit.text().startswith("Test rapide") and lines.price_edit.hasFocus()
    assert "10,00" in lines.price_edit.text() and "15,00" in lines.scan_feedback.text()
    lines.price_edit.selectAll()
    qtbot.keyClicks(lines.price_edit, "15,00")
    qtbot.keyClick(lines.price_edit, Qt.Key.Key_Return)
    added = lines.model.lines()
    assert [(x.prestation_code, x.unit_price, x.amo_rate) for x in added] == [("TRD", Decimal("15.00"), Decimal(70))]
    assert not lines.code_label.isVisible()
    # An act with no amount in force: the pharmacist types it.
    scan(qtbot, widget, "AKI")
    assert lines.price_edit.text() == "" and "Saisissez son montant" in lines.scan_feedback.text()
    # A box scanned instead drops the act offered.
    scan(qtbot, widget, DOLIPRANE)
    assert lines.label_edit.text() == "" and [x.prestation_code for x in lines.model.lines()] == ["TRD", "PH7"]
    # The box's fee is shown split under the table.
    lines.table.setCurrentIndex(lines.model.index(1, 0))
    assert "honoraire de dispensation HD7 1,02" in lines.box_detail.text()


def test_a_fee_is_removed_only_with_a_reason_kept_with_the_claim(qtbot, ctx: Context) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    widget = make_counter(qtbot, ctx)
    fill_patient_and_check(qtbot, widget)
    widget.patient.birth_edit.setText(f"05/01/{date.today().year - 75}")
    scan(qtbot, widget, DOLIPRANE)
    widget.lines.fees_button.click()
    qtbot.waitUntil(lambda: len(widget.lines.model.lines()) == 3, timeout=30_000)
    table = widget.lines.table
    table.setFocus()
    table.setCurrentIndex(widget.lines.model.index(2, 0))  # HDA
    answer_next_dialog(None)  # Escape: nothing removed
    widget.lines.remove_current()
    assert len(widget.lines.model.lines()) == 3
    answer_next_dialog("  ")  # no reason: refused with a sentence
    widget.lines.remove_current()
    assert len(widget.lines.model.lines()) == 3 and "motif" in widget.lines.fields.fields["lines"].message.text()
    answer_next_dialog("âge non justifié")
    widget.lines.remove_current()
    assert [x.prestation_code for x in widget.lines.model.lines()] == ["PH7", "HDR"]
    # F7 again does not bring it back.
    widget.message.setText("")
    widget.lines.fees_button.click()
    qtbot.waitUntil(lambda: "Honoraires ajoutés" in widget.message.text(), timeout=30_000)
    assert [x.prestation_code for x in widget.lines.model.lines()] == ["PH7", "HDR"]
    widget.lines.ald_box.setChecked(True)
    # The prescription's date: garbage is named under the table and nothing is queued.
    widget.lines.prescribed_edit.setText("32/13/2026")
    widget.queue_claim()
    assert "date de l'ordonnance" in widget.lines.fields.fields["lines"].message.text()
    assert widget.last_claim is None
    day = date.today()
    widget.lines.prescribed_edit.setText(f"{day:%d/%m/%Y}")
    widget.queue_claim()
    qtbot.waitUntil(lambda: widget.last_claim is not None, timeout=30_000)
    info = claims.get(ctx, widget.last_claim.id)
    assert info.prescription is not None and info.prescription.ald_two_part
    assert info.prescription.prescribed_on == day
    assert info.prescription.removed_fees == (("HDA", "âge non justifié"),)
    with ctx.store.read() as s:
        event = s.scalars(select(AuditEvent).where(AuditEvent.action == "claim.fee_removed")).one()
    assert json.loads(event.details) == {"number": info.number, "code": "HDA"}  # the reason stays with the claim


def test_a_refused_generic_is_said_at_once_and_never_queued(qtbot, ctx: Context) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    widget = make_counter(qtbot, ctx)
    fill_patient_and_check(qtbot, widget)
    scan(qtbot, widget, DOLIPRANE)
    widget.lines.generic_box.setChecked(True)
    assert "pas de tiers payant" in widget.lines.fields.fields["lines"].message.text()
    widget.queue_claim()
    qtbot.waitUntil(lambda: "non substituable" in widget.message.text(), timeout=30_000)
    assert widget.last_claim is None
    # The state survives a draft: ticked again after a restart.
    state = widget.lines.state()
    widget.lines.clear()
    assert not widget.lines.generic_box.isChecked()
    widget.lines.restore(state)
    assert widget.lines.generic_box.isChecked()
