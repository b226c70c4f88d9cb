"""Exports killed with SIGKILL at random moments leave either no batch or a complete one;
two workstations exporting at once never share a claim or a batch number."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest
from sqlalchemy import select

from tests.conftest import pg_create_database, pg_drop_database
from tests.factories import PASSWORD, make_site, queued_claim
from verifier.exports.bundle import open_bundle
from verifier.services import auth, batches, directory, settings
from verifier.store import database
from verifier.store.engine import Location
from verifier.store.schema import Batch, Claim

WORKER = Path(__file__).with_name("_export_worker.py")
ROOT = Path(__file__).resolve().parents[2]


def _site(location: Location, claims: int) -> None:
    ctx = make_site(location)
    try:
        from decimal import Decimal

        settings.save(ctx, settings.SiteSettings(insurer_outstanding_ceiling=Decimal("10000000")))
        for i in range(claims):
            queued_claim(ctx, order=800 + i % 150, surname=f"CRASH{i:03d}")
    finally:
        ctx.close()


def _start(location: Location, outbox: Path, mode: str) -> subprocess.Popen[str]:
    target = str(location.sqlite_path) if location.sqlite_path else str(location.url)
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    return subprocess.Popen(
        [sys.executable, str(WORKER), target, str(outbox), mode],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        cwd=ROOT,
    )


def _check(location: Location, outbox: Path) -> tuple[int, int]:
    """Every claim queued or in exactly one complete live batch; every bundle complete."""
    ctx = auth.sign_in(location, "admin", PASSWORD)
    try:
        with ctx.store.read() as s:
            rows = s.execute(select(Claim.id, Claim.status, Claim.batch_id)).all()
            live = {b.id: b for b in s.scalars(select(Batch)) if b.status in ("exported", "sent")}
        assert database.integrity_check(ctx.store) == "ok"
    finally:
        ctx.close()
    per_batch = Counter(batch_id for _id, _status, batch_id in rows if batch_id is not None)
    for _id, status, batch_id in rows:
        assert (status, batch_id is None) in (("queued", True), ("exported", False)), (status, batch_id)
        if batch_id is not None:
            assert batch_id in live
    for batch_id, b in live.items():
        assert per_batch[batch_id] == b.claim_count  # complete: all its claims, no more
    bundles = [p for p in outbox.iterdir() if not p.name.startswith(".")] if outbox.exists() else []
    for p in bundles:
        open_bundle(p)  # a bundle in the outbox is always whole (manifest hashes verified)
    return len(live), len(bundles)


@pytest.mark.slow
def test_sigkill_at_50_random_moments(tmp_path: Path) -> None:
    location = Location(sqlite_path=tmp_path / "v.db")
    outbox = tmp_path / "outbox"
    _site(location, 40)
    rng = random.Random(20240205)
    finished = 0
    for _round in range(50):
        child = _start(location, outbox, "loop")
        assert child.stdout is not None
        assert child.stdout.readline().strip() == "go", child.stderr.read() if child.stderr else ""
        time.sleep(rng.uniform(0.0, 0.6))
        child.send_signal(signal.SIGKILL)
        out, _err = child.communicate(timeout=60)
        finished += len(out.splitlines())
        _check(location, outbox)
    assert finished > 0  # some exports completed between kills, others were cut short
    # and the next export succeeds
    child = _start(location, outbox, "once")
    out, err = child.communicate(timeout=120)
    assert child.returncode == 0, err
    _check(location, outbox)


@pytest.mark.slow
def test_two_workstations_export_at_once_on_postgresql(tmp_path: Path) -> None:
    url = pg_create_database()
    try:
        location = Location(url=url)
        _site(location, 120)
        workers = [_start(location, tmp_path / f"outbox{i}", "subsets") for i in range(2)]
        outputs = [w.communicate(timeout=600) for w in workers]
        assert all(w.returncode == 0 for w in workers), [o[1][-2000:] for o in outputs]
        printed = [line.split()[0] for out, _ in outputs for line in out.splitlines()[1:]]
        assert len(printed) >= 10 and len(set(printed)) == len(printed)  # no batch number twice
        ctx = auth.sign_in(location, "admin", PASSWORD)
        try:
            mine = batches.list_batches(ctx, directory.get_insurer(ctx, "90412345").id)
        finally:
            ctx.close()
        assert sorted(str(b.number) for b in mine) == sorted(printed)
        live_batches, bundles = 0, 0
        for i in range(2):
            live, files = _check(location, tmp_path / f"outbox{i}")  # no claim in two batches
            live_batches, bundles = live, bundles + files
        assert bundles == live_batches == len(printed)
    finally:
        pg_drop_database(url)
