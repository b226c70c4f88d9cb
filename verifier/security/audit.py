"""The audit chain: each event's hash covers the previous event's hash and its own fields,
keyed by the site's audit key; anchors vouch for the head from outside the audit tables."""

from __future__ import annotations

import hashlib
import hmac
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
    key: bytes | None = None,
) -> str:
    """The event's link in the chain: HMAC-SHA256 under the site's audit key (issue 12), or
    plain SHA-256 for the events written before the site had one (`key` None)."""
    body = json.dumps(
        [seq, at.isoformat(timespec="microseconds"), actor, action, entity, entity_id, details],
        separators=(",", ":"),
    )
    message = f"{prev_hash}\n{body}".encode()
    if key is None:
        return hashlib.sha256(message).hexdigest()
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def anchor_message(seq: int, digest: str, at: str) -> bytes:
    """What an anchor of the chain's head (kept outside the audit tables) vouches for."""
    return f"verifier-audit-anchor/v1\n{seq}\n{digest}\n{at}".encode()


def anchor_mac(key: bytes, seq: int, digest: str, at: str) -> str:
    return hmac.new(key, anchor_message(seq, digest, at), hashlib.sha256).hexdigest()
