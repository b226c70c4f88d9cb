"""What a thief gets: no identity in the database file, its WAL, its backups, or PostgreSQL."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from sqlalchemy import select, update

from tests.conftest import pg_create_database, pg_drop_database
from verifier.security import crypto
from verifier.security.keyslots import AuthFailed, FileSlots
from verifier.services import audit, auth, demo, patients
from verifier.store import audit_log, database
from verifier.store.engine import Location
from verifier.store.schema import AuditEvent

SECRETS_OF = [(s, f) for s, f, *_ in demo.PEOPLE]


def identity_strings(loc: Location) -> list[bytes]:
    """Every demo patient's surname, first name, NIR and member number, as bytes."""
    ctx = auth.sign_in(loc, demo.DEMO_ADMIN, demo.DEMO_PASSWORD)
    try:
        found: list[bytes] = []
        for surname, _first in SECRETS_OF:
            (p,) = patients.search(ctx, surname)
            for value in (p.surname, p.first_name, p.nir, p.member_number or "", p.nir[:13]):
                found += [value.encode("utf-8"), value.encode("utf-16-le")]
        return [v for v in found if len(v) >= 5]
    finally:
        ctx.close()


def test_sqlite_file_wal_and_backup_reveal_no_identity(tmp_path: Path) -> None:
    loc = Location(sqlite_path=tmp_path / "demo.db")
    demo.build(loc)
    secrets = identity_strings(loc)
    assert len(secrets) > 30
    # keep a connection open mid-transaction so the WAL has content while we read the files
    ctx = auth.sign_in(loc, demo.DEMO_ADMIN, demo.DEMO_PASSWORD)
    try:
        store = ctx.store
        backup = database.backup_sqlite(store, "test")
        with store.engine.connect() as conn:
            conn.exec_driver_sql("PRAGMA wal_autocheckpoint = 0")
            patients.save(
                ctx,
                patients.PatientInput(
                    "ZYGOMATIQUE", "Bérénice", "01/01/1990", demo.nir_for("2", "01/01/1990", "13", "055", 7)
                ),
            )
            files = [p for p in tmp_path.rglob("*") if p.is_file()]  # the backups folder too
            assert any(p.name.endswith("-wal") for p in files)
            assert backup in files
            for path in files:
                raw = path.read_bytes()
                for secret in secrets + [b"ZYGOMATIQUE"]:
                    assert secret not in raw, f"{path.name} reveals an identity"
                assert not raw.startswith(b"SQLite format 3"), path.name
    finally:
        ctx.close()


def test_wrong_password_cannot_open_and_raw_key_is_needed(tmp_path: Path) -> None:
    loc = Location(sqlite_path=tmp_path / "demo.db")
    demo.build(loc)
    with pytest.raises(AuthFailed) as err:
        auth.sign_in(loc, demo.DEMO_ADMIN, "demonstration-2025")
    assert str(err.value).startswith("Identifiant ou mot de passe incorrect")
    import sqlcipher3

    conn = sqlcipher3.connect(str(tmp_path / "demo.db"))
    conn.execute("PRAGMA key = 'demonstration-2024'")  # the password is not the key
    with pytest.raises(sqlcipher3.DatabaseError):
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
    keys = (tmp_path / "demo.db.keys").read_text("utf-8")
    assert "demonstration" not in keys
    assert oct((tmp_path / "demo.db.keys").stat().st_mode & 0o777) == "0o600"


def test_key_file_from_another_database_is_refused(tmp_path: Path) -> None:
    a, b = Location(sqlite_path=tmp_path / "a" / "v.db"), Location(sqlite_path=tmp_path / "b" / "v.db")
    for loc in (a, b):
        auth.initialise(loc, auth.SiteInput("X"), "admin", "A", "correct horse battery")[0].close()
    shutil.copy2(tmp_path / "a" / "v.db.keys", tmp_path / "b" / "v.db.keys.a")
    slots = FileSlots(tmp_path / "b" / "v.db.keys.a")
    slots.set_key_check(FileSlots(tmp_path / "b" / "v.db.keys").key_check() or "")
    shutil.move(str(tmp_path / "b" / "v.db.keys.a"), str(tmp_path / "b" / "v.db.keys"))
    with pytest.raises(AuthFailed) as err:
        auth.sign_in(b, "admin", "correct horse battery")
    assert "ne correspond pas" in str(err.value)


@pytest.fixture
def pg_location() -> Iterator[Location]:
    url = pg_create_database()
    try:
        yield Location(url=url)
    finally:
        pg_drop_database(url)


def test_postgres_holds_only_ciphertext(pg_location: Location) -> None:
    location = pg_location
    demo.build(location)
    secrets = identity_strings(location)
    url = (location.url or "").replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(url) as conn:
        dump = []
        for (table,) in conn.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'"):
            for row in conn.execute(f'SELECT * FROM "{table}"'):
                dump.append(repr(row))
        text = "\n".join(dump).encode("utf-8")
    assert b"MARTINVAL" not in text
    for secret in secrets:
        assert secret not in text


def test_real_argon2_cost_wraps_and_unwraps() -> None:
    key = crypto.new_database_key()
    wrapped = crypto.wrap_key(key, "a long passphrase here", b"ctx", crypto.DEFAULT_KDF)
    assert wrapped.kdf.memory_cost == 65536 and wrapped.kdf.time_cost == 3
    assert crypto.unwrap_key(wrapped, "a long passphrase here", b"ctx") == key
    assert crypto.unwrap_key(wrapped, "a long passphrase herE", b"ctx") is None
    assert crypto.unwrap_key(wrapped, "a long passphrase here", b"other") is None


def test_audit_chain_detects_any_alteration(location: Location) -> None:
    demo.build(location)
    ctx = auth.sign_in(location, demo.DEMO_ADMIN, demo.DEMO_PASSWORD)
    try:
        report = audit.verify(ctx)
        assert report.broken_at is None and report.events > 50
        with ctx.store.write() as s:
            target = s.scalars(select(AuditEvent).where(AuditEvent.seq == 20)).one()
            s.execute(update(AuditEvent).where(AuditEvent.seq == 20).values(actor="intrus"))
            assert target is not None
        report = audit.verify(ctx)
        assert report.broken_at == 20 and report.reason == "hash"
    finally:
        ctx.close()


def test_audit_details_never_hold_personal_fields(location: Location) -> None:
    demo.build(location)
    ctx = auth.sign_in(location, demo.DEMO_ADMIN, demo.DEMO_PASSWORD)
    try:
        with ctx.store.read() as s:
            text = " ".join(e.details + (e.entity_id or "") for e in s.scalars(select(AuditEvent)))
        for surname, first in SECRETS_OF:
            assert surname not in text and first not in text
        with ctx.store.write() as s, pytest.raises(ValueError):
            audit_log.append(s, "x", "test", "patient", None, {"nir": "1"})
    finally:
        ctx.close()
