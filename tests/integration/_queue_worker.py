"""Child-process side of the concurrency tests (started with multiprocessing's "spawn").

Kept apart from the test module so a spawned child imports only this and `verifier`, not
pytest. Every child applies the tests' cheap Argon2 setting itself: a spawned interpreter
does not inherit the parent's module state.
"""

from __future__ import annotations

import json
import traceback
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from verifier.security import crypto
from verifier.services import auth, claims
from verifier.store.engine import Location

LINES_PER_CLAIM = 2


def use_cheap_kdf() -> None:
    crypto.set_default_kdf(crypto.KdfParams(time_cost=1, memory_cost=1024, parallelism=1))


def lines_for(i: int) -> list[claims.LineDraft]:
    """Two lines whose amounts vary with `i`, so totals are not all the same number."""
    return [
        claims.LineDraft(
            "Paracétamol 1 g, 8 comprimés",
            "PH7",
            1 + i % 3,
            Decimal("2.18"),
            Decimal(65),
            code="3400930000000",
            code_kind="manual",
        ),
        claims.LineDraft(
            "Amoxicilline 500 mg, 12 gélules",
            "PH4",
            1 + i % 2,
            Decimal("4.37") + Decimal(i % 7),
            Decimal(30),
        ),
    ]


def dispensed(i: int) -> date:
    return date.today() - timedelta(days=i % 5)


def queue_claims(
    location: Location, login: str, password: str, check_id: str, count: int, start: Any, out: str
) -> None:
    """Sign in, wait for the others at `start` (a Barrier), queue `count` claims at full speed.

    Writes {"claims": [[id, number], ...]} (in the order they were returned) or {"error": ...}
    to the JSON file `out`.
    """
    use_cheap_kdf()
    result: dict[str, object]
    try:
        ctx = auth.sign_in(location, login, password)
        try:
            start.wait(timeout=300)
            made = []
            for i in range(count):
                info = claims.create(ctx, check_id, lines_for(i), dispensed(i), queue_now=True)
                made.append([info.id, info.number])
            result = {"claims": made}
        finally:
            ctx.close()
    except BaseException:  # noqa: BLE001 - reported to the parent, which fails the test
        start.abort()
        result = {"error": traceback.format_exc()}
    Path(out).write_text(json.dumps(result), encoding="utf-8")
    if "error" in result:
        raise SystemExit(1)


def queue_until_killed(
    location: Location, login: str, password: str, check_id: str, ready: Any, done: Any, seed: int
) -> None:
    """Sign in, say so through `ready` (an Event), then queue claims until killed.

    `done` (a shared RawValue integer) counts the claims whose transaction has committed: it is
    incremented only after `claims.create` returned.
    """
    use_cheap_kdf()
    ctx = auth.sign_in(location, login, password)
    ready.set()
    i = seed
    while True:
        claims.create(ctx, check_id, lines_for(i), dispensed(i), queue_now=True)
        done.value += 1  # the only writer; a RawValue, so no lock the kill could leave held
        i += 1
