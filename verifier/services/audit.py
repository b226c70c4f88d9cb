"""Verifying the audit chain (administrators)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from verifier.services.context import Context
from verifier.store import audit_log, claims_query
from verifier.store.audit_log import ChainReport


def verify(ctx: Context) -> ChainReport:
    ctx.require_admin("verify_audit")
    with ctx.store.read() as s:
        return audit_log.verify(s)


@dataclass(frozen=True)
class AmountMismatch:
    """A claim whose AMC is not the one its audit events recorded: changed outside the program."""

    number: int
    stored: Decimal
    audited: Decimal


def amount_mismatches(ctx: Context) -> list[AmountMismatch]:
    """Claims whose AMC differs from what the event that set it recorded (issue 12: an amount
    changed by SQL, with no event, was not seen by `audit verify`)."""
    ctx.require_admin("verify_audit")
    with ctx.store.read() as s:
        audited = audit_log.audited_amc(s)
        rows = claims_query.amounts_by_id(s)
    found = []
    for claim_id, number, amc in rows:
        recorded = audited.get(claim_id)
        if recorded is not None and Decimal(recorded) != amc:
            found.append(AmountMismatch(number, amc, Decimal(recorded)))
    return sorted(found, key=lambda m: m.number)
