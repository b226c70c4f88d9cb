"""The "Utilisateurs" page: who may sign in, with which role; adding a user."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from verifier import i18n
from verifier.domain.errors import Problem, ValidationError
from verifier.gui.admin.common import AdminPage, SentenceLabel
from verifier.gui.admin.form_dialog import FormDialog, line_edit
from verifier.gui.admin.insurers import TableSection
from verifier.gui.admin.models import UserModel
from verifier.services import auth, users
from verifier.services.context import ADMIN, COUNTER, Context
from verifier.services.users import UserInfo

i18n.register(
    {
        "admin.user_make_admin": i18n.N_("Passer en &rôle administrateur"),
        "admin.user_make_counter": i18n.N_("Passer en &rôle comptoir"),
        "admin.user_deactivate": i18n.N_("&Désactiver"),
        "admin.user_reactivate": i18n.N_("Réacti&ver"),
        "admin.password_mismatch": i18n.N_(
            "La confirmation ne correspond pas au mot de passe. Saisissez-le à nouveau."
        ),
        "admin.user_on": i18n.N_("« {login} » peut de nouveau se connecter."),
        "admin.user_off": i18n.N_(
            "« {login} » ne peut plus se connecter ; la clé de la base a été changée : ses copies n'ouvrent plus rien de ce qui s'écrit désormais."
        ),
    }
)


def role_name(role: str) -> str:
    return i18n.say(f"admin.role.{role}")


class AddUserDialog(FormDialog):
    """Login, display name, role and a first password (hashed off the GUI thread)."""

    user_added = Signal(object)

    def __init__(self, ctx: Context, parent: QWidget | None = None) -> None:
        super().__init__(ctx, i18n.tr("Ajouter un utilisateur"), parent)
        minimum = auth.MIN_PASSWORD
        self.login_edit = line_edit(64)
        self.display_edit = line_edit(200)
        self.role_box = QComboBox()
        self.role_box.addItem(i18n.tr("comptoir (vérifications et demandes)"), COUNTER)
        self.role_box.addItem(i18n.tr("administrateur (tout, y compris ces écrans)"), ADMIN)
        self.password_edit = line_edit(200)
        self.password_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.confirm_edit = line_edit(200)
        self.confirm_edit.setEchoMode(QLineEdit.EchoMode.Password)
        f = self.form
        f.add(
            "login",
            i18n.tr("&Identifiant :"),
            self.login_edit,
            i18n.tr("Identifiant de connexion du nouvel utilisateur"),
            i18n.tr("Lettres, chiffres, points, tirets ou soulignés."),
        )
        f.add(
            "display_name", i18n.tr("Nom &affiché :"), self.display_edit, i18n.tr("Nom affiché du nouvel utilisateur")
        )
        f.add("role", i18n.tr("&Rôle :"), self.role_box, i18n.tr("Rôle du nouvel utilisateur"))
        f.add(
            "password",
            i18n.tr("&Mot de passe :"),
            self.password_edit,
            i18n.tr("Mot de passe du nouvel utilisateur, {minimum} caractères au moins", minimum=minimum),
            i18n.tr("{minimum} caractères au moins ; l'utilisateur pourra le changer.", minimum=minimum),
        )
        f.add("confirm", i18n.tr("&Confirmation :"), self.confirm_edit, i18n.tr("Confirmation du mot de passe"))
        self.finish_layout()
        self.login_edit.setFocus()

    def save(self) -> None:
        # What the form knows without the database is said at once, with the service's words.
        problems = auth.login_problems(self.login_edit.text().strip()) + auth.password_problems(
            self.password_edit.text()
        )
        if self.confirm_edit.text() != self.password_edit.text():
            problems.append(Problem("admin.password_mismatch", {}, "confirm"))
        if problems:
            self._failed(ValidationError(problems))
            return
        self.start(
            users.add_user,
            self.ctx,
            self.login_edit.text().strip(),
            self.display_edit.text(),
            str(self.role_box.currentData()),
            self.password_edit.text(),
        )

    def saved(self, result: object) -> None:
        self.password_edit.clear()
        self.confirm_edit.clear()
        self.user_added.emit(result)


class ReactivateDialog(FormDialog):
    """A deactivated user's new password: their old key slot went with the key change."""

    reactivated = Signal(object)

    def __init__(self, ctx: Context, login: str, parent: QWidget | None = None) -> None:
        super().__init__(ctx, i18n.tr("Réactiver « {login} »", login=login), parent)
        self.login = login
        self.password_edit = line_edit(200)
        self.password_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.confirm_edit = line_edit(200)
        self.confirm_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.form.add(
            "password",
            i18n.tr("&Nouveau mot de passe :"),
            self.password_edit,
            i18n.tr("Nouveau mot de passe de l'utilisateur réactivé"),
            i18n.tr("La clé de la base a changé à sa désactivation : son ancien mot de passe n'ouvre plus rien."),
        )
        self.form.add("confirm", i18n.tr("&Confirmation :"), self.confirm_edit, i18n.tr("Confirmation du mot de passe"))
        self.finish_layout()
        self.password_edit.setFocus()

    def save(self) -> None:
        problems = auth.password_problems(self.password_edit.text(), (self.login,))
        if self.confirm_edit.text() != self.password_edit.text():
            problems.append(Problem("admin.password_mismatch", {}, "confirm"))
        if problems:
            self._failed(ValidationError(problems))
            return
        self.start(users.reactivate, self.ctx, self.login, self.password_edit.text())

    def saved(self, result: object) -> None:
        self.password_edit.clear()
        self.confirm_edit.clear()
        self.reactivated.emit(result)


