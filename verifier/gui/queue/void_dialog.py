"""Voiding a claim: asks why, and the service refuses an empty reason with a sentence."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QLineEdit, QVBoxLayout, QWidget

from verifier import i18n
from verifier.domain.errors import ValidationError
from verifier.gui.tasks import Task, error_sentence, error_style, run_task
from verifier.services import claims
from verifier.services.claims import ClaimInfo, format_number
from verifier.services.context import Context

i18n.register(
    {
        "queue.void.title": ("Annuler la demande n° {number}", "Void claim no. {number}"),
        "queue.void.explain": (
            "La demande restera consultable avec ce motif ; elle ne sera jamais envoyée à l'organisme.",
            "The claim stays readable with this reason; it will never be sent to the insurer.",
        ),
        "queue.void.reason": ("&Motif de l'annulation :", "&Reason for voiding:"),
        "queue.void.reason_a11y": ("Motif de l'annulation", "Reason for voiding"),
        "queue.void.reason_hint": ("Par exemple : saisie en double", "For example: entered twice"),
        "queue.void.confirm": ("&Annuler la demande", "&Void the claim"),
        "queue.void.back": ("&Retour", "&Back"),
        "queue.void.busy": ("Annulation…", "Voiding…"),
    }
)


class VoidDialog(QDialog):
    """Asks for the reason, then voids the claim through the service (off the GUI thread)."""

    voided = Signal(object)  # ClaimInfo

    def __init__(self, ctx: Context, claim_id: str, number: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx, self.claim_id = ctx, claim_id
        self._task: Task | None = None
        self.setWindowTitle(i18n.tr("queue.void.title", number=format_number(number)))
        explain = QLabel(i18n.tr("queue.void.explain"))
        explain.setWordWrap(True)
        self.reason_edit = QLineEdit()
        self.reason_edit.setAccessibleName(i18n.tr("queue.void.reason_a11y"))
        self.reason_edit.setPlaceholderText(i18n.tr("queue.void.reason_hint"))
        self.reason_edit.setMaxLength(500)
        label = QLabel(i18n.tr("queue.void.reason"))
        label.setBuddy(self.reason_edit)
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setStyleSheet(error_style(self))
        self.message.setAccessibleName(i18n.tr("queue.void.reason_a11y"))
        self.message.hide()
        self.buttons = QDialogButtonBox()
        self.confirm_button = self.buttons.addButton(
            i18n.tr("queue.void.confirm"), QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.buttons.addButton(i18n.tr("queue.void.back"), QDialogButtonBox.ButtonRole.RejectRole)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(explain)
        layout.addWidget(label)
        layout.addWidget(self.reason_edit)
        layout.addWidget(self.message)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(self.fontMetrics().averageCharWidth() * 70)
        self.adjustSize()  # wrapped sentences get the height they need at that width

    def accept(self) -> None:
        """Void through the service; the dialog closes only when it is done."""
        if self._task is not None:
            return
        self.confirm_button.setEnabled(False)
        self.message.setText(i18n.tr("queue.void.busy"))
        self.message.setStyleSheet("")
        self.message.show()
        self.adjustSize()
        self._task = run_task(
            claims.void, self.ctx, self.claim_id, self.reason_edit.text(), on_done=self._done, on_failed=self._failed
        )

    def _done(self, info: ClaimInfo) -> None:
        self._task = None
        self.voided.emit(info)
        super().accept()

    def _failed(self, exc: BaseException) -> None:
        self._task = None
        self.confirm_button.setEnabled(True)
        self.message.setStyleSheet(error_style(self))
        self.message.setText(error_sentence(exc))
        self.message.show()
        self.adjustSize()
        if isinstance(exc, ValidationError):
            self.reason_edit.setFocus()
