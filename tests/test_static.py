"""Type checking is part of the suite: mypy --strict on the pyproject list (the command line included, reference/ not yet)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


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
        for forbidden in ("sqlalchemy", "verifier.store.schema", "verifier.store.claims_query", "verifier.store import database"):
            assert forbidden not in text, f"{path.name} uses {forbidden}"
