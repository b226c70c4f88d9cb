"""What a user was typing, kept encrypted so that closing the window or a crash loses nothing."""

from __future__ import annotations

import json

from sqlalchemy import delete

from verifier.services.context import Context
from verifier.store.schema import FormDraft
from verifier.store.types import utcnow

_COLUMN = "form_drafts.payload"


def save(ctx: Context, name: str, payload: dict[str, object]) -> None:
    """Replace the user's draft `name` (e.g. "counter") with `payload` (JSON-serialisable)."""
    token = ctx.store.cipher.encrypt(json.dumps(payload, sort_keys=True, default=str), _COLUMN)
    assert token is not None
    with ctx.store.write() as s:
        row = s.get(FormDraft, (ctx.actor.user_id, name))
        if row is None:
            s.add(FormDraft(user_id=ctx.actor.user_id, name=name, payload_enc=token, updated_at=utcnow()))
        else:
            row.payload_enc, row.updated_at = token, utcnow()


def load(ctx: Context, name: str) -> dict[str, object] | None:
    with ctx.store.read() as s:
        row = s.get(FormDraft, (ctx.actor.user_id, name))
        if row is None:
            return None
        text = ctx.store.cipher.decrypt(row.payload_enc, _COLUMN)
        data: dict[str, object] = json.loads(text or "{}")
        return data


def clear(ctx: Context, name: str) -> None:
    with ctx.store.write() as s:
        s.execute(delete(FormDraft).where(FormDraft.user_id == ctx.actor.user_id, FormDraft.name == name))
