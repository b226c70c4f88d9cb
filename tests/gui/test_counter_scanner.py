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
from PySide6.QtWidgets import QWidget

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
