"""Static checks are part of the suite: ruff (lint and formatting), mypy --strict on the
pyproject list, and the layers as import contracts (lint-imports)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _ruff(*args: str) -> subprocess.CompletedProcess[str]:
    ruff = Path(sys.executable).with_name("ruff")
    return subprocess.run([str(ruff), *args], cwd=ROOT, capture_output=True, text=True, timeout=600)


def test_ruff_finds_nothing_to_lint() -> None:
    result = _ruff("check", "--no-cache", ".")
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_code_is_as_ruff_formats_it() -> None:
    result = _ruff("format", "--check", "--no-cache", ".")
    assert result.returncode == 0, "run `.venv/bin/ruff format .`\n" + result.stdout + result.stderr


def test_mypy_strict_on_the_core_layers() -> None:
    result = subprocess.run([sys.executable, "-m", "mypy"], cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stdout + result.stderr


def test_domain_imports_neither_qt_nor_sqlalchemy() -> None:
    for path in (ROOT / "verifier" / "domain").glob("*.py"):
        text = path.read_text("utf-8")
        for forbidden in ("PySide6", "sqlalchemy", "verifier.store", "verifier.services"):
            assert forbidden not in text, f"{path.name} imports {forbidden}"


def test_widgets_never_touch_the_store() -> None:
    for path in (ROOT / "verifier" / "gui").rglob("*.py"):
        text = path.read_text("utf-8")
        for forbidden in (
            "sqlalchemy",
            "verifier.store.schema",
            "verifier.store.claims_query",
            "verifier.store import database",
        ):
            assert forbidden not in text, f"{path.name} uses {forbidden}"


def test_the_layers_hold_as_import_contracts() -> None:
    """`lint-imports` checks the contracts of pyproject.toml ([tool.importlinter]): who may
    import whom, no SQL in services, no cycle. An ignored import that no longer exists fails
    too, so the list of what is left to move can only shrink."""
    lint = Path(sys.executable).with_name("lint-imports")
    result = subprocess.run([str(lint), "--no-cache"], cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


def test_an_import_against_the_layers_is_caught(tmp_path: Path) -> None:
    """The contracts can fail: a domain module importing the store breaks one."""
    import shutil

    copy = tmp_path / "repo"
    shutil.copytree(ROOT / "verifier", copy / "verifier", ignore=shutil.ignore_patterns("__pycache__", "resources"))
    shutil.copy2(ROOT / "pyproject.toml", copy / "pyproject.toml")
    bad = copy / "verifier" / "domain" / "money.py"
    bad.write_text(bad.read_text("utf-8") + "\nfrom verifier.store import schema  # noqa\n", "utf-8")
    lint = Path(sys.executable).with_name("lint-imports")
    env = {"PATH": "", "PYTHONPATH": str(copy)}
    result = subprocess.run([str(lint), "--no-cache"], cwd=copy, capture_output=True, text=True, timeout=600, env=env)
    assert result.returncode != 0
    assert "verifier.domain.money -> verifier.store.schema" in result.stdout
