"""Issue 12 point 1: disabling a user revokes their key.

Before, the database key never changed: a disabled user's slot, or any old copy of the slot
file, still unwrapped it and read every NIR. Now deactivating a user changes the key for
everyone else (services.keys): the remaining users sign in with their own passwords as
before, and the old key opens nothing written after (on SQLite, not even the file).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.exceptions import InvalidTag
from sqlalchemy import text

from tests.conftest import pg_create_database, pg_drop_database
from tests.factories import PASSWORD, make_site, patient_input
from verifier.domain.errors import DomainError
from verifier.security.crypto import FieldCipher, key_check
from verifier.security.keyslots import AuthFailed, FileSlots, unlock
from verifier.services import auth, keys, patients, users
from verifier.store import database
from verifier.store.engine import Location, WrongKey, postgres_engine, sqlite_engine

COUNTER_PASSWORD = "grenier ardoise tulipe 47"
OTHER_PASSWORD = "pivoine campagne radeau 12"


def _site(location: Location) -> None:
    with make_site(location) as ctx:
        auth.add_user(ctx, "comptoir", "Comptoir", "counter", COUNTER_PASSWORD)
        auth.add_user(ctx, "second", "Second", "counter", OTHER_PASSWORD)
        patients.save(ctx, patient_input())


def _stolen_key(location: Location, login: str, password: str, copy_dir: Path) -> bytes:
    """What the employee takes before leaving: their key, unwrapped from their slot (a copy
    of the slot file on SQLite; the key_slots table's row on PostgreSQL)."""
    if location.sqlite_path is not None:
        keys_copy = copy_dir / "stolen.keys"
        shutil.copy2(FileSlots.for_database(location.sqlite_path).path, keys_copy)
        return unlock(FileSlots(keys_copy), login, password)
    return unlock(database.slot_store(location), login, password)


def test_a_deactivated_users_old_key_opens_nothing_written_after(location: Location, tmp_path: Path) -> None:
    _site(location)
    with auth.sign_in(location, "comptoir", COUNTER_PASSWORD):  # format-2 slot from the first sign-in
        pass
    old_key = _stolen_key(location, "comptoir", COUNTER_PASSWORD, tmp_path)
    with auth.sign_in(location, "admin", PASSWORD) as admin:
        info = users.set_active(admin, "comptoir", False)
        assert info.rotation is not None and info.rotation.revoked == ("comptoir",)
        assert info.rotation.needs_password == () and info.rotation.recovery_code is None
        written_after, _ = patients.save(admin, patient_input(surname="APRESCOUP", order=202))
        found = patients.search(admin, "DURAND")  # the search indexes followed the new key
        assert [p.surname for p in found] == ["DURANDEAU"]
    # Their own slot is gone; the remaining administrator signs in as before.
    with pytest.raises(AuthFailed):
        auth.sign_in(location, "comptoir", COUNTER_PASSWORD)
    with auth.sign_in(location, "admin", PASSWORD) as admin:
        assert patients.get(admin, written_after.id).surname == "APRESCOUP"
    # The stolen key: on SQLite the file does not open; on PostgreSQL no row decrypts.
    if location.sqlite_path is not None:
        with pytest.raises(WrongKey):
            with sqlite_engine(location.sqlite_path, old_key).connect():
                pass
    else:
        engine = postgres_engine(location.url or "", pooled=False)
        try:
            with engine.connect() as conn:
                rows = conn.execute(text("SELECT surname_enc FROM patients")).scalars().all()
        finally:
            engine.dispose()
        assert len(rows) == 2
        for token in rows:
            with pytest.raises(InvalidTag):
                FieldCipher(old_key).decrypt(token, "patients.surname")


def test_rotation_keeps_every_active_user_and_the_recovery_code(location: Location) -> None:
    ctx, recovery = auth.initialise(location, auth.SiteInput("Pharmacie du Test"), "admin", "Admin", PASSWORD)
    with ctx:
        auth.add_user(ctx, "comptoir", "Comptoir", "counter", COUNTER_PASSWORD)
        auth.add_user(ctx, "second", "Second", "counter", OTHER_PASSWORD)
    with auth.sign_in(location, "admin", PASSWORD) as admin:
        result = keys.rotate(admin, "manual")
        assert result.users == 3 and result.revoked == () and result.needs_password == ()
        assert result.recovery_code is None  # sealed to the recovery slot's public key, no code needed
        new_key = admin.store.cipher.database_key
    for login, password in (("comptoir", COUNTER_PASSWORD), ("second", OTHER_PASSWORD)):
        with auth.sign_in(location, login, password) as user:
            assert user.store.cipher.database_key == new_key
    auth.reset_with_recovery(location, recovery, "admin", "nouvelle phrase tout autre 93")
    with auth.sign_in(location, "admin", "nouvelle phrase tout autre 93") as admin:
        assert admin.store.cipher.database_key == new_key
    assert database.slot_store(location).key_check() == key_check(new_key)


FIXTURES = Path(__file__).resolve().parents[1] / "data"


def test_slots_of_an_older_site_follow_once_their_user_signed_in(tmp_path: Path) -> None:
    """Format-1 slots (before this change) hold the key under the password: they become
    format 2 at their user's next sign-in. A rotation cannot carry the others, and says so."""
    from verifier.services import demo

    db = tmp_path / "old.db"
    shutil.copy2(FIXTURES / "schema-0011.db", db)
    shutil.copy2(FIXTURES / "schema-0011.db.keys", tmp_path / "old.db.keys")
    location = Location(sqlite_path=db)
    assert not FileSlots.for_database(db).get(demo.DEMO_ADMIN).revocable  # type: ignore[union-attr]
    with auth.sign_in(location, demo.DEMO_ADMIN, demo.DEMO_PASSWORD) as admin:
        assert FileSlots.for_database(db).get(demo.DEMO_ADMIN).revocable  # type: ignore[union-attr]
        result = keys.rotate(admin, "manual")
    assert result.needs_password == (demo.DEMO_COUNTER,) and result.recovery_code is not None
    with pytest.raises(AuthFailed):
        auth.sign_in(location, demo.DEMO_COUNTER, demo.DEMO_PASSWORD)
    with auth.sign_in(location, demo.DEMO_ADMIN, demo.DEMO_PASSWORD) as admin:
        auth.reset_password(admin, demo.DEMO_COUNTER, COUNTER_PASSWORD)
    with auth.sign_in(location, demo.DEMO_COUNTER, COUNTER_PASSWORD):
        pass


def test_a_workstation_still_holding_the_old_key_cannot_write() -> None:
    """PostgreSQL (on SQLite the rekeyed file refuses the old key outright, first test): a
    counter signed in before the rotation would write rows nobody could read any more."""
    url = pg_create_database()
    try:
        _writer_with_old_key_refused(Location(url=url))
    finally:
        pg_drop_database(url)


def _writer_with_old_key_refused(location: Location) -> None:
    _site(location)
    with auth.sign_in(location, "comptoir", COUNTER_PASSWORD) as counter:
        with auth.sign_in(location, "admin", PASSWORD) as admin:
            keys.rotate(admin, "manual")
        with pytest.raises(DomainError) as caught:
            patients.save(counter, patient_input(surname="ANCIENNECLE", order=303))
        assert caught.value.problem.code == "key.changed"
    with auth.sign_in(location, "admin", PASSWORD) as admin:
        assert not patients.search(admin, "ANCIENNECLE")


_CRASHING_ROTATION = """
import os, sys
from verifier.security import crypto
from verifier.services import auth, keys
from verifier.store.engine import Location
crypto.set_default_kdf(crypto.KdfParams(time_cost=1, memory_cost=1024, parallelism=1))
location = Location(sqlite_path=__import__("pathlib").Path(sys.argv[1])) if sys.argv[1].endswith(".db") else Location(url=sys.argv[1])
keys.BATCH = 2

def die(done, total):
    if done >= 2:
        os._exit(9)  # the power goes: no clean-up, no finally

with auth.sign_in(location, "admin", sys.argv[2]) as admin:
    keys.rotate(admin, "manual", progress=die)
"""


def test_a_rotation_cut_short_is_finished_by_the_next_sign_in(location: Location, tmp_path: Path) -> None:
    _site(location)
    with auth.sign_in(location, "admin", PASSWORD) as admin:
        for n in range(5):
            patients.save(admin, patient_input(surname=f"PATIENT{n}", order=400 + n))
        before = admin.store.cipher.database_key
    target = str(location.sqlite_path) if location.sqlite_path is not None else str(location.url)
    script = tmp_path / "crash.py"
    script.write_text(_CRASHING_ROTATION, "utf-8")
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])}
    done = subprocess.run([sys.executable, str(script), target, PASSWORD], env=env, timeout=120, check=False)
    assert done.returncode == 9
    slots = database.slot_store(location)
    assert slots.pending() is not None and slots.key_check() == key_check(before)
    with auth.sign_in(location, "admin", PASSWORD) as admin:  # finishes it
        assert admin.store.cipher.database_key != before
        assert sorted(p.surname for p in patients.search(admin, "PATIENT")) == [f"PATIENT{n}" for n in range(5)]
    assert slots.pending() is None
    with auth.sign_in(location, "comptoir", COUNTER_PASSWORD) as counter:
        assert counter.store.cipher.database_key == slots_key(location, "comptoir")


