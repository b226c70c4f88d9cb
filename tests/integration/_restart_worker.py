"""Child-process side of the server-restart test: a counter queueing claims while the server restarts.

Started with multiprocessing's "spawn" (a fresh interpreter, like another workstation),
so it imports only this and `verifier`. It does what the counter's form does: each claim
gets its id once, when it is "typed", and is sent again with the same id until the server
takes it; a connection error is the only failure it retries.
"""

from __future__ import annotations

import json
import time
import traceback
import uuid
from pathlib import Path
from typing import Any

from tests.integration._queue_worker import dispensed, lines_for, use_cheap_kdf
from verifier.services import auth, claims
from verifier.store.engine import Location, ServerUnreachable

RETRY_PAUSE = 0.05
MAX_RETRIES = 2400  # ~2 min of a server that does not come back: then the child gives up and says so
MAX_CLAIMS = 20_000  # bounded even if the parent never says stop


def _with_retries(action: Any, errors: list[int]) -> Any:
    for _ in range(MAX_RETRIES):
        try:
            return action()
        except ServerUnreachable:
            errors[0] += 1
            time.sleep(RETRY_PAUSE)
    raise RuntimeError("the server never came back")


def queue_through_restarts(
    location: Location, login: str, password: str, check_id: str, go: Any, stop: Any, progress: Any, out: str
) -> None:
    """Queue claims until `stop` is set; write {"typed": [ids], "errors": n} (or "error") to `out`.

    `progress` (a RawValue) counts the claims the server acknowledged, for the parent to time
    its restarts.
    """
    use_cheap_kdf()
    typed: list[str] = []
    errors = [0]
    result: dict[str, object]
    try:
        ctx = _with_retries(lambda: auth.sign_in(location, login, password), errors)
        try:
            go.wait(timeout=300)
            i = 0
            while not stop.is_set() and i < MAX_CLAIMS:
                claim_id = str(uuid.uuid4())  # typed once; every retry sends the same
                typed.append(claim_id)
                lines, day = lines_for(i), dispensed(i)
                _with_retries(
                    lambda: claims.create(ctx, check_id, lines, day, queue_now=True, claim_id=claim_id), errors
                )
                progress.value += 1
                i += 1
        finally:
            ctx.close()
        result = {"typed": typed, "errors": errors[0]}
    except BaseException:  # noqa: BLE001 - reported to the parent, which fails the test
        go.abort()
        result = {"error": traceback.format_exc(), "typed": typed, "errors": errors[0]}
    Path(out).write_text(json.dumps(result), encoding="utf-8")
    if "error" in result:
        raise SystemExit(1)
