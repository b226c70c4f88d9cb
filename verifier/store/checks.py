"""Queries on coverage checks."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from verifier.store.schema import CoverageCheck, Insurer, User


def last_with_insurer(
    session: Session, patient_id: str, amc_number: str, outcomes: Sequence[str], since: datetime
) -> tuple[CoverageCheck, str] | None:
    """The patient's newest check with this insurer, among `outcomes`, made since `since`,
    with the display name of who made it."""
    row = session.execute(
        select(CoverageCheck, User.display_name)
        .join(Insurer, CoverageCheck.insurer_id == Insurer.id)
        .join(User, CoverageCheck.checked_by == User.id)
        .where(
            CoverageCheck.patient_id == patient_id,
            Insurer.amc_number == amc_number,
            CoverageCheck.outcome.in_(list(outcomes)),
            CoverageCheck.checked_at >= since,
        )
        .order_by(CoverageCheck.checked_at.desc())
        .limit(1)
    ).first()
    return None if row is None else (row[0], row[1])
