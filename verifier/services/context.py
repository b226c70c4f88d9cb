"""Who is acting on which store: every service takes a Context and checks its role."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from types import TracebackType

from verifier import i18n
from verifier.domain.errors import PermissionDenied
from verifier.security.signing import public_of
from verifier.services.authority import public_key as authority_key
from verifier.services.authority import row_verifies as signed_by_admin
from verifier.store import database
from verifier.store import users as user_store
from verifier.store.engine import Store

log = logging.getLogger(__name__)

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
                public = authority_key(s)
            if row is not None and row.role == ADMIN and row.active:
                # The row must be as an administrator signed it, and the signing key in hand:
                # a role written by SQL with the database key alone gives nothing.
                held = self.store.admin_key
                if public is not None and held is not None and public_of(held) != public:
                    raise PermissionDenied("authority.key_replaced")
                if not signed_by_admin(
                    public, self.actor.user_id, self.actor.login, row.role, row.active, row.signature
                ):
                    raise PermissionDenied("perm.not_signed")
                if public is not None and held is None:
                    raise PermissionDenied("authority.key_missing")
                return
        raise PermissionDenied("perm.admin_only", action=i18n.say(f"action.{action}"))

    def close(self) -> None:
        """Record the audit chain's head outside it (an anchor), then let the store go."""
        try:
            database.write_anchor(self.store)
        except Exception as exc:  # noqa: BLE001 - a server gone away: the next close records it
            log.warning("audit anchor not written (%s)", type(exc).__name__)
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
        "authority.key_replaced": i18n.N_(
            "La clé de signature des administrateurs enregistrée dans la base n'est plus la vôtre : la base a été modifiée hors de l'application. Ne faites aucune action d'administration ; restaurez une sauvegarde et changez les mots de passe."
        ),
        "perm.not_signed": i18n.N_(
            "Votre rôle a été modifié hors de l'application (sa signature ne correspond pas) : il ne donne aucun droit. Un administrateur doit le rétablir depuis la gestion des utilisateurs."
        ),
        "perm.admin_only": i18n.N_("Seul un administrateur peut {action}. Demandez à un administrateur de le faire."),
        "action.add_user": i18n.N_("ajouter un utilisateur"),
        "action.manage_users": i18n.N_("gérer les utilisateurs"),
        "action.manage_directory": i18n.N_("modifier les organismes et opérateurs"),
        "action.import_drugs": i18n.N_("importer la base des médicaments"),
        "action.specific_drugs": i18n.N_("modifier la liste des médicaments spécifiques"),
        "action.record_return": i18n.N_("enregistrer un retour d'organisme"),
        "action.create_batch": i18n.N_("créer, exporter ou annuler un lot"),
        "action.verify_audit": i18n.N_("vérifier le journal d'audit"),
        "action.backup": i18n.N_("sauvegarder la base"),
        "action.purge": i18n.N_("effacer les identités des demandes réglées"),
        "action.override": i18n.N_("autoriser un dépassement de plafond"),
        "action.rotate_key": i18n.N_("changer la clé de la base de données"),
    }
)
