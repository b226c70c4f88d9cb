"""The queue's search field and filters (status, insurer, period), giving a `Search`."""

from __future__ import annotations

import calendar
from datetime import date, timedelta

from PySide6.QtCore import QDate, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QWidget,
)

from verifier import i18n
from verifier.domain.states import ClaimStatus
from verifier.gui.queue.model import status_text
from verifier.services.directory import InsurerInfo
from verifier.services.queue import Search

i18n.register(
    {
        "queue.search": i18n.NP_("queue", "&Rechercher :"),
        "queue.status": i18n.N_("Statu&t :"),
        "queue.insurer": i18n.NP_("queue", "&Organisme :"),
        "queue.period": i18n.N_("&Période :"),
        "queue.period.all": i18n.N_("Toutes les dates"),
        "queue.period.today": i18n.N_("Aujourd'hui"),
        "queue.period.7d": i18n.N_("Les 7 derniers jours"),
        "queue.period.30d": i18n.N_("Les 30 derniers jours"),
        "queue.period.month": i18n.N_("Ce mois-ci"),
        "queue.period.last_month": i18n.N_("Le mois dernier"),
        "queue.period.year": i18n.N_("Cette année"),
        "queue.period.custom": i18n.N_("Dates choisies"),
        "queue.from": i18n.N_("&Du :"),
        "queue.from_a11y": i18n.N_("Délivrées à partir du"),
        "queue.to": i18n.N_("A&u :"),
        "queue.to_a11y": i18n.N_("Délivrées jusqu'au"),
    }
)

NO_DATE = QDate(1900, 1, 1)
PERIODS = ("all", "today", "7d", "30d", "month", "last_month", "year", "custom")


def period_dates(period: str, today: date) -> tuple[date | None, date | None]:
    """The first and last dispensing dates of a preset period (None: no bound)."""
    if period == "today":
        return today, today
    if period == "7d":
        return today - timedelta(days=6), today
    if period == "30d":
        return today - timedelta(days=29), today
    if period == "month":
        return today.replace(day=1), today
    if period == "last_month":
        last = today.replace(day=1) - timedelta(days=1)
        return last.replace(day=1), last.replace(day=calendar.monthrange(last.year, last.month)[1])
    if period == "year":
        return today.replace(month=1, day=1), today
    return None, None


class _SearchEdit(QLineEdit):
    """Escape clears the text; Down arrow asks to move into the list."""

    down = Signal()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key.Key_Escape and self.text():
            self.clear()
            return
        if event.key() == Qt.Key.Key_Down:
            self.down.emit()
            return
        super().keyPressEvent(event)


