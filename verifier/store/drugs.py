"""Drug reference queries: atomic replacement of the whole reference, and look-ups."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session

from verifier.domain.drugs import DrugRecord
from verifier.store.schema import Drug, DrugReference, SpecificDrug

_CHUNK = 5000


def replace_reference(
    session: Session,
    records: Iterable[DrugRecord],
    source: str,
    snapshot_date: str,
    imported_at: datetime,
    imported_by: int | None,
    skipped: int,
) -> int:
    """Swap the whole reference inside the caller's transaction: all or nothing."""
    session.execute(delete(Drug))
    count = 0
    chunk: list[dict[str, object]] = []
    for r in records:
        chunk.append(
            {
                "cip13": r.cip13,
                "cip7": r.cip7,
                "cis": r.cis,
                "name": r.name,
                "presentation": r.presentation,
                "rate": r.rate,
                "price": r.price,
                "prestation_code": r.prestation_code,
                "marketed": r.marketed,
                "fee": r.fee,
            }
        )
        if len(chunk) >= _CHUNK:
            session.execute(insert(Drug), chunk)
            count += len(chunk)
            chunk = []
    if chunk:
        session.execute(insert(Drug), chunk)
        count += len(chunk)
    ref = session.get(DrugReference, 1)
    if ref is None:
        ref = DrugReference(id=1)
        session.add(ref)
    ref.source = source
    ref.snapshot_date = snapshot_date
    ref.imported_at = imported_at
    ref.imported_by = imported_by
    ref.count = count
    ref.skipped = skipped
    session.flush()
    return count


def by_cip13(session: Session, cip13: str) -> Drug | None:
    return session.get(Drug, cip13)


def by_cip7(session: Session, cip7: str) -> Drug | None:
    return session.scalars(select(Drug).where(Drug.cip7 == cip7)).first()


def is_specific(session: Session, cip13: str) -> bool:
    return session.get(SpecificDrug, cip13) is not None


def specific_codes(session: Session) -> list[str]:
    return list(session.scalars(select(SpecificDrug.cip13).order_by(SpecificDrug.cip13)))


def set_specific(session: Session, cip13s: Iterable[str], on: bool, user_id: int | None, now: datetime) -> int:
    """Flag (or unflag) presentations as bringing the HDE fee; how many changed."""
    changed = 0
    for cip13 in cip13s:
        row = session.get(SpecificDrug, cip13)
        if on and row is None:
            session.add(SpecificDrug(cip13=cip13, added_by=user_id, added_at=now))
            changed += 1
        elif not on and row is not None:
            session.delete(row)
            changed += 1
    session.flush()
    return changed


def reference_info(session: Session) -> DrugReference | None:
    return session.get(DrugReference, 1)
