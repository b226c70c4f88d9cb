"""Issue 12 point 9: `--db postgresql://user:secret@…` put the server's password in `ps` for
every user of the machine to read. It is refused with a sentence, before anything connects."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.integration.test_cli import run


@pytest.mark.parametrize(
    "url",
    [
        "postgresql://verifier:s3cret@db.example:5432/officine",
        "postgresql://verifier@db.example/officine?password=s3cret",
        "postgresql://verifier:p%2Fa%23ss@db.example/officine",
    ],
)
def test_a_password_in_db_is_refused_with_a_sentence(tmp_path: Path, url: str) -> None:
    out = run(tmp_path, "--db", url, "claims", "list", "--user", "admin", env={"VERIFIER_PASSWORD": "x" * 12})
    assert out.returncode == 1 and "Traceback" not in out.stderr
    assert "Ne mettez pas le mot de passe du serveur dans --db" in out.stderr and "s3cret" not in out.stderr
    assert "~/.pgpass" in out.stderr
