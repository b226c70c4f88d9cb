"""The tables, as SQLAlchemy 2 typed ORM classes.

Alembic migrations (store/migrations) are the only thing that creates or changes these
tables; a test checks the migrations and these classes describe the same schema.
Personal fields (names, birth date, NIR, member number, free notes) are stored encrypted
by the application (columns ending in `_enc`); `*_bidx` columns are blind indexes.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from verifier.domain.states import BatchStatus, CheckMethod, CheckOutcome, ClaimKind, ClaimStatus
from verifier.store.types import Hundredths, UTCDateTime, state_enum

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class Site(Base):
    __tablename__ = "site"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    finess: Mapped[str | None] = mapped_column(String(9))
    am_number: Mapped[str | None] = mapped_column(String(20))
    address: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class User(Base):
    __tablename__ = "users"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    login: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(16))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # The administrators' signature of login, role and state (0012); see services.authority.
    signature: Mapped[str | None] = mapped_column(Text)


class KeySlotRow(Base):
    """Wrapped copies of the database key, one per user (PostgreSQL; SQLite keeps a file)."""

    __tablename__ = "key_slots"
    name: Mapped[str] = mapped_column(String(80), primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    data: Mapped[str] = mapped_column(Text)  # JSON: salt, nonce, ciphertext, kdf parameters
    failures: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    locks: Mapped[int] = mapped_column(Integer, default=0, server_default="0")  # lockouts in a row (0011)


class Operator(Base):
    __tablename__ = "operators"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    health_url: Mapped[str | None] = mapped_column(String(500))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # How its batches are encrypted by default, and the administrators' signature (0013).
    export_protection: Mapped[str] = mapped_column(String(16), default="passphrase", server_default="passphrase")
    export_certificate: Mapped[str | None] = mapped_column(Text)
    signature: Mapped[str | None] = mapped_column(Text)


class Outage(Base):
    """An operator declared down (who, when, why) until declared up again."""

    __tablename__ = "outages"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    operator_id: Mapped[int] = mapped_column(ForeignKey("operators.id"), index=True)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    started_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    reason: Mapped[str | None] = mapped_column(Text)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    ended_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class FormDraft(Base):
    """What a user was typing at the counter, encrypted, so a crash or a closed window loses nothing."""

    __tablename__ = "form_drafts"
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    payload_enc: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Insurer(Base):
    __tablename__ = "insurers"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    amc_number: Mapped[str] = mapped_column(String(10), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    operator_id: Mapped[int | None] = mapped_column(ForeignKey("operators.id"))
    hotline: Mapped[str | None] = mapped_column(String(40))
    portal: Mapped[str | None] = mapped_column(String(500))
    batch_by: Mapped[str] = mapped_column(String(16), default="insurer")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # Recorded at the counter from the card, waiting for an administrator (migration 0007).
    provisional: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    recorded_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    recorded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # How its batches are encrypted by default, and the administrators' signature (0013).
    export_protection: Mapped[str] = mapped_column(String(16), default="passphrase", server_default="passphrase")
    export_certificate: Mapped[str | None] = mapped_column(Text)
    signature: Mapped[str | None] = mapped_column(Text)
    operator: Mapped[Operator | None] = relationship()


class Patient(Base):
    __tablename__ = "patients"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    surname_enc: Mapped[str] = mapped_column(Text)
    first_name_enc: Mapped[str] = mapped_column(Text)
    birth_date_enc: Mapped[str] = mapped_column(Text)
    nir_enc: Mapped[str] = mapped_column(Text)
    nir_bidx: Mapped[str] = mapped_column(String(32), index=True)
    rank: Mapped[int] = mapped_column(Integer, default=1)
    amo_fund: Mapped[str | None] = mapped_column(String(9))
    insurer_id: Mapped[int | None] = mapped_column(ForeignKey("insurers.id"))
    member_number_enc: Mapped[str | None] = mapped_column(Text)
    card_valid_from: Mapped[date | None] = mapped_column(Date)
    card_valid_to: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class PatientSearchToken(Base):
    """Blind-indexed name prefixes, so names can be searched while stored encrypted."""

    __tablename__ = "patient_search_tokens"
    patient_id: Mapped[str] = mapped_column(ForeignKey("patients.id", ondelete="CASCADE"), primary_key=True)
    token: Mapped[str] = mapped_column(String(32), primary_key=True)
    __table_args__ = (Index("ix_patient_search_tokens_token", "token"),)


class CoverageCheck(Base):
    __tablename__ = "coverage_checks"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    patient_id: Mapped[str] = mapped_column(ForeignKey("patients.id"), index=True)
    insurer_id: Mapped[int] = mapped_column(ForeignKey("insurers.id"))
    method: Mapped[CheckMethod] = mapped_column(state_enum(CheckMethod, "method"))
    reference: Mapped[str | None] = mapped_column(String(100))
    outcome: Mapped[CheckOutcome] = mapped_column(state_enum(CheckOutcome, "outcome"))
    guarantees: Mapped[str] = mapped_column(Text)  # JSON list of {domain, rate, covers_ph2}
    member_number_enc: Mapped[str | None] = mapped_column(Text)
    note_enc: Mapped[str | None] = mapped_column(Text)
    operator_down: Mapped[bool] = mapped_column(Boolean, default=False)
    outage_id: Mapped[int | None] = mapped_column(ForeignKey("outages.id"))
    checked_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    checked_at: Mapped[datetime] = mapped_column(UTCDateTime)
    reused_check_id: Mapped[str | None] = mapped_column(ForeignKey("coverage_checks.id"))  # a reuse of that check


class Batch(Base):
    """A numbered export batch for one insurer, or for one operator (the claims of every
    insurer that has its batches made per operator): exactly one of the two is set."""

    __tablename__ = "batches"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    insurer_id: Mapped[int | None] = mapped_column(ForeignKey("insurers.id"))
    operator_id: Mapped[int | None] = mapped_column(ForeignKey("operators.id"))
    number: Mapped[int] = mapped_column(Integer)
    status: Mapped[BatchStatus] = mapped_column(state_enum(BatchStatus, "status"))
    created_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    channel: Mapped[str | None] = mapped_column(String(16))
    claim_count: Mapped[int] = mapped_column(Integer, default=0)
    total_amc: Mapped[Decimal] = mapped_column(Hundredths, default=Decimal("0.00"))
    __table_args__ = (
        UniqueConstraint("insurer_id", "number", name="uq_batches_insurer_number"),
        UniqueConstraint("operator_id", "number", name="uq_batches_operator_number"),
        CheckConstraint("(insurer_id IS NULL) <> (operator_id IS NULL)", name="one_recipient"),
    )


class Claim(Base):
    __tablename__ = "claims"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    number: Mapped[int] = mapped_column(Integer, unique=True)
    version: Mapped[int] = mapped_column(Integer, default=1)
    previous_id: Mapped[str | None] = mapped_column(ForeignKey("claims.id"))
    status: Mapped[ClaimStatus] = mapped_column(state_enum(ClaimStatus, "status"), index=True)
    kind: Mapped[ClaimKind] = mapped_column(
        state_enum(ClaimKind, "kind"), default=ClaimKind.PHARMACY, server_default=ClaimKind.PHARMACY.value
    )
    patient_id: Mapped[str] = mapped_column(ForeignKey("patients.id"), index=True)
    insurer_id: Mapped[int] = mapped_column(ForeignKey("insurers.id"), index=True)
    check_id: Mapped[str] = mapped_column(ForeignKey("coverage_checks.id"))
    batch_id: Mapped[int | None] = mapped_column(ForeignKey("batches.id"))
    dispensed_on: Mapped[date] = mapped_column(Date, index=True)
    prescriber_rpps: Mapped[str | None] = mapped_column(String(11))
    operator_down: Mapped[bool] = mapped_column(Boolean, default=False)
    outage_id: Mapped[int | None] = mapped_column(ForeignKey("outages.id"), index=True)
    override_reason: Mapped[str | None] = mapped_column(Text)
    override_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    void_reason: Mapped[str | None] = mapped_column(Text)
    rejection_code: Mapped[str | None] = mapped_column(String(20))
    rejection_text: Mapped[str | None] = mapped_column(Text)
    paid_amount: Mapped[Decimal | None] = mapped_column(Hundredths)
    paid_on: Mapped[date | None] = mapped_column(Date)
    price: Mapped[Decimal] = mapped_column(Hundredths)
    br: Mapped[Decimal] = mapped_column(Hundredths)
    amo: Mapped[Decimal] = mapped_column(Hundredths)
    tm: Mapped[Decimal] = mapped_column(Hundredths)
    amc: Mapped[Decimal] = mapped_column(Hundredths)
    patient_share: Mapped[Decimal] = mapped_column(Hundredths)
    created_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    queued_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    lines: Mapped[list[ClaimLine]] = relationship(
        back_populates="claim", order_by="ClaimLine.position", cascade="all, delete-orphan"
    )
    boxes: Mapped[list[ClaimLineBox]] = relationship(
        order_by="(ClaimLineBox.line_position, ClaimLineBox.position)", cascade="all, delete-orphan"
    )
    prescription: Mapped[ClaimPrescription | None] = relationship(cascade="all, delete-orphan")
    # The queue screen reads pages in the order of any column after the last row shown
    # (keyset paging), checks its filters from the same index, and adds up totals per
    # insurer from indexes alone (see migration 0004).
    __table_args__ = (
        Index("ix_claims_status_number", "status", "number", "insurer_id", "dispensed_on"),
        Index("ix_claims_status_insurer_amounts", "status", "insurer_id", "number", "dispensed_on", "amc", "price"),
        Index("ix_claims_insurer_number", "insurer_id", "number", "status", "dispensed_on", "amc", "price"),
        Index(
            "ix_claims_patient_number", "patient_id", "number", "status", "insurer_id", "dispensed_on", "amc", "price"
        ),
        Index("ix_claims_dispensed_number", "dispensed_on", "number", "status", "insurer_id"),
        Index("ix_claims_amc_number", "amc", "number", "status", "insurer_id", "dispensed_on"),
        Index("ix_claims_operator_down_number", "operator_down", "number", "status", "insurer_id", "dispensed_on"),
        # A batch's claims in number order: the export streams them without sorting the whole
        # batch in memory (SQLCipher keeps its temporary sorts in RAM; see migration 0005).
        Index("ix_claims_batch_number", "batch_id", "number"),
    )


class ClaimLine(Base):
    __tablename__ = "claim_lines"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    claim_id: Mapped[str] = mapped_column(ForeignKey("claims.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    code: Mapped[str] = mapped_column(String(13))
    code_kind: Mapped[str] = mapped_column(String(8))  # cip13 | lpp | manual
    label: Mapped[str] = mapped_column(String(300))
    prestation_code: Mapped[str] = mapped_column(String(8))
    quantity: Mapped[int] = mapped_column(Integer)
    unit_price: Mapped[Decimal] = mapped_column(Hundredths)
    br_unit: Mapped[Decimal] = mapped_column(Hundredths)
    amo_rate: Mapped[Decimal] = mapped_column(Hundredths)
    price: Mapped[Decimal] = mapped_column(Hundredths)
    br: Mapped[Decimal] = mapped_column(Hundredths)
    amo: Mapped[Decimal] = mapped_column(Hundredths)
    tm: Mapped[Decimal] = mapped_column(Hundredths)
    amc: Mapped[Decimal] = mapped_column(Hundredths)
    patient_share: Mapped[Decimal] = mapped_column(Hundredths)
    expiry: Mapped[date | None] = mapped_column(Date)
    lot: Mapped[str | None] = mapped_column(String(20))
    serial: Mapped[str | None] = mapped_column(String(20))
    # Stay and consultation lines (migration 0010); NULL on a pharmacy line.
    care_kind: Mapped[str | None] = mapped_column(String(16))  # domain.care.LineKind
    practitioner_rpps: Mapped[str | None] = mapped_column(String(11))
    optam: Mapped[bool | None] = mapped_column(Boolean)
    withheld: Mapped[Decimal | None] = mapped_column(Hundredths)  # PAV or participation kept from the AMO
    participation: Mapped[Decimal | None] = mapped_column(Hundredths)  # the part of it no AMC may pay
    days_paid: Mapped[int | None] = mapped_column(Integer)  # days paid under a per-day guarantee
    fee_unit: Mapped[Decimal | None] = mapped_column(Hundredths)  # dispensing fee per unit in unit_price (0014)
    claim: Mapped[Claim] = relationship(back_populates="lines")


class ClaimStay(Base):
    """The stay (or consultation) a clinic claim bills, with its PEC (migration 0010).

    The PEC's method and number are the claim's coverage check (method, reference); what it
    adds is here: when it was obtained, until when it holds, and the guarantees it names,
    as typed ("CP 50 €/j 60 j/an"). A stay with no discharge date is open: recorded at
    admission, invoiced at discharge.
    """

    __tablename__ = "claim_stays"
    claim_id: Mapped[str] = mapped_column(ForeignKey("claims.id", ondelete="CASCADE"), primary_key=True)
    entry_number: Mapped[str | None] = mapped_column(String(20))
    admission: Mapped[date] = mapped_column(Date)
    discharge: Mapped[date | None] = mapped_column(Date)
    planned_discharge: Mapped[date | None] = mapped_column(Date)
    mode: Mapped[str] = mapped_column(String(2))  # MT
    dmt: Mapped[str] = mapped_column(String(3))
    exemption: Mapped[str] = mapped_column(String(20), default="")
    psychiatry: Mapped[bool] = mapped_column(Boolean, default=False)
    under_18: Mapped[bool] = mapped_column(Boolean, default=False)
    pav: Mapped[bool | None] = mapped_column(Boolean)  # as computed at the invoice
    pec_obtained_on: Mapped[date] = mapped_column(Date)
    pec_valid_until: Mapped[date | None] = mapped_column(Date)
    guarantees: Mapped[str] = mapped_column(Text)  # JSON list of guarantee texts
    days_used: Mapped[str | None] = mapped_column(Text)  # JSON {"CP:2026": 5}: days paid per item and year


class ClaimPrescription(Base):
    """What the prescription adds to a pharmacy claim (0014; see services.prescription_fees)."""

    __tablename__ = "claim_prescriptions"
    claim_id: Mapped[str] = mapped_column(ForeignKey("claims.id", ondelete="CASCADE"), primary_key=True)
    prescribed_on: Mapped[date | None] = mapped_column(Date)
    ald_two_part: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    on_call: Mapped[str | None] = mapped_column(String(16))  # domain.pharmacy_fees.OnCall
    generic_refused: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    removed_fees: Mapped[str | None] = mapped_column(Text)  # JSON list of {code, reason}


class ClaimLineBox(Base):
    """One box of a claim line (migration 0008): keyed by the claim and the line's position,
    so the fast queueing path inserts boxes without reading the lines' ids back."""

    __tablename__ = "claim_line_boxes"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    claim_id: Mapped[str] = mapped_column(ForeignKey("claims.id", ondelete="CASCADE"), index=True)
    line_position: Mapped[int] = mapped_column(Integer)
    position: Mapped[int] = mapped_column(Integer)
    lot: Mapped[str | None] = mapped_column(String(20))
    expiry: Mapped[date | None] = mapped_column(Date)
    serial: Mapped[str | None] = mapped_column(String(20))
    read_as: Mapped[str] = mapped_column(String(10))  # datamatrix | ean13 | cip7 | manual


