"""A keyboard-wedge scanner at the counter: key events exactly as the scanner sends them.

A wedge types one key press and release per character; the DataMatrix group separator
(ASCII 29) comes as a key event whose text is "\\x1d", usually as Ctrl+] (the key that
makes it on a US keyboard), on some platforms with no text at all.
"""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from datetime import date

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QLineEdit, QWidget

from tests.gui.test_counter import ctx, make_counter, stop  # noqa: F401 - the counter's fixtures
from verifier.gui.counter.lines_model import COL
from verifier.services.context import Context

GS = "\x1d"
# Lot "AB21CD", then the separator, then the expiry: dropping the GS reads lot "AB", serial "CD".
ISSUE9 = "0103400922457116" + "10AB21CD" + GS + "17271231"

# How the separator key arrives: (key, modifiers, text).
GS_KEYS = {
    "text only": (Qt.Key.Key_unknown, Qt.KeyboardModifier.NoModifier, GS),
    "ctrl+] with its text": (Qt.Key.Key_BracketRight, Qt.KeyboardModifier.ControlModifier, GS),
    "ctrl+] without text": (Qt.Key.Key_BracketRight, Qt.KeyboardModifier.ControlModifier, ""),
}


def wedge(target: QWidget, text: str, gs_key: tuple[Qt.Key, Qt.KeyboardModifier, str]) -> None:
    """Type `text` then Enter as a scanner does: a press and a release per character."""
    for char in text:
        if char == GS:
            key, modifiers, typed = gs_key
        else:
            key, modifiers, typed = Qt.Key(QTest.asciiToKey(char)), Qt.KeyboardModifier.NoModifier, char  # type: ignore[attr-defined]
        QTest.sendKeyEvent(QTest.KeyAction.Press, target, key, typed, modifiers)
        QTest.sendKeyEvent(QTest.KeyAction.Release, target, key, typed, modifiers)
    QTest.keyClick(target, Qt.Key.Key_Return)


@pytest.mark.parametrize("how", list(GS_KEYS))
def test_the_group_separator_typed_by_a_wedge_is_kept(qtbot, ctx: Context, how: str) -> None:  # type: ignore[no-untyped-def]
    widget = make_counter(qtbot, ctx)
    lines = widget.lines
    lines.scan_edit.setFocus()
    wedge(lines.scan_edit, ISSUE9, GS_KEYS[how])
    assert lines.model.rowCount() == 1, lines.fields.fields["scan"].message.text()
    line = lines.model.line(0)
    assert (line.code, line.lot, line.serial, line.expiry) == ("3400922457116", "AB21CD", None, date(2027, 12, 31))
    stop(widget)


def test_the_separator_shows_in_the_field_and_survives_the_table(qtbot, ctx: Context) -> None:  # type: ignore[no-untyped-def]
    widget = make_counter(qtbot, ctx)
    lines = widget.lines
    lines.scan_edit.setFocus()
    wedge(lines.scan_edit, "3015141", GS_KEYS["text only"])
    # The cursor sits in the table when the next box is scanned: the separator is not lost there.
    lines.table.setFocus()
    lines.table.setCurrentIndex(lines.model.index(0, COL["label"]))
    key, modifiers, typed = GS_KEYS["ctrl+] with its text"]
    QTest.keyClicks(lines.table, "0103400922457116" + "10AB21CD")
    QTest.sendKeyEvent(QTest.KeyAction.Press, lines.table, key, typed, modifiers)
    assert lines.scan_edit.hasFocus()
    assert lines.scan_edit.text() == "010340092245711610AB21CD\u241d"
    QTest.keyClicks(lines.scan_edit, "17271231")
    QTest.keyClick(lines.scan_edit, Qt.Key.Key_Return)
    assert lines.model.rowCount() == 2
    assert (lines.model.line(1).lot, lines.model.line(1).serial) == ("AB21CD", None)
    stop(widget)


