"""Signing in: user name and password; unlocking runs off the GUI thread (Argon2 takes ~0.2 s)."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from verifier import i18n
from verifier.gui.tasks import Task, error_sentence, error_style, run_task
from verifier.services import auth
from verifier.services.context import Context
from verifier.store.engine import Location

i18n.register(
    {
        "signin.window_title": ("verifier – connexion", "verifier – sign in"),
        "signin.heading": ("Connexion", "Sign in"),
        "signin.login": ("&Identifiant :", "&User name:"),
        "signin.login_a11y": ("Identifiant", "User name"),
        "signin.password": ("&Mot de passe :", "&Password:"),
        "signin.password_a11y": ("Mot de passe", "Password"),
        "signin.submit": ("&Se connecter", "&Sign in"),
        "signin.quit": ("&Quitter", "&Quit"),
        "signin.busy": ("Connexion en cours…", "Signing in…"),
        "signin.message_a11y": ("Message", "Message"),
        "signin.login_missing": ("Saisissez votre identifiant.", "Enter your user name."),
        "signin.password_missing": ("Saisissez votre mot de passe.", "Enter your password."),
        "signin.where": ("Base : {where}", "Database: {where}"),
    }
)


class SignInDialog(QDialog):
    """Asks for a user name and password; `signed_in` (and `context`) give the Context."""

    signed_in = Signal(object)

    def __init__(self, location: Location, parent: QWidget | None = None, login: str = "") -> None:
        super().__init__(parent)
        self.location = location
        self.context: Context | None = None
        self.busy = False
        self._task: Task | None = None
        self.setWindowTitle(i18n.tr("signin.window_title"))

        heading = QLabel(i18n.tr("signin.heading"))
        font = heading.font()
        font.setPointSizeF(font.pointSizeF() * 1.4)
        font.setWeight(QFont.Weight.Bold)
        heading.setFont(font)
        heading.setAccessibleName(i18n.tr("signin.heading"))

        self.login_edit = QLineEdit(login)
        self.login_edit.setAccessibleName(i18n.tr("signin.login_a11y"))
        self.password_edit = QLineEdit()
        self.password_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.password_edit.setAccessibleName(i18n.tr("signin.password_a11y"))
        login_label = QLabel(i18n.tr("signin.login"))
        login_label.setBuddy(self.login_edit)
        password_label = QLabel(i18n.tr("signin.password"))
        password_label.setBuddy(self.password_edit)
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.addRow(login_label, self.login_edit)
        form.addRow(password_label, self.password_edit)

        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setAccessibleName(i18n.tr("signin.message_a11y"))
        self.message.setMinimumHeight(self.message.fontMetrics().lineSpacing() * 3)
        self.message.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)

        self.buttons = QDialogButtonBox()
        self.submit_button = self.buttons.addButton(i18n.tr("signin.submit"), QDialogButtonBox.ButtonRole.AcceptRole)
        self.quit_button = self.buttons.addButton(i18n.tr("signin.quit"), QDialogButtonBox.ButtonRole.RejectRole)
        self.submit_button.setDefault(True)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)

        where = QLabel(i18n.tr("signin.where", where=location.describe()))
        where.setWordWrap(True)
        where.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 20, 24, 16)
        layout.addWidget(heading)
        layout.addSpacing(8)
        layout.addLayout(form)
        layout.addWidget(self.message)
        layout.addWidget(self.buttons)
        layout.addSpacing(4)
        layout.addWidget(where)
        QWidget.setTabOrder(self.login_edit, self.password_edit)
        QWidget.setTabOrder(self.password_edit, self.submit_button)
        QWidget.setTabOrder(self.submit_button, self.quit_button)
        self.setMinimumWidth(460)
        (self.password_edit if login else self.login_edit).setFocus()

    def _say(self, text: str, error: bool) -> None:
        self.message.setText(text)
        self.message.setStyleSheet(error_style(self) if error else "")
        self.password_edit.setAccessibleDescription(text if error else "")

    def _set_busy(self, busy: bool) -> None:
        self.busy = busy
        for widget in (self.login_edit, self.password_edit, self.submit_button):
            widget.setEnabled(not busy)
        if busy:
            self._say(i18n.tr("signin.busy"), error=False)
        else:
            self.submit_button.setDefault(True)  # a disabled button loses its default role

    def accept(self) -> None:
        """Sign in off the GUI thread; the dialog closes only once signed in."""
        if self.busy:
            return
        login = self.login_edit.text().strip()
        password = self.password_edit.text()
        if not login or not password:
            self._say(i18n.tr("signin.login_missing" if not login else "signin.password_missing"), error=True)
            (self.login_edit if not login else self.password_edit).setFocus()
            return
        self._set_busy(True)
        self._task = run_task(auth.sign_in, self.location, login, password,
                              on_done=self._signed_in, on_failed=self._failed)

    def _signed_in(self, ctx: Context) -> None:
        self._task = None
        self.context = ctx
        self._set_busy(False)
        self._say("", error=False)
        self.password_edit.clear()
        super().accept()
        self.signed_in.emit(ctx)

    def _failed(self, exc: BaseException) -> None:
        self._task = None
        self._set_busy(False)
        self._say(error_sentence(exc), error=True)
        self.password_edit.clear()
        self.password_edit.setFocus()

    def reject(self) -> None:
        if not self.busy:
            super().reject()
