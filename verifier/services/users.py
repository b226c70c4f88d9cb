"""Users and roles, for administrators: the list, adding, changing a role, (de)activating.

There is always at least one active administrator: demoting or deactivating the last one is
refused, under a lock on the administrators' rows so that two administrators acting at the
same moment cannot both succeed. Passwords and key slots stay in `verifier.services.auth`.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from verifier import i18n
from verifier.domain.errors import NotFound, Problem, ValidationError
from verifier.services import auth, authority
from verifier.services.context import ADMIN, ROLES, Context
from verifier.store import audit_log
from verifier.store import users as user_store
from verifier.store.schema import User
from verifier.store.session import Session

if TYPE_CHECKING:
    from verifier.services.keys import RotationResult


@dataclass(frozen=True)
class UserInfo:
    id: int
    login: str
    display_name: str
    role: str
    active: bool
    rotation: RotationResult | None = None  # when deactivating revoked the user's key

    @property
    def is_admin(self) -> bool:
        return self.role == ADMIN


def _info(user: User) -> UserInfo:
    return UserInfo(user.id, user.login, user.display_name, user.role, user.active)


def list_users(ctx: Context) -> list[UserInfo]:
    """Every user, active or not, by login."""
    ctx.require_admin("manage_users")
    with ctx.store.read() as s:
        return [_info(u) for u in user_store.everyone(s)]


def get_user(ctx: Context, login: str) -> UserInfo:
    ctx.require_admin("manage_users")
    with ctx.store.read() as s:
        return _info(_user(s, login))


def add_user(ctx: Context, login: str, display_name: str, role: str, password: str) -> UserInfo:
    """Add a user (see `auth.add_user`: password of 12 characters or more, unique login)."""
    auth.add_user(ctx, login.strip(), display_name, role, password)
    return get_user(ctx, login.strip())


def _user(s: Session, login: str) -> User:
    user = user_store.by_login(s, login)
    if user is None:
        raise NotFound("user.not_found", login=login)
    return user


def _lock_admins(s: Session) -> list[User]:
    """The administrators' rows, locked in a fixed order (no deadlock between two admins)."""
    return user_store.lock_with_role(s, ADMIN)


def _other_active_admin(admins: list[User], user: User) -> bool:
    return any(a.active and a.id != user.id for a in admins)


def set_role(ctx: Context, login: str, role: str) -> UserInfo:
    """Make a user an administrator or counter staff; the last active administrator stays one.

    A user's new role applies from their next sign-in.
    """
    ctx.require_admin("manage_users")
    if role not in ROLES:
        raise ValidationError([Problem("user.role_invalid", {"roles": ", ".join(ROLES)}, "role")])
    with ctx.store.write() as s:
        admins = _lock_admins(s)
        user = _user(s, login)
        if user.role == role:
            return _info(user)
        if user.role == ADMIN and user.active and not _other_active_admin(admins, user):
            raise ValidationError([Problem("user.last_admin_role", {"login": login}, "role")])
        old, user.role = user.role, role
        authority.sign_changed(s, ctx.store, user)
        audit_log.append(s, ctx.actor.login, "user.role_changed", "user", str(user.id), {"from": old, "to": role})
        info = _info(user)
    if role == ADMIN:
        authority.seal_for(ctx.store, login)
    else:  # their copies of the signing key must sign nothing from now on
        authority.replace_key(ctx.store, ctx.actor.login)
    return info


def set_active(ctx: Context, login: str, active: bool) -> UserInfo:
    """Let a user sign in again, or stop them; nobody deactivates themselves or the last admin.

    Audited (user.activated / user.deactivated), with the last-administrator rule
    checked in the same transaction as the change. Deactivating also changes the database
    key for everyone else (services.keys): the user's key slot, and any copy of it, opens
    nothing written from then on. A user activated again needs a new password (`auth.
    reset_password`), which gives them a slot for the key in force.
    """
    ctx.require_admin("manage_users")
    if login == ctx.actor.login and not active:
        raise ValidationError([Problem("user.self_deactivate", {}, "login")])
    with ctx.store.write() as s:
        admins = _lock_admins(s)
        user = _user(s, login)
        if user.active == active:
            return _info(user)
        if not active and user.role == ADMIN and not _other_active_admin(admins, user):
            raise ValidationError([Problem("user.last_admin_active", {"login": login}, "login")])
        user.active = active
        authority.sign_changed(s, ctx.store, user)
        audit_log.append(s, ctx.actor.login, "user.activated" if active else "user.deactivated", "user", str(user.id))
        info = _info(user)
    if active:
        return info
    from verifier.services import keys

    rotation = keys.rotate(ctx, "user.deactivated")
    if info.is_admin:
        authority.replace_key(ctx.store, ctx.actor.login)
    return replace(info, rotation=rotation)


def reactivate(ctx: Context, login: str, password: str) -> UserInfo:
    """Let a deactivated user sign in again, with a new password: deactivating dropped their
    key slot (the key changed), so a slot for the key in force is made for this password."""
    ctx.require_admin("manage_users")
    problems = auth.password_problems(password, (login,))
    if problems:
        raise ValidationError(problems)
    info = set_active(ctx, login, True)
    auth.reset_password(ctx, login, password)
    return info


i18n.register(
    {
        "user.last_admin_role": i18n.N_(
            "« {login} » est le dernier administrateur actif : nommez d'abord un autre administrateur."
        ),
        "user.last_admin_active": i18n.N_(
            "« {login} » est le dernier administrateur actif et ne peut pas être désactivé."
        ),
    }
)
