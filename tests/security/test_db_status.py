"""Issue 12 point 9: `verifier db status` only reads. It signed in, which upgraded an older
schema (and wrote a sign-in event): looking at a database changed it."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

from tests.integration.test_cli import run
from verifier.services import demo
from verifier.store import migrate

FIXTURES = Path(__file__).resolve().parents[1] / "data"


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_db_status_of_an_older_schema_changes_nothing(tmp_path: Path) -> None:
    db = tmp_path / "old.db"
    shutil.copy2(FIXTURES / "schema-0008.db", db)
    shutil.copy2(FIXTURES / "schema-0008.db.keys", tmp_path / "old.db.keys")
    before = _digest(db)
    out = run(
        tmp_path,
        "--db",
        str(db),
        "db",
        "status",
        "--user",
        demo.DEMO_ADMIN,
        env={"VERIFIER_PASSWORD": demo.DEMO_PASSWORD},
    )
    assert out.returncode == 0, out.stderr
    assert f"Version du schéma : 0008 (dernière : {migrate.head_revision()})" in out.stdout
    assert "verifier db upgrade" in out.stdout
    assert _digest(db) == before and not list(tmp_path.glob("old.db.before-*"))  # not upgraded, no copy made
    wrong = run(
        tmp_path, "--db", str(db), "db", "status", "--user", demo.DEMO_ADMIN, env={"VERIFIER_PASSWORD": "pas le bon"}
    )
    assert wrong.returncode == 1 and "Traceback" not in wrong.stderr
    upgraded = run(
        tmp_path,
        "--db",
        str(db),
        "db",
        "upgrade",
        "--user",
        demo.DEMO_ADMIN,
        env={"VERIFIER_PASSWORD": demo.DEMO_PASSWORD},
    )
    assert upgraded.returncode == 0, upgraded.stderr
    assert _digest(db) != before  # upgrade is the command that changes it
