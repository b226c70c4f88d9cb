"""What an opened claim shows besides itself: its audit events and its chain of versions."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from verifier.store.schema import AuditEvent, Claim


def events_of_claim(session: Session, claim_id: str) -> list[AuditEvent]:
    return list(
        session.scalars(
            select(AuditEvent)
            .where(AuditEvent.entity == "claim", AuditEvent.entity_id == claim_id)
            .order_by(AuditEvent.seq)
        )
    )


def versions(session: Session, claim: Claim) -> list[Claim]:
    """Every version of the claim, the first one first, `claim` included."""
    chain = [claim]
    while chain[0].previous_id:  # back to the first version
        prev = session.get(Claim, chain[0].previous_id)
        assert prev is not None
        chain.insert(0, prev)
    while True:  # forward to the latest
        nxt = session.scalars(select(Claim).where(Claim.previous_id == chain[-1].id)).first()
        if nxt is None:
            break
        chain.append(nxt)
    return chain


def has_newer_version(session: Session, claim_id: str) -> bool:
    """Whether a rectification of this claim exists already."""
    return session.scalars(select(Claim.id).where(Claim.previous_id == claim_id).limit(1)).first() is not None


def latest_with_number(session: Session, number: int) -> Claim | None:
    """The claim with this number, in its latest version."""
    return session.scalars(select(Claim).where(Claim.number == number).order_by(Claim.version.desc())).first()
