"""Operators declared down and up again; checks and claims made meanwhile are linked to the outage."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from verifier import i18n
from verifier.domain.errors import NotFound, Problem, ValidationError
from verifier.services.context import Context
from verifier.store import audit_log
from verifier.store import outages as outage_store
from verifier.store.schema import Operator, Outage
from verifier.store.session import Session
from verifier.store.types import utcnow


@dataclass(frozen=True)
class OutageInfo:
    id: int
    operator_id: int
    operator_code: str
    operator_name: str
    started_at: datetime
    reason: str | None
    ended_at: datetime | None


def _info(o: Outage, op: Operator) -> OutageInfo:
    return OutageInfo(o.id, op.id, op.code, op.name, o.started_at, o.reason, o.ended_at)


def _operator(s: Session, code: str) -> Operator:
    op = outage_store.operator_by_code(s, code.strip().upper())
    if op is None:
        raise NotFound("operator.unknown", code=code)
    return op


def open_outage_id(s: Session, operator_id: int | None) -> int | None:
    """The open outage of an operator, if it is declared down now."""
    if operator_id is None:
        return None
    return outage_store.open_outage_id(s, operator_id)


def declare_down(ctx: Context, operator_code: str, reason: str = "") -> OutageInfo:
    """Any signed-in user may say an operator is down: the counter is where it is noticed."""
    with ctx.store.write() as s:
        op = _operator(s, operator_code)
        if open_outage_id(s, op.id) is not None:
            raise ValidationError([Problem("outage.already_down", {"operator": op.name}, "operator")])
        outage = Outage(
            operator_id=op.id, started_at=utcnow(), started_by=ctx.actor.user_id, reason=reason.strip()[:500] or None
        )
        s.add(outage)
        s.flush()
        audit_log.append(s, ctx.actor.login, "outage.started", "outage", str(outage.id), {"operator": op.code})
        return _info(outage, op)


def declare_up(ctx: Context, operator_code: str) -> OutageInfo:
    with ctx.store.write() as s:
        op = _operator(s, operator_code)
        oid = open_outage_id(s, op.id)
        if oid is None:
            raise ValidationError([Problem("outage.not_down", {"operator": op.name}, "operator")])
        outage = s.get(Outage, oid)
        assert outage is not None
        outage.ended_at = utcnow()
        outage.ended_by = ctx.actor.user_id
        audit_log.append(s, ctx.actor.login, "outage.ended", "outage", str(outage.id), {"operator": op.code})
        return _info(outage, op)


def current(ctx: Context) -> list[OutageInfo]:
    """Operators declared down now, the oldest outage first."""
    with ctx.store.read() as s:
        return [_info(o, op) for o, op in outage_store.open_outages(s)]


def history(ctx: Context, limit: int = 100) -> list[OutageInfo]:
    with ctx.store.read() as s:
        return [_info(o, op) for o, op in outage_store.latest_outages(s, limit)]


i18n.register(
    {
        "outage.already_down": i18n.N_("{operator} est déjà déclaré en panne."),
        "outage.not_down": i18n.N_("{operator} n'est pas déclaré en panne."),
    }
)
