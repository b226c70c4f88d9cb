"""Drug reference queries: atomic replacement of the whole reference, and look-ups."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session

from verifier.domain.drugs import DrugRecord
from verifier.store.schema import Drug, DrugReference

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


def reference_info(session: Session) -> DrugReference | None:
    return session.get(DrugReference, 1)
