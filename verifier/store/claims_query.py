"""Queries over claims: filtered, sorted pages and totals per insurer, never all rows at once."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from verifier.store.schema import Claim, Insurer, Patient

SORT_COLUMNS = {
    "number": Claim.number,
    "dispensed_on": Claim.dispensed_on,
    "created_at": Claim.created_at,
    "amc": Claim.amc,
    "price": Claim.price,
    "status": Claim.status,
    "insurer": Insurer.name,
}


@dataclass(frozen=True)
class ClaimFilter:
    statuses: tuple[str, ...] = ()
    insurer_id: int | None = None
    date_from: date | None = None
    date_to: date | None = None
    number: int | None = None
    patient_ids: list[str] | None = None  # from a name or NIR search; None = no such filter


@dataclass(frozen=True)
class Row:
    id: str
    number: int
    version: int
    status: str
    dispensed_on: date
    insurer_name: str
    amc_number: str
    price: Decimal
    amc: Decimal
    operator_down: bool
    patient: Patient


@dataclass(frozen=True)
class InsurerTotal:
    insurer_id: int
    insurer_name: str
    count: int
    amc: Decimal
    price: Decimal


@dataclass
class Page:
    rows: list[Row]
    total_count: int
    totals: list[InsurerTotal] = field(default_factory=list)


def _filtered(q: Select, f: ClaimFilter) -> Select:  # type: ignore[type-arg]
    if f.statuses:
        q = q.where(Claim.status.in_(f.statuses))
    if f.insurer_id is not None:
        q = q.where(Claim.insurer_id == f.insurer_id)
    if f.date_from is not None:
        q = q.where(Claim.dispensed_on >= f.date_from)
    if f.date_to is not None:
        q = q.where(Claim.dispensed_on <= f.date_to)
    if f.number is not None:
        q = q.where(Claim.number == f.number)
    if f.patient_ids is not None:
        q = q.where(Claim.patient_id.in_(f.patient_ids))
    return q


def count(session: Session, f: ClaimFilter) -> int:
    return int(session.scalar(_filtered(select(func.count(Claim.id)), f)) or 0)


def page(session: Session, f: ClaimFilter, offset: int, limit: int, sort: str = "number",
         descending: bool = True) -> list[Row]:
    column = SORT_COLUMNS.get(sort, Claim.number)
    q = _filtered(
        select(Claim, Insurer.name, Insurer.amc_number, Patient).join(Insurer, Claim.insurer_id == Insurer.id)
        .join(Patient, Claim.patient_id == Patient.id),
        f,
    )
    order = column.desc() if descending else column.asc()
    tiebreak = Claim.number.desc() if descending else Claim.number.asc()
    q = q.order_by(order, tiebreak).offset(offset).limit(limit)
    return [
        Row(c.id, c.number, c.version, c.status, c.dispensed_on, name, amc_no, c.price, c.amc, c.operator_down, p)
        for c, name, amc_no, p in session.execute(q)
    ]


def totals_by_insurer(session: Session, f: ClaimFilter) -> list[InsurerTotal]:
    q = _filtered(
        select(Claim.insurer_id, Insurer.name, func.count(Claim.id), func.sum(Claim.amc), func.sum(Claim.price))
        .join(Insurer, Claim.insurer_id == Insurer.id)
        .group_by(Claim.insurer_id, Insurer.name)
        .order_by(Insurer.name),
        f,
    )
    # SUM keeps the column's type, so the integer hundredths come back as exact Decimals.
    return [
        InsurerTotal(iid, name, int(n), amc, price)
        for iid, name, n, amc, price in session.execute(q)
    ]

