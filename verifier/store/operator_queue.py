"""Claims waiting in the queue for the insurers of one tiers-payant operator.

What "Viamedis answers again: 132 claims, 4 230,50 € ready to export" counts: the claims
in status `queued` whose insurer is routed through that operator.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from verifier.domain.states import ClaimStatus
from verifier.store.schema import Claim, Insurer, Operator

QUEUED = ClaimStatus.QUEUED


@dataclass(frozen=True)
class OperatorQueue:
    """How many claims, and how much insurers' share (AMC), wait for one operator."""

    count: int
    amc: Decimal


def queued_for_operator(session: Session, operator_code: str) -> OperatorQueue:
    """The queued claims of every insurer of `operator_code` (inactive insurers included)."""
    q = (
        select(func.count(Claim.id), func.sum(Claim.amc))
        .select_from(Claim)
        .join(Insurer, Claim.insurer_id == Insurer.id)
        .join(Operator, Insurer.operator_id == Operator.id)
        .where(Operator.code == operator_code.strip().upper(), Claim.status == QUEUED)
    )
    n, amc = session.execute(q).one()
    # SUM keeps the column's type (exact hundredths); no row gives NULL.
    return OperatorQueue(int(n or 0), amc if amc is not None else Decimal("0.00"))
