"""Queries on insurers, and the writes that touch other tables (moving everything that points
at one insurer to another)."""

from __future__ import annotations

from sqlalchemy import func, or_, select, update
from sqlalchemy.orm import Session

from verifier.store.schema import Batch, Claim, CoverageCheck, Insurer, Operator, Patient


def move_references(session: Session, from_id: int, to_id: int) -> dict[str, int]:
    """Point the claims, checks, patients and batches of insurer `from_id` at `to_id`;
    how many rows of each moved (counts only: nothing about a patient)."""
    moved: dict[str, int] = {}
    for name, table in (("claims", Claim), ("checks", CoverageCheck), ("patients", Patient), ("batches", Batch)):
        result = session.execute(
            update(table).where(table.insurer_id == from_id).values(insurer_id=to_id),
            execution_options={"synchronize_session": False},
        )
        moved[name] = int(result.rowcount or 0)  # type: ignore[attr-defined]
    session.expire_all()
    return moved


def by_amc_number(session: Session, amc_number: str) -> Insurer | None:
    return session.scalars(select(Insurer).where(Insurer.amc_number == amc_number)).one_or_none()


def amc_number_taken(session: Session, amc_number: str) -> bool:
    return session.scalars(select(Insurer.id).where(Insurer.amc_number == amc_number)).first() is not None


def count_provisional(session: Session) -> int:
    """How many insurers recorded at the counter wait for an administrator."""
    return int(session.scalar(select(func.count()).select_from(Insurer).where(Insurer.provisional.is_(True))) or 0)


def matching(session: Session, text: str = "", include_inactive: bool = False) -> list[Insurer]:
    """Insurers by name whose AMC number starts with, or name contains, `text`."""
    q = select(Insurer).order_by(Insurer.name)
    if not include_inactive:
        q = q.where(Insurer.active.is_(True))
    if text:
        q = q.where(or_(Insurer.amc_number.startswith(text), func.lower(Insurer.name).contains(text.lower())))
    return list(session.scalars(q))


def every_insurer(session: Session) -> list[Insurer]:
    return list(session.scalars(select(Insurer)))


def every_operator(session: Session) -> list[Operator]:
    return list(session.scalars(select(Operator)))
