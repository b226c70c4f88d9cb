"""The recovery-code page: Space on arrival ticks the confirmation, the code can be printed
(to a PDF file here, chosen as a user would in the print dialog) and copied, and it is
written nowhere else in clear (issue 9, point 10)."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import io
from collections.abc import Iterator
from pathlib import Path

import pytest
from pypdf import PdfReader
from PySide6.QtCore import Qt, QThreadPool
from PySide6.QtGui import QGuiApplication
from PySide6.QtPrintSupport import QPrinter
from PySide6.QtWidgets import QApplication, QWizard

from tests.gui.test_start import SITE, fill_admin, fill_site
from verifier.gui.setup_wizard import SetupWizard
from verifier.store.engine import Location


@pytest.fixture
def location(tmp_path: Path) -> Iterator[Location]:
    yield Location(sqlite_path=tmp_path / "data" / "verifier.db")
    QThreadPool.globalInstance().waitForDone(10_000)


def test_recovery_page_print_copy_and_space(qtbot, location: Location, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    wizard = SetupWizard(location, choose_place=False)
    qtbot.addWidget(wizard)
    wizard.show()
    fill_site(wizard)
    wizard.next()
    fill_admin(wizard)
    wizard.next()
    qtbot.waitUntil(lambda: wizard.currentPage() is wizard.recovery_page, timeout=60_000)
    page = wizard.recovery_page
    code = page.code_label.text()
    assert len(code) == 35

    # The first focus is the confirmation: Space ticks it, Space again unticks it.
    qtbot.waitUntil(lambda: QApplication.focusWidget() is page.confirm_box, timeout=5_000)
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Space)
    assert page.confirm_box.isChecked() and wizard.button(QWizard.WizardButton.CommitButton).isEnabled()
    qtbot.keyClick(page.confirm_box, Qt.Key.Key_Space)
    assert not page.confirm_box.isChecked()

    # Print: the user picks "print to file" in the dialog; here, a PDF file in the test's folder.
    sheet = tmp_path / "chosen" / "code-de-secours.pdf"
    sheet.parent.mkdir()
    asked: list[QPrinter] = []

    def to_pdf(printer: QPrinter) -> bool:
        asked.append(printer)
        printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
        printer.setOutputFileName(str(sheet))
        return True

    page.ask_printer = to_pdf
    page.print_button.setFocus()
    qtbot.keyClick(page.print_button, Qt.Key.Key_Space)
    assert len(asked) == 1 and sheet.is_file()
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(sheet.read_bytes())).pages).replace("\t", " ")
    assert code in text
    assert SITE in text and "Code de secours" in text
    assert page.said.text() == "Code envoyé à l'imprimante. Rangez la feuille en lieu sûr."
    # Cancelling the print dialog prints nothing.
    page.ask_printer = lambda _printer: False
    page.print_code()
    assert sorted(sheet.parent.iterdir()) == [sheet]

    # Nowhere else on disk in clear: not in the database folder, nor anywhere under the test's folder.
    for path in tmp_path.rglob("*"):
        if path.is_file() and path != sheet:
            assert code.encode() not in path.read_bytes(), path

    # Copy: into the clipboard, cleared when the assistant ends if it still holds the code.
    qtbot.mouseClick(page.copy_button, Qt.MouseButton.LeftButton)
    assert QGuiApplication.clipboard().text() == code
    assert page.confirm_box.hasFocus()
    qtbot.keyClick(page.confirm_box, Qt.Key.Key_Space)
    qtbot.mouseClick(wizard.button(QWizard.WizardButton.CommitButton), Qt.MouseButton.LeftButton)
    assert wizard.currentPage() is wizard.insurers_page
    assert QGuiApplication.clipboard().text() == code  # still there: the assistant has not ended
    with qtbot.waitSignal(wizard.signed_in, timeout=5_000) as got:
        qtbot.mouseClick(wizard.button(QWizard.WizardButton.FinishButton), Qt.MouseButton.LeftButton)
    assert QGuiApplication.clipboard().text() == ""
    got.args[0].close()
