"""Shared fixtures: every store and service test runs on encrypted SQLite and on PostgreSQL.

PostgreSQL is the server at 127.0.0.1:5432 (user postgres) unless VERIFIER_TEST_PG_URL
says otherwise; each test run creates its own databases and drops them afterwards. Under
CI=true an unreachable server fails the run instead of skipping.
"""

from __future__ import annotations

import os
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from verifier import i18n
from verifier.security import crypto
from verifier.store.engine import Location

PG_ADMIN_URL = os.environ.get("VERIFIER_TEST_PG_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
# Argon2id at its real cost takes ~0.2 s a sign-in; tests use a cheaper setting (still
# Argon2id, still recorded in each slot) so the suite stays quick. The real cost is tested
# in tests/unit/test_crypto.py.
TEST_KDF = crypto.KdfParams(time_cost=1, memory_cost=1024, parallelism=1)
PASSWORD = "correct horse battery"


@pytest.fixture(autouse=True)
def _own_data_folder(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """No test writes in the real user's data folder (drafts kept while a server is away,
    logs, outboxes): each gets its own unless it sets VERIFIER_DATA_DIR itself."""
    monkeypatch.setenv("VERIFIER_DATA_DIR", str(tmp_path_factory.mktemp("verifier-data")))


@pytest.fixture(autouse=True)
def _cheap_kdf_and_french() -> Iterator[None]:
    crypto.set_default_kdf(TEST_KDF)
    i18n.set_language("fr")
    i18n.strict = True  # a problem code without a registered text fails the test that shows it
    yield
    crypto.set_default_kdf(crypto.DEFAULT_KDF)
    i18n.set_language("fr")


def _pg_reachable() -> str | None:
    try:
        with psycopg.connect(PG_ADMIN_URL, connect_timeout=3) as conn:
            conn.execute("select 1")
        return None
    except Exception as exc:  # noqa: BLE001 - any failure means unreachable
        return str(exc).splitlines()[0] if str(exc) else type(exc).__name__


def pg_create_database() -> str:
    """A fresh PostgreSQL database; returns its URL."""
    reason = _pg_reachable()
    if reason is not None:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"PostgreSQL is unreachable at {PG_ADMIN_URL} under CI=true: {reason}")
        pytest.skip(f"PostgreSQL unreachable: {reason}")
    name = f"verifier_test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    base = PG_ADMIN_URL.rsplit("/", 1)[0]
    return f"{base}/{name}"


def pg_drop_database(url: str) -> None:
    name = url.rsplit("/", 1)[1]
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(params=["sqlite", "postgresql"])
def location(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Location]:
    """An empty place for a database, on each backend."""
    if request.param == "sqlite":
        yield Location(sqlite_path=tmp_path / "data" / "verifier.db")
    else:
        url = pg_create_database()
        try:
            yield Location(url=url)
        finally:
            pg_drop_database(url)


_exit_status: list[int] = []


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    _exit_status.append(int(exitstatus))


@pytest.hookimpl(trylast=True)
def pytest_unconfigure(config: pytest.Config) -> None:
    """Leave without the interpreter's final clean-up once Qt has been used.

    Everything is reported by now. With PySide6 the destruction of the leftover Qt wrappers at
    interpreter exit can crash (a segmentation fault after "N passed", exit code 139), which
    would turn a green run red; the tests' own results are the exit status.
    """
    if "PySide6.QtWidgets" not in sys.modules or not _exit_status:
        return
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(_exit_status[-1])