def test_a_dropped_separator_is_refused_with_scan_again(qtbot, ctx: Context) -> None:  # type: ignore[no-untyped-def]
    widget = make_counter(qtbot, ctx)
    lines = widget.lines
    lines.scan_edit.setFocus()
    QTest.keyClicks(lines.scan_edit, ISSUE9.replace(GS, ""))  # a scanner set up to send nothing
    QTest.keyClick(lines.scan_edit, Qt.Key.Key_Return)
    assert lines.model.rowCount() == 0
    message = lines.fields.fields["scan"].message
    assert message.isVisible() and message.text().endswith("scannez à nouveau")
    assert lines.scan_edit.text() == ISSUE9.replace(GS, "")  # kept, selected, replaced by the next scan
    stop(widget)


def datamatrix(expiry: date, lot: str = "L1", serial: str = "S1") -> str:
    """The DataMatrix of a box of 3400922457116 (in the shipped reference)."""
    return "0103400922457116" + "17" + expiry.strftime("%y%m%d") + "10" + lot + GS + "21" + serial


def test_an_expired_box_is_refused_in_red_with_a_beep(qtbot, ctx: Context) -> None:  # type: ignore[no-untyped-def]
    widget = make_counter(qtbot, ctx)
    lines = widget.lines
    lines.date_edit.setDate(date(2026, 1, 5))
    lines.scan_edit.setFocus()
    wedge(lines.scan_edit, datamatrix(date(2025, 12, 31)), GS_KEYS["ctrl+] with its text"])
    assert lines.model.rowCount() == 0
    feedback = lines.scan_feedback
    assert feedback.isVisible() and feedback.text().startswith("Boîte périmée le 31/12/2025")
    assert "#b3261e" in feedback.styleSheet() or "#ff8a80" in feedback.styleSheet()  # the error colour
    assert lines.scan_edit.hasFocus() and lines.scan_edit.text() == ""  # ready for another box
    # A box that expires on the dispensing day itself is still good.
    wedge(lines.scan_edit, datamatrix(date(2026, 1, 5)), GS_KEYS["ctrl+] with its text"])
    assert lines.model.rowCount() == 1
    stop(widget)


def test_a_box_near_its_expiry_is_flagged_on_the_line_until_it_goes(qtbot, ctx: Context) -> None:  # type: ignore[no-untyped-def]
    from verifier.services import settings

    settings.save(ctx, settings.SiteSettings(expiry_warning_days=60))
    widget = make_counter(qtbot, ctx)
    lines = widget.lines
    lines.date_edit.setDate(date(2026, 1, 5))
    lines.scan_edit.setFocus()
    wedge(lines.scan_edit, datamatrix(date(2026, 2, 20), "LOTSOON", "SN1"), GS_KEYS["text only"])
    wedge(lines.scan_edit, "3015141", GS_KEYS["text only"])  # another product, then more scans
    wedge(lines.scan_edit, "3400930151419", GS_KEYS["text only"])
    model = lines.model
    soon, later = model.index(0, COL["label"]), model.index(1, COL["label"])
    assert soon.data(Qt.ItemDataRole.BackgroundRole) is not None
    assert "20/02/2026" in soon.data(Qt.ItemDataRole.ToolTipRole)
    assert later.data(Qt.ItemDataRole.BackgroundRole) is None
    # The detail under the table says it for the line under the cursor, reached by keyboard.
    lines.table.setFocus()
    lines.table.setCurrentIndex(model.index(1, COL["quantity"]))
    QTest.keyClick(lines.table, Qt.Key.Key_Up)
    assert lines.table.currentIndex().row() == 0
    detail = lines.box_detail.text()
    assert "lot LOTSOON" in detail and "pér. 20/02/2026" in detail and "n° série SN1" in detail
    assert "périme le 20/02/2026, dans 46 jour(s)" in detail
    # Outside the window (30 days by default) nothing is flagged.
    settings.save(ctx, settings.SiteSettings(expiry_warning_days=30))
    wedge(lines.scan_edit, "3015141", GS_KEYS["text only"])
    assert model.index(0, COL["label"]).data(Qt.ItemDataRole.BackgroundRole) is None
    stop(widget)


