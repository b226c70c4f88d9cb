"""The rows a key rotation re-encrypts, read and written in batches (services.keys)."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from verifier.store.schema import CoverageCheck, FormDraft, Patient


def count_rows(session: Session) -> int:
    """How many rows a rotation goes through (for its progress)."""
    return sum(
        session.scalar(select(func.count()).select_from(model)) or 0 for model in (Patient, CoverageCheck, FormDraft)
    )


def patients_after(session: Session, after: str, limit: int) -> Sequence[Patient]:
    return session.scalars(select(Patient).where(Patient.id > after).order_by(Patient.id).limit(limit)).all()


def checks_after(session: Session, after: str, limit: int) -> Sequence[CoverageCheck]:
    return session.scalars(
        select(CoverageCheck).where(CoverageCheck.id > after).order_by(CoverageCheck.id).limit(limit)
    ).all()


def drafts(session: Session) -> Sequence[FormDraft]:
    return session.scalars(select(FormDraft)).all()
