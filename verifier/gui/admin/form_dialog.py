"""A dialog holding a form: Save runs a service off the GUI thread and puts each refusal
under its field; Cancel waits while a change is being written."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLineEdit, QPushButton, QVBoxLayout, QWidget

from verifier import i18n
from verifier.gui.admin.common import Form, Jobs, SentenceLabel, problems_of
from verifier.services.context import Context


def line_edit(maximum: int, placeholder: str = "") -> QLineEdit:
    edit = QLineEdit()
    edit.setMaxLength(maximum)
    edit.setPlaceholderText(placeholder)
    return edit


class FormDialog(QDialog):
    """A form with Save and Cancel; Save runs the service off the GUI thread."""

    def __init__(self, ctx: Context, title: str, parent: QWidget | None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.jobs = Jobs(self)
        self.setWindowTitle(title)
        self.form = Form(self)
        self.message = SentenceLabel()
        self.buttons = QDialogButtonBox()
        self.save_button: QPushButton = self.buttons.addButton(
            i18n.tr("&Enregistrer"), QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.save_button.setDefault(True)
        self.cancel_button = self.buttons.addButton(i18n.tr("Annuler"), QDialogButtonBox.ButtonRole.RejectRole)
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)

    def finish_layout(self) -> None:
        layout = QVBoxLayout(self)
        layout.addLayout(self.form.layout)
        layout.addWidget(self.message)
        layout.addStretch(1)
        layout.addWidget(self.buttons)
        self.form.set_tab_order(self.save_button, self.cancel_button)
        self.setMinimumWidth(self.fontMetrics().averageCharWidth() * 90)

    def save(self) -> None:
        raise NotImplementedError

    def start(self, fn: Callable[..., object], *args: object) -> None:
        if self.jobs.busy:
            return
        self.save_button.setEnabled(False)
        self.message.say(i18n.tr("Enregistrement…"))
        self.jobs.run(fn, *args, on_done=self._done, on_failed=self._failed)

    def _done(self, result: object) -> None:
        self.save_button.setEnabled(True)
        self.message.say("")
        self.saved(result)
        self.accept()

    def saved(self, result: object) -> None:
        raise NotImplementedError

    def _failed(self, exc: BaseException) -> None:
        self.save_button.setEnabled(True)
        unplaced = self.form.show(problems_of(exc))
        if problems_of(exc) and not unplaced:
            self.message.say("")
        elif unplaced:
            self.message.refuse(" ".join(p.message() for p in unplaced))
        else:
            self.message.failed(exc)

    def reject(self) -> None:
        if not self.jobs.busy:  # the change is being written: wait for the answer
            super().reject()
