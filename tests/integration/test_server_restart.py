"""Several counters on one PostgreSQL server that restarts under them.

The server is a throwaway cluster started by the test (tests/pgserver.py), stopped and
restarted with the real `pg_ctl`. What must hold:

* three counters (processes) queueing claims in a loop, each claim with its id made once
  and sent again after a connection error, while the server restarts twice: every claim a
  counter typed is stored exactly once, numbers are unique and gap-free, no claim is
  partial, and the audit chain verifies;
* a restarted server leaves no dead pooled connection behind (pool_pre_ping): the next
  action succeeds at the first try;
* a COMMIT whose acknowledgement is lost (the connection cut after the server committed)
  is retried without queueing the claim twice; a retry with another content is refused;
* a stopped server gives the user's sentence, not the driver's error.
"""

from __future__ import annotations

import json
import multiprocessing
import threading
import time
import uuid
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

from tests.conftest import PASSWORD
from tests.integration import _queue_worker as qworker
from tests.integration import _restart_worker as worker
from tests.integration.test_concurrency import ADMIN, _assert_consistent, _set_up
from tests.pgserver import CommitCutter, PgServer, fresh_database, pg_server  # noqa: F401 - the module's server
from verifier import i18n
from verifier.domain.errors import ValidationError
from verifier.services import auth, claims
from verifier.services.context import Context
from verifier.store.engine import Location, ServerUnreachable

pytestmark = pytest.mark.slow

COUNTERS = 3
RESTARTS = 2
CLAIMS_BETWEEN_RESTARTS = 25  # acknowledged claims (all counters) before each restart and after the last
HANG_GUARD = 600  # a wedged child fails the test instead of hanging it; not a time limit

SPAWN = multiprocessing.get_context("spawn")


@pytest.fixture
def pg_location(pg_server: PgServer) -> Iterator[Location]:
    yield Location(url=fresh_database(pg_server))
    if not pg_server.running():
        pg_server.start()


def _scalar(ctx: Context, sql: str, **params: Any) -> Any:
    with ctx.store.engine.connect() as conn:
        return conn.execute(text(sql), params).scalar()


def _wait_for(progress: Any, target: int, procs: list[Any]) -> None:
    end = time.monotonic() + HANG_GUARD
    while progress.value < target:
        if not all(p.is_alive() for p in procs):
            return  # a child failed: its result file says why
        if time.monotonic() > end:
            raise AssertionError(f"the counters stopped progressing at {progress.value} claims")
        time.sleep(0.02)


