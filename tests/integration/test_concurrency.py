"""Several processes queueing claims at once, and a process killed while queueing.

Both run on encrypted SQLite and on PostgreSQL (the `location` fixture). What must hold
afterwards, whatever the interleaving or the moment of the kill:

* claim numbers never repeat; since the counter is advanced in the same transaction as
  the claim it numbers, a transaction that does not commit gives its number back, so the
  numbers are also exactly 1..N (no gap) and the counter equals N;
* every claim has all its lines (none without lines, no orphan line) and its totals are
  the sums of its lines, with amo + amc + patient share == price;
* every claim has its "claim.created" and "claim.queued" audit events and the audit chain
  verifies; on SQLite `PRAGMA integrity_check` says "ok";
* after a kill, the database opens again and a new claim can be queued, and every claim
  the killed process saw committed is there.

Child processes are started with multiprocessing's "spawn" context (a fresh interpreter,
like a second workstation) and run `tests/integration/_queue_worker.py`.
"""

from __future__ import annotations

import json
import multiprocessing
import random
import threading
import time
from collections import Counter as Tally
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import psycopg
import pytest
from sqlalchemy import text

from tests.conftest import PASSWORD
from tests.factories import make_site
from tests.integration import _queue_worker as worker
from verifier.domain.coverage import Guarantee
from verifier.services import auth, checks, claims, directory, patients, settings
from verifier.services.context import Context
from verifier.services.demo import nir_for
from verifier.store import audit_log
from verifier.store.database import integrity_check
from verifier.store.engine import Location

pytestmark = pytest.mark.slow

ADMIN = "admin"
AMC = "90412345"
MEMBER = "ADH1234567"
WRITERS = 4
CLAIMS_PER_WRITER = 500
KILL_ROUNDS = 5
KILL_SEED = 20240605
# Generous guards so a wedged child fails the test instead of hanging it; not time limits.
HANG_GUARD = 900

SPAWN = multiprocessing.get_context("spawn")


def _set_up(location: Location, counters: list[str]) -> str:
    """A site, its administrator, counter users, one insurer, one patient, one check."""
    ctx, _ = auth.initialise(location, auth.SiteInput("Pharmacie des Essais"), ADMIN, "Administratrice", PASSWORD)
    try:
        for login in counters:
            auth.add_user(ctx, login, f"Comptoir {login}", "counter", PASSWORD)
        directory.add_insurer(ctx, AMC, "Mutuelle Exemple des Alpes")
        # thousands of claims for one insurer: lift the outstanding ceiling (its own tests
        # are in test_counter_services.py)
        settings.save(ctx, settings.SiteSettings(insurer_outstanding_ceiling=Decimal("10000000")))
        birth = "14/03/1968"
        patient, _ = patients.save(
            ctx,
            patients.PatientInput(
                "MARTINVAL",
                "Claire",
                birth,
                nir_for("2", birth, "75", "056", 100),
                "1",
                "011751234",
                AMC,
                MEMBER,
                date.today() - timedelta(days=300),
                date.today() + timedelta(days=65),
            ),
        )
        check = checks.record(
            ctx,
            checks.CheckInput(
                patient.id,
                AMC,
                "hotline",
                "covered",
                [Guarantee("PHAR", Decimal(100))],
                reference="REF-123456",
                member_number=MEMBER,
            ),
        )
        return check.id
    finally:
        ctx.close()


def _scalar(ctx: Context, sql: str) -> Any:
    with ctx.store.engine.connect() as conn:
        return conn.execute(text(sql)).scalar()


def _rows(ctx: Context, sql: str) -> list[Any]:
    with ctx.store.engine.connect() as conn:
        return list(conn.execute(text(sql)).all())


