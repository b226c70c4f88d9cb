"""Queries for export batches: candidates with their completeness facts, and the export rows."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import and_, func, select, update
from sqlalchemy.orm import Session

from verifier.domain.states import ClaimStatus
from verifier.store.schema import AuditEvent, Base, Batch, Claim, ClaimLine, CoverageCheck, Insurer, Operator, Patient

_CHUNK = 900  # under SQLite's default limit of bound parameters per statement


@dataclass(frozen=True)
class Candidate:
    """A queued claim and what completeness needs to know about it."""

    id: str
    number: int
    line_count: int
    amc: Decimal
    dispensed_on: date
    has_member_number: bool
    insurer_active: bool
    card_valid_from: date | None
    card_valid_to: date | None
    check_outcome: str
    insurer_provisional: bool = False  # recorded at the counter, not yet confirmed by an administrator


def candidates(
    session: Session, claim_ids: Sequence[str] | None, *, insurer_id: int | None = None, operator_id: int | None = None
) -> list[Candidate]:
    """Queued claims of the insurer, or of every insurer batched through the operator
    (optionally only those ids), locked, oldest first."""
    lines = select(ClaimLine.claim_id, func.count(ClaimLine.id).label("n")).group_by(ClaimLine.claim_id).subquery()
    q = (
        select(
            Claim.id,
            Claim.number,
            func.coalesce(lines.c.n, 0),
            Claim.amc,
            Claim.dispensed_on,
            (CoverageCheck.member_number_enc.is_not(None) | Patient.member_number_enc.is_not(None)),
            Insurer.active,
            Patient.card_valid_from,
            Patient.card_valid_to,
            CoverageCheck.outcome,
            Insurer.provisional,
        )
        .join(CoverageCheck, Claim.check_id == CoverageCheck.id)
        .join(Patient, Claim.patient_id == Patient.id)
        .join(Insurer, Claim.insurer_id == Insurer.id)
        .outerjoin(lines, lines.c.claim_id == Claim.id)
        .where(Claim.status == ClaimStatus.QUEUED)
        .order_by(Claim.number)
    )
    if operator_id is not None:
        q = q.where(Insurer.operator_id == operator_id, Insurer.batch_by == "operator")
    else:
        q = q.where(Claim.insurer_id == insurer_id)
    if claim_ids is not None:
        q = q.where(Claim.id.in_(list(claim_ids)))
    if session.get_bind().dialect.name == "postgresql":  # SQLite writers hold the database lock
        q = q.with_for_update(of=Claim)
    return [Candidate(*row) for row in session.execute(q)]


def mark_exported(session: Session, batch_id: int, claim_ids: Sequence[str], at: object) -> None:
    for i in range(0, len(claim_ids), _CHUNK):
        chunk = list(claim_ids[i : i + _CHUNK])
        session.execute(
            update(Claim)
            .where(and_(Claim.id.in_(chunk), Claim.status == ClaimStatus.QUEUED))
            .values(status=ClaimStatus.EXPORTED, batch_id=batch_id, updated_at=at),
            execution_options={"synchronize_session": False},
        )


def written(session: Session, batch_ids: Sequence[int]) -> set[int]:
    """Which of these batches have had a file written (an export is audited as `batch.exported`)."""
    if not batch_ids:
        return set()
    q = (
        select(AuditEvent.entity_id)
        .distinct()
        .where(
            AuditEvent.entity == "batch",
            AuditEvent.entity_id.in_([str(i) for i in batch_ids]),
            AuditEvent.action == "batch.exported",
        )
    )
    return {int(e) for e in session.scalars(q) if e is not None}


def release(session: Session, batch_id: int, at: object) -> list[str]:
    """A voided batch's claims go back to the queue; returns their ids."""
    ids = list(session.scalars(select(Claim.id).where(Claim.batch_id == batch_id)))
    session.execute(
        update(Claim).where(Claim.batch_id == batch_id).values(status=ClaimStatus.QUEUED, batch_id=None, updated_at=at),
        execution_options={"synchronize_session": False},
    )
    return ids


@dataclass(frozen=True)
class Totals:
    claims: int
    lines: int
    price: Decimal
    br: Decimal
    amo: Decimal
    tm: Decimal
    amc: Decimal
    patient: Decimal


def totals(session: Session, batch_id: int) -> Totals:
    c = session.execute(
        select(
            func.count(Claim.id),
            func.sum(Claim.price),
            func.sum(Claim.br),
            func.sum(Claim.amo),
            func.sum(Claim.tm),
            func.sum(Claim.amc),
            func.sum(Claim.patient_share),
        ).where(Claim.batch_id == batch_id)
    ).one()
    n_lines = session.scalar(
        select(func.count(ClaimLine.id)).join(Claim, ClaimLine.claim_id == Claim.id).where(Claim.batch_id == batch_id)
    )
    zero = Decimal("0.00")
    return Totals(int(c[0]), int(n_lines or 0), *(v if v is not None else zero for v in c[1:]))


@dataclass(frozen=True)
class InsurerShare:
    """One insurer's part of a batch (several in an operator's batch)."""

    amc_number: str
    name: str
    claims: int
    amc: Decimal


def shares(session: Session, batch_id: int) -> list[InsurerShare]:
    rows = session.execute(
        select(Insurer.amc_number, Insurer.name, func.count(Claim.id), func.sum(Claim.amc))
        .join(Insurer, Claim.insurer_id == Insurer.id)
        .where(Claim.batch_id == batch_id)
        .group_by(Insurer.amc_number, Insurer.name)
        .order_by(Insurer.amc_number)
    )
    return [
        InsurerShare(amc, name, int(n), total if total is not None else Decimal("0.00")) for amc, name, n, total in rows
    ]


