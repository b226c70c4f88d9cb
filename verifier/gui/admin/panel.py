"""AdminPanel (stub, to be filled)."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from verifier.services.context import Context


class AdminPanel(QWidget):
    """Insurers and operators, users and roles, drug reference, settings (administrators).

    Contract with the main window:
    - `settings_changed()` after the site settings (ceilings, idle lock) were saved;
    - `language_changed(str)` with "fr" or "en" after the user picked a language (the
      shell rebuilds its widgets in that language);
    - `changed()` when directory data changed (the counter's insurer list, operators down).
    """

    settings_changed = Signal()
    language_changed = Signal(str)
    changed = Signal()

    def __init__(self, ctx: Context, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        QVBoxLayout(self).addWidget(QLabel("…"))

    def refresh(self) -> None:
        pass