def _assert_consistent(ctx: Context) -> dict[str, int]:
    """Everything that must hold on the claims, whatever happened; returns a few counts."""
    assert integrity_check(ctx.store) == "ok"
    numbers = sorted(n for (n,) in _rows(ctx, "SELECT number FROM claims"))
    count = len(numbers)
    assert len(set(numbers)) == count, "a claim number was given twice"
    assert numbers == list(range(1, count + 1)), "claim numbers are not exactly 1..N"
    assert _scalar(ctx, "SELECT value FROM counters WHERE name = 'claim_number'") == count
    # Every claim has exactly its two lines, at positions 1 and 2; no line without its claim.
    wrong = _rows(
        ctx,
        """
        SELECT c.number, count(l.id), min(l.position), max(l.position)
        FROM claims c LEFT JOIN claim_lines l ON l.claim_id = c.id
        GROUP BY c.number
        HAVING count(l.id) <> 2 OR min(l.position) <> 1 OR max(l.position) <> 2""",
    )
    assert wrong == [], f"claims without their {worker.LINES_PER_CLAIM} lines: {wrong[:10]}"
    assert (
        _scalar(
            ctx,
            """
        SELECT count(*) FROM claim_lines l LEFT JOIN claims c ON c.id = l.claim_id
        WHERE c.id IS NULL""",
        )
        == 0
    )
    # Totals are the sums of the lines, and each claim's shares add up to its price.
    mismatched = _rows(
        ctx,
        """
        SELECT c.number FROM claims c JOIN (
            SELECT claim_id, sum(price) AS price, sum(br) AS br, sum(amo) AS amo, sum(tm) AS tm,
                   sum(amc) AS amc, sum(patient_share) AS patient_share
            FROM claim_lines GROUP BY claim_id) s ON s.claim_id = c.id
        WHERE c.price <> s.price OR c.br <> s.br OR c.amo <> s.amo OR c.tm <> s.tm
           OR c.amc <> s.amc OR c.patient_share <> s.patient_share
           OR c.amo + c.amc + c.patient_share <> c.price OR c.amc <= 0""",
    )
    assert mismatched == [], f"claims whose totals are not their lines' sums: {mismatched[:10]}"
    assert _scalar(ctx, "SELECT count(*) FROM claims WHERE status <> 'queued' OR queued_at IS NULL") == 0
    # Each claim has its two audit events, and the chain holds end to end.
    events = Tally(
        a
        for (a,) in _rows(
            ctx,
            """
        SELECT e.action FROM audit_events e JOIN claims c ON c.id = e.entity_id
        WHERE e.entity = 'claim'""",
        )
    )
    assert events == Tally({"claim.created": count, "claim.queued": count})
    with ctx.store.read() as s:
        report = audit_log.verify(s, ctx.store.audit_key)
    assert report.broken_at is None, report
    return {
        "claims": count,
        "lines": _scalar(ctx, "SELECT count(*) FROM claim_lines"),
        "events": report.events,
    }


def _queue_one(ctx: Context, check_id: str) -> claims.ClaimInfo:
    info = claims.create(ctx, check_id, worker.lines_for(7), date.today(), queue_now=True)
    assert info.number >= 1 and len(info.lines) == worker.LINES_PER_CLAIM
    return info


def _report(capsys: pytest.CaptureFixture[str], message: str) -> None:
    with capsys.disabled():
        print(f"\n    {message}", end="")


