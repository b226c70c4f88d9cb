"""Which patients a retention purge may pseudonymise, and the pseudonymising writes."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import delete, exists, func, select, update
from sqlalchemy.orm import Session

from verifier.domain.states import ClaimStatus
from verifier.store.schema import Claim, CoverageCheck, Patient, PatientSearchToken

SETTLED = (ClaimStatus.PAID, ClaimStatus.VOID, ClaimStatus.REJECTED)


def queued_count(session: Session) -> int:
    return int(session.scalar(select(func.count()).select_from(Claim).where(Claim.status == ClaimStatus.QUEUED)) or 0)


def purgeable(session: Session, cutoff: datetime) -> Sequence[Patient]:
    """Patients whose every claim is settled (paid, void or rejected) and untouched since
    `cutoff`, with no coverage check since then either, themselves unchanged since then."""
    open_or_recent_claim = exists().where(
        Claim.patient_id == Patient.id, (Claim.status.not_in(SETTLED)) | (Claim.updated_at >= cutoff)
    )
    recent_check = exists().where(CoverageCheck.patient_id == Patient.id, CoverageCheck.checked_at >= cutoff)
    return session.scalars(
        select(Patient)
        .where(Patient.updated_at < cutoff, ~open_or_recent_claim, ~recent_check)
        .order_by(Patient.id)
        .with_for_update()
    ).all()


def claims_of(session: Session, patient_ids: Sequence[str]) -> int:
    if not patient_ids:
        return 0
    return int(session.scalar(select(func.count()).select_from(Claim).where(Claim.patient_id.in_(patient_ids))) or 0)


def forget_check_details(session: Session, patient_ids: Sequence[str]) -> None:
    """The member numbers and notes kept with the patients' coverage checks go too."""
    session.execute(
        update(CoverageCheck)
        .where(CoverageCheck.patient_id.in_(patient_ids))
        .values(member_number_enc=None, note_enc=None)
    )
    session.execute(delete(PatientSearchToken).where(PatientSearchToken.patient_id.in_(patient_ids)))
