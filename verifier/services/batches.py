"""Export batches (the numbering and the state change; bundles come with the export issue)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import select

from verifier import i18n
from verifier.domain.errors import Problem, ValidationError
from verifier.domain.states import ClaimStatus, check_transition
from verifier.services.claims import next_number
from verifier.services.context import Context
from verifier.store import audit_log
from verifier.store.schema import Batch, Claim
from verifier.store.types import utcnow


@dataclass(frozen=True)
class BatchInfo:
    id: int
    insurer_id: int
    number: int
    claim_count: int
    total_amc: Decimal


def create_batch(ctx: Context, insurer_id: int, claim_ids: list[str] | None = None) -> BatchInfo:
    """Put queued claims of one insurer in a new numbered batch, in one transaction."""
    ctx.require_admin("create_batch")
    with ctx.store.write() as s:
        q = select(Claim).where(Claim.insurer_id == insurer_id, Claim.status == ClaimStatus.QUEUED.value)
        if claim_ids is not None:
            q = q.where(Claim.id.in_(claim_ids))
        claims = list(s.scalars(q.order_by(Claim.number).with_for_update()))
        if not claims:
            raise ValidationError([Problem("batch.empty", {}, None)])
        number = next_number(s, f"batch_number:{insurer_id}")
        batch = Batch(insurer_id=insurer_id, number=number, status="created", created_by=ctx.actor.user_id,
                      created_at=utcnow(), claim_count=len(claims),
                      total_amc=sum((c.amc for c in claims), Decimal("0.00")))
        s.add(batch)
        s.flush()
        for c in claims:
            check_transition(ClaimStatus(c.status), ClaimStatus.EXPORTED)
            c.status = ClaimStatus.EXPORTED.value
            c.batch_id = batch.id
            c.updated_at = batch.created_at
        audit_log.append(s, ctx.actor.login, "batch.created", "batch", str(batch.id),
                         {"insurer_id": insurer_id, "number": number, "claims": len(claims)})
        return BatchInfo(batch.id, insurer_id, number, len(claims), batch.total_amc)




i18n.register(
    {
        "batch.empty": (
            "Aucune demande en file pour cet organisme : il n'y a rien à mettre dans un lot.",
            "No queued claim for this insurer: there is nothing to put in a batch.",
        ),
    }
)