class FilterBar(QWidget):
    """Search field and filters; `changed(Search)` on every keystroke or choice."""

    changed = Signal(object)

    def __init__(self, insurers: list[InsurerInfo], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.search_edit = _SearchEdit()
        self.search_edit.setPlaceholderText(i18n.tr("Nom du patient, n° de demande ou NIR complet"))
        self.search_edit.setToolTip(
            i18n.tr(
                "Un nom : les demandes des patients dont les noms commencent ainsi (« dur él »).\nDes chiffres (jusqu'à 9) : la demande de ce numéro.\nUn NIR complet (15 caractères) : les demandes de ce patient.\nÉchap efface, Flèche bas passe à la liste."
            )
        )
        self.search_edit.setAccessibleName(i18n.tr("Rechercher une demande"))
        self.search_edit.setClearButtonEnabled(True)
        self.status_combo = QComboBox()
        self.status_combo.setAccessibleName(i18n.tr("Statut des demandes"))
        self.status_combo.addItem(i18n.tr("Tous les statuts"), None)
        for status in ClaimStatus:
            self.status_combo.addItem(status_text(status), status.value)
        self.insurer_combo = QComboBox()
        self.insurer_combo.setAccessibleName(i18n.ptr("queue", "Organisme complémentaire"))
        self.insurer_combo.addItem(i18n.tr("Tous les organismes"), None)
        for ins in insurers:
            self.insurer_combo.addItem(i18n.tr("{name} ({amc})", name=ins.name, amc=ins.amc_number), ins.id)
        self.insurer_combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.period_combo = QComboBox()
        self.period_combo.setAccessibleName(i18n.tr("Période de délivrance"))
        for period in PERIODS:
            self.period_combo.addItem(i18n.say(f"queue.period.{period}"), period)
        today = QDate.currentDate()
        self.from_edit = self._date_edit("queue.from_a11y", today.addDays(-29))
        self.to_edit = self._date_edit("queue.to_a11y", today)
        self.clear_button = QPushButton(i18n.tr("&Effacer les filtres"))

        grid = QGridLayout(self)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.addWidget(self._label("queue.search", self.search_edit), 0, 0)
        top = QHBoxLayout()
        top.addWidget(self.search_edit, 1)
        top.addWidget(self.clear_button)
        grid.addLayout(top, 0, 1)
        bottom = QHBoxLayout()
        for key, widget in (
            ("queue.status", self.status_combo),
            ("queue.insurer", self.insurer_combo),
            ("queue.period", self.period_combo),
            ("queue.from", self.from_edit),
            ("queue.to", self.to_edit),
        ):
            if key != "queue.status":
                bottom.addSpacing(self.fontMetrics().averageCharWidth() * 2)
            bottom.addWidget(self._label(key, widget))
            bottom.addWidget(widget)
        bottom.addStretch(1)
        grid.addLayout(bottom, 1, 1)
        grid.setColumnStretch(1, 1)
        for first, second in (
            (self.search_edit, self.clear_button),
            (self.clear_button, self.status_combo),
            (self.status_combo, self.insurer_combo),
            (self.insurer_combo, self.period_combo),
            (self.period_combo, self.from_edit),
            (self.from_edit, self.to_edit),
        ):
            QWidget.setTabOrder(first, second)

        self._quiet = False
        self._set_period_dates()
        self.search_edit.textChanged.connect(self._emit)
        self.status_combo.currentIndexChanged.connect(self._emit)
        self.insurer_combo.currentIndexChanged.connect(self._emit)
        self.period_combo.currentIndexChanged.connect(self._period_changed)
        self.from_edit.dateChanged.connect(self._dates_edited)
        self.to_edit.dateChanged.connect(self._dates_edited)
        self.clear_button.clicked.connect(self.clear)

    def _label(self, key: str, buddy: QWidget) -> QLabel:
        label = QLabel(i18n.say(key))
        label.setBuddy(buddy)
        return label

    def _date_edit(self, a11y: str, value: QDate) -> QDateEdit:
        edit = QDateEdit(value)
        # The lowest date stands for "no date" (all dates) and is shown blank.
        edit.setMinimumDate(NO_DATE)
        edit.setSpecialValueText(" ")
        edit.setDisplayFormat("dd/MM/yyyy")
        edit.setCalendarPopup(True)
        edit.setAccessibleName(i18n.say(a11y))
        edit.setEnabled(False)
        return edit

    def search(self) -> Search:
        status = self.status_combo.currentData()
        date_from, date_to = self.dates()
        return Search(
            statuses=(ClaimStatus(status),) if status else (),
            insurer_id=self.insurer_combo.currentData(),
            date_from=date_from,
            date_to=date_to,
            text=self.search_edit.text(),
        )

    def dates(self) -> tuple[date | None, date | None]:
        period = self.period_combo.currentData()
        if period == "custom":
            start, end = self._date(self.from_edit), self._date(self.to_edit)
            if start is not None and end is not None and start > end:
                return end, start
            return start, end
        return period_dates(period, date.today())

    @staticmethod
    def _date(edit: QDateEdit) -> date | None:
        value = edit.date()
        if value == NO_DATE:
            return None
        return date(value.year(), value.month(), value.day())

    def clear(self) -> None:
        self._quiet = True
        try:
            self.search_edit.clear()
            self.status_combo.setCurrentIndex(0)
            self.insurer_combo.setCurrentIndex(0)
            self.period_combo.setCurrentIndex(0)
        finally:
            self._quiet = False
        self._emit()
        self.search_edit.setFocus()

    def _period_changed(self) -> None:
        self._set_period_dates()
        self._emit()

    def _set_period_dates(self) -> None:
        custom = self.period_combo.currentData() == "custom"
        self.from_edit.setEnabled(custom)
        self.to_edit.setEnabled(custom)
        was, self._quiet = self._quiet, True
        try:
            if not custom:
                start, end = period_dates(self.period_combo.currentData(), date.today())
                self.from_edit.setDate(NO_DATE if start is None else QDate(start.year, start.month, start.day))
                self.to_edit.setDate(NO_DATE if end is None else QDate(end.year, end.month, end.day))
            elif self.from_edit.date() == NO_DATE:  # from "all dates": start with the last 30 days
                today = QDate.currentDate()
                self.from_edit.setDate(today.addDays(-29))
                self.to_edit.setDate(today)
        finally:
            self._quiet = was

    def _dates_edited(self) -> None:
        if self.period_combo.currentData() == "custom":
            self._emit()

    def _emit(self) -> None:
        if not self._quiet:
            self.changed.emit(self.search())
