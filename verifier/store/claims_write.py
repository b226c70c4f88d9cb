"""Writing claims with SQLAlchemy Core: the one write path of a claim's rows.

A claim, its lines and their boxes are written here and only here, whether the claim is
new at the counter, imported, a rectified version, or a draft whose lines are corrected: the
ORM's unit of work costs more than the disk sync on a busy counter, and one path means one
set of rules for what a stored claim looks like. The service has computed and checked every
value already. Status changes (queue, export, void…) stay simple ORM updates of one column.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Protocol, cast

from sqlalchemy import bindparam, case, delete, exists, func, insert, literal_column, null, or_, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from verifier.domain.states import ClaimStatus
from verifier.store.schema import Base, Claim

_claims = Base.metadata.tables["claims"]
_lines = Base.metadata.tables["claim_lines"]
_INSERT_CLAIM = insert(_claims)
_INSERT_LINES = insert(_lines)
_boxes = Base.metadata.tables["claim_line_boxes"]
_INSERT_BOXES = insert(_boxes)


def insert_claim(
    session: Session,
    claim: dict[str, object],
    lines: Sequence[dict[str, object]],
    boxes: Sequence[dict[str, object]] = (),
) -> None:
    """The claim, its lines and their boxes: one multi-row INSERT each."""
    conn = session.connection()
    conn.execute(_INSERT_CLAIM, [claim])
    if lines:
        conn.execute(_INSERT_LINES, [{**line, "claim_id": claim["id"]} for line in lines])
    if boxes:
        conn.execute(_INSERT_BOXES, [{**box, "claim_id": claim["id"]} for box in boxes])


_prescriptions = Base.metadata.tables["claim_prescriptions"]


def put_prescription(session: Session, claim_id: str, row: dict[str, object] | None) -> None:
    """A claim's prescription facts set to `row` (None: it has none)."""
    conn = session.connection()
    conn.execute(delete(_prescriptions).where(_prescriptions.c.claim_id == claim_id))
    if row is not None:
        conn.execute(insert(_prescriptions), [{**row, "claim_id": claim_id}])


def replace_lines(
    session: Session,
    claim: Claim,
    lines: Sequence[dict[str, object]],
    boxes: Sequence[dict[str, object]],
    totals: dict[str, Decimal],
) -> None:
    """A claim's lines and boxes replaced by these, and its totals set, by the same INSERTs
    as insert_claim. The session's objects are expired: what is read next is what is stored."""
    session.flush()  # the claim's pending changes go first: the rows below are written around the ORM
    conn = session.connection()
    conn.execute(delete(_boxes).where(_boxes.c.claim_id == claim.id))
    conn.execute(delete(_lines).where(_lines.c.claim_id == claim.id))
    if lines:
        conn.execute(_INSERT_LINES, [{**line, "claim_id": claim.id} for line in lines])
    if boxes:
        conn.execute(_INSERT_BOXES, [{**box, "claim_id": claim.id} for box in boxes])
    conn.execute(update(_claims).where(_claims.c.id == claim.id).values(**totals))
    session.expire_all()


_checks = Base.metadata.tables["coverage_checks"]
_patients = Base.metadata.tables["patients"]
_insurers = Base.metadata.tables["insurers"]
_counters = Base.metadata.tables["counters"]

# What queueing a claim needs to know about its check, patient and insurer, in one query.
_outages = Base.metadata.tables["outages"]
_settings = Base.metadata.tables["settings"]

# Claims an insurer has not paid yet nor refused: what it owes the pharmacy.
OUTSTANDING = (ClaimStatus.QUEUED, ClaimStatus.EXPORTED, ClaimStatus.ACCEPTED)
SITE_SETTINGS_KEY = "site_settings"
# Everything queueing needs comes in the one query below (it runs for every claim): the
# site settings (ceilings) and what the insurer already owes, besides the claim itself.
_SITE_SETTINGS = select(_settings.c.value).where(_settings.c.key == SITE_SETTINGS_KEY).scalar_subquery()
# ...with what proves an administrator saved them (services.authority): their signature and
# the administrators' public key.
SITE_SETTINGS_SIGNATURE_KEY = "site_settings.signature"
ADMIN_PUBLIC_KEY = "admin.public_key"
_SETTINGS_SIGNATURE = select(_settings.c.value).where(_settings.c.key == SITE_SETTINGS_SIGNATURE_KEY).scalar_subquery()
DIRECTORY_SIGNED = "authority.directory_signed"
_events = Base.metadata.tables["audit_events"]
# The key is only checked against once the settings were first signed (services.authority.entries_key).
_ADMIN_PUBLIC = case(
    (
        exists().where(_events.c.entity == "site", _events.c.entity_id == "1", _events.c.action == DIRECTORY_SIGNED),
        select(_settings.c.value).where(_settings.c.key == ADMIN_PUBLIC_KEY).scalar_subquery(),
    ),
    else_=null(),
)
_OUTSTANDING = (
    select(func.coalesce(func.sum(_claims.c.amc), 0))
    .where(
        _claims.c.insurer_id == _checks.c.insurer_id,
        # constants in the SQL text: an IN list of bound values is re-expanded on every call
        or_(*(_claims.c.status == literal_column(f"'{status}'") for status in OUTSTANDING)),
        _claims.c.id != bindparam("exclude"),
    )
    .scalar_subquery()
)
# The insurer's operator's open outage, if it is declared down now.
_OPEN_OUTAGE = (
    select(_outages.c.id)
    .where(_outages.c.operator_id == _insurers.c.operator_id, _outages.c.ended_at.is_(None))
    .limit(1)
    .scalar_subquery()
)
_CHECK_FACTS = (
    select(
        _checks.c.id,
        _checks.c.patient_id,
        _checks.c.insurer_id,
        _checks.c.outcome,
        _checks.c.guarantees,
        _checks.c.checked_at,
        _OPEN_OUTAGE.label("open_outage_id"),
        _SITE_SETTINGS.label("settings_json"),
        _SETTINGS_SIGNATURE.label("settings_signature"),
        _ADMIN_PUBLIC.label("admin_public_key"),
        _OUTSTANDING.label("outstanding_amc"),
        _checks.c.operator_down,
        _checks.c.member_number_enc.label("check_member_enc"),
        _patients.c.member_number_enc.label("patient_member_enc"),
        _patients.c.card_valid_from,
        _patients.c.card_valid_to,
        _insurers.c.active.label("insurer_active"),
    )
    .join(_patients, _checks.c.patient_id == _patients.c.id)
    .join(_insurers, _checks.c.insurer_id == _insurers.c.id)
    .where(_checks.c.id == bindparam("check_id"))
)
_NEXT_VALUE = (
    update(_counters)
    .where(_counters.c.name == bindparam("counter"))
    .values(value=_counters.c.value + 1)
    .returning(_counters.c.value)
)


