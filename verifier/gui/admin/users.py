"""The "Utilisateurs" page: who may sign in, with which role; adding a user."""

from __future__ import annotations

from PySide6.QtCore import Signal
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
        "admin.users_title": ("Utilisateurs", "Users"),
        "admin.users_a11y": ("Liste des utilisateurs", "List of users"),
        "admin.user_add": ("&Ajouter un utilisateur…", "&Add a user…"),
        "admin.user_make_admin": ("Passer en &rôle administrateur", "Give the administrator &role"),
        "admin.user_make_counter": ("Passer en &rôle comptoir", "Give the counter &role"),
        "admin.user_deactivate": ("&Désactiver", "&Deactivate"),
        "admin.user_reactivate": ("Réacti&ver", "Reacti&vate"),
        "admin.users_note": (
            "Un changement de rôle prend effet à la prochaine connexion de l'utilisateur. Un utilisateur "
            "désactivé ne peut plus se connecter ; son historique est conservé.",
            "A role change applies from the user's next sign-in. A deactivated user can no longer sign in; "
            "their history is kept.",
        ),
        "admin.user_add_title": ("Ajouter un utilisateur", "Add a user"),
        "admin.f.login": ("&Identifiant :", "&User name:"),
        "admin.f.login_a11y": ("Identifiant de connexion du nouvel utilisateur", "The new user's sign-in name"),
        "admin.f.login_hint": (
            "Lettres, chiffres, points, tirets ou soulignés.",
            "Letters, digits, dots, dashes or underscores.",
        ),
        "admin.f.display_name": ("Nom &affiché :", "&Display name:"),
        "admin.f.display_name_a11y": ("Nom affiché du nouvel utilisateur", "The new user's display name"),
        "admin.f.role": ("&Rôle :", "&Role:"),
        "admin.f.role_a11y": ("Rôle du nouvel utilisateur", "The new user's role"),
        "admin.f.role_counter": ("comptoir (vérifications et demandes)", "counter (checks and claims)"),
        "admin.f.role_admin": (
            "administrateur (tout, y compris ces écrans)",
            "administrator (everything, these screens included)",
        ),
        "admin.f.password": ("&Mot de passe :", "&Password:"),
        "admin.f.password_a11y": (
            "Mot de passe du nouvel utilisateur, {minimum} caractères au moins",
            "The new user's password, at least {minimum} characters",
        ),
        "admin.f.password_hint": (
            "{minimum} caractères au moins ; l'utilisateur pourra le changer.",
            "At least {minimum} characters; the user can change it.",
        ),
        "admin.f.confirm": ("&Confirmation :", "&Confirm:"),
        "admin.f.confirm_a11y": ("Confirmation du mot de passe", "Password confirmation"),
        "admin.password_mismatch": (
            "La confirmation ne correspond pas au mot de passe. Saisissez-le à nouveau.",
            "The confirmation does not match the password. Type it again.",
        ),
        "admin.user_added": ("Utilisateur « {login} » ajouté ({role}).", "User '{login}' added ({role})."),
        "admin.user_role_set": (
            "« {login} » a désormais le rôle {role} (dès sa prochaine connexion).",
            "'{login}' now has the {role} role (from their next sign-in).",
        ),
        "admin.user_on": ("« {login} » peut de nouveau se connecter.", "'{login}' can sign in again."),
        "admin.user_off": ("« {login} » ne peut plus se connecter.", "'{login}' can no longer sign in."),
        "admin.self_demote_title": ("Renoncer au rôle d'administrateur ?", "Give up the administrator role?"),
        "admin.self_demote_text": (
            "Vous ne pourrez plus gérer les organismes, les utilisateurs ni les réglages après votre "
            "prochaine connexion. Seul un autre administrateur pourra vous rendre ce rôle. Continuer ?",
            "After your next sign-in you will no longer manage insurers, users or settings. Only another "
            "administrator can give you this role back. Continue?",
        ),
    }
)


def role_name(role: str) -> str:
    return i18n.tr(f"admin.role.{role}")


