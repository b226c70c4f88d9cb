"""QueueView (stub, to be filled)."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from verifier.services.context import Context


class QueueView(QWidget):
    """The table of claims with its filters and search, and the claim dialog.

    Contract with the main window:
    - `changed()` is emitted when a claim was corrected, voided or rectified;
    - `focus_search()` (Ctrl+F) puts the cursor in the search field; `refresh()` reloads.
    """

    changed = Signal()

    def __init__(self, ctx: Context, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        QVBoxLayout(self).addWidget(QLabel("…"))

    def focus_search(self) -> None:
        pass

    def refresh(self) -> None:
        pass