def test_three_counters_queue_through_server_restarts(
    pg_server: PgServer, pg_location: Location, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    logins = [f"comptoir{i}" for i in range(1, COUNTERS + 1)]
    check_id = _set_up(pg_location, logins)
    go, stop, progress = SPAWN.Barrier(COUNTERS + 1), SPAWN.Event(), SPAWN.RawValue("i", 0)
    outs = [tmp_path / f"counter{i}.json" for i in range(COUNTERS)]
    procs = [
        SPAWN.Process(
            target=worker.queue_through_restarts,
            name=f"counter{i}",
            args=(pg_location, login, PASSWORD, check_id, go, stop, progress, str(out)),
        )
        for i, (login, out) in enumerate(zip(logins, outs, strict=True))
    ]
    began = time.perf_counter()
    for p in procs:
        p.start()
    restart_seconds = []
    try:
        try:
            go.wait(timeout=HANG_GUARD)
        except threading.BrokenBarrierError:
            pass  # a counter failed before the start; its result file says why
        target = CLAIMS_BETWEEN_RESTARTS
        for _ in range(RESTARTS):
            _wait_for(progress, target, procs)
            t = time.perf_counter()
            pg_server.restart()  # pg_ctl restart -m fast: every counter's session is cut
            restart_seconds.append(time.perf_counter() - t)
            target = progress.value + CLAIMS_BETWEEN_RESTARTS
        _wait_for(progress, target, procs)
        stop.set()
        for p in procs:
            p.join(timeout=HANG_GUARD)
    finally:
        stop.set()
        for p in procs:
            if p.is_alive():
                p.kill()
                p.join()
    elapsed = time.perf_counter() - began
    results: list[dict[str, Any]] = [
        json.loads(out.read_text("utf-8")) if out.exists() else {"error": "no result file", "typed": []} for out in outs
    ]
    failures = [r["error"] for r in results if "error" in r]
    assert not failures, "\n".join(failures)
    assert [p.exitcode for p in procs] == [0] * COUNTERS

    typed = [claim_id for r in results for claim_id in r["typed"]]
    assert len(set(typed)) == len(typed)
    errors = sum(int(r["errors"]) for r in results)
    assert errors > 0, "no counter ever lost the server: the restarts tested nothing"

    ctx = auth.sign_in(pg_location, ADMIN, PASSWORD)
    try:
        stored = [claim_id for (claim_id,) in ctx.store.engine.connect().execute(text("SELECT id FROM claims"))]
        assert len(stored) == len(set(stored))
        missing, extra = set(typed) - set(stored), set(stored) - set(typed)
        assert not missing, f"{len(missing)} typed claims were never stored"
        assert not extra, f"{len(extra)} claims stored that no counter typed"
        per_user = dict(
            ctx.store.engine.connect()
            .execute(
                text("SELECT u.login, count(*) FROM claims c JOIN users u ON u.id = c.created_by GROUP BY u.login")
            )
            .all()
        )
        assert per_user == {login: len(r["typed"]) for login, r in zip(logins, results, strict=True)}
        stats = _assert_consistent(ctx)  # numbers 1..N, lines, totals, audit events, chain
        assert stats["claims"] == len(typed)
    finally:
        ctx.close()
    with capsys.disabled():
        print(
            f"\n    {COUNTERS} counters, {RESTARTS} restarts (pg_ctl restart -m fast: "
            f"{', '.join(f'{s:.1f} s' for s in restart_seconds)}): {len(typed)} claims stored once each, "
            f"{errors} connection errors retried, {elapsed:.1f} s in all",
            end="",
        )


def test_a_restart_leaves_no_dead_connection_in_the_pool(pg_server: PgServer, pg_location: Location) -> None:
    check_id = _set_up(pg_location, [])
    ctx = auth.sign_in(pg_location, ADMIN, PASSWORD)
    try:
        claims.create(ctx, check_id, qworker.lines_for(1), date.today(), queue_now=True)
        assert ctx.store.engine.pool.checkedin() >= 1  # a pooled connection, now about to die
        pg_server.restart()
        # The first action after the restart succeeds: the dead connection is replaced.
        info = claims.create(ctx, check_id, qworker.lines_for(2), date.today(), queue_now=True)
        assert info.number == 2
    finally:
        ctx.close()


def test_a_stopped_server_is_said_in_a_sentence(pg_server: PgServer, pg_location: Location) -> None:
    check_id = _set_up(pg_location, [])
    ctx = auth.sign_in(pg_location, ADMIN, PASSWORD)
    claim_id = str(uuid.uuid4())
    try:
        pg_server.stop()
        with pytest.raises(ServerUnreachable) as caught:
            claims.create(ctx, check_id, qworker.lines_for(1), date.today(), queue_now=True, claim_id=claim_id)
        assert str(caught.value) == i18n.tr(
            "Le serveur de données ne répond pas : ce qui est saisi est gardé ; réessayez quand il sera revenu."
        )
        assert str(caught.value).startswith("Le serveur de données ne répond pas")
        pg_server.start()
        info = claims.create(ctx, check_id, qworker.lines_for(1), date.today(), queue_now=True, claim_id=claim_id)
        assert info.id == claim_id and info.number == 1
    finally:
        if not pg_server.running():
            pg_server.start()
        ctx.close()


def test_a_lost_commit_acknowledgement_queues_the_claim_once(pg_server: PgServer, pg_location: Location) -> None:
    check_id = _set_up(pg_location, [])
    assert pg_location.url is not None
    cutter = CommitCutter(pg_server.port)
    through = Location(url=cutter.url(pg_location.url.rsplit("/", 1)[1]))
    ctx = auth.sign_in(through, ADMIN, PASSWORD)
    claim_id = str(uuid.uuid4())
    lines = qworker.lines_for(3)
    try:
        cutter.armed.set()
        with pytest.raises(ServerUnreachable):
            claims.create(ctx, check_id, lines, date.today(), queue_now=True, claim_id=claim_id)
        assert cutter.cuts == 1, "the COMMIT's answer was not the one cut"
        # The server did commit: the claim is there although its sender was told nothing.
        assert _scalar(ctx, "SELECT count(*) FROM claims WHERE id = :id", id=claim_id) == 1
        again = claims.create(ctx, check_id, lines, date.today(), queue_now=True, claim_id=claim_id)
        assert (again.id, again.number, again.status.value) == (claim_id, 1, "queued")
        assert _scalar(ctx, "SELECT count(*) FROM claims") == 1
        assert _scalar(ctx, "SELECT count(*) FROM audit_events WHERE action = 'claim.queued'") == 1
        # The form changed after the lost acknowledgement: the stored claim is the one to check.
        with pytest.raises(ValidationError) as caught:
            claims.create(ctx, check_id, qworker.lines_for(4), date.today(), queue_now=True, claim_id=claim_id)
        assert [p.code for p in caught.value.problems] == ["claim.id_taken"]
        assert "0000001" in str(caught.value)
        # The next claim takes the next number: the retries gave theirs back.
        assert claims.create(ctx, check_id, lines, date.today(), queue_now=True).number == 2
        assert _assert_consistent(ctx)["claims"] == 2
    finally:
        ctx.close()
        cutter.close()


def test_the_same_claim_id_twice_is_one_claim(location: Location) -> None:
    """Both backends: a retry whose first attempt was stored returns that claim."""
    check_id = _set_up(location, [])
    ctx = auth.sign_in(location, ADMIN, PASSWORD)
    try:
        claim_id = str(uuid.uuid4())
        first = claims.create(ctx, check_id, qworker.lines_for(5), date.today(), queue_now=True, claim_id=claim_id)
        second = claims.create(ctx, check_id, qworker.lines_for(5), date.today(), queue_now=True, claim_id=claim_id)
        assert (second.id, second.number, second.amc) == (first.id, first.number, first.amc)
        assert _assert_consistent(ctx)["claims"] == 1
    finally:
        ctx.close()


def test_init_with_a_database_url_creates_the_site_there_and_remembers_it(tmp_path: Path) -> None:
    from tests.conftest import pg_create_database, pg_drop_database
    from tests.integration.test_cli import run

    url = pg_create_database()
    try:
        with_password = url.replace("postgres@", "postgres:secret@")
        refused = run(
            tmp_path,
            "init",
            "--database-url",
            with_password,
            "--site-name",
            "Pharmacie du Port",
            "--user",
            "admin",
            env={"VERIFIER_PASSWORD": PASSWORD},
        )
        assert refused.returncode == 1 and "Traceback" not in refused.stderr
        assert "PGPASSWORD" in refused.stderr and "pgpass" in refused.stderr
        assert not auth.database_exists(Location.parse(url))  # nothing was created
        assert not (tmp_path / "home" / "config.json").exists()

        done = run(
            tmp_path,
            "init",
            "--database-url",
            url,
            "--site-name",
            "Pharmacie du Port",
            "--user",
            "admin",
            env={"VERIFIER_PASSWORD": PASSWORD},
        )
        assert done.returncode == 0, done.stderr
        assert "Adresse du serveur enregistrée" in done.stdout
        config = json.loads((tmp_path / "home" / "config.json").read_text("utf-8"))
        assert config["database"] == url and "secret" not in json.dumps(config)
        # The next command on this computer finds the server through config.json alone.
        listed = run(tmp_path, "claims", "list", "--user", "admin", env={"VERIFIER_PASSWORD": PASSWORD})
        assert listed.returncode == 0, listed.stderr
    finally:
        pg_drop_database(url)


# --- the roles and the backup of docs/deployment.md, on a real server --------------------

DEPLOYMENT = Path(__file__).resolve().parents[2] / "docs" / "deployment.md"


def _documented_sql(name: str) -> list[str]:
    """The statements of the ```sql block after `<!-- deployment-sql: name -->`, as written."""
    doc = DEPLOYMENT.read_text("utf-8")
    block = doc.split(f"<!-- deployment-sql: {name} -->", 1)[1].split("```sql", 1)[1].split("```", 1)[0]
    return [s.strip() for s in block.split(";") if s.strip()]


def _run_sql(url: str, statements: list[str]) -> None:
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:  # CREATE DATABASE runs outside a transaction
        for statement in statements:
            conn.execute(statement)  # type: ignore[arg-type]


def _refused(url: str, statement: str) -> bool:
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        try:
            conn.execute(statement)  # type: ignore[arg-type]
        except psycopg.errors.InsufficientPrivilege:
            return True
    return False


def test_the_documented_roles_are_enough(pg_server: PgServer, tmp_path: Path) -> None:
    from tests.factories import AMC, make_check, patient_input
    from verifier.services import audit, directory, drafts, drugs, outages, patients, queue

    _run_sql(pg_server.url("postgres"), _documented_sql("server"))
    _run_sql(pg_server.url("verifier"), _documented_sql("database"))
    base = f"postgresql://{{role}}@127.0.0.1:{pg_server.port}/{{db}}"
    owner = Location(url=base.format(role="verifier_owner", db="verifier"))
    counter = Location(url=base.format(role="verifier_counter", db="verifier"))

    # `verifier init` as the owner: the migrations, the site, the drug reference.
    ctx, _code = auth.initialise(owner, auth.SiteInput("Pharmacie du Port"), ADMIN, "Admin", PASSWORD)
    drugs.load_shipped_snapshot(ctx.store, ctx.actor.login, ctx.actor.user_id)
    ctx.close()
    _run_sql(pg_server.url("verifier"), _documented_sql("after-init"))

    # A day at the counter, as the counters' role.
    admin = auth.sign_in(counter, ADMIN, PASSWORD)
    try:
        directory.add_operator(admin, "VIAMEDIS", "Viamedis")
        directory.add_insurer(admin, AMC, "Mutuelle Test", "VIAMEDIS")
        auth.add_user(admin, "comptoir1", "Comptoir 1", "counter", PASSWORD)
        drugs.load_shipped_snapshot(admin.store, admin.actor.login, admin.actor.user_id)  # replaced as a whole
    finally:
        admin.close()
    staff = auth.sign_in(counter, "comptoir1", PASSWORD)
    try:
        drafts.save(staff, "counter", {"patient": {"surname": "X"}})
        patient, _ = patients.save(staff, patient_input())
        check = make_check(staff, patient.id)
        claim = claims.create(
            staff, check.id, qworker.lines_for(1), date.today(), queue_now=True, claim_id=str(uuid.uuid4())
        )
        drafts.clear(staff, "counter")
        outages.declare_down(staff, "VIAMEDIS", "serveur injoignable")
        assert [r.id for r in queue.list_claims(staff, queue.Search()).rows] == [claim.id]
        auth.change_password(staff, PASSWORD, PASSWORD + " bis")
    finally:
        staff.close()
    admin = auth.sign_in(counter, ADMIN, PASSWORD)
    try:
        assert audit.verify(admin).broken_at is None
    finally:
        admin.close()

    # What the counters' role must not do.
    raw = base.format(role="verifier_counter", db="verifier")
    assert _refused(raw, "CREATE TABLE stolen (x int)")
    assert _refused(raw, "DELETE FROM audit_events")
    assert _refused(raw, "UPDATE audit_events SET actor = 'nobody'")
    assert _refused(raw, "UPDATE alembic_version SET version_num = '0001'")
    assert _refused(raw, "TRUNCATE claims")
    assert _refused(raw, "DROP TABLE claims")

    # The nightly dump, restored into a scratch database as section 6 says, verifies.
    dump = pg_server.dir / "verifier-test.dump"
    pg_server.run(
        "pg_dump",
        "-h",
        "127.0.0.1",
        "-p",
        str(pg_server.port),
        "-U",
        "postgres",
        "-d",
        "verifier",
        "-Fc",
        "-f",
        str(dump),
    )
    pg_server.run(
        "createdb",
        "-h",
        "127.0.0.1",
        "-p",
        str(pg_server.port),
        "-U",
        "postgres",
        "-O",
        "verifier_owner",
        "verifier_restore_test",
    )
    pg_server.run(
        "pg_restore",
        "-h",
        "127.0.0.1",
        "-p",
        str(pg_server.port),
        "-U",
        "postgres",
        "-d",
        "verifier_restore_test",
        "--no-owner",
        "--role=verifier_owner",
        str(dump),
    )
    restored = auth.sign_in(
        Location(url=base.format(role="verifier_owner", db="verifier_restore_test")), ADMIN, PASSWORD
    )
    try:
        assert audit.verify(restored).broken_at is None
        assert [r.id for r in queue.list_claims(restored, queue.Search()).rows] == [claim.id]
    finally:
        restored.close()


def test_the_url_says_how_much_tls(pg_server: PgServer) -> None:
    """Without sslmode, libpq's "prefer" on this machine (a remote server: tests/security/
    test_remote_tls.py); a URL's own sslmode is kept (this server has no TLS)."""
    from verifier.store.engine import postgres_connect_args

    assert postgres_connect_args("postgresql://u@127.0.0.1/db")["sslmode"] == "prefer"
    assert "sslmode" not in postgres_connect_args("postgresql://u@h/db?sslmode=verify-full&sslrootcert=/r.crt")
    plain = pg_server.url("postgres")
    assert auth.server_holds_site(Location(url=plain)) is False  # prefer: no TLS offered, plain is accepted
    with pytest.raises(ServerUnreachable) as caught:
        auth.server_holds_site(Location(url=plain + "?sslmode=require"))
    assert "SSL" in str(caught.value)