def test_each_box_keeps_its_own_identity_on_the_line(qtbot, ctx: Context) -> None:  # type: ignore[no-untyped-def]
    """Issue 9 point 4: a DataMatrix, an EAN-13 and a CIP7 of one product are three boxes."""
    widget = make_counter(qtbot, ctx)
    lines = widget.lines
    lines.scan_edit.setFocus()
    wedge(lines.scan_edit, datamatrix(date(2027, 12, 31), "AB12C", "SN0001"), GS_KEYS["ctrl+] with its text"])
    wedge(lines.scan_edit, "3400922457116", GS_KEYS["text only"])
    wedge(lines.scan_edit, "2245711", GS_KEYS["text only"])
    assert lines.model.rowCount() == 1 and lines.model.line(0).quantity == 3
    boxes = lines.model.boxes(0)
    assert [(b.lot, b.serial, b.read_as) for b in boxes] == [
        ("AB12C", "SN0001", "datamatrix"),
        (None, None, "ean13"),
        (None, None, "cip7"),
    ]
    # What the claim stores per line is what every box shares: here nothing (no false serial).
    assert (lines.model.line(0).lot, lines.model.line(0).serial, lines.model.line(0).expiry) == (None, None, None)
    # Back to one box by hand: the scanned box (the first) stays, with its identity.
    lines.table.setFocus()
    lines.table.setCurrentIndex(lines.model.index(0, COL["quantity"]))
    QTest.keyClick(lines.table, Qt.Key.Key_Return)
    editor = QApplication.focusWidget()
    assert isinstance(editor, QLineEdit)
    editor.selectAll()
    QTest.keyClicks(editor, "1")
    QTest.keyClick(editor, Qt.Key.Key_Return)  # the delegate commits on the next turn of the event loop
    qtbot.waitUntil(lambda: lines.model.line(0).quantity == 1)
    assert (lines.model.line(0).quantity, lines.model.line(0).lot, lines.model.line(0).serial) == (1, "AB12C", "SN0001")
    lines.scan_edit.setFocus()
    wedge(lines.scan_edit, "3400922457116", GS_KEYS["text only"])
    wedge(lines.scan_edit, "2245711", GS_KEYS["text only"])
    # The same serial again is the same box: refused.
    wedge(lines.scan_edit, datamatrix(date(2027, 12, 31), "AB12C", "SN0001"), GS_KEYS["ctrl+] with its text"])
    assert lines.model.line(0).quantity == 3
    # The boxes survive the draft.
    from verifier.gui.counter.lines_model import line_from_dict, line_to_dict

    again = line_from_dict(line_to_dict(lines.model.line(0)))
    assert again is not None and again.boxes == lines.model.line(0).boxes
    stop(widget)


def test_ctrl_down_reaches_the_last_quantity_and_ctrl_up_comes_back(qtbot, ctx: Context) -> None:  # type: ignore[no-untyped-def]
    widget = make_counter(qtbot, ctx)
    lines = widget.lines
    lines.scan_edit.setFocus()
    wedge(lines.scan_edit, "3015141", GS_KEYS["text only"])
    wedge(lines.scan_edit, "3400922457116", GS_KEYS["text only"])
    assert lines.scan_edit.hasFocus()
    QTest.keyClick(lines.scan_edit, Qt.Key.Key_Down, Qt.KeyboardModifier.ControlModifier)
    assert lines.table.hasFocus()
    assert (lines.table.currentIndex().row(), lines.table.currentIndex().column()) == (1, COL["quantity"])
    QTest.keyClick(lines.table, Qt.Key.Key_Return)  # edit the quantity, as a clerk does
    editor = QApplication.focusWidget()
    assert isinstance(editor, QLineEdit) and editor is not lines.scan_edit
    editor.selectAll()
    QTest.keyClicks(editor, "3")
    QTest.keyClick(editor, Qt.Key.Key_Up, Qt.KeyboardModifier.ControlModifier)
    assert lines.scan_edit.hasFocus()
    assert lines.model.line(1).quantity == 3
    stop(widget)
