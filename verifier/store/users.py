"""Queries on users (the people who sign in)."""

from __future__ import annotations

from typing import NamedTuple

from sqlalchemy import select
from sqlalchemy.orm import Session

from verifier.store.schema import User


class RoleNow(NamedTuple):
    role: str
    active: bool
    signature: str | None


class SignInRow(NamedTuple):
    id: int
    role: str
    active: bool


def sign_in_row(session: Session, login: str) -> SignInRow | None:
    """The user's id, role and state, read with the columns the first schema had already."""
    row = session.execute(select(User.id, User.role, User.active).where(User.login == login)).one_or_none()
    return None if row is None else SignInRow(row.id, row.role, bool(row.active))


def by_login(session: Session, login: str) -> User | None:
    return session.scalars(select(User).where(User.login == login)).one_or_none()


def login_taken(session: Session, login: str) -> bool:
    return session.scalars(select(User.id).where(User.login == login)).first() is not None


def everyone(session: Session) -> list[User]:
    """Every user, active or not, by login."""
    return list(session.scalars(select(User).order_by(User.login)))


def lock_with_role(session: Session, role: str) -> list[User]:
    """The rows of the users with `role`, locked in a fixed order (no deadlock between two
    administrators changing users at the same time)."""
    return list(session.scalars(select(User).where(User.role == role).order_by(User.id).with_for_update()))


def role_now(session: Session, user_id: int) -> RoleNow | None:
    """The user's role and whether they may sign in, as stored now."""
    row = session.execute(select(User.role, User.active, User.signature).where(User.id == user_id)).one_or_none()
    return None if row is None else RoleNow(row.role, bool(row.active), row.signature)
