"""The stay rows of clinic claims (migration 0010): written with the claim, read for views,
exports and the yearly day limits."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import insert, select, update

from verifier.domain.states import ClaimKind, ClaimStatus
from verifier.store.schema import Base, Claim, ClaimStay, Patient
from verifier.store.session import Session

_stays = Base.metadata.tables["claim_stays"]


def insert_stay(session: Session, row: dict[str, object]) -> None:
    session.connection().execute(insert(_stays), [row])


def update_stay(session: Session, claim_id: str, **values: object) -> None:
    session.connection().execute(update(_stays).where(_stays.c.claim_id == claim_id).values(**values))


def get(session: Session, claim_id: str) -> ClaimStay | None:
    return session.get(ClaimStay, claim_id)


def days_used_texts(
    session: Session, patient_id: str, insurer_id: int, statuses: Sequence[ClaimStatus], exclude_claim: str
) -> list[str]:
    """The `days_used` JSON of this patient's stays billed to this insurer in these statuses."""
    q = (
        select(ClaimStay.days_used)
        .join(Claim, Claim.id == ClaimStay.claim_id)
        .where(
            Claim.patient_id == patient_id,
            Claim.insurer_id == insurer_id,
            Claim.kind != ClaimKind.PHARMACY,
            Claim.status.in_(list(statuses)),
            Claim.id != exclude_claim,
        )
    )
    return [text for text in session.scalars(q) if text]


def kinds_of(session: Session, claim_ids: Sequence[str]) -> dict[str, tuple[ClaimKind, bool]]:
    """(kind, stay still open) of these claims that are stays or consultations, by claim id."""
    found: dict[str, tuple[ClaimKind, bool]] = {}
    ids = list(dict.fromkeys(claim_ids))
    for i in range(0, len(ids), 900):  # SQLite's limit on bound parameters
        q = (
            select(Claim.id, Claim.kind, ClaimStay.discharge)
            .join(ClaimStay, ClaimStay.claim_id == Claim.id)
            .where(Claim.id.in_(ids[i : i + 900]))
        )
        found.update({cid: (ClaimKind(kind), discharge is None) for cid, kind, discharge in session.execute(q)})
    return found


def open_stays(session: Session, limit: int = 500) -> list[Any]:
    """The stays recorded with their PEC and not invoiced yet, newest admission first: claim id,
    number, admission, entry number and the patient's encrypted names."""
    q = (
        select(
            Claim.id,
            Claim.number,
            ClaimStay.admission,
            ClaimStay.entry_number,
            Patient.surname_enc,
            Patient.first_name_enc,
        )
        .join(ClaimStay, ClaimStay.claim_id == Claim.id)
        .join(Patient, Patient.id == Claim.patient_id)
        .where(Claim.kind == ClaimKind.STAY, Claim.status == ClaimStatus.DRAFT, ClaimStay.discharge.is_(None))
        .order_by(ClaimStay.admission.desc(), Claim.number.desc())
        .limit(limit)
    )
    return list(session.execute(q))


def lock_patient(session: Session, patient_id: str) -> None:
    """Hold the patient's row until the transaction ends (PostgreSQL; SQLite's writer already
    holds the database): what a yearly limit counts is read and written by one writer at a time."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(select(Patient.id).where(Patient.id == patient_id).with_for_update())
