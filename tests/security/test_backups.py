"""Issue 12: backups that restore.

A backup of the embedded site is taken with SQLite's online backup API into the backups
folder, verified, rotated; `restore` puts one into a new file and verifies it. A backup cut
short by `kill -9` leaves every earlier backup good; a backup taken before a schema upgrade
restores (and is brought up to date). PostgreSQL sites are dumped with pg_dump, which holds
no identity in clear.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tests.conftest import pg_create_database, pg_drop_database
from tests.factories import PASSWORD, make_site, queued_claim
from verifier.domain.errors import DomainError
from verifier.security.keyslots import AuthFailed
from verifier.services import auth, backups, patients
from verifier.store import backup
from verifier.store.engine import Location

FIXTURES = Path(__file__).resolve().parents[1] / "data"


def _site(tmp_path: Path, claims: int = 3) -> Location:
    location = Location(sqlite_path=tmp_path / "site" / "verifier.db")
    with make_site(location) as admin:
        for n in range(claims):
            queued_claim(admin, order=700 + n, surname=f"SAUVE{n}")
    return location


def test_backup_verify_and_restore_round_trip(tmp_path: Path) -> None:
    location = _site(tmp_path)
    with auth.sign_in(location, "admin", PASSWORD) as admin:
        made = backups.take(admin, "manual", copy_to=tmp_path / "usb")
    assert [b.path for b in backups.listed(location)] == [made.path]
    assert (tmp_path / "usb" / made.path.name).exists() and (tmp_path / "usb" / (made.path.name + ".keys")).exists()
    report = backups.verify(made.path, "admin", PASSWORD)
    assert report.good and report.claims == 3 and report.patients == 3
    with pytest.raises(AuthFailed):
        backups.verify(made.path, "admin", "pas le bon mot de passe")
    target = tmp_path / "restored" / "verifier.db"
    restored = backups.restore(made.path, target, "admin", PASSWORD)
    assert restored.good and restored.claims == 3
    with auth.sign_in(Location(sqlite_path=target), "admin", PASSWORD) as again:
        assert [p.surname for p in patients.search(again, "SAUVE1")] == ["SAUVE1"]
    with pytest.raises(DomainError):  # never over an existing file
        backups.restore(made.path, target, "admin", PASSWORD)


_KILLED_BACKUP = """
import os, sys
from pathlib import Path
from verifier.security.keyslots import FileSlots, unlock
from verifier.security import crypto
from verifier.store import backup
crypto.set_default_kdf(crypto.KdfParams(time_cost=1, memory_cost=1024, parallelism=1))
db = Path(sys.argv[1])
key = unlock(FileSlots.for_database(db), "admin", sys.argv[2])

def die(left, total):
    if left < total:
        os._exit(9)  # mid-copy: no clean-up

