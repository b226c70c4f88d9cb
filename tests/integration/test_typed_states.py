"""Typed states: claim and batch statuses, a check's method and outcome are enums in the
code and a closed list in the database (named CHECK constraints, migration 0009)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from sqlalchemy import inspect, select, text
from sqlalchemy.exc import IntegrityError

from verifier.domain.states import BatchStatus, CheckMethod, CheckOutcome, ClaimStatus
from verifier.services import auth, demo
from verifier.store.engine import Location
from verifier.store.schema import Batch, Claim, CoverageCheck

DATA = Path(__file__).resolve().parents[1] / "data"

# table -> column -> the enum it holds
TYPED = {
    "claims": {"status": ClaimStatus},
    "batches": {"status": BatchStatus},
    "coverage_checks": {"method": CheckMethod, "outcome": CheckOutcome},
}


def _refuses_unknown_values(ctx) -> None:  # type: ignore[no-untyped-def]
    """Each typed column takes a known value and refuses a made-up one, even by raw SQL."""
    inspector = inspect(ctx.store.engine)
    for table, columns in TYPED.items():
        names = {c["name"] for c in inspector.get_check_constraints(table)}
        for column, states in columns.items():
            assert f"ck_{table}_{column}" in names, (table, column)
            with ctx.store.engine.connect() as conn:
                row_id = conn.execute(text(f"SELECT id FROM {table} LIMIT 1")).scalar_one()
            for bad in ("bogus", "QUEUED", "", states.__members__[next(iter(states.__members__))].name):
                with pytest.raises(IntegrityError), ctx.store.engine.begin() as conn:
                    conn.execute(text(f"UPDATE {table} SET {column} = :v WHERE id = :id"), {"v": bad, "id": row_id})
            with ctx.store.engine.begin() as conn:  # a known value goes in (same value back)
                value = conn.execute(text(f"SELECT {column} FROM {table} WHERE id = :id"), {"id": row_id}).scalar_one()
                conn.execute(text(f"UPDATE {table} SET {column} = :v WHERE id = :id"), {"v": value, "id": row_id})
                assert value in {s.value for s in states}


def _reads_enums(ctx) -> None:  # type: ignore[no-untyped-def]
    with ctx.store.read() as s:
        claim = s.scalars(select(Claim).limit(1)).one()
        batch = s.scalars(select(Batch).limit(1)).one()
        check = s.scalars(select(CoverageCheck).limit(1)).one()
        assert type(claim.status) is ClaimStatus
        assert type(batch.status) is BatchStatus
        assert type(check.method) is CheckMethod and type(check.outcome) is CheckOutcome
        # Queries may compare with the enum or with its value: both mean the same state.
        queued = s.scalars(select(Claim.number).where(Claim.status == ClaimStatus.QUEUED)).all()
        assert queued and queued == s.scalars(select(Claim.number).where(Claim.status == "queued")).all()


def test_a_new_database_holds_enums_and_refuses_unknown_states(location: Location) -> None:
    demo.build(location)
    ctx = auth.sign_in(location, demo.DEMO_ADMIN, demo.DEMO_PASSWORD)
    try:
        _reads_enums(ctx)
        _refuses_unknown_values(ctx)
    finally:
        ctx.close()


def _old_database(name: str, tmp_path: Path) -> Location:
    """A copy of a shipped schema fixture (with its key slots); signing in upgrades it."""
    fixture = DATA / name
    shutil.copy2(fixture, tmp_path / "old.db")
    shutil.copy2(fixture.with_name(fixture.name + ".keys"), tmp_path / "old.db.keys")
    return Location(sqlite_path=tmp_path / "old.db")


def test_a_schema_0008_database_upgrades_to_the_typed_states(tmp_path: Path) -> None:
    ctx = auth.sign_in(_old_database("schema-0008.db", tmp_path), demo.DEMO_ADMIN, demo.DEMO_PASSWORD)
    try:
        _reads_enums(ctx)
        _refuses_unknown_values(ctx)
    finally:
        ctx.close()


def test_a_service_cannot_store_an_unknown_state(location: Location) -> None:
    """The ORM refuses a made-up status before SQL is sent (validate_strings)."""
    demo.build(location)
    ctx = auth.sign_in(location, demo.DEMO_ADMIN, demo.DEMO_PASSWORD)
    try:
        with pytest.raises(Exception, match="bogus"), ctx.store.write() as s:
            claim = s.scalars(select(Claim).limit(1)).one()
            claim.status = "bogus"  # type: ignore[assignment]
            s.flush()
        with ctx.store.read() as s:
            assert "bogus" not in set(s.scalars(select(Claim.status)).all())
    finally:
        ctx.close()


def test_batches_made_by_the_first_release_become_exported(tmp_path: Path) -> None:
    """Schema 0001 stored a batch just made as "created"; it upgrades to "exported"."""
    ctx = auth.sign_in(_old_database("schema-0001.db", tmp_path), demo.DEMO_ADMIN, demo.DEMO_PASSWORD)
    try:
        with ctx.store.read() as s:
            statuses = s.scalars(select(Batch.status)).all()
        assert statuses and BatchStatus.EXPORTED in statuses
        assert all(type(status) is BatchStatus for status in statuses)
    finally:
        ctx.close()
