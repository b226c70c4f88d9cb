"""What the site does (officine, établissement de santé, centre de santé): three boxes in a row,
used by the set-up assistant and the settings page."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QCheckBox, QHBoxLayout, QWidget

from verifier import i18n
from verifier.services.settings import ACTIVITIES, CENTRE, CLINIC, PHARMACY

LABELS = {
    PHARMACY: i18n.N_("Officine"),
    CLINIC: i18n.N_("Établissement de santé (séjours)"),
    CENTRE: i18n.N_("Centre de santé (consultations)"),
}


class ActivitiesBox(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.boxes = {a: QCheckBox(i18n.tr(LABELS[a])) for a in ACTIVITIES}
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        for box in self.boxes.values():
            row.addWidget(box)
        row.addStretch(1)
        self.set_chosen((PHARMACY,))
        # The label's shortcut lands on the first box (QLabel gives focus only to a buddy that
        # accepts it; the proxy then takes it).
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setFocusProxy(self.boxes[PHARMACY])

    def chosen(self) -> tuple[str, ...]:
        return tuple(a for a, box in self.boxes.items() if box.isChecked())

    def set_chosen(self, activities: tuple[str, ...]) -> None:
        for a, box in self.boxes.items():
            box.setChecked(a in activities)
