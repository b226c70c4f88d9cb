"""StayWidget: the clinic's counter, for stays (établissement de santé).

Patient, PEC and stay at the top, the lines with live amounts in the middle, the open stays
on the right and a bar at the bottom. A stay with its discharge date is invoiced and queued
at once (`services.stays.submit`); without one it is saved open (Ctrl+S) and invoiced later,
at discharge, from the list of open stays (`services.stays.discharge`).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from verifier import i18n
from verifier.domain import tariffs as t
from verifier.domain.care import Exemption, LineKind, Stay
from verifier.domain.care_guarantees import CareGuarantee, parse_guarantees
from verifier.domain.errors import Problem, ValidationError
from verifier.domain.states import ClaimKind
from verifier.formatting import format_day
from verifier.gui.clinic.base import ClinicForm, bold
from verifier.gui.clinic.care_lines import CareLinesPanel, Entry
from verifier.gui.clinic.common import PEC_FIELDS, PecPanel, day_of
from verifier.gui.clinic.drafts import (
    Payload,
    entries_of,
    entry_state,
    optional_text,
    part,
    pec_state,
    restore_pec,
    restore_stay,
    stay_state,
    text,
)
from verifier.gui.clinic.open_stays import OpenStaysList
from verifier.gui.clinic.stay_panel import STAY_FIELDS, StayPanel
from verifier.gui.counter.fields import keep_room_for_messages
from verifier.gui.counter.patient_panel import PATIENT_FIELDS
from verifier.gui.tasks import Task, error_sentence, run_task
from verifier.services import patients, stays, tariffs
from verifier.services.ceilings import Override
from verifier.services.claims import ClaimInfo
from verifier.services.context import Context
from verifier.services.counter import Submitted
from verifier.services.patients import PatientInfo
from verifier.services.stays import StayForm, StayInfo


def parsed_guarantees(texts: tuple[str, ...]) -> list[CareGuarantee]:
    try:
        return parse_guarantees(list(texts))
    except ValidationError:
        return []


def _open_stay(ctx: Context, claim_id: str) -> tuple[StayInfo, PatientInfo]:
    """An open stay and its patient, read off the GUI thread."""
    info = stays.get(ctx, claim_id)
    return info, patients.get(ctx, info.patient_id)


# Lines whose quantity follows the stay's dates.
PER_DAY = (LineKind.DAILY_CHARGE, *stays.PER_DAY_KINDS)


class StayWidget(ClinicForm):
    """Enter a stay, queue it (Ctrl+Entrée) or save it open (Ctrl+S); invoice an open stay at discharge.

    `own_shortcuts`: Ctrl+N and Ctrl+Entrée belong to this widget (alone, in tests); in the
    main window they are the shell's actions, which call `new_claim()` and `queue_claim()`.
    """

    def __init__(self, ctx: Context, parent: QWidget | None = None, own_shortcuts: bool = True) -> None:
        super().__init__(ctx, "stay", parent)
        self.tariffs: t.Tariffs | None = None
        self._tariff_task: Task | None = None
        self._load_task: Task | None = None
        self.discharging: StayInfo | None = None
        self._saving_open = False
        # A draft of a discharge: the date and lines typed, put back once the open stay is read.
        self._after_load: tuple[str, list[Entry]] | None = None
        self.pec = PecPanel(i18n.tr("Prise en charge (PEC)"))
        self.stay = StayPanel()
        self.lines = CareLinesPanel(stays.LINE_KINDS[ClaimKind.STAY])  # the kinds the service accepts
        self.open_stays = OpenStaysList(ctx)
        self.banner = QLabel()
        self.banner.setWordWrap(True)
        self.banner.hide()
        self.new_button = QPushButton(i18n.tr("Nouveau séjour (Ctrl+N)"))
        self.open_button = QPushButton(i18n.tr("Enregistrer sans sortie (Ctrl+S)"))
        self.open_button.setAccessibleName(i18n.tr("Enregistrer le séjour ouvert, à facturer à la sortie"))
        self.queue_button = bold(QPushButton(i18n.tr("Mettre en file (Ctrl+Entrée)")))
        self.queue_button.setAccessibleName(i18n.tr("Facturer le séjour et mettre la demande en file"))
        self.new_button.clicked.connect(self.new_claim)
        self.open_button.clicked.connect(self.save_open)
        self.queue_button.clicked.connect(self.queue_claim)

        top = QHBoxLayout()
        top.setSpacing(8)
        top.addWidget(self.patient, 15)
        top.addWidget(self.pec, 8)
        right = QVBoxLayout()
        right.setSpacing(4)
        right.addWidget(self.stay)
        right.addWidget(self.open_stays, 1)
        top.addLayout(right, 8)
        bar = QHBoxLayout()
        bar.addWidget(self.message, 1)
        for button in (self.new_button, self.open_button, self.queue_button):
            bar.addWidget(button, 0, Qt.AlignmentFlag.AlignBottom)
        rule = QFrame()
        rule.setFrameShape(QFrame.Shape.HLine)
        rule.setFrameShadow(QFrame.Shadow.Sunken)
        root = QVBoxLayout(self)
        root.setContentsMargins(8, 8, 8, 8)
        root.setSpacing(4)
        root.addLayout(top)
        root.addWidget(self.banner)
        root.addWidget(self.lines, 1)
        root.addWidget(rule)
        root.addLayout(bar)
        for panel in (self.patient, self.pec):
            keep_room_for_messages(panel, 2)

        for first, second in (
            (self.patient.to_edit, self.pec.first_input()),
            (self.pec.last_input(), self.stay.order[0]),
            (self.stay.order[-1], self.lines.kind_box),
            (self.lines.remove_button, self.queue_button),
            (self.queue_button, self.open_button),
            (self.open_button, self.new_button),
            (self.new_button, self.open_stays.list),
        ):
            QWidget.setTabOrder(first, second)

        self.lines.install_shortcuts(self)
        shortcuts: list[tuple[str, Any]] = [("Ctrl+S", self.save_open)]
        if own_shortcuts:
            shortcuts += [
                ("Ctrl+N", self.new_claim),
                ("Ctrl+Return", self.queue_claim),
                ("Ctrl+Enter", self.queue_claim),
            ]
        for key, slot in shortcuts:
            shortcut = QShortcut(QKeySequence(key), self)
            shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            shortcut.activated.connect(slot)

        self.pec.changed.connect(self.update_amounts)
        self.stay.dates_changed.connect(self.update_amounts)
        self.lines.changed.connect(self.update_amounts)
        self.open_stays.picked.connect(self.pick_open_stay)
        for signal in (self.pec.changed, self.stay.changed, self.stay.dates_changed, self.lines.changed):
            signal.connect(self.edited)
        self._tariff_task = run_task(tariffs.current, ctx, on_done=self._tariffs_loaded, on_failed=self._load_failed)
        self.refresh_directory()
        self.open_stays.refresh()
        self.restore_draft()
        self.patient.focus_search()

    # --- ClinicForm ----------------------------------------------------------------------

    def form_widgets(self) -> list[QWidget]:
        return [self.patient, self.pec, self.stay, self.lines, self.queue_button, self.open_button, self.new_button]

    def is_empty(self) -> bool:
        return (
            self.discharging is None
            and self.patient.is_empty()
            and self.pec.is_default()
            and self.stay.is_default()
            and self.lines.is_empty()
        )

    def reset_form(self) -> None:
        self.discharging = None
        self._after_load = None
        self._claim_id = None
        self.banner.hide()
        self.patient.clear()
        self.pec.clear()
        self.stay.clear()
        self.lines.clear()
        self._lock_for_discharge(False)
        self.update_amounts()

    def set_busy(self, busy: bool) -> None:
        super().set_busy(busy)
        if not busy:
            self._lock_for_discharge(self.discharging is not None)

    def show_problems(self, problems: list[Problem], warnings: list[Problem]) -> None:
        self.patient.fields.show(problems, PATIENT_FIELDS, [w for w in warnings if w.field in PATIENT_FIELDS])
        self.pec.fields.show(problems, PEC_FIELDS, [w for w in warnings if w.field in PEC_FIELDS])
        self.stay.fields.show(problems, STAY_FIELDS, [w for w in warnings if w.field in STAY_FIELDS])
        self.lines.show_problems(problems)
        for p in problems:
            if p.line is None and (
                self.patient.fields.focus_first([p.field or ""])
                or self.pec.fields.focus_first([p.field or ""])
                or self.stay.fields.focus_first([p.field or ""])
            ):
                return
        if any(p.line is not None for p in problems):
            self.lines.table.setFocus()

    # --- drafts --------------------------------------------------------------------------

    def draft_state(self) -> Payload:
        data: Payload = {
            "patient": self.patient.state(),
            "pec": pec_state(self.pec),
            "stay": stay_state(self.stay),
            "lines": [entry_state(e) for e in self.lines.model.entries],
        }
        if self.discharging is not None:
            data["discharging"] = self.discharging.claim_id
        return data

    def apply_draft(self, data: Payload) -> bool:
        entries = entries_of(data.get("lines"), self.lines.kinds)
        stay = part(data, "stay")
        discharging = optional_text(data, "discharging")
        if discharging is not None:
            # The stored stay is read again, as when it is picked from the list; then what
            # was typed for its discharge goes back. Until then a save keeps this draft.
            self._after_load = (text(stay, "discharge"), entries)
            self._pending_draft = data
            self._load_open_stay(discharging)
            return False
        self.patient.restore(part(data, "patient"))
        restore_pec(self.pec, part(data, "pec"))
        restore_stay(self.stay, stay)
        self.lines.model.set_entries(entries)
        self.update_amounts()
        return True

    # --- amounts as the user types -------------------------------------------------------

    def _tariffs_loaded(self, values: t.Tariffs) -> None:
        self._tariff_task = None
        self.tariffs = values
        self.update_amounts()

    def _load_failed(self, exc: BaseException) -> None:
        self._tariff_task = None
        self.say(error_sentence(exc), True)

    def preview_stay(self) -> Stay | None:
        """The stay the amounts are shown for: to the discharge, else the planned one, else one day."""
        admission, discharge, planned = self.stay.quiet_dates()
        if admission is None:
            return None
        end = discharge or planned or admission
        if end < admission:
            return None
        return Stay(
            admission,
            end,
            psychiatry=self.stay.psychiatry_box.isChecked(),
            exemption=Exemption(str(self.stay.exemption_box.currentData())),
        )

    def update_amounts(self) -> None:
        self.lines.update_amounts(self.preview_stay(), parsed_guarantees(self.pec.guarantees()), self.tariffs)

    # --- queueing ------------------------------------------------------------------------

    def _form(self, open_stay: bool) -> tuple[StayForm | None, list[Problem], list[Problem]]:
        problems, warnings = self.patient.problems()
        today = date.today()
        pec = self.pec.fields_of(problems, today)
        fields = self.stay.fields_of(problems)
        if fields is not None and open_stay:
            if fields.discharge is not None:
                problems.append(Problem("clinic.open_with_discharge", {}, "discharge"))
        elif fields is not None and fields.discharge is None:
            problems.append(Problem("clinic.discharge_missing", {}, "discharge"))
        if fields is None or problems:
            return None, problems, warnings
        form = StayForm(
            ClaimKind.STAY, self.patient.patient_input(), pec, fields, self.lines.lines(), claim_id=self.claim_id()
        )
        return form, problems, warnings

    def queue_claim(self) -> None:
        """Ctrl+Entrée: invoice and queue the stay (or the open stay being discharged)."""
        if self.busy:
            return
        if self.discharging is not None:
            self._discharge()
            return
        form, problems, warnings = self._form(open_stay=False)
        if form is None:
            self.refuse(problems, warnings)
            return
        self._saving_open = False
        self.start(lambda override: (stays.submit, (self.ctx, _with(form, override))), None)

    def save_open(self) -> None:
        """Ctrl+S: record the stay and its PEC now; the invoice is made at discharge."""
        if self.busy or self.discharging is not None:
            return
        form, problems, warnings = self._form(open_stay=True)
        if form is None:
            self.refuse(problems, warnings)
            return
        self._saving_open = True
        self.start(lambda override: (stays.submit, (self.ctx, _with(form, override))), None)

    def finished(self, out: Submitted) -> None:
        super().finished(out)
        self.open_stays.refresh()

    def done_sentence(self, claim: ClaimInfo) -> str:
        if self._saving_open:
            return i18n.tr(
                "Séjour n° {number} enregistré ouvert : à la sortie, choisissez-le dans les séjours à facturer.",
                number=claim.number_text,
            )
        return super().done_sentence(claim)

    # --- discharge -----------------------------------------------------------------------

    def pick_open_stay(self, claim_id: str) -> None:
        if self.busy or self._load_task is not None:
            return
        if not self.is_empty() and not self.confirm_discard():
            return
        self._load_open_stay(claim_id)

    def _load_open_stay(self, claim_id: str) -> None:
        self._load_task = run_task(
            _open_stay, self.ctx, claim_id, on_done=self._stay_loaded, on_failed=self._pick_failed
        )

    def _pick_failed(self, exc: BaseException) -> None:
        self._load_task = None
        self._after_load = None  # the draft itself is kept while nothing else is typed
        self.say(error_sentence(exc), True)

    def _stay_loaded(self, loaded: tuple[StayInfo, PatientInfo]) -> None:
        info, _patient = loaded
        self._load_task = None
        after, self._after_load = self._after_load, None
        if after is None:
            self._show_open_stay(loaded)
            return
        if not info.is_open:  # invoiced meanwhile (on another computer, say): the draft is no longer of use
            self.forget_draft()
            self.say(i18n.tr("Le séjour dont la sortie était en cours de saisie est déjà facturé."), False)
            return
        discharge, entries = after
        self._restoring = True
        try:
            self._show_open_stay(loaded)
            self.stay.discharge_edit.setText(discharge)
            self.lines.model.set_entries(entries)
            self.update_amounts()
        finally:
            self._restoring = False
        self._pending_draft = None
        self.draft_restored()

    def _show_open_stay(self, loaded: tuple[StayInfo, PatientInfo]) -> None:
        """The open stay picked, on the form, for its discharge."""
        info, patient = loaded
        self.reset_form()
        self.discharging = info
        self.patient.select_patient(patient)  # whose stay it is, in full, before anything is typed
        s = self.stay
        s.entry_edit.setText(info.entry_number or "")
        s.admission_edit.setText(format_day(info.admission))
        s.planned_edit.setText(format_day(info.planned_discharge) if info.planned_discharge else "")
        s.mode_edit.setText(info.mode)
        s.dmt_edit.setText(info.dmt)
        s.exemption_box.setCurrentIndex(max(0, s.exemption_box.findData(info.exemption.value)))
        s.psychiatry_box.setChecked(info.psychiatry)
        self.pec.method_box.setCurrentIndex(max(0, self.pec.method_box.findData(info.pec_method.value)))
        self.pec.number_edit.setText(info.pec_number or "")
        self.pec.obtained_edit.setText(format_day(info.pec_obtained_on))
        self.pec.valid_edit.setText(format_day(info.pec_valid_until) if info.pec_valid_until else "")
        self.pec.guarantees_edit.setPlainText("\n".join(info.guarantees))
        # The lines stored with the open stay; the per-day ones follow the real dates from now on.
        self.lines.model.set_entries([Entry(line.as_line(), line.kind in PER_DAY) for line in info.lines])
        self.banner.setText(
            i18n.tr(
                "Sortie du séjour de {patient}, entré(e) le {admission} : saisissez la date de sortie et les lignes, puis Ctrl+Entrée. Ctrl+N abandonne.",
                patient=patient.display_name,
                admission=format_day(info.admission),
            )
        )
        self.banner.show()
        self._lock_for_discharge(True)
        self.update_amounts()
        s.discharge_edit.setFocus(Qt.FocusReason.OtherFocusReason)

    def _lock_for_discharge(self, locked: bool) -> None:
        """At discharge only the discharge date and the lines can change: the rest is stored."""
        self.patient.setEnabled(not locked)
        self.pec.setEnabled(not locked)
        self.open_button.setEnabled(not locked)
        for widget in self.stay.order:
            widget.setEnabled(not locked or widget is self.stay.discharge_edit)

    def _discharge(self) -> None:
        info = self.discharging
        assert info is not None
        problems: list[Problem] = []
        day = day_of(self.stay.discharge_edit.text(), "discharge", problems, required=True)
        if day is None:
            self.refuse(problems, [])
            return
        lines = self.lines.lines()
        self._saving_open = False
        self.start(lambda override: (stays.discharge, (self.ctx, info.claim_id, day, lines, override)), None)


def _with(form: StayForm, override: Override | None) -> StayForm:
    return replace(form, override=override)


i18n.register(
    {
        "clinic.discharge_missing": i18n.N_(
            "Saisissez la date de sortie pour facturer le séjour, ou enregistrez-le sans sortie (Ctrl+S)."
        ),
        "clinic.open_with_discharge": i18n.N_(
            "Un séjour ouvert n'a pas encore de date de sortie : videz ce champ, ou mettez le séjour en file (Ctrl+Entrée)."
        ),
    }
)