def test_four_writers_queue_at_once(location: Location, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    logins = [f"comptoir{i}" for i in range(1, WRITERS + 1)]
    check_id = _set_up(location, logins)
    start = SPAWN.Barrier(WRITERS + 1)
    outs = [tmp_path / f"writer{i}.json" for i in range(WRITERS)]
    procs = [
        SPAWN.Process(
            target=worker.queue_claims,
            name=f"writer{i}",
            args=(location, login, PASSWORD, check_id, CLAIMS_PER_WRITER, start, str(out)),
        )
        for i, (login, out) in enumerate(zip(logins, outs, strict=True))
    ]
    for p in procs:
        p.start()
    try:
        try:
            start.wait(timeout=HANG_GUARD)  # every writer has signed in: go
        except threading.BrokenBarrierError:
            pass  # a writer failed before the start; its error file says why
        began = time.perf_counter()
        for p in procs:
            p.join(timeout=HANG_GUARD)
        elapsed = time.perf_counter() - began
    finally:
        for p in procs:
            if p.is_alive():
                p.kill()
                p.join()
    results: list[dict[str, Any]] = [
        json.loads(out.read_text("utf-8")) if out.exists() else {"error": "no result file"} for out in outs
    ]
    errors = [r["error"] for r in results if "error" in r]
    assert not errors, "\n".join(errors)
    assert [p.exitcode for p in procs] == [0] * WRITERS

    total = WRITERS * CLAIMS_PER_WRITER
    returned: dict[str, int] = {}
    for r in results:
        mine = [n for _, n in r["claims"]]
        assert len(mine) == CLAIMS_PER_WRITER
        assert mine == sorted(mine) and len(set(mine)) == len(mine), "a writer saw the counter go back"
        returned.update((claim_id, n) for claim_id, n in r["claims"])
    assert len(returned) == total
    assert sorted(returned.values()) == list(range(1, total + 1))
    # The writers really ran at once: in number order, the writer changes many times.
    owner = {n: w for w, r in enumerate(results) for _, n in r["claims"]}
    switches = sum(owner[n] != owner[n + 1] for n in range(1, total))
    assert switches > WRITERS - 1, f"the writers ran one after the other ({switches} switches)"

    ctx = auth.sign_in(location, ADMIN, PASSWORD)
    try:
        stats = _assert_consistent(ctx)
        assert stats["claims"] == total and stats["lines"] == total * worker.LINES_PER_CLAIM
        # Each claim has the number its writer was told, and was made by that writer.
        assert dict(_rows(ctx, "SELECT id, number FROM claims")) == returned
        per_user_sql = """
            SELECT u.login, count(*) FROM claims c JOIN users u ON u.id = c.created_by
            GROUP BY u.login"""
        per_user = dict(_rows(ctx, per_user_sql))
        assert per_user == {login: CLAIMS_PER_WRITER for login in logins}
        assert _queue_one(ctx, check_id).number == total + 1
    finally:
        ctx.close()
    backend = "sqlite" if location.is_sqlite else "postgresql"
    _report(
        capsys,
        f"[{backend}] {WRITERS} writers x {CLAIMS_PER_WRITER} claims: {elapsed:.1f} s, "
        f"{elapsed / total * 1000:.1f} ms per claim, {total / elapsed:.0f} claims/s, "
        f"{switches} writer switches in number order",
    )


def _wait_for_server_to_notice(location: Location) -> None:
    """PostgreSQL: wait until the killed client's backend has gone (its work is then settled).

    A COMMIT already sent when the client died still completes on the server; counting
    before that would race with it.
    """
    if location.is_sqlite:
        return
    assert location.url is not None
    with psycopg.connect(location.url, autocommit=True) as conn:
        for _ in range(600):
            busy = conn.execute("""
                SELECT count(*) FROM pg_stat_activity
                WHERE datname = current_database() AND pid <> pg_backend_pid()
                  AND state <> 'idle'""").fetchone()
            if busy is not None and busy[0] == 0:
                return
            time.sleep(0.05)
    raise AssertionError("the killed client's server session never went away")


def test_sigkill_while_queueing(location: Location, capsys: pytest.CaptureFixture[str]) -> None:
    check_id = _set_up(location, ["comptoir1"])
    rng = random.Random(KILL_SEED)
    expected = 0  # claims known to be committed so far
    written_per_round = []
    for round_ in range(KILL_ROUNDS):
        # A RawValue: a locked Value would hang the parent if the kill came while the child
        # held its lock.
        ready, done = SPAWN.Event(), SPAWN.RawValue("i", 0)
        proc = SPAWN.Process(
            target=worker.queue_until_killed,
            name=f"victim{round_}",
            args=(location, "comptoir1", PASSWORD, check_id, ready, done, round_ * 1000),
        )
        proc.start()
        try:
            assert ready.wait(timeout=HANG_GUARD), f"round {round_}: the child never signed in"
            time.sleep(rng.uniform(0.0, 0.6))
            assert proc.is_alive(), f"round {round_}: the child died on its own (exit {proc.exitcode})"
        finally:
            proc.kill()  # SIGKILL: no clean-up, no rollback by the child
            proc.join()
        assert proc.exitcode == -9
        written = done.value
        written_per_round.append(written)
        _wait_for_server_to_notice(location)

        ctx = auth.sign_in(location, ADMIN, PASSWORD)
        try:
            stats = _assert_consistent(ctx)
            # Every claim the child saw committed is there; at most one more (committed but
            # killed before it could count it).
            assert expected + written <= stats["claims"] <= expected + written + 1, (
                round_,
                written,
                stats,
            )
            info = _queue_one(ctx, check_id)
            assert info.number == stats["claims"] + 1
            expected = stats["claims"] + 1
            assert _assert_consistent(ctx)["claims"] == expected
        finally:
            ctx.close()
    assert any(written_per_round), "no claim was written before any kill: the test tested nothing"
    backend = "sqlite" if location.is_sqlite else "postgresql"
    _report(
        capsys,
        f"[{backend}] claims committed before each SIGKILL: {written_per_round}; total now {expected}",
    )


def test_two_writers_taking_a_new_sequence_first_get_one_and_two(location: Location) -> None:
    """A sequence's first use by two writers at once (two workstations making the first batch
    on PostgreSQL): the second waits for the first's row, then takes the next value; no
    unique-key error (it once failed the two-workstation export test)."""
    from verifier.store.claims_write import next_value

    ctx = make_site(location)
    got: list[int] = []
    errors: list[BaseException] = []
    try:
        with ctx.store.write() as first:
            got.append(next_value(first, "test_sequence"))  # the row exists, uncommitted

            def second() -> None:
                try:
                    with ctx.store.write() as s:
                        got.append(next_value(s, "test_sequence"))
                except BaseException as exc:  # noqa: BLE001 - reported below
                    errors.append(exc)

            other = threading.Thread(target=second)
            other.start()
            time.sleep(0.5)  # the second writer is now waiting (PostgreSQL) or queued (SQLite)
        other.join(timeout=60)
        assert errors == [] and sorted(got) == [1, 2]
    finally:
        ctx.close()
