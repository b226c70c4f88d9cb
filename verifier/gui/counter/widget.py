"""CounterWidget: the main flow (stub, to be filled)."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from verifier.services.context import Context


class CounterWidget(QWidget):
    """Record a check and a claim for the patient at the counter.

    Contract with the main window:
    - `queued(str)` is emitted with the claim id after a claim is queued (the shell refreshes
      the queue figures); `changed()` when anything stored changed.
    - `new_claim()` (Ctrl+N), `queue_claim()` (Ctrl+Enter), `print_receipt()` (Ctrl+P) are the
      shell's actions; `save_draft_now()` is called before locking, switching user or closing.
    """

    queued = Signal(str)
    changed = Signal()

    def __init__(self, ctx: Context, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        QVBoxLayout(self).addWidget(QLabel("…"))

    def new_claim(self) -> None:
        pass

    def queue_claim(self) -> None:
        pass

    def print_receipt(self) -> None:
        pass

    def save_draft_now(self) -> None:
        pass