class UsersPage(AdminPage):
    """The users and their roles; refused with the service's sentence to counter staff."""

    def __init__(self, ctx: Context, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self.dialog: AddUserDialog | None = None
        self.model = UserModel(self)
        self.section = TableSection(i18n.tr("Utilisateurs"), self.model, i18n.tr("Liste des utilisateurs"), stretch=1)
        self.section.proxy.set_show_inactive(True)
        self.add_button = QPushButton(i18n.tr("&Ajouter un utilisateur…"))
        self.add_button.clicked.connect(self.add_user)
        self.role_button = QPushButton(i18n.tr("Passer en &rôle administrateur"))
        self.role_button.clicked.connect(self.toggle_role)
        self.active_button = QPushButton(i18n.tr("&Désactiver"))
        self.active_button.clicked.connect(self.toggle_active)
        row = QHBoxLayout()
        for b in (self.add_button, self.role_button, self.active_button):
            row.addWidget(b)
        row.addStretch(1)
        note = QLabel(
            i18n.tr(
                "Un changement de rôle prend effet à la prochaine connexion de l'utilisateur. Désactiver un utilisateur change la clé de la base (ses copies n'ouvrent plus rien de nouveau) ; son historique est conservé, et sa réactivation demande un nouveau mot de passe."
            )
        )
        note.setWordWrap(True)
        box = QVBoxLayout(self.section)
        box.addLayout(row)
        box.addWidget(self.section.view, 1)
        box.addWidget(note)
        self.status = SentenceLabel()
        layout = QVBoxLayout(self)
        layout.addWidget(self.section, 1)
        layout.addWidget(self.status)
        self.section.view.selectionModel().selectionChanged.connect(lambda *_: self._update_buttons())
        QWidget.setTabOrder(self.add_button, self.role_button)
        QWidget.setTabOrder(self.role_button, self.active_button)
        QWidget.setTabOrder(self.active_button, self.section.view)
        self._update_buttons()

    def refresh(self) -> None:
        if not self.jobs.busy:
            self.jobs.run(users.list_users, self.ctx, on_done=self._loaded, on_failed=self._load_failed)

    def _loaded(self, rows: list[UserInfo]) -> None:
        self.section.set_rows(rows)
        self._update_buttons()

    def _load_failed(self, exc: BaseException) -> None:
        self.allowed = False
        self._update_buttons()
        self.status.failed(exc)

    def _update_buttons(self) -> None:
        user: UserInfo | None = self.section.selected()
        self.add_button.setEnabled(self.allowed)
        self.role_button.setEnabled(self.allowed and user is not None)
        self.active_button.setEnabled(self.allowed and user is not None and user.login != self.ctx.actor.login)
        self.role_button.setText(
            i18n.say("admin.user_make_counter" if user is not None and user.is_admin else "admin.user_make_admin")
        )
        self.active_button.setText(
            i18n.say("admin.user_reactivate" if user is not None and not user.active else "admin.user_deactivate")
        )

    def add_user(self) -> None:
        if not self.allowed:
            return
        if self.dialog is not None:
            self.dialog.deleteLater()
        self.dialog = AddUserDialog(self.ctx, self)
        self.dialog.user_added.connect(self._added)
        self.dialog.open()

    def _added(self, info: UserInfo) -> None:
        self.status.say(
            i18n.tr("Utilisateur « {login} » ajouté ({role}).", login=info.login, role=role_name(info.role))
        )
        self._reload(info.id)

    def toggle_role(self) -> None:
        user: UserInfo | None = self.section.selected()
        if user is None:
            return
        role = COUNTER if user.is_admin else ADMIN
        if user.login == self.ctx.actor.login and role == COUNTER:
            answer = QMessageBox.question(
                self,
                i18n.tr("Renoncer au rôle d'administrateur ?"),
                i18n.tr(
                    "Vous ne pourrez plus gérer les organismes, les utilisateurs ni les réglages après votre prochaine connexion. Seul un autre administrateur pourra vous rendre ce rôle. Continuer ?"
                ),
            )
            if answer != QMessageBox.StandardButton.Yes:
                return
        self.jobs.run(users.set_role, self.ctx, user.login, role, on_done=self._role_set, on_failed=self.status.failed)

    def _role_set(self, info: UserInfo) -> None:
        self.status.say(
            i18n.tr(
                "« {login} » a désormais le rôle {role} (dès sa prochaine connexion).",
                login=info.login,
                role=role_name(info.role),
            )
        )
        self._reload(info.id)

    def toggle_active(self) -> None:
        user: UserInfo | None = self.section.selected()
        if user is None:
            return
        if not user.active:  # a new password comes with it
            self.reactivate_dialog = ReactivateDialog(self.ctx, user.login, self)
            self.reactivate_dialog.reactivated.connect(self._active_set)
            self.reactivate_dialog.open()
            return
        self.jobs.run(
            users.set_active,
            self.ctx,
            user.login,
            not user.active,
            on_done=self._active_set,
            on_failed=self.status.failed,
        )

    def _active_set(self, info: UserInfo) -> None:
        self.status.say(i18n.say("admin.user_on" if info.active else "admin.user_off", login=info.login))
        rotation = info.rotation
        if rotation is not None and (rotation.needs_password or rotation.recovery_code or not rotation.finished):
            # What the key change asks of the administrator: said in a box, not a status line
            # that the next action replaces (a new recovery code must be written down).
            parts = []
            if rotation.needs_password:
                parts.append(
                    i18n.tr(
                        "Ces utilisateurs ne se sont pas connectés depuis la mise à jour et n'ont pas reçu la nouvelle clé : {logins}. Donnez-leur un nouveau mot de passe.",
                        logins=", ".join(rotation.needs_password),
                    )
                )
            if rotation.recovery_code:
                parts.append(
                    i18n.tr(
                        "Nouveau code de secours (l'ancien ne sert plus) : {code}. Imprimez-le ou recopiez-le et rangez-le sous clé.",
                        code=rotation.recovery_code,
                    )
                )
            if not rotation.finished:
                parts.append(
                    i18n.tr(
                        "Une autre fenêtre de verifier a la base ouverte sur cet ordinateur : le reste du fichier prendra la nouvelle clé à la prochaine connexion, une fois les autres fenêtres fermées."
                    )
                )
            box = QMessageBox(
                QMessageBox.Icon.Information, i18n.tr("Clé de la base changée"), "\n\n".join(parts), parent=self
            )
            box.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            box.setTextFormat(Qt.TextFormat.PlainText)
            box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
            self.rotation_box = box  # window-modal, not blocking: the page goes on behind it
            box.open()
        self._reload(info.id)

    def _reload(self, select_id: int) -> None:
        def loaded(rows: list[UserInfo]) -> None:
            self._loaded(rows)
            self.section.select(select_id)

        self.jobs.run(users.list_users, self.ctx, on_done=loaded, on_failed=self.status.failed)
