"""Signing in: user name and password; unlocking runs off the GUI thread (Argon2 takes ~0.2 s).

Also the "switch user" dialog of the main window (`switching=True`). This is the first
window on screen, so it imports nothing heavy: the services are imported by the worker
that signs in, and warmed up off the GUI thread once the window is shown.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QTimer, Signal
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

if TYPE_CHECKING:
    from verifier.location import Location
    from verifier.services.context import Context

i18n.register(
    {
        "signin.window_title": i18n.N_("verifier – connexion"),
        "signin.heading": i18n.N_("Connexion"),
        "signin.submit": i18n.N_("&Se connecter"),
        "signin.quit": i18n.N_("&Quitter"),
        "signin.login_missing": i18n.N_("Saisissez votre identifiant."),
        "signin.password_missing": i18n.N_("Saisissez votre mot de passe."),
        "signin.switch_title": i18n.N_("verifier – changer d'utilisateur"),
        "signin.switch_heading": i18n.N_("Changer d'utilisateur"),
        "signin.switch_submit": i18n.N_("&Changer d'utilisateur"),
        "signin.cancel": i18n.N_("Annuler"),
    }
)


def _sign_in(location: Location, login: str, password: str) -> Context:
    """Runs on a worker: the services (and the database layer) are imported there."""
    from verifier.services import auth

    return auth.sign_in(location, login, password)


def _warm_up() -> None:
    """Import what signing in needs while the user types (on a worker, nothing shown)."""
    import verifier.services.auth  # noqa: F401


class SignInDialog(QDialog):
    """Asks for a user name and password; `signed_in` (and `context`) give the Context."""

    signed_in = Signal(object)

    def __init__(
        self, location: Location, parent: QWidget | None = None, login: str = "", switching: bool = False
    ) -> None:
        super().__init__(parent)
        self.location = location
        self.context: Context | None = None
        self.busy = False
        self._task: Task | None = None
        self._warm_task: Task | None = None
        self.setWindowTitle(i18n.say("signin.switch_title" if switching else "signin.window_title"))

        heading = QLabel(i18n.say("signin.switch_heading" if switching else "signin.heading"))
        font = heading.font()
        font.setPointSizeF(font.pointSizeF() * 1.4)
        font.setWeight(QFont.Weight.Bold)
        heading.setFont(font)
        heading.setAccessibleName(heading.text())

        self.login_edit = QLineEdit(login)
        self.login_edit.setAccessibleName(i18n.tr("Identifiant"))
        self.password_edit = QLineEdit()
        self.password_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.password_edit.setAccessibleName(i18n.tr("Mot de passe"))
        login_label = QLabel(i18n.tr("&Identifiant :"))
        login_label.setBuddy(self.login_edit)
        password_label = QLabel(i18n.tr("&Mot de passe :"))
        password_label.setBuddy(self.password_edit)
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.addRow(login_label, self.login_edit)
        form.addRow(password_label, self.password_edit)

        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setAccessibleName(i18n.tr("Message"))
        # Three lines kept for the message, text at the top, so the window does not jump. A
        # layout rather than QLabel.setAlignment: the first use of the Qt namespace builds its
        # ~100 enums (~12 ms), which this first window can do without.
        message_box = QWidget()
        message_box.setMinimumHeight(self.message.fontMetrics().lineSpacing() * 3)
        message_layout = QVBoxLayout(message_box)
        message_layout.setContentsMargins(0, 0, 0, 0)
        message_layout.addWidget(self.message)
        message_layout.addStretch(1)

        self.buttons = QDialogButtonBox()
        self.submit_button = self.buttons.addButton(
            i18n.say("signin.switch_submit" if switching else "signin.submit"), QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.quit_button = self.buttons.addButton(
            i18n.say("signin.cancel" if switching else "signin.quit"), QDialogButtonBox.ButtonRole.RejectRole
        )
        self.submit_button.setDefault(True)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)

        self.where = QLabel(i18n.tr("Base : {where}", where=location.describe()))
        self.where.setWordWrap(True)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 20, 24, 16)
        layout.addWidget(heading)
        layout.addSpacing(8)
        layout.addLayout(form)
        layout.addWidget(message_box)
        layout.addWidget(self.buttons)
        layout.addSpacing(4)
        layout.addWidget(self.where)
        QWidget.setTabOrder(self.login_edit, self.password_edit)
        QWidget.setTabOrder(self.password_edit, self.submit_button)
        QWidget.setTabOrder(self.submit_button, self.quit_button)
        self.setMinimumWidth(self.fontMetrics().averageCharWidth() * 62)
        (self.password_edit if login else self.login_edit).setFocus()
        QTimer.singleShot(200 if not switching else 0, self._warm)  # the window comes first

    def _warm(self) -> None:
        from PySide6.QtCore import Qt

        self.where.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)  # for support
        if self._warm_task is None and self.context is None:
            self._warm_task = run_task(_warm_up, on_done=self._warmed, on_failed=self._warmed)

    def _warmed(self, _result: object) -> None:
        self._warm_task = None  # a failure shows again, as a sentence, when signing in

    def say(self, text: str, error: bool) -> None:
        """Show a sentence under the fields (the start-up flow uses it for database problems)."""
        self._say(text, error)

    def _say(self, text: str, error: bool) -> None:
        self.message.setText(text)
        self.message.setStyleSheet(error_style(self) if error else "")
        self.password_edit.setAccessibleDescription(text if error else "")

    def _set_busy(self, busy: bool) -> None:
        self.busy = busy
        for widget in (self.login_edit, self.password_edit, self.submit_button):
            widget.setEnabled(not busy)
        if busy:
            self._say(i18n.tr("Connexion en cours…"), error=False)
        else:
            self.submit_button.setDefault(True)  # a disabled button loses its default role

    def accept(self) -> None:
        """Sign in off the GUI thread; the dialog closes only once signed in."""
        if self.busy:
            return
        login = self.login_edit.text().strip()
        password = self.password_edit.text()
        if not login or not password:
            self._say(i18n.say("signin.login_missing" if not login else "signin.password_missing"), error=True)
            (self.login_edit if not login else self.password_edit).setFocus()
            return
        self._set_busy(True)
        self._task = run_task(_sign_in, self.location, login, password, on_done=self._signed_in, on_failed=self._failed)

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