_claims = Base.metadata.tables["claims"]
_lines = Base.metadata.tables["claim_lines"]
_checks = Base.metadata.tables["coverage_checks"]
_patients = Base.metadata.tables["patients"]
_insurers = Base.metadata.tables["insurers"]


_stays = Base.metadata.tables["claim_stays"]
_prescriptions = Base.metadata.tables["claim_prescriptions"]


def export_rows(session: Session, batch_id: int, chunk: int = 2000) -> Iterator[Any]:
    """Every line of the batch with its claim, check and patient columns, streamed in order."""
    q = (
        select(
            _claims.c.id,
            _claims.c.number,
            _claims.c.version,
            _claims.c.previous_id,
            _claims.c.dispensed_on,
            _claims.c.prescriber_rpps,
            _claims.c.operator_down,
            _claims.c.price.label("claim_price"),
            _claims.c.amo.label("claim_amo"),
            _claims.c.amc.label("claim_amc"),
            _claims.c.patient_share.label("claim_patient_share"),
            _patients.c.id.label("patient_id"),
            _patients.c.surname_enc,
            _patients.c.first_name_enc,
            _patients.c.birth_date_enc,
            _patients.c.nir_enc,
            _patients.c.rank,
            _patients.c.amo_fund,
            _patients.c.member_number_enc.label("patient_member_enc"),
            _checks.c.method,
            _checks.c.reference,
            _checks.c.outcome,
            _checks.c.checked_at,
            _checks.c.guarantees,
            _checks.c.member_number_enc.label("check_member_enc"),
            _insurers.c.amc_number.label("insurer_amc_number"),
            _insurers.c.name.label("insurer_name"),
            _lines.c.position,
            _lines.c.code,
            _lines.c.code_kind,
            _lines.c.label,
            _lines.c.prestation_code,
            _lines.c.quantity,
            _lines.c.unit_price,
            _lines.c.br_unit,
            _lines.c.amo_rate,
            _lines.c.price,
            _lines.c.br,
            _lines.c.amo,
            _lines.c.tm,
            _lines.c.amc,
            _lines.c.patient_share,
            _lines.c.expiry,
            _lines.c.lot,
            _lines.c.serial,
            _claims.c.kind,
            _stays.c.entry_number,
            _stays.c.admission,
            _stays.c.discharge,
            _stays.c.mode,
            _stays.c.dmt,
            _stays.c.exemption,
            _stays.c.pec_obtained_on,
            _stays.c.pec_valid_until,
            _stays.c.guarantees.label("care_guarantees"),
            _lines.c.care_kind,
            _lines.c.practitioner_rpps,
            _lines.c.optam,
            _lines.c.withheld,
            _lines.c.participation,
            _lines.c.days_paid,
            _lines.c.fee_unit,
            _prescriptions.c.claim_id.label("prescription_of"),
            _prescriptions.c.prescribed_on,
            _prescriptions.c.ald_two_part,
            _prescriptions.c.on_call,
        )
        .join(_lines, _lines.c.claim_id == _claims.c.id)
        .outerjoin(_stays, _stays.c.claim_id == _claims.c.id)
        .outerjoin(_prescriptions, _prescriptions.c.claim_id == _claims.c.id)
        .join(_checks, _claims.c.check_id == _checks.c.id)
        .join(_patients, _claims.c.patient_id == _patients.c.id)
        .join(_insurers, _claims.c.insurer_id == _insurers.c.id)
        .where(_claims.c.batch_id == batch_id)
        .order_by(_claims.c.number, _lines.c.position)
        .execution_options(yield_per=chunk)
    )
    yield from session.connection().execute(q)


_boxes = Base.metadata.tables["claim_line_boxes"]


def export_boxes(session: Session, batch_id: int, chunk: int = 2000) -> Iterator[Any]:
    """Every box of the batch's lines, streamed in the order of `export_rows` (then box order)."""
    q = (
        select(
            _claims.c.number, _boxes.c.line_position, _boxes.c.lot, _boxes.c.expiry, _boxes.c.serial, _boxes.c.read_as
        )
        .join(_claims, _boxes.c.claim_id == _claims.c.id)
        .where(_claims.c.batch_id == batch_id)
        .order_by(_claims.c.number, _boxes.c.line_position, _boxes.c.position)
        .execution_options(yield_per=chunk)
    )
    yield from session.connection().execute(q)


def get(session: Session, batch_id: int, lock: bool = False) -> Batch | None:
    return session.get(Batch, batch_id, with_for_update=lock)


def recent(session: Session, insurer_id: int | None = None, limit: int = 200) -> list[Batch]:
    """The latest batches first (all, or one insurer's)."""
    q = select(Batch).order_by(Batch.created_at.desc(), Batch.id.desc()).limit(limit)
    if insurer_id is not None:
        q = q.where(Batch.insurer_id == insurer_id)
    return list(session.scalars(q))


def recipient_names(session: Session) -> tuple[dict[int, str], dict[int, str]]:
    """Every insurer's and every operator's name, by id (a batch goes to one or the other)."""
    insurers = {i: name for i, name in session.execute(select(Insurer.id, Insurer.name))}
    operators = {i: name for i, name in session.execute(select(Operator.id, Operator.name))}
    return insurers, operators
