"""The open stays (a draft claim whose stay has no discharge date yet), to invoice at discharge."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QGroupBox, QLabel, QListWidget, QListWidgetItem, QVBoxLayout, QWidget

from verifier import i18n
from verifier.formatting import format_day
from verifier.gui.tasks import Task, error_sentence, run_task
from verifier.services import stays
from verifier.services.context import Context
from verifier.services.stays import OpenStay

ID_ROLE = Qt.ItemDataRole.UserRole + 1


class OpenStaysList(QGroupBox):
    """Enter (or a double click) on a stay loads it for its invoice at discharge."""

    picked = Signal(str)  # the claim id

    def __init__(self, ctx: Context, parent: QWidget | None = None) -> None:
        super().__init__(i18n.tr("Séjours ouverts"), parent)
        self.ctx = ctx
        self._task: Task | None = None
        self.list = QListWidget()
        self.list.setAccessibleName(i18n.tr("Séjours ouverts, à facturer à la sortie"))
        label = QLabel(i18n.tr("Sé&jours à facturer :"))
        label.setBuddy(self.list)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 4, 6, 4)
        layout.setSpacing(2)
        layout.addWidget(label)
        layout.addWidget(self.list, 1)
        self.list.itemActivated.connect(self._activated)

    def refresh(self) -> None:
        if self._task is not None:
            return
        self._task = run_task(stays.list_open, self.ctx, on_done=self._loaded, on_failed=self._failed)

    def _loaded(self, found: list[OpenStay]) -> None:
        self._task = None
        self.list.clear()
        for stay in found:
            text = i18n.tr(
                "n° {number} – {patient} – entré(e) le {admission}",
                number=stay.number_text,
                patient=stay.patient_name,
                admission=format_day(stay.admission),
            )
            if stay.entry_number:  # the clinic's own number, as its staff know the stay
                text += f" ({stay.entry_number})"
            item = QListWidgetItem(text)
            item.setData(ID_ROLE, stay.claim_id)
            self.list.addItem(item)
        if not found:
            item = QListWidgetItem(i18n.tr("Aucun séjour ouvert."))
            item.setFlags(Qt.ItemFlag.NoItemFlags)
            self.list.addItem(item)
        elif self.list.currentRow() < 0:
            self.list.setCurrentRow(0)

    def _failed(self, exc: BaseException) -> None:
        self._task = None
        self.list.clear()
        self.list.addItem(error_sentence(exc))

    def _activated(self, item: QListWidgetItem) -> None:
        claim_id = item.data(ID_ROLE)
        if isinstance(claim_id, str):
            self.picked.emit(claim_id)
