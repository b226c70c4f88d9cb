"""ConsultationWidget: the centre de santé's counter, for a consultation or an act outside a stay.

Patient, check (method, reference, guarantee), the day and the act(s); queueing is one
service call (`services.stays.submit` with a consultation), as for a stay.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QCheckBox,
    QFrame,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from verifier import i18n
from verifier.domain import tariffs as t
from verifier.domain.care import Stay
from verifier.domain.care_guarantees import parse_guarantees
from verifier.domain.errors import Problem, ValidationError
from verifier.domain.states import ClaimKind
from verifier.formatting import format_day
from verifier.gui.clinic.base import ClinicForm, bold
from verifier.gui.clinic.care_lines import CareLinesPanel
from verifier.gui.clinic.common import PEC_FIELDS, PecPanel, day_of
from verifier.gui.clinic.drafts import Payload, entries_of, entry_state, flag, part, pec_state, restore_pec, text
from verifier.gui.counter.fields import FieldSet, keep_room_for_messages
from verifier.gui.counter.patient_panel import PATIENT_FIELDS
from verifier.gui.tasks import Task, error_sentence, run_task
from verifier.services import stays, tariffs
from verifier.services.context import Context
from verifier.services.stays import StayFields, StayForm

DAY_FIELDS = ("admission", "discharge")


class ConsultationWidget(ClinicForm):
    """Enter a consultation and queue it (Ctrl+Entrée); Ctrl+N clears the form."""

    def __init__(self, ctx: Context, parent: QWidget | None = None, own_shortcuts: bool = True) -> None:
        super().__init__(ctx, "consultation", parent)
        self.tariffs: t.Tariffs | None = None
        self._tariff_task: Task | None = None
        self.pec = PecPanel(i18n.tr("Vérification des droits"), consultation=True)
        self.day_box = QGroupBox(i18n.tr("Consultation"))
        self.day_edit = QLineEdit(format_day(date.today()))
        self.day_edit.setPlaceholderText(i18n.tr("jj/mm/aaaa"))
        self.under_18_box = QCheckBox(i18n.tr("Patient de moins de 18 ans"))
        grid = QGridLayout(self.day_box)
        grid.setColumnStretch(1, 1)
        self.day_fields = FieldSet(self.day_box)
        self.day_fields.add(
            "admission", i18n.tr("&Jour de l'acte :"), self.day_edit, i18n.tr("Date de la consultation"), grid, 0, 0
        )
        grid.addWidget(self.under_18_box, 2, 1)
        self.lines = CareLinesPanel(stays.LINE_KINDS[ClaimKind.CONSULTATION])
        self.new_button = QPushButton(i18n.tr("Nouvelle consultation (Ctrl+N)"))
        self.queue_button = bold(QPushButton(i18n.tr("Mettre en file (Ctrl+Entrée)")))
        self.queue_button.setAccessibleName(i18n.tr("Enregistrer la vérification et mettre la demande en file"))
        self.new_button.clicked.connect(self.new_claim)
        self.queue_button.clicked.connect(self.queue_claim)

        right = QVBoxLayout()
        right.addWidget(self.pec)
        right.addWidget(self.day_box)
        right.addStretch(1)
        top = QHBoxLayout()
        top.setSpacing(8)
        top.addWidget(self.patient, 11)
        top.addLayout(right, 9)
        bar = QHBoxLayout()
        bar.addWidget(self.message, 1)
        for button in (self.new_button, self.queue_button):
            bar.addWidget(button, 0, Qt.AlignmentFlag.AlignBottom)
        rule = QFrame()
        rule.setFrameShape(QFrame.Shape.HLine)
        rule.setFrameShadow(QFrame.Shadow.Sunken)
        root = QVBoxLayout(self)
        root.setContentsMargins(8, 8, 8, 8)
        root.setSpacing(6)
        root.addLayout(top)
        root.addWidget(self.lines, 1)
        root.addWidget(rule)
        root.addLayout(bar)
        keep_room_for_messages(self.patient, 2)
        for first, second in (
            (self.patient.to_edit, self.pec.first_input()),
            (self.pec.last_input(), self.day_edit),
            (self.day_edit, self.under_18_box),
            (self.under_18_box, self.lines.kind_box),
            (self.lines.remove_button, self.queue_button),
            (self.queue_button, self.new_button),
        ):
            QWidget.setTabOrder(first, second)
        if own_shortcuts:
            for key, slot in (
                ("Ctrl+N", self.new_claim),
                ("Ctrl+Return", self.queue_claim),
                ("Ctrl+Enter", self.queue_claim),
            ):
                shortcut = QShortcut(QKeySequence(key), self)
                shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
                shortcut.activated.connect(slot)
        self.pec.changed.connect(self.update_amounts)
        self.day_edit.textChanged.connect(lambda _t: self.update_amounts())
        self.under_18_box.toggled.connect(lambda _b: self.update_amounts())
        self.lines.changed.connect(self.update_amounts)
        self.pec.changed.connect(self.edited)
        self.day_edit.textChanged.connect(lambda _t: self.edited())
        self.under_18_box.toggled.connect(lambda _b: self.edited())
        self.lines.changed.connect(self.edited)
        self._tariff_task = run_task(tariffs.current, ctx, on_done=self._tariffs_loaded, on_failed=self._load_failed)
        self.refresh_directory()
        self.restore_draft()
        self.patient.focus_search()

    def _tariffs_loaded(self, values: t.Tariffs) -> None:
        self._tariff_task = None
        self.tariffs = values
        self.update_amounts()

    def _load_failed(self, exc: BaseException) -> None:
        self._tariff_task = None
        self.say(error_sentence(exc), True)

    def update_amounts(self) -> None:
        found: list[Problem] = []
        day = day_of(self.day_edit.text(), "admission", found)
        try:
            guarantees = parse_guarantees(list(self.pec.guarantees()))
        except ValidationError:
            guarantees = []
        stay = Stay(day, day, under_18=self.under_18_box.isChecked()) if day else None
        self.lines.update_amounts(stay, guarantees, self.tariffs)

    # --- ClinicForm ----------------------------------------------------------------------

    def form_widgets(self) -> list[QWidget]:
        return [self.patient, self.pec, self.day_box, self.lines, self.queue_button, self.new_button]

    def is_empty(self) -> bool:
        return self.patient.is_empty() and self.pec.is_default() and self.lines.is_empty()

    def reset_form(self) -> None:
        self._claim_id = None
        self.patient.clear()
        self.pec.clear()
        self.day_edit.setText(format_day(date.today()))
        self.under_18_box.setChecked(False)
        self.day_fields.clear()
        self.lines.clear()
        self.update_amounts()

    def draft_state(self) -> Payload:
        return {
            "patient": self.patient.state(),
            "pec": pec_state(self.pec),
            "day": self.day_edit.text(),
            "under_18": self.under_18_box.isChecked(),
            "lines": [entry_state(e) for e in self.lines.model.entries],
        }

    def apply_draft(self, data: Payload) -> bool:
        entries = entries_of(data.get("lines"), self.lines.kinds)
        self.patient.restore(part(data, "patient"))
        restore_pec(self.pec, part(data, "pec"))
        self.day_edit.setText(text(data, "day", format_day(date.today())))
        self.under_18_box.setChecked(flag(data, "under_18"))
        self.lines.model.set_entries(entries)
        self.update_amounts()
        return True

    def show_problems(self, problems: list[Problem], warnings: list[Problem]) -> None:
        self.patient.fields.show(problems, PATIENT_FIELDS, [w for w in warnings if w.field in PATIENT_FIELDS])
        self.pec.fields.show(problems, PEC_FIELDS, [w for w in warnings if w.field in PEC_FIELDS])
        day = [replace(p, field="admission") if p.field in DAY_FIELDS else p for p in problems]
        self.day_fields.show(day, ["admission"])
        self.lines.show_problems(problems)
        for p in problems:
            if p.line is None and (
                self.patient.fields.focus_first([p.field or ""])
                or self.pec.fields.focus_first([p.field or ""])
                or self.day_fields.focus_first([p.field or ""])
            ):
                return

    def queue_claim(self) -> None:
        if self.busy:
            return
        problems, warnings = self.patient.problems()
        today = date.today()
        pec = self.pec.fields_of(problems, today)
        day = day_of(self.day_edit.text(), "admission", problems, required=True)
        if day is None or problems:
            self.refuse(problems, warnings)
            return
        form = StayForm(
            ClaimKind.CONSULTATION,
            self.patient.patient_input(),
            replace(pec, obtained_on=day),
            StayFields(day, day, under_18=self.under_18_box.isChecked()),
            self.lines.lines(),
            claim_id=self.claim_id(),
        )
        self.start(lambda override: (stays.submit, (self.ctx, replace(form, override=override))), None)


__all__ = ["ConsultationWidget"]
