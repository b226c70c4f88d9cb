"""Appending to and verifying the audit log (the queries; the hashing is in security.audit)."""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import bindparam, insert, select, update
from sqlalchemy.orm import Session

from verifier import i18n
from verifier.domain.errors import DomainError
from verifier.security.audit import GENESIS, canonical_details, event_hash
from verifier.security.crypto import FieldCipher, b64, unb64
from verifier.store.schema import AuditEvent, Base, Setting
from verifier.store.types import utcnow

KEY_CHECK_INFO = "verifier.key_check"  # set by Store on each session: the key it writes with
AUDIT_KEY_INFO = "verifier.audit_key"  # set by Store on each session: the audit chain's HMAC key
_KEY_SETTING = "audit.key"  # the audit key, encrypted under the database key (column below)
_KEY_COLUMN = "settings.audit_key"
_KEYED_FROM = "audit.keyed_from"  # the first event chained with the key (older ones: SHA-256)


@dataclass(frozen=True)
class AuditKey:
    key: bytes
    keyed_from: int


def load_key(session: Session, cipher: FieldCipher) -> AuditKey | None:
    row = session.get(Setting, _KEY_SETTING)
    start = session.get(Setting, _KEYED_FROM)
    if row is None or start is None:
        return None
    return AuditKey(unb64(cipher.decrypt(json.loads(row.value), _KEY_COLUMN) or ""), int(start.value))


def create_key(session: Session, cipher: FieldCipher) -> AuditKey:
    """The site's audit key, made once: events from the next one on are chained with it."""
    key = secrets.token_bytes(32)
    seq = session.execute(select(_head.c.seq).where(_head.c.id == 1).with_for_update()).scalar_one()
    session.add(Setting(key=_KEY_SETTING, value=json.dumps(cipher.encrypt(b64(key), _KEY_COLUMN))))
    session.add(Setting(key=_KEYED_FROM, value=str(seq + 1)))
    return AuditKey(key, seq + 1)


def reencrypt_key(session: Session, cipher: FieldCipher) -> None:
    """A key rotation: the audit key (unchanged) under the new database key."""
    row = session.get(Setting, _KEY_SETTING)
    if row is not None and not cipher.is_current(json.loads(row.value), _KEY_COLUMN):
        row.value = json.dumps(cipher.encrypt(cipher.decrypt(json.loads(row.value), _KEY_COLUMN), _KEY_COLUMN))


class KeyChanged(DomainError):
    """The database key was changed since this workstation signed in."""


_HEAD = "verifier.audit_head"
_events = Base.metadata.tables["audit_events"]
_head = Base.metadata.tables["audit_head"]
# Built once: constructing statements costs more than running them on this path.
_READ_HEAD = select(_head.c.seq, _head.c.last_hash, _head.c.key_check).where(_head.c.id == 1).with_for_update()
_INSERT_EVENT = insert(_events)
_MOVE_HEAD = update(_head).where(_head.c.id == 1).values(seq=bindparam("new_seq"), last_hash=bindparam("new_hash"))


Event = tuple[str, str, str | None, dict[str, object] | None]  # action, entity, entity_id, details


def append(
    session: Session,
    actor: str,
    action: str,
    entity: str,
    entity_id: str | None,
    details: dict[str, object] | None = None,
) -> str:
    """Add one event in the caller's transaction, chained to the last one; returns its hash."""
    return append_many(session, actor, [(action, entity, entity_id, details)])


def append_many(session: Session, actor: str, events: list[Event]) -> str:
    """Add events in the caller's transaction, chained in order; returns the last hash.

    The head row is locked (SELECT ... FOR UPDATE on PostgreSQL; SQLite writers hold the
    database's write lock) on first use and remembered for the rest of the transaction, and
    moved once per call. Core statements, built once: this runs on every change.
    """
    conn = session.connection()
    transaction = session.get_transaction()
    cached = session.info.get(_HEAD)
    if cached is None or cached[0] is not transaction:
        row = conn.execute(_READ_HEAD).one()
        mine = session.info.get(KEY_CHECK_INFO)
        if row.key_check is not None and mine is not None and row.key_check != mine:
            # An administrator changed the database key: what this workstation would write
            # under the old one, nobody could read. Nothing of this transaction is kept.
            raise KeyChanged("key.changed")
        cached = session.info[_HEAD] = [transaction, row.seq, row.last_hash]
    seq: int = cached[1]
    digest: str = cached[2]
    key: bytes | None = session.info.get(AUDIT_KEY_INFO)
    rows = []
    for action, entity, entity_id, details in events:
        seq += 1
        at = utcnow()
        text = canonical_details(details or {})
        prev, digest = digest, event_hash(digest, seq, at, actor, action, entity, entity_id, text, key)
        rows.append(
            {
                "seq": seq,
                "at": at,
                "actor": actor,
                "action": action,
                "entity": entity,
                "entity_id": entity_id,
                "details": text,
                "prev_hash": prev,
                "hash": digest,
            }
        )
    conn.execute(_INSERT_EVENT, rows)
    conn.execute(_MOVE_HEAD, {"new_seq": seq, "new_hash": digest})
    cached[1], cached[2] = seq, digest
    return digest