class Drug(Base):
    __tablename__ = "drugs"
    cip13: Mapped[str] = mapped_column(String(13), primary_key=True)
    cip7: Mapped[str] = mapped_column(String(7), index=True)
    cis: Mapped[str] = mapped_column(String(8))
    name: Mapped[str] = mapped_column(Text)
    presentation: Mapped[str] = mapped_column(Text)
    rate: Mapped[Decimal | None] = mapped_column(Hundredths)
    price: Mapped[Decimal | None] = mapped_column(Hundredths)
    prestation_code: Mapped[str] = mapped_column(String(8))
    marketed: Mapped[bool] = mapped_column(Boolean)
    fee: Mapped[Decimal | None] = mapped_column(Hundredths)  # dispensing fee per box in the price (0014)


class SpecificDrug(Base):
    """A presentation that brings the HDE fee (0014): kept apart so an import never drops it."""

    __tablename__ = "specific_drugs"
    cip13: Mapped[str] = mapped_column(String(13), primary_key=True)
    added_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    added_at: Mapped[datetime] = mapped_column(UTCDateTime)


class DrugReference(Base):
    """Which drug snapshot is loaded (one row)."""

    __tablename__ = "drug_reference"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    source: Mapped[str] = mapped_column(String(200))
    snapshot_date: Mapped[str] = mapped_column(String(20))
    imported_at: Mapped[datetime] = mapped_column(UTCDateTime)
    imported_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    count: Mapped[int] = mapped_column(Integer)
    skipped: Mapped[int] = mapped_column(Integer)


