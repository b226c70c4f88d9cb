"""The receipt buttons give only the receipt of the claim just queued and shown (issue 9, point 2).

Once the form changes (another patient typed, a box scanned, the check edited, a new claim,
a failed attempt) they are disabled, and Alt+E / Ctrl+P produce nothing for the previous patient.
"""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import io
from decimal import Decimal
from pathlib import Path

import pytest
from pypdf import PdfReader
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWidget

from tests.factories import AMC
from tests.gui.test_counter import Opened, ctx, fill_patient_and_check, make_counter, scan, stop, type_into  # noqa: F401
from verifier.gui.counter import CounterWidget
from verifier.gui.queue.claim_dialog import ClaimDialog
from verifier.paths import receipts_dir
from verifier.services import claim_view, settings
from verifier.services.context import Context
from verifier.services.demo import nir_for

BOX = "3400922457116"  # AMC 3,07 € a box under "PHAR 100 %"
OTHER_NIR = nir_for("1", "05/06/1975", "75", "112", 41)


def _queue_first_patient(qtbot, widget: CounterWidget) -> str:  # type: ignore[no-untyped-def]
    fill_patient_and_check(qtbot, widget)
    scan(qtbot, widget, BOX)
    with qtbot.waitSignal(widget.queued, timeout=20_000) as got:
        widget.queue_claim()  # what the shell's Ctrl+Entrée does
    return str(got.args[0])


def _type_second_patient(qtbot, widget: CounterWidget) -> None:  # type: ignore[no-untyped-def]
    p = widget.patient
    type_into(qtbot, p.surname_edit, "DUPONT")
    type_into(qtbot, p.first_edit, "Marie")
    type_into(qtbot, p.birth_edit, "05/06/1975")
    type_into(qtbot, p.nir_edit, OTHER_NIR)
    type_into(qtbot, p.fund_edit, "011751234")
    type_into(qtbot, p.insurer_edit, AMC)
    type_into(qtbot, p.member_edit, "ADH-000042")
    type_into(qtbot, p.to_edit, "31/12/2099")
    c = widget.check
    c.method_combo.setCurrentIndex(c.method_combo.findData("hotline"))
    type_into(qtbot, c.reference_edit, "PLT-2")
    c.outcome_combo.setCurrentIndex(c.outcome_combo.findData("covered"))


def _pdf_text(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def _receipts_made(widget: CounterWidget, asked: list[str]) -> list[Path]:
    opened = widget.receipts.opener
    assert isinstance(opened, Opened)
    return [*opened.paths, *(Path(a) for a in asked)]


def test_a_failed_claim_never_offers_the_previous_patients_receipt(qtbot, ctx: Context, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    # The first patient's claim is under the ceiling, the second one's over it.
    settings.save(ctx, settings.SiteSettings(claim_amc_ceiling=Decimal("5.00")))
    widget = make_counter(qtbot, ctx)
    asked: list[str] = []

    def ask(_parent: QWidget, name: str) -> str:
        asked.append(name)
        return str(tmp_path / name)

    widget.receipts.ask_path = ask
    earlier = set(receipts_dir().glob("*.pdf"))  # the folder is per process: other tests' receipts
    _queue_first_patient(qtbot, widget)
    first = widget.last_claim
    assert first is not None and widget.save_receipt_button.isEnabled() and widget.print_button.isEnabled()
    assert widget.save_receipt_button.toolTip() == f"Reçu de la demande n° {first.number_text} — LEFAUVRE Amina"
    assert widget.print_button.toolTip() == widget.save_receipt_button.toolTip()

    # The next patient, whose queueing fails (over the ceiling, the manager's override refused).
    _type_second_patient(qtbot, widget)
    scan(qtbot, widget, BOX)
    scan(qtbot, widget, BOX)
    widget.queue_claim()
    qtbot.waitUntil(lambda: widget.override_dialog is not None and widget.override_dialog.isVisible(), timeout=20_000)
    dialog = widget.override_dialog
    assert dialog is not None
    qtbot.mouseClick(dialog.cancel_button, Qt.MouseButton.LeftButton)
    assert widget.override_dialog is None and widget.patient.surname_edit.text() == "DUPONT"

    # Every way to the receipt gives nothing for the first patient.
    widget.activateWindow()
    widget.queue_button.setFocus()
    qtbot.keyClick(widget.queue_button, Qt.Key.Key_E, Qt.KeyboardModifier.AltModifier)
    qtbot.mouseClick(widget.save_receipt_button, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(widget.print_button, Qt.MouseButton.LeftButton)
    widget.save_receipt()  # what the button does
    widget.print_receipt()  # what the shell's Ctrl+P does
    qtbot.wait(50)
    assert not widget.receipts.busy
    assert _receipts_made(widget, asked) == []
    assert list(tmp_path.glob("*.pdf")) == [] and set(receipts_dir().glob("*.pdf")) == earlier
    assert not widget.save_receipt_button.isEnabled() and not widget.print_button.isEnabled()
    assert "LEFAUVRE" not in widget.save_receipt_button.toolTip()
    assert "Pas de reçu" in widget.message.text()
    assert widget.patient.surname_edit.text() == "DUPONT"  # the form is kept
    stop(widget)


def test_any_change_to_the_form_withdraws_the_receipt(qtbot, ctx: Context) -> None:  # type: ignore[no-untyped-def]
    widget = make_counter(qtbot, ctx)
    edits = {
        "patient": lambda: type_into(qtbot, widget.patient.surname_edit, "D"),
        "check": lambda: type_into(qtbot, widget.check.reference_edit, "R"),
        "lines": lambda: scan(qtbot, widget, BOX),
        "new claim": widget.new_claim,
    }
    for what, edit in edits.items():
        widget.confirm_discard = lambda: True
        widget.new_claim()
        _queue_first_patient(qtbot, widget)
        claim = widget.last_claim
        assert claim is not None
        assert widget.save_receipt_button.isEnabled() and widget.print_button.isEnabled(), what
        assert claim.number_text in widget.print_button.toolTip(), what
        edit()
        assert not widget.save_receipt_button.isEnabled() and not widget.print_button.isEnabled(), what
        assert widget.receipt_claim is None and claim.number_text not in widget.print_button.toolTip(), what
        widget.print_receipt()
        opened = widget.receipts.opener
        assert isinstance(opened, Opened) and opened.paths == [], what
    stop(widget)


@pytest.mark.parametrize("outcome", ["covered", "partial"])
def test_the_counter_the_claim_window_and_the_receipt_use_one_word_per_outcome(
    qtbot, ctx: Context, outcome: str
) -> None:  # type: ignore[no-untyped-def]
    widget = make_counter(qtbot, ctx)
    fill_patient_and_check(qtbot, widget)
    combo = widget.check.outcome_combo
    combo.setCurrentIndex(combo.findData(outcome))
    word = combo.currentText()
    assert word == {"covered": "Droits ouverts", "partial": "Droits partiels"}[outcome]
    scan(qtbot, widget, BOX)
    with qtbot.waitSignal(widget.queued, timeout=20_000) as got:
        widget.queue_claim()
    dialog = ClaimDialog(ctx, str(got.args[0]))
    qtbot.addWidget(dialog)
    qtbot.waitUntil(lambda: dialog.detail is not None and dialog._task is None, timeout=20_000)
    assert dialog.fields["outcome"].text() == word
    receipt = _pdf_text(claim_view.receipt_pdf(ctx, str(got.args[0])))
    assert f"résultat : {word[0].lower()}{word[1:]}" in receipt
    stop(widget)
