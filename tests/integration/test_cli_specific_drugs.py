"""`verifier drugs specific list|add|remove|import` as an administrator runs it (real
subprocesses on a copy of the demo database): the list of drugs that bring the HDE fee."""

from __future__ import annotations

from pathlib import Path

from tests.integration.test_cli import run
from tests.integration.test_cli_outage import db, demo_dir  # noqa: F401 - the fixtures
from verifier.services import demo

DOLIPRANE, CIP7 = "3400935955838", "3595583"
SHIPPED_SPECIFIC = "3400930151419"  # flagged by the demo


def as_user(tmp_path: Path, db: Path, user: str, *args: str):  # type: ignore[no-untyped-def]  # noqa: F811
    return run(tmp_path, "--db", str(db), *args, "--user", user, env={"VERIFIER_PASSWORD": demo.DEMO_PASSWORD})


def test_the_list_from_the_command_line(db: Path, tmp_path: Path) -> None:  # noqa: F811
    admin = demo.DEMO_ADMIN
    shown = as_user(tmp_path, db, admin, "drugs", "specific", "list")
    assert shown.returncode == 0 and shown.stdout.split()[0] == SHIPPED_SPECIFIC, shown.stderr
    added = as_user(tmp_path, db, admin, "drugs", "specific", "add", CIP7)  # a CIP7 is read as its CIP13
    assert added.returncode == 0 and "1 présentation" in added.stdout
    assert DOLIPRANE in as_user(tmp_path, db, admin, "drugs", "specific", "list").stdout
    # A file with garbage: nothing changes, the line is named, in French.
    listing = tmp_path / "liste.csv"
    listing.write_bytes('cip13;libellé\n3400930151419;x\n=HYPERLINK("x")\n'.encode("cp1252"))
    bad = as_user(tmp_path, db, admin, "drugs", "specific", "remove", "not-a-code")
    assert bad.returncode != 0 and "Ligne 1" in bad.stdout + bad.stderr and "Traceback" not in bad.stderr
    refused = as_user(tmp_path, db, admin, "drugs", "specific", "import", str(listing))
    assert refused.returncode != 0 and "Ligne 3" in refused.stdout + refused.stderr
    missing = as_user(tmp_path, db, admin, "drugs", "specific", "import", str(tmp_path / "absent.csv"))
    assert missing.returncode == 2 and "ne peut pas être lu" in missing.stdout
    still = as_user(tmp_path, db, admin, "drugs", "specific", "list").stdout.split()
    assert still[:2] == sorted([DOLIPRANE, SHIPPED_SPECIFIC])
    # A counter user may not change it.
    denied = as_user(tmp_path, db, demo.DEMO_COUNTER, "drugs", "specific", "add", DOLIPRANE)
    assert denied.returncode != 0 and "Traceback" not in denied.stderr
