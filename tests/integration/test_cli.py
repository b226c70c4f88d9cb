"""The `verifier` command as an administrator or a script runs it (real subprocesses)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from verifier import __version__
from verifier.services import demo


def run(
    tmp_path: Path,
    *args: str,
    stdin: str | None = None,
    env: dict[str, str] | None = None,
) -> subprocess.CompletedProcess[str]:
    full_env = {**os.environ, "VERIFIER_DATA_DIR": str(tmp_path / "home"), "VERIFIER_LANG": "fr", **(env or {})}
    full_env.pop("VERIFIER_PASSWORD", None) if "VERIFIER_PASSWORD" not in (env or {}) else None
    return subprocess.run(
        [sys.executable, "-m", "verifier", *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=full_env,
        timeout=300,
    )


def test_version(tmp_path: Path) -> None:
    r = run(tmp_path, "--version")
    assert r.returncode == 0 and r.stdout.strip() == f"verifier {__version__}"


def test_usage_error_exits_2(tmp_path: Path) -> None:
    r = run(tmp_path, "frobnicate")
    assert r.returncode == 2 and "invalid choice" in r.stderr


def test_validate(tmp_path: Path) -> None:
    ok = run(tmp_path, "validate", "nir", "2 69 05 2A 004 001 " + f"{97 - int('2690519004001') % 97:02d}")
    assert ok.returncode == 0, ok.stderr
    assert "Valide" in ok.stdout
    bad = run(tmp_path, "validate", "rpps", "12345")
    assert bad.returncode == 1 and "Traceback" not in bad.stderr and "11 chiffres" in bad.stderr
    assert run(tmp_path, "validate", "cip", "4949729").stdout.strip().endswith("3400949497294")
    finess = run(tmp_path, "validate", "finess", "750000001")
    assert finess.returncode == 0


def test_init_then_commands_with_a_user(tmp_path: Path) -> None:
    r = run(
        tmp_path,
        "init",
        "--site-name",
        "Pharmacie du Port",
        "--user",
        "chef",
        "--password-stdin",
        stdin="a long enough password\n",
    )
    assert r.returncode == 0, r.stderr
    assert "CODE DE SECOURS" in r.stdout and "présentations" in r.stdout
    db = tmp_path / "home" / "verifier.db"
    assert db.exists() and (tmp_path / "home" / "verifier.db.keys").exists()
    again = run(tmp_path, "init", "--site-name", "X", "--password-stdin", stdin="a long enough password\n")
    assert again.returncode == 1 and "existe déjà" in again.stderr
    show = run(
        tmp_path,
        "drugs",
        "show",
        "3400949497294",
        "--user",
        "chef",
        "--password-stdin",
        stdin="a long enough password\n",
    )
    assert show.returncode == 0, show.stderr
    assert "ANASTROZOLE" in show.stdout and "31,38" in show.stdout
    wrong = run(tmp_path, "drugs", "show", "4949729", "--user", "chef", env={"VERIFIER_PASSWORD": "nope nope nope"})
    assert wrong.returncode == 1 and "incorrect" in wrong.stderr and "Traceback" not in wrong.stderr
    status = run(tmp_path, "db", "status", "--user", "chef", env={"VERIFIER_PASSWORD": "a long enough password"})
    assert status.returncode == 0 and "Version du schéma" in status.stdout
    no_pw = run(tmp_path, "claims", "list", "--user", "chef")
    assert no_pw.returncode == 1 and "mot de passe" in no_pw.stderr


def test_init_refuses_a_short_password(tmp_path: Path) -> None:
    r = run(tmp_path, "init", "--site-name", "X", "--password-stdin", stdin="short\n")
    assert r.returncode == 1 and "12 caractères" in r.stderr
    assert not (tmp_path / "home" / "verifier.db").exists()


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp = tmp_path_factory.mktemp("demo")
    r = run(tmp, "demo", "--db", str(tmp / "demo.db"))
    assert r.returncode == 0, r.stderr
    assert demo.DEMO_PASSWORD in r.stdout
    return tmp / "demo.db"


def signed(tmp_path: Path, db: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return run(
        tmp_path, "--db", str(db), *args, "--user", demo.DEMO_ADMIN, env={"VERIFIER_PASSWORD": demo.DEMO_PASSWORD}
    )


def test_claims_list_json_and_filters(demo_db: Path, tmp_path: Path) -> None:
    r = signed(tmp_path, demo_db, "claims", "list", "--json")
    assert r.returncode == 0, r.stderr
    data = json.loads(r.stdout)
    statuses = {c["status"] for c in data["claims"]}
    assert statuses == {"draft", "queued", "exported", "accepted", "rejected", "paid", "void"}
    assert all("•" in c["patient_nir_masked"] for c in data["claims"])
    queued = json.loads(signed(tmp_path, demo_db, "claims", "list", "--status", "queued", "--json").stdout)
    assert queued["total_count"] == sum(1 for c in data["claims"] if c["status"] == "queued")
    text = signed(tmp_path, demo_db, "claims", "list", "--search", "martinval")
    assert text.returncode == 0 and "MARTINVAL Claire" in text.stdout
    bad = signed(tmp_path, demo_db, "claims", "list", "--status", "lost")
    assert bad.returncode == 1 and "Statut inconnu" in bad.stderr


def test_audit_verify_names_the_first_broken_event(demo_db: Path, tmp_path: Path) -> None:
    ok = signed(tmp_path, demo_db, "audit", "verify")
    assert ok.returncode == 0 and "intègre" in ok.stdout
    import sqlcipher3

    from verifier.security.keyslots import FileSlots, unlock

    key = unlock(FileSlots.for_database(demo_db), demo.DEMO_ADMIN, demo.DEMO_PASSWORD)
    conn = sqlcipher3.connect(str(demo_db))
    conn.execute(f"PRAGMA key = \"x'{key.hex()}'\"")
    conn.execute("UPDATE audit_events SET actor = 'intrus' WHERE seq = 12")
    conn.commit()
    conn.close()
    broken = signed(tmp_path, demo_db, "audit", "verify")
    assert broken.returncode == 1
    assert "n° 12" in broken.stderr and "Traceback" not in broken.stderr


def test_log_holds_no_personal_data(demo_db: Path, tmp_path: Path) -> None:
    signed(tmp_path, demo_db, "claims", "list", "--search", "martinval")
    log = (tmp_path / "home" / "logs" / "verifier.log").read_text("utf-8")
    for surname, first, *_ in demo.PEOPLE:
        assert surname not in log.upper() and first not in log


def test_gui_fast_path_only_for_global_options() -> None:
    """main() skips building the sub-command parsers only when nothing else is asked."""
    from verifier.cli import starts_gui

    assert starts_gui([]) and starts_gui(["--db", "x.db", "--lang", "en"]) and starts_gui(["--db=x.db"])
    for argv in (["claims", "list"], ["--help"], ["--version"], ["frobnicate"], ["--db", "x", "demo"]):
        assert not starts_gui(argv), argv
