"""The stay: entry number, dates, mode de traitement, DMT, exemption, psychiatry."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QCheckBox, QComboBox, QGridLayout, QGroupBox, QLineEdit, QWidget

from verifier import i18n
from verifier.domain.care import Exemption
from verifier.domain.errors import Problem
from verifier.gui.clinic.common import day_of
from verifier.gui.counter.fields import FieldSet
from verifier.services.stays import StayFields

STAY_FIELDS = ("entry_number", "admission", "discharge", "planned_discharge", "mode", "dmt", "exemption")
EXEMPTIONS: tuple[tuple[Exemption, str], ...] = (
    (Exemption.NONE, i18n.N_("Aucune")),
    (Exemption.ALD, i18n.N_("ALD")),
    (Exemption.MATERNITY, i18n.N_("Maternité")),
    (Exemption.NEWBORN, i18n.N_("Nouveau-né")),
    (Exemption.WORK_ACCIDENT, i18n.N_("Accident du travail")),
    (Exemption.SOLIDARITY, i18n.N_("C2S, AME")),
    (Exemption.FROM_DAY_31, i18n.N_("À partir du 31e jour")),
)


class StayPanel(QGroupBox):
    changed = Signal()
    dates_changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(i18n.tr("Séjour"), parent)
        self.entry_edit = QLineEdit()
        self.entry_edit.setMaxLength(20)
        self.admission_edit = QLineEdit()
        self.discharge_edit = QLineEdit()
        self.planned_edit = QLineEdit()
        for edit in (self.admission_edit, self.discharge_edit, self.planned_edit):
            edit.setPlaceholderText(i18n.tr("jj/mm/aaaa"))
        self.discharge_edit.setToolTip(i18n.tr("Vide : le séjour reste ouvert, facturé à la sortie."))
        self.mode_edit = QLineEdit("03")
        self.mode_edit.setMaxLength(2)
        self.mode_edit.setToolTip(i18n.tr("03 hospitalisation complète, 04 hôpital de jour, 23 chirurgie ambulatoire"))
        self.dmt_edit = QLineEdit()
        self.dmt_edit.setMaxLength(3)
        self.exemption_box = QComboBox()
        for value, text in EXEMPTIONS:
            self.exemption_box.addItem(i18n.tr(text), value.value)
        self.psychiatry_box = QCheckBox(i18n.tr("Service de psychiatrie"))
        wide = self.fontMetrics().horizontalAdvance("00/00/00000") + 16
        for edit in (self.entry_edit, self.admission_edit, self.discharge_edit, self.planned_edit):
            edit.setMinimumWidth(wide)
        for edit in (self.mode_edit, self.dmt_edit):
            edit.setMaximumWidth(self.fontMetrics().horizontalAdvance("0000") + 16)
        grid = QGridLayout(self)
        grid.setHorizontalSpacing(8)
        grid.setVerticalSpacing(2)
        grid.setColumnStretch(1, 1)
        grid.setColumnStretch(3, 1)
        self.fields = FieldSet(self)
        f = self.fields
        f.add(
            "entry_number", i18n.tr("N° d'&entrée :"), self.entry_edit, i18n.tr("Numéro d'entrée du séjour"), grid, 0, 0
        )
        f.add(
            "exemption",
            i18n.tr("E&xonération :"),
            self.exemption_box,
            i18n.tr("Exonération du ticket modérateur"),
            grid,
            0,
            2,
        )
        f.add("admission", i18n.tr("Admi&ssion :"), self.admission_edit, i18n.tr("Date d'admission"), grid, 2, 0)
        f.add(
            "discharge",
            i18n.tr("Sortie :"),
            self.discharge_edit,
            i18n.tr("Date de sortie ; vide tant que le patient est hospitalisé"),
            grid,
            2,
            2,
        )
        f.add(
            "planned_discharge",
            i18n.tr("Sortie pré&vue :"),
            self.planned_edit,
            i18n.tr("Date de sortie prévue (facultatif)"),
            grid,
            4,
            0,
        )
        f.add(
            "mode",
            i18n.tr("MT :"),
            self.mode_edit,
            i18n.tr("Mode de traitement, deux chiffres : 03, 04 ou 23"),
            grid,
            4,
            2,
        )
        f.add(
            "dmt", i18n.tr("DMT :"), self.dmt_edit, i18n.tr("Discipline médico-tarifaire, trois chiffres"), grid, 6, 0
        )
        grid.addWidget(self.psychiatry_box, 6, 3)
        order = [
            self.entry_edit,
            self.admission_edit,
            self.discharge_edit,
            self.planned_edit,
            self.mode_edit,
            self.dmt_edit,
            self.exemption_box,
            self.psychiatry_box,
        ]
        for first, second in zip(order, order[1:]):
            QWidget.setTabOrder(first, second)
        self.order = order
        for edit in (self.entry_edit, self.mode_edit, self.dmt_edit):
            edit.textChanged.connect(lambda _t: self.changed.emit())
        for edit in (self.admission_edit, self.discharge_edit, self.planned_edit):
            edit.textChanged.connect(lambda _t: self.dates_changed.emit())
        self.exemption_box.currentIndexChanged.connect(lambda _i: self.dates_changed.emit())
        self.psychiatry_box.toggled.connect(lambda _b: self.dates_changed.emit())

    def fields_of(self, problems: list[Problem]) -> StayFields | None:
        admission = day_of(self.admission_edit.text(), "admission", problems, required=True)
        discharge = day_of(self.discharge_edit.text(), "discharge", problems)
        planned = day_of(self.planned_edit.text(), "planned_discharge", problems)
        if admission is None:
            return None
        return StayFields(
            admission,
            discharge,
            planned,
            self.entry_edit.text().strip(),
            self.mode_edit.text().strip(),
            self.dmt_edit.text().strip(),
            str(self.exemption_box.currentData()),
            self.psychiatry_box.isChecked(),
        )

    def quiet_dates(self) -> tuple[date | None, date | None, date | None]:
        """(admission, discharge, planned discharge) as far as they read, for the live amounts."""
        found: list[Problem] = []
        return (
            day_of(self.admission_edit.text(), "admission", found),
            day_of(self.discharge_edit.text(), "discharge", found),
            day_of(self.planned_edit.text(), "planned_discharge", found),
        )

    def clear(self) -> None:
        for edit in (self.entry_edit, self.admission_edit, self.discharge_edit, self.planned_edit, self.dmt_edit):
            edit.clear()
        self.mode_edit.setText("03")
        self.exemption_box.setCurrentIndex(0)
        self.psychiatry_box.setChecked(False)
        self.fields.clear()

    def is_default(self) -> bool:
        return (
            not any(
                e.text().strip()
                for e in (self.entry_edit, self.admission_edit, self.discharge_edit, self.planned_edit, self.dmt_edit)
            )
            and self.mode_edit.text() == "03"
            and self.exemption_box.currentIndex() == 0
            and not self.psychiatry_box.isChecked()
        )
