"""Queries on insurers, and the writes that touch other tables (moving everything that points
at one insurer to another)."""

from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from verifier.store.schema import Batch, Claim, CoverageCheck, Insurer, Patient


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
