"""`verifier outage start|end|list` as a counter user or a script runs it (real subprocesses)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.integration.test_cli import run
from verifier.domain.money import format_eur
from verifier.services import auth, demo, probe
from verifier.store.engine import Location


@pytest.fixture(scope="module")
def demo_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp = tmp_path_factory.mktemp("demo")
    r = run(tmp, "demo", "--db", str(tmp / "demo.db"))
    assert r.returncode == 0, r.stderr
    return tmp


@pytest.fixture
def db(demo_dir: Path, tmp_path: Path) -> Path:
    """A copy of the demonstration database (and its key slots) for one test."""
    for name in ("demo.db", "demo.db.keys"):
        shutil.copy(demo_dir / name, tmp_path / name)
    return tmp_path / "demo.db"


def as_counter(tmp_path: Path, db: Path, *args: str):  # type: ignore[no-untyped-def]
    """Declaring an operator down or up is for any signed-in user: the counter user here."""
    return run(
        tmp_path, "--db", str(db), *args, "--user", demo.DEMO_COUNTER, env={"VERIFIER_PASSWORD": demo.DEMO_PASSWORD}
    )


def test_start_list_end_as_a_counter_user(db: Path, tmp_path: Path) -> None:
    empty = as_counter(tmp_path, db, "outage", "list")
    assert empty.returncode == 0, empty.stderr
    assert empty.stdout.strip() == "Aucune panne enregistrée."

    start = as_counter(tmp_path, db, "outage", "start", "almerys", "--reason", "serveur injoignable")
    assert start.returncode == 0, start.stderr
    assert start.stdout.startswith("Almerys (ALMERYS) est déclaré en panne depuis le ")
    again = as_counter(tmp_path, db, "outage", "start", "ALMERYS")
    assert again.returncode == 1 and again.stderr.strip() == "Almerys est déjà déclaré en panne."
    assert "Traceback" not in again.stderr

    listed = as_counter(tmp_path, db, "outage", "list")
    assert listed.returncode == 0, listed.stderr
    lines = listed.stdout.splitlines()
    assert lines[0] == "En panne maintenant :"
    assert lines[1].split()[:2] == ["ALMERYS", "Almerys"]
    assert "depuis le " in lines[1] and lines[1].endswith(" – motif : serveur injoignable")
    assert len(lines) == 2

    end = as_counter(tmp_path, db, "outage", "end", "ALMERYS")
    assert end.returncode == 0, end.stderr
    ctx = auth.sign_in(Location(sqlite_path=db), demo.DEMO_ADMIN, demo.DEMO_PASSWORD)
    try:
        count, amount = probe.ready_to_export(ctx, "ALMERYS")
    finally:
        ctx.close()
    first, second = end.stdout.splitlines()
    assert first.startswith("Almerys (ALMERYS) est déclaré rétabli le ")
    assert (
        second
        == f"En attente d'export pour cet opérateur : {count} demande{'s' if count > 1 else ''}, {format_eur(amount, 'fr')}."
    )

    twice = as_counter(tmp_path, db, "outage", "end", "ALMERYS")
    assert twice.returncode == 1 and twice.stderr.strip() == "Almerys n'est pas déclaré en panne."
    after = as_counter(tmp_path, db, "outage", "list")
    lines = after.stdout.splitlines()
    assert lines[:2] == ["Aucun opérateur n'est déclaré en panne.", "Pannes terminées récentes :"]
    assert lines[2].split()[:2] == ["ALMERYS", "Almerys"] and " du " in lines[2] and " au " in lines[2]

    verified = run(
        tmp_path,
        "--db",
        str(db),
        "audit",
        "verify",
        "--user",
        demo.DEMO_ADMIN,
        env={"VERIFIER_PASSWORD": demo.DEMO_PASSWORD},
    )
    assert verified.returncode == 0, verified.stderr


def test_in_english_and_user_errors(db: Path, tmp_path: Path) -> None:
    start = as_counter(tmp_path, db, "--lang", "en", "outage", "start", "VIAMEDIS")
    assert start.returncode == 0, start.stderr
    assert start.stdout.startswith("Viamedis (VIAMEDIS) is declared down since ")
    listed = as_counter(tmp_path, db, "--lang", "en", "outage", "list")
    assert listed.stdout.splitlines()[0] == "Down now:" and "VIAMEDIS" in listed.stdout
    end = as_counter(tmp_path, db, "--lang", "en", "outage", "end", "VIAMEDIS")
    assert end.returncode == 0 and "is declared back up on" in end.stdout
    assert "Awaiting export for this operator: " in end.stdout

    unknown = as_counter(tmp_path, db, "outage", "end", "NOPE")
    assert unknown.returncode == 1 and "Opérateur inconnu : NOPE" in unknown.stderr
    assert "Traceback" not in unknown.stderr
    no_password = run(tmp_path, "--db", str(db), "outage", "list", "--user", demo.DEMO_COUNTER)
    assert no_password.returncode == 1 and "mot de passe" in no_password.stderr


def test_usage_errors_exit_2(tmp_path: Path) -> None:
    for args in (["outage"], ["outage", "start"], ["outage", "pause", "VIAMEDIS"]):
        r = run(tmp_path, *args)
        assert r.returncode == 2, (args, r.stderr)
        assert "usage:" in r.stderr
