"""Appending to and verifying the audit log (the queries; the hashing is in security.audit)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from verifier.security.audit import GENESIS, canonical_details, event_hash
from verifier.store.schema import AuditEvent, AuditHead
from verifier.store.types import utcnow


def append(
    session: Session,
    actor: str,
    action: str,
    entity: str,
    entity_id: str | None,
    details: dict[str, object] | None = None,
) -> AuditEvent:
    """Add one event in the caller's transaction, chained to the last one."""
    head = session.execute(select(AuditHead).where(AuditHead.id == 1).with_for_update()).scalar_one()
    seq = head.seq + 1
    at = utcnow()
    text = canonical_details(details or {})
    digest = event_hash(head.last_hash, seq, at, actor, action, entity, entity_id, text)
    event = AuditEvent(
        seq=seq,
        at=at,
        actor=actor,
        action=action,
        entity=entity,
        entity_id=entity_id,
        details=text,
        prev_hash=head.last_hash,
        hash=digest,
    )
    session.add(event)
    head.seq = seq
    head.last_hash = digest
    session.flush()
    return event


@dataclass(frozen=True)
class ChainReport:
    events: int
    broken_at: int | None  # seq of the first event that does not verify
    reason: str | None


def verify(session: Session, batch: int = 5000) -> ChainReport:
    """Walk the whole chain; name the first event whose hash or link does not hold."""
    prev = GENESIS
    expected_seq = 1
    count = 0
    last_seq = 0
    while True:
        rows = session.scalars(
            select(AuditEvent).where(AuditEvent.seq > last_seq).order_by(AuditEvent.seq).limit(batch)
        ).all()
        if not rows:
            break
        for ev in rows:
            count += 1
            if ev.seq != expected_seq:
                return ChainReport(count, expected_seq, "missing")
            if ev.prev_hash != prev:
                return ChainReport(count, ev.seq, "link")
            at: datetime = ev.at
            digest = event_hash(
                ev.prev_hash, ev.seq, at, ev.actor, ev.action, ev.entity, ev.entity_id, ev.details
            )
            if digest != ev.hash:
                return ChainReport(count, ev.seq, "hash")
            prev = ev.hash
            expected_seq += 1
            last_seq = ev.seq
        session.expunge_all()
    head = session.get(AuditHead, 1)
    if head is None or head.seq != last_seq or head.last_hash != prev:
        return ChainReport(count, last_seq + 1, "head")
    return ChainReport(count, None, None)