class CheckFacts(Protocol):
    """A row of _CHECK_FACTS."""

    id: str
    patient_id: str
    insurer_id: int
    outcome: str
    guarantees: str
    checked_at: datetime
    open_outage_id: int | None
    settings_json: str | None
    settings_signature: str | None  # JSON text, as stored
    admin_public_key: str | None  # JSON text, as stored
    outstanding_amc: Decimal  # AMC the insurer owes already, the claim being queued excluded
    operator_down: bool
    check_member_enc: str | None
    patient_member_enc: str | None
    card_valid_from: date | None
    card_valid_to: date | None
    insurer_active: bool


def check_facts(session: Session, check_id: str, exclude_claim: str | None = None) -> CheckFacts | None:
    row = session.connection().execute(_CHECK_FACTS, {"check_id": check_id, "exclude": exclude_claim or ""}).first()
    return cast("CheckFacts | None", row)


def next_value(session: Session, counter: str) -> int:
    """The next value of a sequence that never repeats, whatever the number of writers.

    The UPDATE takes the row's write lock (PostgreSQL) or runs under the database's write
    lock (SQLite, BEGIN IMMEDIATE), so two transactions can never read the same value; and
    it is part of the caller's transaction, so a rolled-back claim gives its number back.
    """
    conn = session.connection()
    value = conn.execute(_NEXT_VALUE, {"counter": counter}).scalar_one_or_none()
    if value is None:
        # The sequence's first use: two writers may both find no row (PostgreSQL). Each
        # creates it at 0 unless the other did, then both take the next value through the
        # row lock as above: 1 and 2, never a unique-key error.
        dialect_insert = pg_insert if conn.dialect.name == "postgresql" else sqlite_insert
        conn.execute(dialect_insert(_counters).values(name=counter, value=0).on_conflict_do_nothing())
        value = conn.execute(_NEXT_VALUE, {"counter": counter}).scalar_one()
    return int(value)


def by_numbers_for_update(session: Session, numbers: Sequence[int]) -> dict[int, Claim]:
    """The claims with these numbers, by number, locked for the rest of the transaction on
    PostgreSQL (SQLite's writer already holds the database lock)."""
    found: dict[int, Claim] = {}
    ordered = sorted(set(numbers))
    for i in range(0, len(ordered), 900):  # SQLite's limit on bound parameters
        q = select(Claim).where(Claim.number.in_(ordered[i : i + 900]))
        if session.get_bind().dialect.name == "postgresql":
            q = q.with_for_update()
        found.update({c.number: c for c in session.scalars(q)})
    return found


_stays = Base.metadata.tables["claim_stays"]


def copy_care(session: Session, old_id: str, new_id: str) -> None:
    """A stay's new version (a rectification) takes the old one's stay row and care lines, every
    column kept (the lines written for it are replaced), and is an open stay again: invoiced
    anew at discharge, with the yearly limits and ceilings of that day."""
    conn = session.connection()
    line_columns = [c for c in _lines.c if c.name not in ("id", "claim_id")]
    old_lines = [dict(row._mapping) for row in conn.execute(select(*line_columns).where(_lines.c.claim_id == old_id))]
    conn.execute(delete(_lines).where(_lines.c.claim_id == new_id))
    if old_lines:
        conn.execute(_INSERT_LINES, [{**line, "claim_id": new_id} for line in old_lines])
    stay_columns = [c for c in _stays.c if c.name != "claim_id"]
    stay = conn.execute(select(*stay_columns).where(_stays.c.claim_id == old_id)).first()
    if stay is not None:
        row = {**dict(stay._mapping), "claim_id": new_id}
        # Open again, to be invoiced afresh: its discharge becomes the planned one, and the
        # days it had taken of a yearly limit are given back until then.
        row.update(discharge=None, planned_discharge=row["discharge"], pav=None, days_used=None)
        conn.execute(insert(_stays), [row])
