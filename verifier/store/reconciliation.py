"""Sums per insurer and status, and the outstanding amounts by age: one grouped query each."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from verifier.domain.states import ClaimStatus
from verifier.store.claims_write import OUTSTANDING
from verifier.store.schema import Claim, Insurer

AGE_BANDS = ((0, 30), (31, 60), (61, 90), (91, None))


@dataclass(frozen=True)
class StatusSum:
    insurer_id: int
    insurer_name: str
    amc_number: str
    status: ClaimStatus
    count: int
    amc: Decimal
    paid: Decimal


def by_status(session: Session) -> list[StatusSum]:
    q = (
        select(
            Claim.insurer_id,
            Insurer.name,
            Insurer.amc_number,
            Claim.status,
            func.count(Claim.id),
            func.sum(Claim.amc),
            func.sum(Claim.paid_amount),
        )
        .join(Insurer, Claim.insurer_id == Insurer.id)
        .group_by(Claim.insurer_id, Insurer.name, Insurer.amc_number, Claim.status)
        .order_by(Insurer.name, Claim.status)
    )
    zero = Decimal("0.00")
    return [StatusSum(i, n, a, s, int(c), amc or zero, paid or zero) for i, n, a, s, c, amc, paid in session.execute(q)]


def outstanding_by_age(session: Session, today: date) -> dict[int, list[Decimal]]:
    """insurer id -> outstanding AMC per age band (days since dispensing)."""
    columns = []
    for low, high in AGE_BANDS:
        newest = today - timedelta(days=low)
        cond = Claim.dispensed_on <= newest
        if high is not None:
            cond = cond & (Claim.dispensed_on >= today - timedelta(days=high))
        columns.append(func.sum(case((cond, Claim.amc), else_=None)))
    q = select(Claim.insurer_id, *columns).where(Claim.status.in_(OUTSTANDING)).group_by(Claim.insurer_id)
    zero = Decimal("0.00")
    return {row[0]: [v if v is not None else zero for v in row[1:]] for row in session.execute(q)}


def open_rejections(
    session: Session, limit: int = 500
) -> list[tuple[str, int, int, str | None, str | None, Decimal, str]]:
    """Rejected claims not yet rectified (no newer version) nor voided: the worklist."""
    newer = select(Claim.previous_id).where(Claim.previous_id.is_not(None))
    q = (
        select(
            Claim.id, Claim.number, Claim.version, Claim.rejection_code, Claim.rejection_text, Claim.amc, Insurer.name
        )
        .join(Insurer, Claim.insurer_id == Insurer.id)
        .where(Claim.status == ClaimStatus.REJECTED, Claim.id.not_in(newer))
        .order_by(Claim.updated_at)
        .limit(limit)
    )
    return [tuple(row) for row in session.execute(q)]  # type: ignore[misc]
