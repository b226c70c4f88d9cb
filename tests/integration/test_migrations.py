"""Migrations: the only way a schema is made; every old database file upgrades intact."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from verifier.services import auth, demo
from verifier.store import database, migrate
from verifier.store.engine import Location
from verifier.store.schema import Base

DATA = Path(__file__).resolve().parents[1] / "data"
FIXTURES = sorted(DATA.glob("schema-*.db"))
import sys  # noqa: E402

sys.path.insert(0, str(DATA))
from make_fixture import FIXTURE_PASSWORD, manifest  # noqa: E402


def test_there_is_a_fixture_for_every_schema_but_the_newest() -> None:
    """A fixture is made before each new migration; forgetting one fails here."""
    from alembic.script import ScriptDirectory

    revisions = [r.revision for r in ScriptDirectory.from_config(migrate.alembic_config()).walk_revisions()]
    have = {p.stem.split("-", 1)[1] for p in FIXTURES}
    assert set(revisions) - have <= {migrate.head_revision()}
    assert FIXTURES, "no schema fixture in tests/data"


@pytest.mark.parametrize("fixture", FIXTURES, ids=[p.name for p in FIXTURES])
def test_old_database_upgrades_with_backup_and_every_row_survives(fixture: Path, tmp_path: Path) -> None:
    db = tmp_path / "old.db"
    shutil.copy2(fixture, db)
    shutil.copy2(fixture.with_name(fixture.name + ".keys"), tmp_path / "old.db.keys")
    before = json.loads(fixture.with_suffix(".json").read_text("utf-8"))
    loc = Location(sqlite_path=db)
    ctx = auth.sign_in(loc, demo.DEMO_ADMIN, FIXTURE_PASSWORD)  # opening upgrades
    try:
        assert migrate.current_revision(ctx.store.engine) == migrate.head_revision()
        assert database.integrity_check(ctx.store) == "ok"
    finally:
        ctx.close()
    after = manifest(loc)
    # The first sign-in after the upgrade is audited and signs the directory once (one event
    # each); before schema 0012 it also makes the administrators' signing key (one event, its
    # public key) and the audit key (two settings: the key, where it starts).
    # From schema 0013 on, the directory was signed when the fixture was made.
    older = before["revision"] < "0012"
    signed = before["revision"] >= "0013"
    grown = {"audit_events": 3 if older else 1 if signed else 2, "settings": 3 if older else 0}
    for table, count in before["counts"].items():
        assert after["counts"][table] == count + grown.get(table, 0), table
    assert after["claims"] == before["claims"]
    if before["revision"] != migrate.head_revision():
        backups = list((tmp_path / "backups").glob("old-*-before-*.db"))
        assert len(backups) == 1
        # the backup is the old schema, still encrypted and still openable with its slots
        assert (tmp_path / "backups" / (backups[0].name + ".keys")).exists()
        assert b"SQLite format 3" not in backups[0].read_bytes()[:16]


def test_migrations_and_models_agree(location: Location) -> None:
    ctx, _ = auth.initialise(location, auth.SiteInput("Officine"), "admin", "A", "correct horse battery")
    try:
        with ctx.store.engine.connect() as conn:
            diff = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": False}), Base.metadata)
        assert diff == []
    finally:
        ctx.close()


def test_new_database_is_at_head(location: Location) -> None:
    ctx, _ = auth.initialise(location, auth.SiteInput("Officine"), "admin", "A", "correct horse battery")
    try:
        assert migrate.current_revision(ctx.store.engine) == migrate.head_revision()
    finally:
        ctx.close()