backup.take(db, key, backup.folder_for(db), "manual", progress=die)
"""


def test_a_backup_killed_midway_leaves_the_previous_one_good(tmp_path: Path) -> None:
    location = _site(tmp_path, claims=40)  # several steps of 256 pages... at least two
    with auth.sign_in(location, "admin", PASSWORD) as admin:
        first = backups.take(admin, "manual")
        with admin.store.engine.begin() as conn:  # a bigger file, so the copy takes steps
            conn.exec_driver_sql("CREATE TABLE ballast (x BLOB)")
            conn.exec_driver_sql("INSERT INTO ballast SELECT randomblob(4000) FROM claim_lines")
    script = tmp_path / "kill.py"
    script.write_text(_KILLED_BACKUP, "utf-8")
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])}
    assert location.sqlite_path is not None
    done = subprocess.run([sys.executable, str(script), str(location.sqlite_path), PASSWORD], env=env, timeout=120)
    assert done.returncode == 9
    folder = backup.folder_for(location.sqlite_path)
    assert list(folder.glob("*.partial"))  # the killed one, never listed
    assert [b.path for b in backups.listed(location)] == [first.path]
    assert backups.verify(first.path, "admin", PASSWORD).good
    with auth.sign_in(location, "admin", PASSWORD) as admin:
        second = backups.take(admin, "manual")
    # The next backup clears what the killed one left, and (same hour) replaces the first.
    assert not list(folder.glob("*.partial")) and [b.path for b in backups.listed(location)] == [second.path]
    assert backups.verify(second.path, "admin", PASSWORD).good


def test_a_backup_from_before_the_last_migration_restores(tmp_path: Path) -> None:
    from verifier.services import demo

    db = tmp_path / "old.db"
    shutil.copy2(FIXTURES / "schema-0011.db", db)
    shutil.copy2(FIXTURES / "schema-0011.db.keys", tmp_path / "old.db.keys")
    with auth.sign_in(Location(sqlite_path=db), demo.DEMO_ADMIN, demo.DEMO_PASSWORD):  # upgrades, backup first
        pass
    (before,) = [b for b in backups.listed(Location(sqlite_path=db)) if b.kind.startswith("before-")]
    assert backups.verify(before.path, demo.DEMO_ADMIN, demo.DEMO_PASSWORD).revision == "0011"
    report = backups.restore(before.path, tmp_path / "back" / "site.db", demo.DEMO_ADMIN, demo.DEMO_PASSWORD)
    assert report.good and report.claims == 25 and report.revision != "0011"  # brought up to date


def test_rotation_keeps_24_hours_and_30_days() -> None:
    now = datetime(2026, 12, 6, 12, tzinfo=UTC)
    made = [
        backup.Backup(Path(f"/b/{i}.db"), now - timedelta(minutes=20 * i), "auto", 1)
        for i in range(3 * 24 * 40)  # every 20 minutes for 40 days
    ]
    made.append(backup.Backup(Path("/b/mig.db"), now - timedelta(days=90), "before-0012", 1))
    keep = backup.kept(sorted(made, key=lambda b: b.taken_at, reverse=True))
    hours = {b.taken_at.strftime("%Y%m%d%H") for b in made if b.path in keep and b.taken_at > now - timedelta(hours=24)}
    assert len(hours) == 24
    assert Path("/b/mig.db") in keep
    days = {b.taken_at.date() for b in made if b.path in keep}
    assert len(days) == 31  # 30 days, and the migration's
    assert len(keep) < 60


def test_the_status_strip_warns_without_a_recent_backup(tmp_path: Path) -> None:
    location = _site(tmp_path, claims=1)
    assert backups.stale(location)
    with auth.sign_in(location, "admin", PASSWORD) as admin:
        backups.take(admin, "auto")
    assert not backups.stale(location)
    assert backups.stale(location, now=datetime.now(UTC) + timedelta(hours=25))


@pytest.mark.skipif(shutil.which("pg_dump") is None, reason="pg_dump not installed")
def test_a_pg_dump_of_a_postgresql_site_holds_no_identity() -> None:
    url = pg_create_database()
    try:
        with make_site(Location(url=url)) as admin:
            queued_claim(admin, order=800, surname="PGDUMPNOM")
        dump = subprocess.run(["pg_dump", url], capture_output=True, check=True).stdout
        assert b"CREATE TABLE public.patients" in dump
        assert b"PGDUMPNOM" not in dump and b"DURANDEAU" not in dump
    finally:
        pg_drop_database(url)


def test_the_backup_commands(tmp_path: Path) -> None:
    from tests.integration.test_cli import run
    from verifier.services import demo

    db = tmp_path / "demo.db"
    assert run(tmp_path, "--db", str(db), "demo").returncode == 0
    env = {"VERIFIER_PASSWORD": demo.DEMO_PASSWORD}
    counter = run(tmp_path, "--db", str(db), "--user", demo.DEMO_COUNTER, "backup", "now", env=env)
    assert counter.returncode == 1 and "administrateur" in counter.stderr
    made = run(tmp_path, "--db", str(db), "--user", demo.DEMO_ADMIN, "backup", "now", env=env)
    assert made.returncode == 0 and "Sauvegarde faite" in made.stdout, made.stderr
    listed = run(tmp_path, "--db", str(db), "backup", "list")
    assert listed.returncode == 0 and "manual" in listed.stdout
    (path,) = backup.folder_for(db).glob("*-manual.db")
    checked = run(tmp_path, "--db", str(db), "--user", demo.DEMO_ADMIN, "backup", "verify", str(path), env=env)
    assert checked.returncode == 0 and "intégrité ok" in checked.stdout and "intègre" in checked.stdout, checked.stderr
    garbage = tmp_path / "garbage.db"
    garbage.write_bytes(os.urandom(5000))
    bad = run(tmp_path, "--db", str(db), "--user", demo.DEMO_ADMIN, "backup", "verify", str(garbage), env=env)
    assert bad.returncode == 1 and "n'est pas une sauvegarde complète" in bad.stderr and "Traceback" not in bad.stderr
    again = run(
        tmp_path, "--db", str(db), "--user", demo.DEMO_ADMIN, "backup", "restore", str(path), "--to", str(db), env=env
    )
    assert again.returncode == 1 and "existe déjà" in again.stderr
