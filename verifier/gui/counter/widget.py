"""CounterWidget: the main flow, on one keyboard-first screen.

Patient and coverage check at the top, the lines and their totals in the middle, a bar at
the bottom with what happened and the actions. Queueing is one action: the patient is
saved, the check recorded and the claim queued in one transaction, off the GUI thread
(`services.counter.submit`): a refusal stores none of them.

When the data server does not answer, nothing on the form is cleared: the counter says
so, and when the server answers again (the status strip probes it) the claim is queued
by itself if the form was left as it was, else Ctrl+Entrée queues it. The claim's id is
made once per form, so no retry can queue it twice.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime
from functools import partial

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from verifier import i18n
from verifier.domain.errors import DomainError, Problem, ValidationError
from verifier.domain.identifiers import parse_birth_date
from verifier.domain.money import format_eur
from verifier.domain.pharmacy_fees import on_call_context
from verifier.gui.counter.check_panel import CHECK_FIELDS, CheckPanel
from verifier.gui.counter.draft import DraftKeeper, Payload
from verifier.gui.counter.fields import keep_room_for_messages
from verifier.gui.counter.lines_panel import LINE_FIELDS, LinesPanel
from verifier.gui.counter.override_dialog import OVERRIDE_FIELDS, OverrideDialog
from verifier.gui.counter.patient_panel import PATIENT_FIELDS, PatientPanel
from verifier.gui.counter.receipt import ReceiptActions
from verifier.gui.tasks import Task, connection, error_sentence, error_style, run_task, server_unreachable
from verifier.services import checks, counter, directory, prescription_fees
from verifier.services.ceilings import CeilingExceeded, Override
from verifier.services.checks import CheckInfo
from verifier.services.claims import ClaimInfo
from verifier.services.context import Context
from verifier.services.counter import CheckFields, Form, Submitted
from verifier.services.directory import InsurerInfo, OperatorInfo

i18n.register({})

# Service field names that belong to another input on this screen.
_ALIASES = {"check": "outcome", "insurer": "amc_number", "amc": "lines"}
_ORDER = [*PATIENT_FIELDS, *CHECK_FIELDS, *LINE_FIELDS]


def _field(p: Problem) -> str:
    name = p.field or ""
    return name if p.line is not None else _ALIASES.get(name, name)


def _rank(p: Problem) -> tuple[int, int]:
    if p.line is not None:
        return _ORDER.index("lines"), p.line
    name = _field(p)
    if name in _ORDER:
        return _ORDER.index(name), 0
    return len(_ORDER), 0


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
        self.last_claim: ClaimInfo | None = None
        # The claim whose receipt the buttons give: the one just queued, while the form is
        # untouched. Any edit, a new claim or another attempt forgets it, so a receipt never
        # goes to the next patient (issue 9, point 2).
        self.receipt_claim: ClaimInfo | None = None
        self.receipt_patient = ""
        self.busy = False
        self.confirm_discard: Callable[[], bool] = self._ask_discard
        self._restoring = False
        self._task: Task | None = None
        self._insurer_task: Task | None = None
        self._operator_task: Task | None = None
        self._provisional_task: Task | None = None
        self._reuse_task: Task | None = None
        self._reuse_key: tuple[str, str] | None = None
        self._submission: Form | None = None
        self._claim_id: str | None = None  # made with the first draft or attempt, kept until the form is cleared
        self._edits = 0  # changes to the form so far
        self._unanswered: int | None = None  # `_edits` when queueing last failed for want of the server
        self.retry_when_back = True  # queue by itself when the server answers again, if nothing was changed
        self.override_dialog: OverrideDialog | None = None

        self.patient = PatientPanel(ctx)
        self.check = CheckPanel()
        self.lines = LinesPanel(ctx)
        self.receipts = ReceiptActions(ctx, self)
        self.receipts.said.connect(self._say)
        self.keeper = DraftKeeper(ctx, self._payload, self)
        self.keeper.failed.connect(self._draft_failed)
        connection.changed.connect(self._server_changed)

        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setAccessibleName(i18n.tr("Messages du comptoir"))
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.message.setMinimumHeight(self.message.fontMetrics().lineSpacing() * 2)
        self.new_button = QPushButton(i18n.tr("Nouveau patient (Ctrl+N)"))
        self.new_button.clicked.connect(self.new_claim)
        self.save_receipt_button = QPushButton(i18n.tr("&Enregistrer le reçu…"))
        self.save_receipt_button.setAccessibleName(
            i18n.tr("Enregistrer le reçu de la dernière demande dans un fichier")
        )
        self.save_receipt_button.clicked.connect(self.save_receipt)
        self.print_button = QPushButton(i18n.tr("Imprimer le reçu (Ctrl+P)"))
        self.print_button.setAccessibleName(i18n.tr("Ouvrir le reçu de la dernière demande pour l'imprimer"))
        self.print_button.clicked.connect(self.print_receipt)
        self.queue_button = QPushButton(i18n.tr("Mettre en file (Ctrl+Entrée)"))
        self.queue_button.setAccessibleName(i18n.tr("Enregistrer la vérification et mettre la demande en file"))
        self.queue_button.clicked.connect(self.queue_claim)
        font = self.queue_button.font()
        font.setBold(True)
        self.queue_button.setFont(font)
        self._receipt_buttons(False)

        top = QHBoxLayout()
        top.setSpacing(8)
        top.addWidget(self.patient, 11)
        top.addWidget(self.check, 9)
        bar = QHBoxLayout()
        bar.setSpacing(8)
        bar.addWidget(self.message, 1)
        for button in (self.new_button, self.save_receipt_button, self.print_button, self.queue_button):
            bar.addWidget(button, 0, Qt.AlignmentFlag.AlignBottom)
        line = QFrame()
        line.setFrameShape(QFrame.Shape.HLine)
        line.setFrameShadow(QFrame.Shadow.Sunken)
        root = QVBoxLayout(self)
        root.setContentsMargins(8, 8, 8, 8)
        root.setSpacing(6)
        root.addLayout(top)
        root.addWidget(self.lines, 1)
        root.addWidget(line)
        root.addLayout(bar)

        # Each panel chains its own inputs; these link the panels, in reading order.
        for first, second in (
            (self.patient.to_edit, self.check.first_input()),
            (self.check.last_input(), self.lines.scan_edit),
            (self.lines.generic_box, self.queue_button),
            (self.queue_button, self.print_button),
            (self.print_button, self.save_receipt_button),
            (self.save_receipt_button, self.new_button),
        ):
            QWidget.setTabOrder(first, second)

        for panel in (self.patient, self.check):
            keep_room_for_messages(panel)
        self.patient.changed.connect(self._edited)
        self.check.changed.connect(self._edited)
        self.lines.changed.connect(self._edited)
        self.check.guarantees_changed.connect(self._guarantees_changed)
        self.patient.chosen.connect(lambda: self.check.first_input().setFocus())
        self.patient.chosen.connect(self._look_for_last_check)
        reuse = QShortcut(QKeySequence(Qt.Key.Key_F6), self)
        reuse.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        reuse.activated.connect(self.take_last_check)
        fees = QShortcut(QKeySequence(Qt.Key.Key_F7), self)
        fees.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        fees.activated.connect(self.add_fees)
        self.lines.fees_wanted.connect(self.add_fees)
        self._fees_task: Task | None = None
        self.patient.insurer_changed.connect(self._insurer_changed)
        self.patient.insurer_edit.editingFinished.connect(self._insurer_left)
        self.check.provisional.record_requested.connect(self._record_provisional)
        self._guarantees_changed()
        self.refresh_directory()
        self._restore_draft()
        self.patient.focus_search()

    # --- the shell's actions ------------------------------------------------------------

    def new_claim(self) -> None:
        """Clear the form for the next patient (asking first if something was typed)."""
        if self.busy:
            return
        if not self.is_empty() and not self.confirm_discard():
            return
        self._forget_receipt()
        self._reset_form()
        self.keeper.clear()
        self._say("", False)
        self.patient.focus_search()

    def queue_claim(self) -> None:
        """Check everything at once; then save the patient, record the check, queue the claim."""
        if self.busy:
            return
        problems, warnings = self._problems()
        self._show_problems(problems, warnings)
        if problems:
            self._forget_receipt()
            self._summarise(problems)
            self._focus_first(problems)
            return
        self._start(None)

    def print_receipt(self) -> None:
        """Open the receipt of the claim just queued; nothing once the form has changed."""
        claim = self.receipt_claim
        if claim is None:
            self._say(
                i18n.tr(
                    "Pas de reçu : la demande à l'écran n'est pas mise en file. Mettez-la en file (Ctrl+Entrée), ou retrouvez une demande passée dans la file d'attente."
                ),
                True,
            )
            return
        self.receipts.open(claim.id, claim.number_text)

    def save_receipt(self) -> None:
        claim = self.receipt_claim
        if claim is None:
            self._say(
                i18n.tr(
                    "Pas de reçu : la demande à l'écran n'est pas mise en file. Mettez-la en file (Ctrl+Entrée), ou retrouvez une demande passée dans la file d'attente."
                ),
                True,
            )
            return
        self.receipts.save_as(claim.id, claim.number_text)

    def save_draft_now(self) -> bool:
        """Save what is typed at once (before locking, switching user or closing); never raises.

        False when it could not be saved (the data server does not answer, say)."""
        try:
            self.keeper.save_now()
        except Exception as exc:  # noqa: BLE001 - the shell must be able to lock or close regardless
            self._say(i18n.tr("La saisie n'a pas pu être sauvegardée. {reason}", reason=error_sentence(exc)), True)
            return False
        return True

    def refresh_directory(self) -> None:
        """Reload the insurers (call after the directory changed)."""
        self._insurer_task = run_task(
            directory.list_insurers,
            self.ctx,
            on_done=self._insurers_loaded,
            on_failed=lambda exc: self._say(error_sentence(exc), True),
        )

        self._operator_task = run_task(
            directory.list_operators,
            self.ctx,
            on_done=self._operators_loaded,
            on_failed=lambda exc: self._say(error_sentence(exc), True),
        )

    def _insurers_loaded(self, insurers: list[InsurerInfo]) -> None:
        self._insurer_task = None
        self.patient.set_insurers(insurers)

    def _operators_loaded(self, operators: list[OperatorInfo]) -> None:
        self._operator_task = None
        self.check.provisional.set_operators(operators)

    # --- an insurer missing from the directory ----------------------------------------------

    def _insurer_changed(self, insurer: InsurerInfo | None) -> None:
        self.check.set_insurer(insurer)
        unknown = self.patient.unknown_amc()
        if unknown is None or self.check.provisional.isVisible():  # shown on leaving the field, not while typing
            self.check.provisional.offer(unknown)
        self._look_for_last_check()

    # --- the prescription's fees (issue 13) -------------------------------------------------

    def add_fees(self) -> None:
        """Compute the prescription's fee lines (F7) from its lines, the patient's birth date and,
        when the pharmacy is on call (its box ticked), the clock (a dispensing today at night,
        on a Sunday or a holiday brings the on-call fee), and put them after the items,
        replacing those computed before. Each is a line the clerk can still remove (Suppr)."""
        lines = self.lines.model.lines()
        if not any(not prescription_fees.is_fee(line) for line in lines):
            self._say(i18n.tr("Ajoutez d'abord les boîtes de l'ordonnance : les honoraires en dépendent."), True)
            return
        birth = parse_birth_date(self.patient.birth_edit.text())
        if birth.value is None:
            self._say(
                i18n.tr("Saisissez d'abord la date de naissance du patient : l'honoraire lié à l'âge en dépend."),
                True,
            )
            self.patient.birth_edit.setFocus()
            return
        day = self.lines.dispensed_on()
        now = datetime.now()
        on_call = on_call_context(now) if self.lines.on_call_box.isChecked() and day == now.date() else None
        self._fees_task = run_task(
            partial(prescription_fees.with_fees, on_call=on_call, removed=self.lines.prescription().removed_codes),
            self.ctx,
            lines,
            day,
            birth.value,
            on_done=self._fees_added,
            on_failed=lambda exc: self._say(error_sentence(exc), True),
        )

    def _fees_added(self, lines: object) -> None:
        assert isinstance(lines, list)
        self.lines.with_fees(lines)
        codes = [line.prestation_code for line in lines if prescription_fees.is_fee(line)]
        self._say(
            i18n.tr("Honoraires ajoutés : {codes}.", codes=", ".join(codes))
            if codes
            else i18n.tr("Aucun honoraire : l'ordonnance ne contient rien de remboursable."),
            False,
        )

    # --- the returning patient's last check ------------------------------------------------

    def _look_for_last_check(self) -> None:
        """Offer the known patient's last check with this insurer (F6 takes it)."""
        insurer, _problem = self.patient.resolve_insurer()
        patient_id = self.patient.patient_id
        if patient_id is None or insurer is None:
            self.check.offer(None)
            return
        key = (patient_id, insurer.amc_number)
        self._reuse_key = key
        self._reuse_task = run_task(
            checks.last_reusable,
            self.ctx,
            patient_id,
            insurer.amc_number,
            on_done=lambda found: self._last_check_found(key, found),
            on_failed=lambda _exc: None,
        )  # only an offer: no sentence if it fails

    def _last_check_found(self, key: tuple[str, str], found: CheckInfo | None) -> None:
        self._reuse_task = None
        if key == self._reuse_key and (
            self.check.offered is None or found is None or self.check.offered.id != found.id
        ):
            self.check.offer(found)

    def take_last_check(self) -> None:
        """F6: the check fields repeat the offered last check; then on to the scan field."""
        if self.check.take_offer():
            self.lines.scan_edit.setFocus()

    def _insurer_left(self) -> None:
        """Leaving the insurer field on an unknown AMC number goes to the name on the card."""
        unknown = self.patient.unknown_amc()
        if unknown is not None:
            self.check.provisional.offer(unknown)
            self.check.provisional.name_edit.setFocus()

    def _record_provisional(self, amc: str, name: str, operator_code: str) -> None:
        if self._provisional_task is not None:
            return
        self._provisional_task = run_task(
            directory.record_provisional_insurer,
            self.ctx,
            amc,
            name,
            operator_code or None,
            on_done=self._provisional_recorded,
            on_failed=self._provisional_failed,
        )

    def _provisional_recorded(self, insurer: InsurerInfo) -> None:
        self._provisional_task = None
        self.check.provisional.clear()
        self.patient.set_insurers([*self.patient.insurers, insurer])
        self.patient.member_edit.setFocus()
        self._say(
            i18n.tr("Organisme n° AMC {amc} enregistré, à confirmer par un administrateur.", amc=insurer.amc_number),
            False,
        )

    def _provisional_failed(self, exc: BaseException) -> None:
        self._provisional_task = None
        self.check.provisional.show_problem(error_sentence(exc))

    # --- form state ---------------------------------------------------------------------

    def is_empty(self) -> bool:
        return self.patient.is_empty() and self.check.is_default() and self.lines.is_empty()

    def _payload(self) -> Payload | None:
        if self.is_empty():
            return None
        payload: Payload = {"patient": self.patient.state(), "check": self.check.state(), "lines": self.lines.state()}
        # The claim's id is made with the first draft, not at the first attempt: a draft saved
        # while the server is down would otherwise lack it, and queueing again after a restart
        # (the first attempt committed, its answer lost) would make a second claim.
        if self._claim_id is None:
            self._claim_id = str(uuid.uuid4())
        payload["claim_id"] = self._claim_id
        return payload

    def _restore_draft(self) -> None:
        try:
            data = self.keeper.load()
        except DomainError as exc:
            self._say(error_sentence(exc), True)
            return
        if not data:
            return
        self._restoring = True
        try:
            for panel, key in ((self.patient, "patient"), (self.check, "check"), (self.lines, "lines")):
                part = data.get(key)
                panel.restore(part if isinstance(part, dict) else {})
        finally:
            self._restoring = False
        claim_id = data.get("claim_id")
        self._claim_id = claim_id if isinstance(claim_id, str) else None
        self._guarantees_changed()
        self._say(i18n.tr("Saisie en cours restaurée."), False)

    def _reset_form(self) -> None:
        self._restoring = True
        try:
            self.patient.clear()
            self.check.clear()
            self.lines.clear()
        finally:
            self._restoring = False
        self._guarantees_changed()
        self._claim_id = None
        self._unanswered = None

    def _edited(self) -> None:
        if not self._restoring:
            self._forget_receipt()
            self._edits += 1
            self.keeper.touch()

    def _guarantees_changed(self) -> None:
        self.lines.model.set_guarantees(self.check.guarantees())

    # --- validation ---------------------------------------------------------------------

    def _problems(self) -> tuple[list[Problem], list[Problem]]:
        patient_problems, warnings = self.patient.problems()
        return patient_problems + self.check.problems() + self.lines.problems(), warnings

    def _show_problems(self, problems: list[Problem], warnings: list[Problem] | None = None) -> None:
        aliased = [replace(p, field=_field(p)) for p in problems]
        self.patient.fields.show(aliased, PATIENT_FIELDS, [replace(w, field=_field(w)) for w in warnings or []])
        self.check.fields.show(aliased, CHECK_FIELDS)
        self.lines.show_problems(aliased)

    def _title(self, p: Problem) -> str:
        if p.line is not None:
            return i18n.tr("ligne {line}", line=p.line)
        name = _field(p)
        for fields in (self.patient.fields, self.check.fields, self.lines.fields):
            if name in fields and fields.fields[name].label.isVisibleTo(self):
                return fields.title(name)
        if name == "lines":
            return i18n.tr("lignes")
        return p.message()

    def _summarise(self, problems: list[Problem]) -> None:
        titles: list[str] = []
        for p in sorted(problems, key=_rank):
            title = self._title(p)
            if title not in titles:
                titles.append(title)
        text = i18n.ntr(
            "La demande n'est pas mise en file : {count} point à corriger – {items}.",
            "La demande n'est pas mise en file : {count} points à corriger – {items}.",
            len(problems),
            count=len(problems),
            items=", ".join(titles),
        )
        self._say(text, True)
        self.message.setAccessibleDescription(" ".join(p.message() for p in problems))

    def _focus_first(self, problems: list[Problem]) -> None:
        first = min(problems, key=_rank)
        name = _field(first)
        aliased = replace(first, field=name)
        if first.line is None and (self.patient.fields.focus_first([name]) or self.check.fields.focus_first([name])):
            return
        self.lines.focus_problem(aliased)

    # --- queueing -----------------------------------------------------------------------

    def _submission_for(self, override: Override | None) -> Form:
        patient = self.patient.patient_input()
        fields = CheckFields(
            self.check.method(),
            self.check.outcome(),
            self.check.reference_edit.text().strip(),
            tuple(self.check.guarantees()),
            self.check.note_edit.text().strip(),
            self.check.reused_check_id(),
        )
        if self._claim_id is None:
            self._claim_id = str(uuid.uuid4())
        return Form(
            patient,
            fields,
            tuple(self.lines.model.lines()),
            self.lines.dispensed_on(),
            self.lines.prescriber(),
            override,
            self._claim_id,
            self.lines.prescription(),
        )

    def _start(self, override: Override | None) -> None:
        self._unanswered = None
        self._forget_receipt()
        self._submission = self._submission_for(override)
        self._set_busy(True)
        self._say(i18n.tr("Mise en file…"), False)
        self._task = run_task(
            counter.submit, self.ctx, self._submission, on_done=self._submitted, on_failed=self._failed
        )

    def _set_busy(self, busy: bool) -> None:
        self.busy = busy
        for widget in (self.patient, self.check, self.lines, self.queue_button, self.new_button):
            widget.setEnabled(not busy)

    def _submitted(self, out: Submitted) -> None:
        self._task = None
        self._set_busy(False)
        assert self._submission is not None
        if out.claim is not None:
            self._queued(out)
        elif isinstance(out.error, CeilingExceeded):
            self._ask_override(list(out.error.problems))
        elif isinstance(out.error, ValidationError):
            problems = list(out.error.problems)
            if self.override_dialog is not None and any(p.field in OVERRIDE_FIELDS for p in problems):
                self.override_dialog.show_problems(problems)
                return
            self._close_override()
            self._show_problems(problems, list(out.warnings))
            self._summarise(problems)
            self._focus_first(problems)
        else:
            assert out.error is not None
            self._close_override()
            self._say(error_sentence(out.error), True)
            if server_unreachable(out.error):
                self._wait_for_server()

    def _failed(self, exc: BaseException) -> None:
        self._task = None
        self._set_busy(False)
        self._close_override()
        self._say(error_sentence(exc), True)
        if server_unreachable(exc):
            self._wait_for_server()

    # --- when the data server does not answer -------------------------------------------

    def _wait_for_server(self) -> None:
        """Queueing failed for want of the server: keep everything, say so, retry when it is back."""
        self._unanswered = self._edits
        connection.report(False)  # the strip shows it and probes until the server answers
        self.queue_button.setFocus()  # Enter or Ctrl+Entrée retries

    def _server_changed(self, up: bool) -> None:
        if not up:
            return
        if not self.is_empty():
            self.keeper.touch()  # the draft could not be saved meanwhile
        if self._unanswered is None and self.message.text() == i18n.tr(
            "Le serveur de données ne répond pas : ce qui est saisi est gardé ; réessayez quand il sera revenu."
        ):
            self._say("", False)  # said after a draft save failed: no longer true
        if self._unanswered is None or self.busy:
            return
        untouched = self._unanswered == self._edits
        if untouched and self.retry_when_back and self.override_dialog is None:
            self._say(i18n.tr("Le serveur de données répond à nouveau : mise en file…"), False)
            self.queue_claim()
        else:
            self._say(
                i18n.tr(
                    "Le serveur de données répond à nouveau : appuyez sur Ctrl+Entrée pour mettre la demande en file."
                ),
                False,
            )

    def _draft_failed(self, exc: BaseException) -> None:
        if server_unreachable(exc):
            if self._unanswered is None and not self.busy:  # else the counter already says so
                self._say(error_sentence(exc), True)
            return
        self._say(i18n.tr("La saisie n'a pas pu être sauvegardée. {reason}", reason=error_sentence(exc)), True)

    def _queued(self, out: Submitted) -> None:
        claim = out.claim
        assert claim is not None
        if self.override_dialog is not None:
            dialog, self.override_dialog = self.override_dialog, None
            dialog.finished_ok()
            dialog.deleteLater()
        self.last_claim = claim
        assert self._submission is not None
        person = self._submission.patient
        self._reset_form()
        self.keeper.clear()
        parts = [
            i18n.tr("Demande n° {number} mise en file.", number=claim.number_text),
            i18n.tr("Part complémentaire : {amount}.", amount=format_eur(claim.amc)),
        ]
        parts += [w.message() for w in out.warnings]
        self._say(" ".join(parts), False)
        self._offer_receipt(claim, f"{person.surname} {person.first_name}".strip())
        self.patient.focus_search()
        self.queued.emit(claim.id)
        self.changed.emit()

    def _ask_override(self, ceilings: list[Problem]) -> None:
        if self.override_dialog is None:
            dialog = OverrideDialog(ceilings, self)
            dialog.authorised.connect(self._start)
            dialog.rejected.connect(self._override_cancelled)
            self.override_dialog = dialog
            dialog.open()
        else:
            self.override_dialog.set_ceilings(ceilings)
            self.override_dialog.show_problems([])
        self._say(" ".join(p.message() for p in ceilings), True)

    def _override_cancelled(self) -> None:
        dialog, self.override_dialog = self.override_dialog, None
        if dialog is not None:
            dialog.deleteLater()
        self._say(i18n.tr("Mise en file annulée : la saisie est conservée."), True)
        self.queue_button.setFocus()

    def _close_override(self) -> None:
        dialog, self.override_dialog = self.override_dialog, None
        if dialog is not None:
            dialog.rejected.disconnect(self._override_cancelled)
            dialog.finished_ok()
            dialog.deleteLater()

    # --- messages -----------------------------------------------------------------------

    def _say(self, text: str, error: bool) -> None:
        self.message.setText(text)
        self.message.setStyleSheet(error_style(self) if error and text else "")
        self.message.setAccessibleDescription(text)

    def _offer_receipt(self, claim: ClaimInfo, patient: str) -> None:
        self.receipt_claim, self.receipt_patient = claim, patient
        self._receipt_buttons(True)

    def _forget_receipt(self) -> None:
        if self.receipt_claim is not None:
            self.receipt_claim, self.receipt_patient = None, ""
        self._receipt_buttons(False)

    def _receipt_buttons(self, enabled: bool) -> None:
        claim = self.receipt_claim if enabled else None
        tip = (
            i18n.tr(
                "Reçu de la demande n° {number} — {patient}", number=claim.number_text, patient=self.receipt_patient
            )
            if claim is not None
            else i18n.tr("Aucun reçu : le reçu n'est proposé que pour la demande qui vient d'être mise en file.")
        )
        for button in (self.print_button, self.save_receipt_button):
            button.setEnabled(claim is not None)
            button.setToolTip(tip)
            button.setAccessibleDescription(tip)

    def _ask_discard(self) -> bool:
        answer = QMessageBox.question(
            self,
            i18n.tr("Nouveau patient"),
            i18n.tr("Effacer la saisie en cours sans la mettre en file ?"),
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            QMessageBox.StandardButton.No,
        )
        return answer == QMessageBox.StandardButton.Yes
