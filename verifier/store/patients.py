"""Queries on patients. Personal fields are encrypted: patients are found by blind indexes
(the NIR's, and one per name prefix in `patient_search_tokens`), never by their text."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from verifier.store.schema import Patient, PatientSearchToken


def with_nir_index(session: Session, nir_bidx: str) -> list[Patient]:
    return list(session.scalars(select(Patient).where(Patient.nir_bidx == nir_bidx)))


def ids_with_nir_index(session: Session, nir_bidx: str) -> list[str]:
    return list(session.scalars(select(Patient.id).where(Patient.nir_bidx == nir_bidx)))


def ids_with_every_token(session: Session, tokens: set[str]) -> list[str]:
    """The patients whose search tokens include every one of `tokens`."""
    q = (
        select(PatientSearchToken.patient_id)
        .where(PatientSearchToken.token.in_(tokens))
        .group_by(PatientSearchToken.patient_id)
        .having(func.count() == len(tokens))
    )
    return list(session.scalars(q))


def by_ids(session: Session, ids: Sequence[str]) -> list[Patient]:
    return list(session.scalars(select(Patient).where(Patient.id.in_(list(ids)))))


def replace_search_tokens(session: Session, patient_id: str, tokens: Iterable[str]) -> None:
    """The patient's name-prefix tokens become `tokens` (after a name changed)."""
    session.execute(delete(PatientSearchToken).where(PatientSearchToken.patient_id == patient_id))
    session.add_all(PatientSearchToken(patient_id=patient_id, token=t) for t in tokens)


def first_encrypted_surname(session: Session) -> tuple[str, str] | None:
    """One patient's id and encrypted surname (the first by id), or None without patients."""
    row = session.execute(select(Patient.id, Patient.surname_enc).order_by(Patient.id).limit(1)).first()
    return None if row is None else (row[0], row[1])


def encrypted_surname(session: Session, patient_id: str) -> str | None:
    return session.scalar(select(Patient.surname_enc).where(Patient.id == patient_id))
