"""What both clinic screens do the same way: queue off the GUI thread, ask an administrator
when a ceiling is crossed (the pharmacy counter's dialog), and say what happened."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QLabel, QMessageBox, QPushButton, QWidget

from verifier import i18n
from verifier.domain.errors import DomainError, Problem, ValidationError
from verifier.domain.money import format_eur
from verifier.gui.clinic.common import message_label
from verifier.gui.counter.override_dialog import OVERRIDE_FIELDS, OverrideDialog
from verifier.gui.counter.patient_panel import PatientPanel
from verifier.gui.tasks import Task, error_sentence, error_style, run_task
from verifier.services import directory
from verifier.services.ceilings import CeilingExceeded, Override
from verifier.services.claims import ClaimInfo
from verifier.services.context import Context
from verifier.services.counter import Submitted
from verifier.services.directory import InsurerInfo

_ALIASES = {"insurer": "amc_number", "amc": "lines"}


def aliased(problems: list[Problem]) -> list[Problem]:
    return [replace(p, field=_ALIASES.get(p.field or "", p.field)) if p.line is None else p for p in problems]


class ClinicForm(QWidget):
    """A form queued through a service that answers with a `Submitted` or a ClaimInfo.

    Contract with the main window, as the pharmacy counter's: `queued(str)` after a claim is
    queued, `changed()` when anything stored changed; `new_claim()` (Ctrl+N) and
    `queue_claim()` (Ctrl+Entrée) are the shell's actions.
    """

    queued = Signal(str)
    changed = Signal()

    def __init__(self, ctx: Context, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.busy = False
        self.last_claim: ClaimInfo | None = None
        self.override_dialog: OverrideDialog | None = None
        self.confirm_discard: Callable[[], bool] = self._ask_discard
        self._task: Task | None = None
        self._insurer_task: Task | None = None
        self._call: Callable[[Override | None], tuple[Callable[..., Any], tuple[Any, ...]]] | None = None
        self.patient = PatientPanel(ctx)
        self.message = message_label(i18n.tr("Messages de l'écran"))
        self.message.setMinimumHeight(self.message.fontMetrics().lineSpacing() * 2)

    # --- to be given by each screen ---------------------------------------------------------

    def form_widgets(self) -> list[QWidget]:
        raise NotImplementedError

    def show_problems(self, problems: list[Problem], warnings: list[Problem]) -> None:
        raise NotImplementedError

    def reset_form(self) -> None:
        raise NotImplementedError

    def is_empty(self) -> bool:
        raise NotImplementedError

    # --- shared -----------------------------------------------------------------------------

    def refresh_directory(self) -> None:
        self._insurer_task = run_task(
            directory.list_insurers,
            self.ctx,
            on_done=self._insurers_loaded,
            on_failed=lambda exc: self.say(error_sentence(exc), True),
        )

    def _insurers_loaded(self, insurers: list[InsurerInfo]) -> None:
        self._insurer_task = None
        self.patient.set_insurers(insurers)

    def new_claim(self) -> None:
        if self.busy:
            return
        if not self.is_empty() and not self.confirm_discard():
            return
        self.reset_form()
        self.say("", False)
        self.patient.focus_search()

    def start(
        self, call: Callable[[Override | None], tuple[Callable[..., Any], tuple[Any, ...]]], override: Override | None
    ) -> None:
        """Run `call(override)` = (service function, its arguments) off the GUI thread."""
        self._call = call
        fn, args = call(override)
        self.set_busy(True)
        self.say(i18n.tr("Enregistrement…"), False)
        self._task = run_task(fn, *args, on_done=self._done, on_failed=self._failed)

    def set_busy(self, busy: bool) -> None:
        self.busy = busy
        for widget in self.form_widgets():
            widget.setEnabled(not busy)

    def _done(self, out: object) -> None:
        self._task = None
        self.set_busy(False)
        if isinstance(out, ClaimInfo):
            out = Submitted(claim=out)
        assert isinstance(out, Submitted)
        if out.claim is not None:
            self._close_override()
            self.finished(out)
        elif out.error is not None:
            self._refused(out.error, list(out.warnings))

    def _failed(self, exc: BaseException) -> None:
        self._task = None
        self.set_busy(False)
        if isinstance(exc, DomainError):
            self._refused(exc, [])
            return
        self._close_override()
        self.say(error_sentence(exc), True)

    def _refused(self, error: DomainError, warnings: list[Problem]) -> None:
        if isinstance(error, CeilingExceeded):
            self._ask_override(list(error.problems))
            return
        if isinstance(error, ValidationError):
            problems = aliased(list(error.problems))
            if self.override_dialog is not None and any(p.field in OVERRIDE_FIELDS for p in problems):
                self.override_dialog.show_problems(problems)
                return
            self._close_override()
            self.refuse(problems, aliased(warnings))
            return
        self._close_override()
        self.say(error_sentence(error), True)

    def refuse(self, problems: list[Problem], warnings: list[Problem]) -> None:
        """Every problem next to its field, a summary in the bar, the cursor on the first."""
        self.show_problems(problems, warnings)
        text = i18n.ntr(
            "Rien n'est enregistré : {count} point à corriger. {details}",
            "Rien n'est enregistré : {count} points à corriger. {details}",
            len(problems),
            count=len(problems),
            details=" ".join(p.message() for p in problems),
        )
        self.say(text, True)

    def finished(self, out: Submitted) -> None:
        claim = out.claim
        assert claim is not None
        self.last_claim = claim
        self.reset_form()
        parts = [self.done_sentence(claim)]
        parts += [w.message() for w in out.warnings]
        self.say(" ".join(parts), False)
        self.patient.focus_search()
        self.queued.emit(claim.id)
        self.changed.emit()

    def done_sentence(self, claim: ClaimInfo) -> str:
        return " ".join(
            (
                i18n.tr("Demande n° {number} mise en file.", number=claim.number_text),
                i18n.tr("Part complémentaire : {amount}.", amount=format_eur(claim.amc)),
            )
        )

    def _ask_override(self, ceilings: list[Problem]) -> None:
        if self.override_dialog is None:
            dialog = OverrideDialog(ceilings, self)
            dialog.authorised.connect(self._authorised)
            dialog.rejected.connect(self._override_cancelled)
            self.override_dialog = dialog
            dialog.open()
        else:
            self.override_dialog.set_ceilings(ceilings)
            self.override_dialog.show_problems([])
        self.say(" ".join(p.message() for p in ceilings), True)

    def _authorised(self, override: Override) -> None:
        if self._call is not None:
            self.start(self._call, override)

    def _override_cancelled(self) -> None:
        dialog, self.override_dialog = self.override_dialog, None
        if dialog is not None:
            dialog.deleteLater()
        self.say(i18n.tr("Mise en file annulée : la saisie est conservée."), True)

    def _close_override(self) -> None:
        dialog, self.override_dialog = self.override_dialog, None
        if dialog is not None:
            dialog.rejected.disconnect(self._override_cancelled)
            dialog.finished_ok()
            dialog.deleteLater()

    def say(self, text: str, error: bool) -> None:
        self.message.setText(text)
        self.message.setStyleSheet(error_style(self) if error and text else "")
        self.message.setAccessibleDescription(text)

    def _ask_discard(self) -> bool:
        answer = QMessageBox.question(
            self,
            i18n.tr("Nouvelle saisie"),
            i18n.tr("Effacer la saisie en cours sans l'enregistrer ?"),
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            QMessageBox.StandardButton.No,
        )
        return answer == QMessageBox.StandardButton.Yes


def bold(button: QPushButton) -> QPushButton:
    font = button.font()
    font.setBold(True)
    button.setFont(font)
    return button


def heading(text: str) -> QLabel:
    label = QLabel(text)
    label.setAlignment(Qt.AlignmentFlag.AlignLeft)
    return label
