"""The scan field: a line edit that keeps the group separator a scanner types.

A keyboard-wedge scanner types a DataMatrix's group separator (ASCII 29, GS) as a key
event whose text is "\\x1d" (often Ctrl+], the key that produces it on a US keyboard).
QLineEdit drops control characters, so "10AB21CD<GS>17270131" would arrive as
"10AB21CD17270131", and the lot could not be told from a lot + serial. The field catches
those keys, shows "␝" (U+241D, the symbol for GS) where the separator came, and
`scanned_text()` gives the text with the real separator back.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QLineEdit, QWidget

from verifier.domain.scanner import GS

GS_SHOWN = "\u241d"  # ␝, shown in the field where a separator arrived


def is_group_separator(event: QKeyEvent) -> bool:
    """A key event that stands for ASCII 29: its text, or Ctrl+] however the platform reports it."""
    if GS in event.text():
        return True
    control = event.modifiers() & (Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.MetaModifier)
    return event.key() == Qt.Key.Key_BracketRight and bool(control)


class ScanEdit(QLineEdit):
    """A QLineEdit that keeps the group separator (shown as ␝) instead of dropping it."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)

    def event(self, event: QEvent) -> bool:
        # Ctrl+] must reach keyPressEvent even if a window-wide shortcut would take it.
        if event.type() == QEvent.Type.ShortcutOverride and isinstance(event, QKeyEvent) and is_group_separator(event):
            event.accept()
            return True
        return super().event(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if is_group_separator(event):
            self.insert_separator()
            event.accept()
            return
        super().keyPressEvent(event)

    def insert_separator(self) -> None:
        self.insert(GS_SHOWN)

    def scanned_text(self) -> str:
        """The text with each shown ␝ turned back into the real group separator."""
        return self.text().replace(GS_SHOWN, GS)
