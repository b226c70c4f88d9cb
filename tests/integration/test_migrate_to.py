"""Moving a site from its embedded encrypted file to PostgreSQL (`verifier db migrate-to URL`).

The source is the demonstration site (services.demo, with its stays and consultations) with more history made through the
services: a batch exported to a file, an insurer's return imported, site settings, outages
and a draft, so every table but `key_slots` (a file beside SQLite) has rows. The targets
are real PostgreSQL databases made for each test; failures are real ones (a value SQLite
accepted and PostgreSQL refuses, an altered audit event), never mocks.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from pathlib import Path

import psycopg
import pytest
from sqlalchemy import select, text, update
from sqlalchemy.engine import Engine, make_url

from tests.conftest import TEST_KDF, pg_create_database, pg_drop_database
from verifier.domain.coverage import Guarantee
from verifier.domain.errors import PermissionDenied
from verifier.domain.states import ClaimStatus
from verifier.security import crypto
from verifier.security.keyslots import AuthFailed, FileSlots, unlock
from verifier.services import (
    audit,
    auth,
    batches,
    checks,
    claims,
    demo,
    drafts,
    drugs,
    outages,
    patients,
    queue,
    returns,
    settings,
    site_move,
)
from verifier.services.context import Context
from verifier.store import copy, migrate
from verifier.store.engine import Location, postgres_engine, sqlite_engine
from verifier.store.schema import AuditEvent, Base

ADMIN, COUNTER, PASSWORD = demo.DEMO_ADMIN, demo.DEMO_COUNTER, demo.DEMO_PASSWORD
DATA = Path(__file__).resolve().parents[1] / "data"


@pytest.fixture(scope="module")
def demo_site(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """The demo site and its recovery code, made once (tests copy it before changing it)."""
    crypto.set_default_kdf(TEST_KDF)  # module fixtures run before the per-test cheap-KDF fixture
    try:
        folder = tmp_path_factory.mktemp("site")
        db = folder / "verifier.db"
        summary = demo.build(Location(sqlite_path=db), activities=("pharmacy", "clinic", "centre"))  # stays too
        code = re.search(r"Code de secours : (\S+)", summary)
        assert code is not None
        ctx = auth.sign_in(Location(sqlite_path=db), ADMIN, PASSWORD)
        try:
            _more_history(ctx, folder)
        finally:
            ctx.close()
    finally:
        crypto.set_default_kdf(crypto.DEFAULT_KDF)
    return db, code.group(1)


def _more_history(ctx: Context, folder: Path) -> None:
    batch = batches.list_batches(ctx)[0]
    assert batches.export_batch(ctx, batch.id, folder / "outbox").exists()
    exported = queue.list_claims(ctx, queue.Search(statuses=(ClaimStatus.EXPORTED,))).rows
    assert exported, "the demo leaves a claim exported"
    answer = folder / "retour.csv"
    answer.write_text(f"claim_number;status;reason_code\n{exported[0].number};accepted;\n", "utf-8")
    assert returns.import_file(ctx, answer).accepted == 1
    settings.save(ctx, settings.SiteSettings(claim_amc_ceiling=Decimal("250.00")))
    outages.declare_down(ctx, "VIAMEDIS", "serveur injoignable")
    outages.declare_up(ctx, "VIAMEDIS")
    outages.declare_down(ctx, "ALMERYS")
    drafts.save(ctx, "counter", {"surname": "BROUILLON", "lines": 2})


@pytest.fixture
def site(demo_site: tuple[Path, str], tmp_path: Path) -> Path:
    """A copy of the demo site this test may change."""
    db = tmp_path / "verifier.db"
    for suffix in ("", ".keys", "-wal"):
        original = demo_site[0].with_name(demo_site[0].name + suffix)
        if original.exists():
            shutil.copy2(original, db.with_name(db.name + suffix))
    return db


@pytest.fixture
def pg_url() -> Iterator[str]:
    url = pg_create_database()
    try:
        yield url
    finally:
        pg_drop_database(url)


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _source_engine(db: Path) -> Engine:
    return copy.readonly_sqlite_engine(db, unlock(FileSlots.for_database(db), ADMIN, PASSWORD))


def _counts(engine: Engine) -> dict[str, int]:
    with engine.connect() as conn:
        return {t.name: copy.count_rows(conn, t) for t in Base.metadata.sorted_tables}


def _target_tables(url: str) -> list[str]:
    engine = postgres_engine(url, pooled=False)
    try:
        with engine.connect() as conn:
            return copy.occupied_tables(conn)
    finally:
        engine.dispose()


def test_the_demo_site_moves_to_postgresql_with_counts_and_audit_chain_verified(
    demo_site: tuple[Path, str],
    site: Path,
    pg_url: str,
) -> None:
    source, target = Location(sqlite_path=site), Location(url=pg_url)
    keys = FileSlots.for_database(site)
    before = (_digest(site), _digest(keys.path))
    src_engine = _source_engine(site)
    try:
        source_counts = _counts(src_engine)
    finally:
        src_engine.dispose()
    assert [t for t, n in source_counts.items() if n == 0] == ["key_slots"]  # every table is exercised

    report = site_move.migrate_to(source, ADMIN, PASSWORD, pg_url)

    assert (_digest(site), _digest(keys.path)) == before  # the file is left as it was
    assert [t.table for t in report.tables] == [t.name for t in Base.metadata.sorted_tables]
    assert all(t.matches for t in report.tables)
    assert report.revision == migrate.head_revision()
    assert report.audit_events == source_counts["audit_events"] + 1
    pg = postgres_engine(pg_url, pooled=False)
    try:
        target_counts = _counts(pg)
        with pg.connect() as conn:
            last = conn.execute(select(AuditEvent.action, AuditEvent.details).order_by(AuditEvent.seq.desc())).first()
            assert migrate.current_revision(pg) == migrate.head_revision()
    finally:
        pg.dispose()
    expected = dict(
        source_counts,
        key_slots=len(keys.names()),
        settings=source_counts["settings"] + 1,
        audit_events=source_counts["audit_events"] + 1,
    )
    assert target_counts == expected
    assert last is not None and last.action == "site.migrated" and '"claims":35' in last.details

    admin_t = auth.sign_in(target, ADMIN, PASSWORD)  # the same password opens the server's key slots
    admin_s = auth.sign_in(source, ADMIN, PASSWORD)
    try:
        chain = audit.verify(admin_t)
        assert chain.broken_at is None and chain.events == source_counts["audit_events"] + 2  # + sign-in
        counter_t = auth.sign_in(target, COUNTER, PASSWORD)
        assert counter_t.actor.role == "counter"
        counter_t.close()

        everything = queue.Search()
        page_s = queue.list_claims(admin_s, everything, limit=500)
        page_t = queue.list_claims(admin_t, everything, limit=500)
        assert page_t.rows == page_s.rows and page_t.total_count == page_s.total_count == 35
        assert page_t.totals == page_s.totals
        for row in page_s.rows:  # every patient's identity decrypts the same
            claim = claims.get(admin_s, row.id)
            assert claims.get(admin_t, row.id) == claim  # lines and earlier versions (previous_id) too
            assert patients.get(admin_t, claim.patient_id) == patients.get(admin_s, claim.patient_id)
        by_name = queue.Search(text="martinval")  # blind indexes: the same key, the same search
        assert queue.list_claims(admin_t, by_name).rows == queue.list_claims(admin_s, by_name).rows != []
        assert drafts.load(admin_t, "counter") == {"surname": "BROUILLON", "lines": 2}
        assert settings.load(admin_t).claim_amc_ceiling == Decimal("250.00")
        assert [o.operator_code for o in outages.current(admin_t)] == ["ALMERYS"]

        # Numbers and keys continue where the file stopped (counters copied, sequences moved on).
        old_batch = batches.list_batches(admin_s)[0]
        assert old_batch.insurer_id is not None
        of_insurer = queue.list_claims(admin_s, queue.Search(insurer_id=old_batch.insurer_id)).rows[0]
        patient = patients.get(admin_t, claims.get(admin_s, of_insurer.id).patient_id)
        check = checks.record(
            admin_t,
            checks.CheckInput(patient.id, of_insurer.amc_number, "card", "covered", [Guarantee("PHAR", Decimal(100))]),
        )
        new = claims.create(
            admin_t, check.id, [claims.line_from_drug(drugs.get(admin_t, demo.BOXES[0]))], date.today(), queue_now=True
        )
        assert new.number == max(r.number for r in page_s.rows) + 1
        assert new.status is ClaimStatus.QUEUED
        batch = batches.create_batch(admin_t, old_batch.insurer_id, [new.id]).batch
        assert (batch.id, batch.number) == (old_batch.id + 1, old_batch.number + 1)
        auth.add_user(admin_t, "nouvelle", "Nouvelle", "counter", "un mot de passe assez long")
        auth.sign_in(target, "nouvelle", "un mot de passe assez long").close()
        outages.declare_down(admin_t, "VIAMEDIS")
    finally:
        admin_t.close()
        admin_s.close()
    # The recovery slot came along too.
    auth.reset_with_recovery(target, demo_site[1], ADMIN, "un autre mot de passe long")
    auth.sign_in(target, ADMIN, "un autre mot de passe long").close()


def test_a_second_move_into_the_filled_target_is_refused_and_changes_nothing(site: Path, pg_url: str) -> None:
    site_move.migrate_to(Location(sqlite_path=site), ADMIN, PASSWORD, pg_url)
    pg = postgres_engine(pg_url, pooled=False)
    try:
        before = _counts(pg)
        with pytest.raises(site_move.SiteMoveError) as refused:
            site_move.migrate_to(Location(sqlite_path=site), ADMIN, PASSWORD, pg_url)
        assert refused.value.problem.code == "site_move.target_not_empty"
        assert "n'est pas vide" in str(refused.value) and "rien n'a été modifié" in str(refused.value)
        assert _counts(pg) == before
    finally:
        pg.dispose()
    ctx = auth.sign_in(Location(url=pg_url), ADMIN, PASSWORD)
    try:
        assert audit.verify(ctx).broken_at is None
    finally:
        ctx.close()


def test_a_target_holding_any_table_is_refused_and_left_alone(site: Path, pg_url: str) -> None:
    with psycopg.connect(pg_url, autocommit=True) as conn:
        conn.execute("CREATE TABLE notes (body text)")
        conn.execute("INSERT INTO notes VALUES ('à garder')")
    with pytest.raises(site_move.SiteMoveError, match="notes"):
        site_move.migrate_to(Location(sqlite_path=site), ADMIN, PASSWORD, pg_url)
    assert _target_tables(pg_url) == ["notes"]
    with psycopg.connect(pg_url) as conn:
        assert conn.execute("SELECT body FROM notes").fetchall() == [("à garder",)]


def test_an_empty_alembic_version_table_counts_as_empty(site: Path, pg_url: str) -> None:
    with psycopg.connect(pg_url, autocommit=True) as conn:
        conn.execute("CREATE TABLE alembic_version (version_num varchar(32) PRIMARY KEY)")
    report = site_move.migrate_to(Location(sqlite_path=site), ADMIN, PASSWORD, pg_url)
    assert all(t.matches for t in report.tables)


def test_only_an_administrator_may_move_the_site(site: Path, pg_url: str) -> None:
    before = _digest(site)
    with pytest.raises(PermissionDenied, match="Seul un administrateur"):
        site_move.migrate_to(Location(sqlite_path=site), COUNTER, PASSWORD, pg_url)
    with pytest.raises(AuthFailed):
        site_move.migrate_to(Location(sqlite_path=site), ADMIN, "not the password at all", pg_url)
    assert _target_tables(pg_url) == []
    assert _digest(site) == before


def test_a_file_at_an_older_schema_is_refused_with_the_command_to_run(tmp_path: Path, pg_url: str) -> None:
    db = tmp_path / "old.db"
    shutil.copy2(DATA / "schema-0001.db", db)
    shutil.copy2(DATA / "schema-0001.db.keys", tmp_path / "old.db.keys")
    before = _digest(db)
    with pytest.raises(site_move.SiteMoveError, match="verifier db upgrade"):
        site_move.migrate_to(Location(sqlite_path=db), ADMIN, PASSWORD, pg_url)
    assert _digest(db) == before  # refused, not upgraded behind the administrator's back
    assert _target_tables(pg_url) == []


def test_the_source_must_be_a_file_and_the_target_a_postgresql_address(site: Path, pg_url: str) -> None:
    with pytest.raises(site_move.SiteMoveError, match="postgresql://"):
        site_move.migrate_to(Location(sqlite_path=site), ADMIN, PASSWORD, str(site.with_name("other.db")))
    with pytest.raises(site_move.SiteMoveError, match="--db"):
        site_move.migrate_to(Location(url=pg_url), ADMIN, PASSWORD, pg_url)


def _tamper(db: Path, statement: object) -> None:
    """Change the file the way only someone holding its key could (SQLite checks no lengths)."""
    engine = sqlite_engine(db, unlock(FileSlots.for_database(db), ADMIN, PASSWORD))
    try:
        with engine.begin() as conn:
            conn.execute(statement)  # type: ignore[call-overload]
    finally:
        engine.dispose()


def test_a_failure_in_the_middle_of_the_copy_leaves_the_target_empty(site: Path, pg_url: str) -> None:
    # claim_lines comes last in foreign-key order: every other table is already copied when
    # PostgreSQL refuses a lot number longer than its column, which SQLite had accepted.
    lines = Base.metadata.tables["claim_lines"]
    _tamper(site, update(lines).where(lines.c.id == 1).values(lot="L" * 40))
    before = _digest(site)
    with pytest.raises(site_move.SiteMoveError) as failed:
        site_move.migrate_to(Location(sqlite_path=site), ADMIN, PASSWORD, pg_url)
    assert failed.value.problem.code == "site_move.copy_failed"
    assert failed.value.problem.params == {"step": "claim_lines", "reason": "StringDataRightTruncation"}
    assert "restée vide" in str(failed.value)
    assert _target_tables(pg_url) == []  # not even the schema: one transaction
    assert _digest(site) == before


def test_an_altered_audit_event_fails_the_verification_and_nothing_is_kept(site: Path, pg_url: str) -> None:
    _tamper(site, text("UPDATE audit_events SET actor = 'quelqu''un' WHERE seq = 7"))
    with pytest.raises(site_move.SiteMoveError, match="verifier audit verify") as failed:
        site_move.migrate_to(Location(sqlite_path=site), ADMIN, PASSWORD, pg_url)
    assert failed.value.problem.code == "site_move.chain_broken"
    assert failed.value.problem.params["seq"] == 7
    assert _target_tables(pg_url) == []


# --- the command ------------------------------------------------------------------------


def _run(
    tmp_path: Path,
    *args: str,
    stdin: str | None = None,
    password: str | None = PASSWORD,
) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "VERIFIER_DATA_DIR": str(tmp_path / "home"), "VERIFIER_LANG": "fr"}
    env.pop("VERIFIER_PASSWORD", None)
    env.pop("VERIFIER_DATABASE_URL", None)
    if password is not None:
        env["VERIFIER_PASSWORD"] = password
    return subprocess.run(
        [sys.executable, "-m", "verifier", *args], input=stdin, capture_output=True, text=True, env=env, timeout=300
    )


def test_the_command_moves_the_site_and_says_what_to_do_next(site: Path, pg_url: str, tmp_path: Path) -> None:
    no_url = _run(tmp_path, "--db", str(site), "db", "migrate-to", "--user", ADMIN)
    assert no_url.returncode == 1 and "postgresql://" in no_url.stderr
    counter = _run(tmp_path, "--db", str(site), "db", "migrate-to", pg_url, "--user", COUNTER)
    assert counter.returncode == 1 and "Seul un administrateur" in counter.stderr and "Traceback" not in counter.stderr

    # A password typed into the address is never printed back (the test server trusts local
    # connections, so it is ignored there).
    with_secret = pg_url if make_url(pg_url).password else pg_url.replace("://postgres@", "://postgres:not-shown@")
    moved = _run(
        tmp_path,
        "--db",
        str(site),
        "db",
        "migrate-to",
        with_secret,
        "--user",
        ADMIN,
        "--password-stdin",
        stdin=PASSWORD + "\n",
        password=None,
    )
    assert moved.returncode == 0, moved.stderr
    assert "not-shown" not in moved.stdout + moved.stderr
    assert re.search(r"claims\s+35 →\s+35\n", moved.stdout)
    assert re.search(r"key_slots\s+0 →\s+3 \(\+3 du fichier de clés\)", moved.stdout)
    assert "journal d'audit intègre" in moved.stdout
    assert f"VERIFIER_DATABASE_URL={pg_url}" in moved.stdout and str(site) + ".keys" in moved.stdout

    listed = _run(tmp_path, "--db", pg_url, "claims", "list", "--user", COUNTER)
    assert listed.returncode == 0, listed.stderr
    assert listed.stdout.rstrip().endswith("35 demandes")
    again = _run(tmp_path, "--db", str(site), "db", "migrate-to", pg_url, "--user", ADMIN)
    assert again.returncode == 1 and "n'est pas vide" in again.stderr and "Traceback" not in again.stderr
