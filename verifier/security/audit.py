"""The audit chain: each event's hash covers the previous event's hash and its own fields."""

from __future__ import annotations

import hashlib
import json
from datetime import datetime

GENESIS = "0" * 64

# Field names that must never appear in an event's details: they would put personal data
# in the log. Events name the record and which fields changed, never the values.
PERSONAL_FIELDS = frozenset({"surname", "first_name", "birth_date", "nir", "member_number", "name", "note"})


def canonical_details(details: dict[str, object]) -> str:
    leaked = PERSONAL_FIELDS.intersection(details)
    if leaked:
        raise ValueError(f"personal fields in audit details: {sorted(leaked)}")
    return json.dumps(details, sort_keys=True, separators=(",", ":"), default=str)


def event_hash(
    prev_hash: str,
    seq: int,
    at: datetime,
    actor: str,
    action: str,
    entity: str,
    entity_id: str | None,
    details: str,
) -> str:
    body = json.dumps(
        [seq, at.isoformat(timespec="microseconds"), actor, action, entity, entity_id, details],
        separators=(",", ":"),
    )
    return hashlib.sha256(f"{prev_hash}\n{body}".encode()).hexdigest()