def slots_key(location: Location, login: str) -> bytes:
    password = {"comptoir": COUNTER_PASSWORD, "admin": PASSWORD}[login]
    return unlock(database.slot_store(location), login, password)


def test_a_file_open_in_another_window_is_rekeyed_at_the_next_sign_in(tmp_path: Path) -> None:
    location = Location(sqlite_path=tmp_path / "site.db")
    _site(location)
    with auth.sign_in(location, "comptoir", COUNTER_PASSWORD):
        pass
    old_key = _stolen_key(location, "comptoir", COUNTER_PASSWORD, tmp_path)
    other_window = auth.sign_in(location, "second", OTHER_PASSWORD)
    try:
        patients.search(other_window, "DURAND")  # its connection stays open in its pool
        with auth.sign_in(location, "admin", PASSWORD) as admin:
            info = users.set_active(admin, "comptoir", False)
            assert info.rotation is not None and not info.rotation.finished
        with pytest.raises(AuthFailed):  # revoked at once, although the pages wait
            auth.sign_in(location, "comptoir", COUNTER_PASSWORD)
    finally:
        other_window.close()
    with auth.sign_in(location, "admin", PASSWORD) as admin:  # alone now: finishes
        assert [p.surname for p in patients.search(admin, "DURAND")] == ["DURANDEAU"]
    assert database.slot_store(location).pending() is None
    with pytest.raises(WrongKey):
        with sqlite_engine(location.sqlite_path, old_key).connect():  # type: ignore[arg-type]
            pass


