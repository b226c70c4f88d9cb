"""Issue 12 point 9: `sslmode=prefer` (libpq's default) connected silently without TLS to a
remote server, or to whoever answered in its place. A server on another machine is now
reached with TLS and its certificate verified; a missing CA file is said, not a libpq error."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.integration.test_cli import run
from verifier.store.engine import CertificateMissing, postgres_connect_args

REMOTE = "postgresql://verifier_comptoir@serveur-officine:5432/verifier"


@pytest.fixture(autouse=True)
def _no_libpq_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in ("PGSSLMODE", "PGSERVICE", "PGSSLROOTCERT"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))  # no ~/.postgresql/root.crt


def test_a_remote_server_is_verified_and_a_missing_ca_is_named(tmp_path: Path) -> None:
    with pytest.raises(CertificateMissing) as missing:
        postgres_connect_args(REMOTE)
    said = str(missing.value)
    assert "serveur-officine" in said and str(tmp_path / "home" / ".postgresql" / "root.crt") in said
    ca = tmp_path / "ca.crt"
    ca.write_text("-----BEGIN CERTIFICATE-----\n", "utf-8")
    assert postgres_connect_args(f"{REMOTE}?sslrootcert={ca}")["sslmode"] == "verify-full"
    (tmp_path / "home" / ".postgresql").mkdir(parents=True)
    (tmp_path / "home" / ".postgresql" / "root.crt").write_text("x", "utf-8")
    assert postgres_connect_args(REMOTE)["sslmode"] == "verify-full"
    assert "sslmode" not in postgres_connect_args(REMOTE + "?sslmode=require")  # said explicitly: kept


@pytest.mark.parametrize("local", ["postgresql://u@127.0.0.1/db", "postgresql://u@localhost/db", "postgresql:///db"])
def test_this_machines_server_keeps_tls_when_offered(local: str) -> None:
    assert postgres_connect_args(local)["sslmode"] == "prefer"


def test_the_command_says_where_the_ca_file_goes(tmp_path: Path) -> None:
    out = run(
        tmp_path,
        "--db",
        REMOTE,
        "claims",
        "list",
        "--user",
        "admin",
        env={"VERIFIER_PASSWORD": "x" * 12, "HOME": str(tmp_path / "home")},
    )
    assert out.returncode == 1 and "Traceback" not in out.stderr and "Erreur inattendue" not in out.stderr
    assert "certificat de l'autorité (CA) manque" in out.stderr
