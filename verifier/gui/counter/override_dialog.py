"""Over a ceiling: an administrator types their login, password and a reason to queue anyway.

The dialog does not queue anything itself: `authorised(Override)` asks the counter to try
again with it; the counter then either closes the dialog (queued) or hands the problems
back (`show_problems`), e.g. a wrong password, and the administrator tries again.
Cancelling leaves the counter's form as it was.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QGridLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from verifier import i18n
from verifier.domain.errors import Problem
from verifier.gui.counter.fields import FieldSet
from verifier.gui.tasks import error_style
from verifier.services.ceilings import Override

i18n.register(
    {
        "counter.override_login_missing": i18n.N_("Saisissez l'identifiant d'un administrateur."),
        "counter.override_password_missing": i18n.N_("Saisissez le mot de passe de l'administrateur."),
    }
)

OVERRIDE_FIELDS = ("login", "password", "reason")


class OverrideDialog(QDialog):
    authorised = Signal(object)  # Override

    def __init__(self, ceilings: list[Problem], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.busy = False
        self.setWindowTitle(i18n.tr("Autorisation d'un administrateur"))
        heading = QLabel(i18n.tr("Plafond dépassé"))
        font = heading.font()
        font.setPointSizeF(font.pointSizeF() * 1.2)
        font.setWeight(QFont.Weight.Bold)
        heading.setFont(font)
        self.ceilings_label = QLabel()
        self.ceilings_label.setWordWrap(True)
        self.ceilings_label.setStyleSheet(error_style(self))
        self.ceilings_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        intro = QLabel(
            i18n.tr(
                "Pour mettre cette demande en file malgré tout, un administrateur saisit son identifiant, son mot de passe et la raison. L'autorisation est enregistrée avec la demande."
            )
        )
        intro.setWordWrap(True)
        self.login_edit = QLineEdit()
        self.password_edit = QLineEdit()
        self.password_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.reason_edit = QLineEdit()
        self.reason_edit.setMaxLength(500)
        self.reason_edit.setPlaceholderText(i18n.tr("par exemple : ordonnance urgente, accord de la mutuelle"))
        grid = QGridLayout()
        grid.setColumnStretch(1, 1)
        self.fields = FieldSet(self)
        self.fields.add(
            "login",
            i18n.tr("&Administrateur :"),
            self.login_edit,
            i18n.tr("Identifiant de l'administrateur qui autorise"),
            grid,
            0,
            0,
        )
        self.fields.add(
            "password",
            i18n.tr("&Mot de passe :"),
            self.password_edit,
            i18n.tr("Mot de passe de l'administrateur"),
            grid,
            2,
            0,
        )
        self.fields.add(
            "reason",
            i18n.tr("&Raison :"),
            self.reason_edit,
            i18n.tr("Raison de l'autorisation (5 caractères au moins)"),
            grid,
            4,
            0,
        )
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.hide()
        self.buttons = QDialogButtonBox()
        self.submit_button = self.buttons.addButton(
            i18n.tr("A&utoriser et mettre en file"), QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.cancel_button = self.buttons.addButton(i18n.tr("Annuler"), QDialogButtonBox.ButtonRole.RejectRole)
        self.submit_button.setDefault(True)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(heading)
        layout.addWidget(self.ceilings_label)
        layout.addWidget(intro)
        layout.addLayout(grid)
        layout.addWidget(self.message)
        layout.addWidget(self.buttons)
        for first, second in (
            (self.login_edit, self.password_edit),
            (self.password_edit, self.reason_edit),
            (self.reason_edit, self.submit_button),
            (self.submit_button, self.cancel_button),
        ):
            QWidget.setTabOrder(first, second)
        self.setMinimumWidth(self.fontMetrics().horizontalAdvance("m") * 48)
        self.set_ceilings(ceilings)
        self.login_edit.setFocus()

    def set_ceilings(self, ceilings: list[Problem]) -> None:
        self.ceilings_label.setText("\n".join(p.message() for p in ceilings))

    def accept(self) -> None:
        """Ask the counter to queue with this authorisation; the dialog stays open until it says."""
        if self.busy:
            return
        problems = []
        if not self.login_edit.text().strip():
            problems.append(Problem("counter.override_login_missing", {}, "login"))
        if not self.password_edit.text():
            problems.append(Problem("counter.override_password_missing", {}, "password"))
        if len(self.reason_edit.text().strip()) < 5:
            problems.append(Problem("override.reason", {}, "reason"))
        self.fields.show(problems)
        if problems:
            self.fields.focus_first(p.field or "" for p in problems)
            return
        self._set_busy(True)
        self.authorised.emit(
            Override(self.login_edit.text().strip(), self.password_edit.text(), self.reason_edit.text().strip())
        )

    def _set_busy(self, busy: bool) -> None:
        self.busy = busy
        for widget in (self.login_edit, self.password_edit, self.reason_edit, self.submit_button, self.cancel_button):
            widget.setEnabled(not busy)
        self.message.setText(i18n.tr("Vérification…") if busy else "")
        self.message.setStyleSheet("")
        self.message.setVisible(busy)
        if not busy:
            self.submit_button.setDefault(True)

    def show_problems(self, problems: list[Problem]) -> None:
        """The authorisation was refused: say why, next to the field, and let them try again."""
        self._set_busy(False)
        self.fields.show(problems)
        others = [p.message() for p in problems if p.field not in OVERRIDE_FIELDS]
        self.message.setText(" ".join(others))
        self.message.setStyleSheet(error_style(self))
        self.message.setVisible(bool(others))
        if any(p.field == "password" for p in problems):
            self.password_edit.clear()
        if not self.fields.focus_first(p.field or "" for p in problems):
            self.password_edit.setFocus()

    def finished_ok(self) -> None:
        self._set_busy(False)
        super().accept()

    def reject(self) -> None:
        if not self.busy:  # an answer is on its way: the claim may be queued already
            super().reject()
