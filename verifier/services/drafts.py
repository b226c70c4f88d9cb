"""What a user was typing, kept encrypted so that closing the window or a crash loses nothing.

Drafts live in the database. When the data server does not answer (a shared PostgreSQL
server restarting, a cable pulled), the draft is kept on this computer instead, in a file
in the user's data folder, encrypted with the site's key like the database column (AES-GCM,
so the file is unreadable without a signed-in user's key and any change to it is refused).
The file is removed as soon as the draft reaches the database again, and preferred over
the database's copy while it exists: it is always the newer of the two.
"""

from __future__ import annotations

import hashlib
import json
import logging
from pathlib import Path

from verifier import paths
from verifier.files import atomic_write
from verifier.services.context import Context
from verifier.store import drafts as draft_store
from verifier.store.engine import ServerUnreachable
from verifier.store.schema import FormDraft
from verifier.store.types import utcnow

log = logging.getLogger(__name__)

_COLUMN = "form_drafts.payload"
_LOCAL = "form_drafts.local"  # another associated data: a file token never passes for a column's


def _local_path(ctx: Context, name: str) -> Path:
    """One file per database, user and form (the database named by a hash, not by its address)."""
    where = hashlib.sha256(ctx.store.location.describe().encode("utf-8")).hexdigest()[:16]
    return paths.data_dir() / "drafts" / f"{where}-{ctx.actor.user_id}-{name}.draft"


def _write_local(path: Path, token: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with atomic_write(path) as out:
        out.write(token.encode("ascii"))


def _drop_local(ctx: Context, name: str) -> None:
    try:
        _local_path(ctx, name).unlink(missing_ok=True)
    except OSError as exc:  # a folder that cannot be reached holds no copy of ours either
        log.warning("the local drafts folder cannot be reached (%s)", type(exc).__name__)


def save(ctx: Context, name: str, payload: dict[str, object]) -> None:
    """Replace the user's draft `name` (e.g. "counter") with `payload` (JSON-serialisable).

    With the data server away the draft goes to this computer's file instead (no error).
    """
    text = json.dumps(payload, sort_keys=True, default=str)
    token = ctx.store.cipher.encrypt(text, _COLUMN)
    assert token is not None
    try:
        with ctx.store.write() as s:
            row = s.get(FormDraft, (ctx.actor.user_id, name))
            if row is None:
                s.add(FormDraft(user_id=ctx.actor.user_id, name=name, payload_enc=token, updated_at=utcnow()))
            else:
                row.payload_enc, row.updated_at = token, utcnow()
    except ServerUnreachable:
        local = ctx.store.cipher.encrypt(text, _LOCAL)
        assert local is not None
        _write_local(_local_path(ctx, name), local)
        log.info("draft %s kept on this computer: the data server does not answer", name)
        return
    _drop_local(ctx, name)


def _load_local(ctx: Context, name: str) -> dict[str, object] | None:
    path = _local_path(ctx, name)
    try:
        token = path.read_text("ascii")
    except FileNotFoundError:
        return None
    except OSError as exc:
        log.warning("the local drafts folder cannot be read (%s); it is ignored", type(exc).__name__)
        return None
    try:
        text = ctx.store.cipher.decrypt(token, _LOCAL)
    except Exception:  # noqa: BLE001 - damaged, or another site's: not ours to restore
        log.warning("a local draft could not be read; it is ignored")
        return None
    data: dict[str, object] = json.loads(text or "{}")
    return data


def load(ctx: Context, name: str) -> dict[str, object] | None:
    """The draft: this computer's copy if the server was away at the last save, else the database's."""
    local = _load_local(ctx, name)
    if local is not None:
        return local
    with ctx.store.read() as s:
        row = s.get(FormDraft, (ctx.actor.user_id, name))
        if row is None:
            return None
        try:
            text = ctx.store.cipher.decrypt(row.payload_enc, _COLUMN)
        except Exception:  # noqa: BLE001 - under a key since changed: lost, as an unsaved form would be
            log.warning("a draft could not be read; it is ignored")
            return None
        data: dict[str, object] = json.loads(text or "{}")
        return data


def clear(ctx: Context, name: str) -> None:
    _drop_local(ctx, name)
    with ctx.store.write() as s:
        draft_store.remove(s, ctx.actor.user_id, name)
