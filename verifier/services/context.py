"""Who is acting on which store: every service takes a Context and checks its role."""

from __future__ import annotations

from dataclasses import dataclass
from types import TracebackType

from verifier import i18n
from verifier.domain.errors import PermissionDenied
from verifier.store import users as user_store
from verifier.store.engine import Store

COUNTER = "counter"
ADMIN = "admin"
ROLES = (COUNTER, ADMIN)


@dataclass(frozen=True)
class Actor:
    user_id: int
    login: str
    role: str

    @property
    def is_admin(self) -> bool:
        return self.role == ADMIN


@dataclass
class Context:
    store: Store
    actor: Actor

    def require_admin(self, action: str) -> None:
        """Refuse unless the user is an active administrator now.

        The role is read again from the database, not trusted from sign-in: an
        administrator demoted or deactivated on another counter loses the rights at once.
        """
        if self.actor.is_admin:
            with self.store.read() as s:
                row = user_store.role_now(s, self.actor.user_id)
            if row is not None and row.role == ADMIN and row.active:
                return
        raise PermissionDenied("perm.admin_only", action=i18n.say(f"action.{action}"))

    def close(self) -> None:
        self.store.close()

    def __enter__(self) -> Context:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        """Close the store however the block ends; an exception goes on up."""
        self.close()


i18n.register(
    {
        "perm.admin_only": i18n.N_("Seul un administrateur peut {action}. Demandez à un administrateur de le faire."),
        "action.add_user": i18n.N_("ajouter un utilisateur"),
        "action.manage_users": i18n.N_("gérer les utilisateurs"),
        "action.manage_directory": i18n.N_("modifier les organismes et opérateurs"),
        "action.import_drugs": i18n.N_("importer la base des médicaments"),
        "action.record_return": i18n.N_("enregistrer un retour d'organisme"),
        "action.create_batch": i18n.N_("créer, exporter ou annuler un lot"),
        "action.verify_audit": i18n.N_("vérifier le journal d'audit"),
        "action.override": i18n.N_("autoriser un dépassement de plafond"),
    }
)