class Counter(Base):
    """Sequences that never repeat (claim numbers, batch numbers), shared by all writers."""

    __tablename__ = "counters"
    name: Mapped[str] = mapped_column(String(60), primary_key=True)
    value: Mapped[int] = mapped_column(Integer)


class Setting(Base):
    __tablename__ = "settings"
    key: Mapped[str] = mapped_column(String(60), primary_key=True)
    value: Mapped[str] = mapped_column(Text)  # JSON


class AuditHead(Base):
    """The end of the audit chain; locked by each writer so the chain never forks."""

    __tablename__ = "audit_head"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    seq: Mapped[int] = mapped_column(Integer)
    last_hash: Mapped[str] = mapped_column(String(64))
    key_check: Mapped[str | None] = mapped_column(String(16))  # the key in force (0012)


class AuditEvent(Base):
    __tablename__ = "audit_events"
    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    actor: Mapped[str] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(60))
    entity: Mapped[str] = mapped_column(String(40))
    entity_id: Mapped[str | None] = mapped_column(String(64))
    details: Mapped[str] = mapped_column(Text)  # canonical JSON, never personal data
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))
    __table_args__ = (Index("ix_audit_events_entity", "entity", "entity_id"),)


__all__ = [
    "AuditEvent",
    "AuditHead",
    "Base",
    "Batch",
    "Claim",
    "ClaimLine",
    "ClaimLineBox",
    "ClaimStay",
    "Counter",
    "CoverageCheck",
    "Drug",
    "DrugReference",
    "Insurer",
    "KeySlotRow",
    "Operator",
    "Outage",
    "FormDraft",
    "Patient",
    "PatientSearchToken",
    "Setting",
    "Site",
    "User",
]