class AddUserDialog(FormDialog):
    """Login, display name, role and a first password (hashed off the GUI thread)."""

    user_added = Signal(object)

    def __init__(self, ctx: Context, parent: QWidget | None = None) -> None:
        super().__init__(ctx, i18n.tr("admin.user_add_title"), parent)
        minimum = auth.MIN_PASSWORD
        self.login_edit = line_edit(64)
        self.display_edit = line_edit(200)
        self.role_box = QComboBox()
        self.role_box.addItem(i18n.tr("admin.f.role_counter"), COUNTER)
        self.role_box.addItem(i18n.tr("admin.f.role_admin"), ADMIN)
        self.password_edit = line_edit(200)
        self.password_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.confirm_edit = line_edit(200)
        self.confirm_edit.setEchoMode(QLineEdit.EchoMode.Password)
        f = self.form
        f.add(
            "login",
            i18n.tr("admin.f.login"),
            self.login_edit,
            i18n.tr("admin.f.login_a11y"),
            i18n.tr("admin.f.login_hint"),
        )
        f.add("display_name", i18n.tr("admin.f.display_name"), self.display_edit, i18n.tr("admin.f.display_name_a11y"))
        f.add("role", i18n.tr("admin.f.role"), self.role_box, i18n.tr("admin.f.role_a11y"))
        f.add(
            "password",
            i18n.tr("admin.f.password"),
            self.password_edit,
            i18n.tr("admin.f.password_a11y", minimum=minimum),
            i18n.tr("admin.f.password_hint", minimum=minimum),
        )
        f.add("confirm", i18n.tr("admin.f.confirm"), self.confirm_edit, i18n.tr("admin.f.confirm_a11y"))
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


class UsersPage(AdminPage):
    """The users and their roles; refused with the service's sentence to counter staff."""

    def __init__(self, ctx: Context, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self.dialog: AddUserDialog | None = None
        self.model = UserModel(self)
        self.section = TableSection(i18n.tr("admin.users_title"), self.model, i18n.tr("admin.users_a11y"), stretch=1)
        self.section.proxy.set_show_inactive(True)
        self.add_button = QPushButton(i18n.tr("admin.user_add"))
        self.add_button.clicked.connect(self.add_user)
        self.role_button = QPushButton(i18n.tr("admin.user_make_admin"))
        self.role_button.clicked.connect(self.toggle_role)
        self.active_button = QPushButton(i18n.tr("admin.user_deactivate"))
        self.active_button.clicked.connect(self.toggle_active)
        row = QHBoxLayout()
        for b in (self.add_button, self.role_button, self.active_button):
            row.addWidget(b)
        row.addStretch(1)
        note = QLabel(i18n.tr("admin.users_note"))
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
            i18n.tr("admin.user_make_counter" if user is not None and user.is_admin else "admin.user_make_admin")
        )
        self.active_button.setText(
            i18n.tr("admin.user_reactivate" if user is not None and not user.active else "admin.user_deactivate")
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
        self.status.say(i18n.tr("admin.user_added", login=info.login, role=role_name(info.role)))
        self._reload(info.id)

    def toggle_role(self) -> None:
        user: UserInfo | None = self.section.selected()
        if user is None:
            return
        role = COUNTER if user.is_admin else ADMIN
        if user.login == self.ctx.actor.login and role == COUNTER:
            answer = QMessageBox.question(self, i18n.tr("admin.self_demote_title"), i18n.tr("admin.self_demote_text"))
            if answer != QMessageBox.StandardButton.Yes:
                return
        self.jobs.run(users.set_role, self.ctx, user.login, role, on_done=self._role_set, on_failed=self.status.failed)

    def _role_set(self, info: UserInfo) -> None:
        self.status.say(i18n.tr("admin.user_role_set", login=info.login, role=role_name(info.role)))
        self._reload(info.id)

    def toggle_active(self) -> None:
        user: UserInfo | None = self.section.selected()
        if user is None:
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
        self.status.say(i18n.tr("admin.user_on" if info.active else "admin.user_off", login=info.login))
        self._reload(info.id)

    def _reload(self, select_id: int) -> None:
        def loaded(rows: list[UserInfo]) -> None:
            self._loaded(rows)
            self.section.select(select_id)

        self.jobs.run(users.list_users, self.ctx, on_done=loaded, on_failed=self.status.failed)
