"""Issue 12 point 9: a reader that stops early (`verifier claims list | head`) ends the command
quietly; it said "Erreur inattendue" (unexpected error) and pointed at the log."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.integration.test_cli import demo_db  # noqa: F401 - the module's demo database
from verifier.services import demo


@pytest.mark.parametrize(
    "command",
    [("claims", "list"), ("claims", "show", "1", "--json"), ("report", "reconciliation", "--csv")],
)
def test_a_reader_gone_away_ends_the_command_quietly(demo_db: Path, tmp_path: Path, command: tuple[str, ...]) -> None:  # noqa: F811
    env = {
        **os.environ,
        "VERIFIER_DATA_DIR": str(tmp_path / "home"),
        "VERIFIER_LANG": "fr",
        "VERIFIER_PASSWORD": demo.DEMO_PASSWORD,
    }
    args = [sys.executable, "-m", "verifier", "--db", str(demo_db), *command, "--user", demo.DEMO_ADMIN]
    process = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    assert process.stdout is not None and process.stderr is not None
    process.stdout.close()  # gone before the first line: every write meets a closed pipe
    error = process.stderr.read().decode("utf-8")
    assert process.wait(timeout=120) == 0
    assert error == ""  # no "Erreur inattendue", no "Exception ignored … BrokenPipeError"
