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


class VoidDialog(QDialog):
    """Asks for the reason, then voids the claim through the service (off the GUI thread)."""

    voided = Signal(object)  # ClaimInfo

    def __init__(self, ctx: Context, claim_id: str, number: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx, self.claim_id = ctx, claim_id
        self._task: Task | None = None
        self.setWindowTitle(i18n.tr("Annuler la demande n° {number}", number=format_number(number)))
        explain = QLabel(
            i18n.tr("La demande restera consultable avec ce motif ; elle ne sera jamais envoyée à l'organisme.")
        )
        explain.setWordWrap(True)
        self.reason_edit = QLineEdit()
        self.reason_edit.setAccessibleName(i18n.tr("Motif de l'annulation"))
        self.reason_edit.setPlaceholderText(i18n.tr("Par exemple : saisie en double"))
        self.reason_edit.setMaxLength(500)
        label = QLabel(i18n.tr("&Motif de l'annulation :"))
        label.setBuddy(self.reason_edit)
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setStyleSheet(error_style(self))
        self.message.setAccessibleName(i18n.tr("Motif de l'annulation"))
        self.message.hide()
        self.buttons = QDialogButtonBox()
        self.confirm_button = self.buttons.addButton(
            i18n.tr("&Annuler la demande"), QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.buttons.addButton(i18n.tr("&Retour"), QDialogButtonBox.ButtonRole.RejectRole)
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
        self.message.setText(i18n.tr("Annulation…"))
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