@dataclass(frozen=True)
class ChainReport:
    events: int
    broken_at: int | None  # seq of the first event that does not verify
    reason: str | None


def verify(session: Session, key: AuditKey | None = None, batch: int = 5000) -> ChainReport:
    """Walk the whole chain; name the first event whose hash or link does not hold. Events
    from `key.keyed_from` on are checked with the audit key; without it, only the link and
    the older events can be."""
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
            keyed = key is not None and ev.seq >= key.keyed_from
            signer = key.key if key is not None and keyed else None
            fields = (ev.actor, ev.action, ev.entity, ev.entity_id, ev.details)
            if event_hash(ev.prev_hash, ev.seq, at, *fields, signer) != ev.hash:
                return ChainReport(count, ev.seq, "hash")
            prev = ev.hash
            expected_seq += 1
            last_seq = ev.seq
        session.expunge_all()
    top = session.execute(select(_head.c.seq, _head.c.last_hash).where(_head.c.id == 1)).one_or_none()
    if top is None or top.seq != last_seq or top.last_hash != prev:
        return ChainReport(count, last_seq + 1, "head")
    return ChainReport(count, None, None)


# The events that set a claim's amounts, each with its AMC in its details.
AMOUNT_EVENTS = ("claim.created", "claim.corrected", "claim.rectified", "stay.discharged")


def audited_amc(session: Session, batch: int = 5000) -> dict[str, str]:
    """Each claim's AMC as its last amount-setting event recorded it (claim id -> "12.34").

    A claim whose last such event carries no amount (a rectification recorded before it did)
    is left out: nothing to compare it with."""
    found: dict[str, str] = {}
    last_seq = 0
    while True:
        rows = session.execute(
            select(AuditEvent.seq, AuditEvent.entity_id, AuditEvent.details)
            .where(AuditEvent.seq > last_seq, AuditEvent.entity == "claim", AuditEvent.action.in_(AMOUNT_EVENTS))
            .order_by(AuditEvent.seq)
            .limit(batch)
        ).all()
        if not rows:
            return found
        for seq, claim_id, details in rows:
            last_seq = seq
            amc = json.loads(details).get("amc") if details else None
            if claim_id is None:
                continue
            if amc is None:
                found.pop(claim_id, None)
            else:
                found[claim_id] = str(amc)


def set_key_in_force(session: Session, value: str) -> None:
    """A key rotation starts: writers holding another key are refused from now on."""
    session.execute(update(_head).where(_head.c.id == 1).values(key_check=value))


i18n.register(
    {
        "key.changed": i18n.N_(
            "Un administrateur a changé la clé de la base de données : rien n'a été enregistré. Fermez la session et reconnectez-vous, puis recommencez."
        ),
    }
)


def head(session: Session) -> tuple[int, str]:
    """The chain's last sequence number and hash."""
    row = session.execute(select(_head.c.seq, _head.c.last_hash).where(_head.c.id == 1)).one()
    return int(row.seq), str(row.last_hash)


def hash_at(session: Session, seq: int) -> str | None:
    """The hash of event `seq`, or None when there is no such event."""
    return session.scalar(select(AuditEvent.hash).where(AuditEvent.seq == seq))


def event_of(session: Session, action: str, entity: str, entity_id: str) -> tuple[int, str] | None:
    """The first event `action` on that record: its sequence number and hash (a witness)."""
    row = session.execute(
        select(AuditEvent.seq, AuditEvent.hash)
        .where(AuditEvent.action == action, AuditEvent.entity == entity, AuditEvent.entity_id == entity_id)
        .order_by(AuditEvent.seq)
        .limit(1)
    ).one_or_none()
    return None if row is None else (int(row.seq), str(row.hash))
