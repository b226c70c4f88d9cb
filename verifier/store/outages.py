"""Queries on operators and their outages (when an operator was declared down, and back)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from verifier.store.schema import Operator, Outage


def operator_by_code(session: Session, code: str) -> Operator | None:
    return session.scalars(select(Operator).where(Operator.code == code)).one_or_none()


def open_outage_id(session: Session, operator_id: int) -> int | None:
    """The operator's outage that has not ended, if it is declared down now."""
    return session.scalars(
        select(Outage.id).where(Outage.operator_id == operator_id, Outage.ended_at.is_(None))
    ).first()


def open_outages(session: Session) -> list[tuple[Outage, Operator]]:
    """Operators declared down now, the oldest outage first."""
    rows = session.execute(
        select(Outage, Operator)
        .join(Operator, Outage.operator_id == Operator.id)
        .where(Outage.ended_at.is_(None))
        .order_by(Outage.started_at)
    ).all()
    return [(o, op) for o, op in rows]


def latest_outages(session: Session, limit: int) -> list[tuple[Outage, Operator]]:
    """The last `limit` outages, ended or not, the newest first."""
    rows = session.execute(
        select(Outage, Operator)
        .join(Operator, Outage.operator_id == Operator.id)
        .order_by(Outage.started_at.desc())
        .limit(limit)
    ).all()
    return [(o, op) for o, op in rows]


def operators(session: Session, include_inactive: bool = True) -> list[Operator]:
    """Operators by name (the active ones only unless `include_inactive`)."""
    q = select(Operator).order_by(Operator.name)
    if not include_inactive:
        q = q.where(Operator.active.is_(True))
    return list(session.scalars(q))