def test_disable_and_enable_on_the_command_line(tmp_path: Path) -> None:
    from tests.integration.test_cli import run
    from verifier.services import demo

    db = tmp_path / "demo.db"
    assert run(tmp_path, "--db", str(db), "demo").returncode == 0
    env = {"VERIFIER_PASSWORD": demo.DEMO_PASSWORD}
    off = run(tmp_path, "--db", str(db), "--user", demo.DEMO_ADMIN, "user", "disable", demo.DEMO_COUNTER, env=env)
    assert off.returncode == 0 and "est désactivé" in off.stdout and "1 utilisateur" in off.stdout, off.stderr
    on = run(
        tmp_path,
        "--db",
        str(db),
        "--user",
        demo.DEMO_ADMIN,
        "user",
        "enable",
        demo.DEMO_COUNTER,
        env={**env, "VERIFIER_NEW_PASSWORD": COUNTER_PASSWORD},
    )
    assert on.returncode == 0, on.stderr
    with auth.sign_in(Location(sqlite_path=db), demo.DEMO_COUNTER, COUNTER_PASSWORD):
        pass
    rotated = run(tmp_path, "--db", str(db), "--user", demo.DEMO_ADMIN, "key", "rotate", env=env)
    assert rotated.returncode == 0 and "2 utilisateurs" in rotated.stdout, rotated.stderr
