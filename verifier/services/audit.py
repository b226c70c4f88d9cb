"""Verifying the audit chain (administrators)."""

from __future__ import annotations

from verifier.services.context import Context
from verifier.store import audit_log
from verifier.store.audit_log import ChainReport


def verify(ctx: Context) -> ChainReport:
    ctx.require_admin("verify_audit")
    with ctx.store.read() as s:
        return audit_log.verify(s)
