"""Engines: SQLCipher-encrypted SQLite (the embedded default) or PostgreSQL by URL."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sqlcipher3.dbapi2 as sqlcipher
from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import NullPool, QueuePool

from verifier.security.crypto import FieldCipher
from verifier.store.location import Location, normalise_postgres_url

__all__ = ["Location", "Store", "WrongKey", "normalise_postgres_url", "postgres_engine", "sqlite_engine"]

# Writers on SQLite take the write lock when their transaction starts (BEGIN IMMEDIATE),
# so two writers never deadlock by upgrading read locks; readers stay deferred.
_WRITE_OPTION = "verifier_write"


class WrongKey(Exception):
    """The SQLite file did not open with the given key."""


def sqlite_engine(path: Path, key: bytes) -> Engine:
    """An engine on an encrypted SQLite file; every connection is keyed, in WAL mode."""
    engine = create_engine(
        f"sqlite:///{path}",
        module=sqlcipher,
        connect_args={"timeout": 60, "check_same_thread": False},
        # A small pool: opening a keyed connection costs a schema read and the pragmas, and
        # closing the last one checkpoints the WAL (an extra disk sync per transaction).
        poolclass=QueuePool,
        pool_size=4,
        max_overflow=8,
    )
    hex_key = key.hex()

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.isolation_level = None  # we issue BEGIN ourselves, see _on_begin
        cur = dbapi_conn.cursor()
        try:
            cur.execute(f"PRAGMA key = \"x'{hex_key}'\"")
            try:
                cur.execute("SELECT count(*) FROM sqlite_master").fetchone()
            except sqlcipher.DatabaseError as exc:
                raise WrongKey(str(exc)) from None
            cur.execute("PRAGMA journal_mode = WAL")
            cur.execute("PRAGMA synchronous = FULL")  # a queued claim survives a power cut
            cur.execute("PRAGMA foreign_keys = ON")
            cur.execute("PRAGMA busy_timeout = 60000")
        finally:
            cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        immediate = conn.get_execution_options().get(_WRITE_OPTION, False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

    return engine


def postgres_engine(url: str, pooled: bool = True) -> Engine:
    """An engine on PostgreSQL; TLS is used whenever the server offers it."""
    args = {"connect_timeout": 10, "sslmode": "prefer"}
    if not pooled:  # short-lived uses (key slots before sign-in) keep no idle connection
        return create_engine(normalise_postgres_url(url), poolclass=NullPool, connect_args=args)
    return create_engine(normalise_postgres_url(url), pool_pre_ping=True, pool_size=5, connect_args=args)


class Store:
    """An opened database: engine, sessions and the field cipher (needs the key)."""

    def __init__(self, engine: Engine, cipher: FieldCipher, location: Location) -> None:
        self.engine = engine
        self.cipher = cipher
        self.location = location
        self._read = sessionmaker(engine, expire_on_commit=False)
        self._write = sessionmaker(
            engine.execution_options(**{_WRITE_OPTION: True}), expire_on_commit=False
        )

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @contextmanager
    def write(self) -> Iterator[Session]:
        """One use case, one transaction: committed at the end, rolled back on any error."""
        with self._write() as session, session.begin():
            yield session

    @contextmanager
    def read(self) -> Iterator[Session]:
        with self._read() as session, session.begin():
            yield session

    def close(self) -> None:
        self.engine.dispose()
