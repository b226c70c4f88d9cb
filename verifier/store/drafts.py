"""Writes on the counter's form drafts (encrypted, one per user and form)."""

from __future__ import annotations

from sqlalchemy import delete
from sqlalchemy.orm import Session

from verifier.store.schema import FormDraft


def remove(session: Session, user_id: int, name: str) -> None:
    session.execute(delete(FormDraft).where(FormDraft.user_id == user_id, FormDraft.name == name))
