"""What both clinic screens do the same way: queue off the GUI thread, ask an administrator
when a ceiling is crossed (the pharmacy counter's dialog), and say what happened."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QLabel, QMessageBox, QPushButton, QWidget

from verifier import i18n
from verifier.domain.errors import DomainError, Problem, ValidationError
from verifier.domain.money import format_eur
from verifier.gui.clinic.common import message_label
from verifier.gui.clinic.drafts import DraftError, Payload
from verifier.gui.counter.draft import DraftKeeper
from verifier.gui.counter.override_dialog import OVERRIDE_FIELDS, OverrideDialog
from verifier.gui.counter.patient_panel import PatientPanel
from verifier.gui.tasks import Task, error_sentence, error_style, run_task
from verifier.services import directory
from verifier.services.ceilings import CeilingExceeded, Override
from verifier.services.claims import ClaimInfo
from verifier.services.context import Context
from verifier.services.counter import Submitted
from verifier.services.directory import InsurerInfo

log = logging.getLogger(__name__)

_ALIASES = {"insurer": "amc_number", "amc": "lines"}


def aliased(problems: list[Problem]) -> list[Problem]:
    return [replace(p, field=_ALIASES.get(p.field or "", p.field)) if p.line is None else p for p in problems]


class ClinicForm(QWidget):
    """A form queued through a service that answers with a `Submitted` or a ClaimInfo.

    Contract with the main window, as the pharmacy counter's: `queued(str)` after a claim is
    queued, `changed()` when anything stored changed; `new_claim()` (Ctrl+N) and
    `queue_claim()` (Ctrl+Entrée) are the shell's actions; `save_draft_now()` is called before
    locking, switching user or closing.

    What is typed is kept as an encrypted draft named `draft_name` (per user), as at the
    pharmacy counter: saved a second after each change, restored when the screen opens (each
    screen calls `restore_draft()` once built), cleared once the claim is stored or the form
    emptied with Ctrl+N.
    """

    queued = Signal(str)
    changed = Signal()

    def __init__(self, ctx: Context, draft_name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.busy = False
        # Made with the first draft or attempt, kept until the form is cleared: a form queued
        # while the server's answer was lost, then restored after a restart, keeps its id.
        self._claim_id: str | None = None
        self._restoring = False  # changes made by the program, not typed: no draft for them
        self._pending_draft: Payload | None = None  # restored later (an open stay being read)
        self.last_claim: ClaimInfo | None = None
        self.override_dialog: OverrideDialog | None = None
        self.confirm_discard: Callable[[], bool] = self._ask_discard
        self._task: Task | None = None
        self._insurer_task: Task | None = None
        self._call: Callable[[Override | None], tuple[Callable[..., Any], tuple[Any, ...]]] | None = None
        self.patient = PatientPanel(ctx)
        self.message = message_label(i18n.tr("Messages de l'écran"))
        self.message.setMinimumHeight(self.message.fontMetrics().lineSpacing() * 2)
        self.keeper = DraftKeeper(ctx, self._draft_payload, self, name=draft_name)
        self.keeper.failed.connect(self._draft_failed)
        self.patient.changed.connect(self.edited)

    # --- to be given by each screen ---------------------------------------------------------

    def form_widgets(self) -> list[QWidget]:
        raise NotImplementedError

    def show_problems(self, problems: list[Problem], warnings: list[Problem]) -> None:
        raise NotImplementedError

    def reset_form(self) -> None:
        raise NotImplementedError

    def is_empty(self) -> bool:
        raise NotImplementedError

    def draft_state(self) -> Payload:
        """What is typed on the screen, JSON-safe (no amount: they are computed again)."""
        raise NotImplementedError

    def apply_draft(self, data: Payload) -> bool:
        """Put back what `draft_state()` gave; False when it is finished later (by a read).

        Raises `DraftError` (or another error) on anything it cannot read: the form is then
        emptied and the draft ignored."""
        raise NotImplementedError

    # --- drafts -----------------------------------------------------------------------------

    def claim_id(self) -> str:
        """The form's claim id, made once: every attempt (and every draft) carries the same."""
        if self._claim_id is None:
            self._claim_id = str(uuid.uuid4())
        return self._claim_id

    def edited(self) -> None:
        """Something typed changed: the draft follows a second later."""
        if not self._restoring:
            self._pending_draft = None
            self.keeper.touch()

    def _draft_payload(self) -> Payload | None:
        if self.is_empty():
            return self._pending_draft  # None: nothing worth keeping, the draft is cleared
        payload = self.draft_state()
        payload["claim_id"] = self.claim_id()
        return payload

    def save_draft_now(self) -> bool:
        """Save what is typed at once (before locking, switching user or closing); never raises.

        False when it could not be saved (the data server does not answer, say)."""
        try:
            self.keeper.save_now()
        except Exception as exc:  # noqa: BLE001 - the shell must be able to lock or close regardless
            self.say(i18n.tr("La saisie n'a pas pu être sauvegardée. {reason}", reason=error_sentence(exc)), True)
            return False
        return True

    def restore_draft(self) -> None:
        """Put back the draft left when the screen was last closed, if any and readable."""
        try:
            data = self.keeper.load()
        except DomainError as exc:
            self.say(error_sentence(exc), True)
            return
        except Exception as exc:  # noqa: BLE001 - a draft that cannot be read must not stop the screen
            log.warning("the %s draft could not be read (%s); it is ignored", self.keeper.name, type(exc).__name__)
            return
        if not data:
            return
        self._restoring = True
        try:
            claim_id = data.get("claim_id")
            if claim_id is not None and not isinstance(claim_id, str):
                raise DraftError("claim_id")
            done = self.apply_draft(data)
        except Exception as exc:  # noqa: BLE001 - damaged, or another version's: the form opens empty
            log.warning("the %s draft could not be restored (%s); it is ignored", self.keeper.name, type(exc).__name__)
            self._pending_draft = None
            self.reset_form()
            return
        finally:
            self._restoring = False
        self._claim_id = claim_id
        if done:
            self.draft_restored()

    def draft_restored(self) -> None:
        self.say(i18n.tr("Saisie en cours restaurée."), False)

    def forget_draft(self) -> None:
        """The form was stored or emptied: its draft goes."""
        self._pending_draft = None
        self.keeper.clear()

    def _draft_failed(self, exc: BaseException) -> None:
        self.say(i18n.tr("La saisie n'a pas pu être sauvegardée. {reason}", reason=error_sentence(exc)), True)

    def quiet_reset(self) -> None:
        """Empty the form; the changes it makes are not edits (no draft is saved for them)."""
        restoring, self._restoring = self._restoring, True
        try:
            self.reset_form()
        finally:
            self._restoring = restoring

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
        self.quiet_reset()
        self.forget_draft()
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
        self.quiet_reset()
        self.forget_draft()
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
