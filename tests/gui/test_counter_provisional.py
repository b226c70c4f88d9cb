"""An insurer missing from the directory does not stop the sale: recorded from the card at the
counter, with the keyboard only, then the claim queues, marked "à confirmer"."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import Qt

from tests.gui.test_counter import DATAMATRIX, NIR, ctx, make_counter, scan, stop, type_into  # noqa: F401 - ctx is a fixture
from verifier.domain.states import ClaimStatus
from verifier.services import directory
from verifier.services.context import Context

NEW_AMC = "31234567"


def keys(qtbot, text: str) -> None:  # type: ignore[no-untyped-def]
    """Type into whatever has the focus, then Tab, as a clerk does."""
    from PySide6.QtWidgets import QApplication

    widget = QApplication.focusWidget()
    assert widget is not None
    qtbot.keyClicks(widget, text)
    qtbot.keyClick(widget, Qt.Key.Key_Tab)


def test_an_unknown_amc_number_is_recorded_from_the_card_and_the_claim_queues(  # type: ignore[no-untyped-def]
    qtbot, ctx: Context
) -> None:
    widget = make_counter(qtbot, ctx)
    p, c, box = widget.patient, widget.check, widget.check.provisional
    for edit, text in (
        (p.surname_edit, "LEFAUVRE"),
        (p.first_edit, "Amina"),
        (p.birth_edit, "31/02/1980"),
        (p.nir_edit, NIR),
        (p.fund_edit, "011751234"),
    ):
        type_into(qtbot, edit, text)
    p.insurer_edit.setFocus()
    assert not box.isVisible()
    qtbot.keyClicks(p.insurer_edit, NEW_AMC)
    assert not box.isVisible()  # not while typing
    qtbot.keyClick(p.insurer_edit, Qt.Key.Key_Tab)  # leaving the field goes to the name on the card
    assert box.isVisible() and NEW_AMC in box.explain.text()
    assert box.name_edit.hasFocus()
    qtbot.keyClicks(box.name_edit, "Mutuelle du Coin")
    qtbot.keyClick(box.name_edit, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: not box.isVisible(), timeout=10_000)
    assert "à confirmer" in p.insurer_label.text() and "Mutuelle du Coin" in p.insurer_label.text()
    assert "organisme à confirmer" in c.contact.text()
    assert widget.focusWidget() is p.member_edit  # the next field of the card
    assert not p.insurer_edit.completer().popup().isVisible()
    widget.activateWindow()  # the offscreen platform does not hand activation back after a popup
    qtbot.waitUntil(p.member_edit.hasFocus, timeout=5_000)
    keys(qtbot, "ADH-4471205")
    type_into(qtbot, p.to_edit, "31/12/2099")
    qtbot.keyClick(p.to_edit, Qt.Key.Key_Tab)
    assert c.method_combo.hasFocus()
    qtbot.keyClick(c.method_combo, Qt.Key.Key_Down)  # hotline
    qtbot.keyClick(c.method_combo, Qt.Key.Key_Tab)
    keys(qtbot, "PLT-88412")
    assert c.outcome_combo.hasFocus()
    qtbot.keyClick(c.outcome_combo, Qt.Key.Key_Down)  # covered
    assert c.outcome() == "covered" and c.method() == "hotline"
    scan(qtbot, widget, DATAMATRIX)
    widget.queue_button.setFocus()
    with qtbot.waitSignal(widget.queued, timeout=20_000):
        qtbot.keyClick(widget.queue_button, Qt.Key.Key_Space)
    claim = widget.last_claim
    assert claim is not None and claim.status is ClaimStatus.QUEUED
    insurer = directory.get_insurer(ctx, NEW_AMC)
    assert insurer.provisional and insurer.name == "Mutuelle du Coin" and claim.insurer_id == insurer.id
    assert directory.count_provisional(ctx) == 1
    stop(widget)


def test_a_bad_name_gets_a_sentence_and_nothing_is_recorded(qtbot, ctx: Context) -> None:  # type: ignore[no-untyped-def]
    widget = make_counter(qtbot, ctx)
    p, box = widget.patient, widget.check.provisional
    p.insurer_edit.setFocus()
    qtbot.keyClicks(p.insurer_edit, NEW_AMC)
    qtbot.keyClick(p.insurer_edit, Qt.Key.Key_Tab)
    qtbot.keyClick(box.name_edit, Qt.Key.Key_Return)  # no name typed
    qtbot.waitUntil(lambda: bool(box.problem.text()), timeout=10_000)
    assert "nom" in box.problem.text().lower() and box.name_edit.hasFocus()
    assert directory.count_provisional(ctx) == 0
    stop(widget)
