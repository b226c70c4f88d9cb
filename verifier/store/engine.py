"""Engines: SQLCipher-encrypted SQLite (the embedded default) or PostgreSQL by URL."""

from __future__ import annotations

import logging
import os
import sys
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sqlcipher3.dbapi2 as sqlcipher
from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import DBAPIError, DisconnectionError, OperationalError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import NullPool, QueuePool

from verifier import i18n
from verifier.domain.errors import DomainError
from verifier.location import DEFAULT_SSL_MODE, Location, normalise_postgres_url
from verifier.security.crypto import FieldCipher, key_check
from verifier.store.audit_log import AUDIT_KEY_INFO, KEY_CHECK_INFO, AuditKey

__all__ = [
    "Location",
    "ServerUnreachable",
    "Store",
    "WrongKey",
    "is_connection_error",
    "normalise_postgres_url",
    "ping_server",
    "postgres_engine",
    "sqlite_engine",
]

log = logging.getLogger(__name__)

# Writers on SQLite take the write lock when their transaction starts (BEGIN IMMEDIATE),
# so two writers never deadlock by upgrading read locks; readers stay deferred.
_WRITE_OPTION = "verifier_write"


class WrongKey(Exception):
    """The SQLite file did not open with the given key."""


def unlock_connection(dbapi_conn: Any, hex_key: str, pragmas: Sequence[str]) -> None:
    """Key a new SQLCipher connection, prove the key by reading the schema, then set `pragmas`."""
    cur = dbapi_conn.cursor()
    try:
        cur.execute(f"PRAGMA key = \"x'{hex_key}'\"")
        try:
            cur.execute("SELECT count(*) FROM sqlite_master").fetchone()
        except sqlcipher.DatabaseError as exc:
            raise WrongKey(str(exc)) from None
        for pragma in pragmas:
            cur.execute(pragma)
    finally:
        cur.close()


def opens_with(path: Path, key: bytes) -> bool:
    """Whether the SQLite file opens with `key` (a rotation interrupted after the rekey)."""
    conn = sqlcipher.connect(str(path), timeout=60, check_same_thread=False)
    try:
        unlock_connection(conn, key.hex(), ())
        return True
    except WrongKey:
        return False
    finally:
        conn.close()


def rekey_sqlite(path: Path, old: bytes, new: bytes) -> bool:
    """Re-encrypt every page of the file under `new` (SQLCipher's PRAGMA rekey).

    Rekeying is not possible in WAL mode: the WAL is folded in and the journal switched to
    DELETE for the rekey (its rollback journal makes it all-or-nothing), then back to WAL.
    Every other connection must be closed: False (nothing changed) while another is open.
    """
    conn = sqlcipher.connect(str(path), timeout=5, check_same_thread=False)
    conn.isolation_level = None
    try:
        unlock_connection(conn, old.hex(), ("PRAGMA busy_timeout = 5000",))
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        mode = conn.execute("PRAGMA journal_mode = DELETE").fetchone()[0]
        if str(mode).lower() != "delete":  # other connections keep it in WAL mode
            return False
        conn.execute(f"PRAGMA rekey = \"x'{new.hex()}'\"")
        conn.execute("PRAGMA journal_mode = WAL")
        return True
    except sqlcipher.OperationalError as exc:
        if "locked" in str(exc) or "busy" in str(exc):
            return False
        raise
    finally:
        conn.close()


def sqlite_engine(path: Path, key: bytes) -> Engine:
    """An engine on an encrypted SQLite file; every connection is keyed, in WAL mode."""
    engine = create_engine(
        f"sqlite:///{path}",
        module=sqlcipher,
        hide_parameters=True,  # an error's text (which may reach the log) never carries row values
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
        unlock_connection(
            dbapi_conn,
            hex_key,
            (
                "PRAGMA journal_mode = WAL",
                "PRAGMA synchronous = FULL",  # a queued claim survives a power cut
                "PRAGMA foreign_keys = ON",
                "PRAGMA busy_timeout = 60000",
            ),
        )

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        immediate = conn.get_execution_options().get(_WRITE_OPTION, False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

    return engine


# How a counter notices a server that went away. connect_timeout: a server PC that is off
# (no answer at all) is reported after 5 s, not after the OS's TCP give-up time. Keepalives
# probe an idle connection (a server that vanished is found before the next action needs
# it), tcp_user_timeout drops a connection whose sent data stays unacknowledged (Linux
# only; elsewhere libpq ignores it). Values in the URL's query take precedence.
_PG_CONNECT_ARGS: dict[str, object] = {
    "connect_timeout": 5,
    "sslmode": DEFAULT_SSL_MODE,
    "keepalives": 1,
    "keepalives_idle": 30,
    "keepalives_interval": 10,
    "keepalives_count": 3,
    "tcp_user_timeout": 30_000,
}


LOOPBACK = frozenset({"localhost", "127.0.0.1", "::1", "[::1]"})
REMOTE_SSL_MODE = "verify-full"


class CertificateMissing(DomainError):
    """A remote server's certificate cannot be verified: no CA file where libpq looks."""


def _remote(host: str | None) -> bool:
    """A server reached over the network: not a Unix socket, not this machine."""
    return bool(host) and not str(host).startswith("/") and str(host).lower() not in LOOPBACK


def postgres_connect_args(url: str) -> dict[str, object]:
    """libpq settings for `url`: ours, unless the URL's query names its own (e.g. sslmode=require).

    A server on another machine is reached with TLS and its certificate verified
    (sslmode=verify-full): "prefer" would silently connect without TLS to whoever answers on
    the network. The CA file must then exist (sslrootcert=, PGSSLROOTCERT or libpq's
    ~/.postgresql/root.crt), else CertificateMissing names where to put it. This machine's
    server (loopback, Unix socket) keeps TLS whenever it is offered.
    """
    parsed = make_url(normalise_postgres_url(url))
    query = parsed.query
    args = {k: v for k, v in _PG_CONNECT_ARGS.items() if k not in query}
    # An explicit keyword wins over libpq's environment and service file: never weaken a
    # PGSSLMODE=require or a service's sslmode set the usual libpq way.
    if os.environ.get("PGSSLMODE") or "service" in query or os.environ.get("PGSERVICE"):
        args.pop("sslmode", None)
    elif "sslmode" not in query and _remote(parsed.host):
        args["sslmode"] = REMOTE_SSL_MODE
        root = query.get("sslrootcert") or os.environ.get("PGSSLROOTCERT")
        default = (
            Path(os.environ.get("APPDATA", str(Path.home()))) / "postgresql" / "root.crt"  # libpq's place on Windows
            if sys.platform == "win32"
            else Path.home() / ".postgresql" / "root.crt"
        )
        if isinstance(root, str) and root == "system":
            pass  # libpq's own trust store (PostgreSQL 16 and later)
        elif not Path(str(root) if root else default).is_file():
            raise CertificateMissing("db.ca_missing", host=parsed.host, path=str(root or default))
    return args


# A restart takes the server away for 200 ms at the very least, so a connection used less
# than this long ago was alive a moment before the server could have gone. Pinging every
# checkout (pool_pre_ping) costs a round trip per transaction, a sixth of queueing a claim
# on PostgreSQL (bench/bench_queue.py); a counter's connections rest seconds between two
# actions, so they are all tested, and a burst of writes is not slowed.
_PING_AFTER_IDLE_S = 0.1


def postgres_engine(url: str, pooled: bool = True) -> Engine:
    """An engine on PostgreSQL; TLS whenever the server offers it (sslmode=prefer) unless the URL says more.

    Pooled engines test a connection taken from the pool when it has been idle (see
    _ping_if_idle): after the server restarted, a dead pooled connection is replaced
    instead of failing the next action.
    """
    args = postgres_connect_args(url)
    # hide_parameters: an error's text (which may reach the log) never carries row values.
    if not pooled:  # short-lived uses (key slots before sign-in) keep no idle connection
        return create_engine(normalise_postgres_url(url), poolclass=NullPool, connect_args=args, hide_parameters=True)
    engine = create_engine(normalise_postgres_url(url), pool_size=5, connect_args=args, hide_parameters=True)
    dialect = engine.dialect

    @event.listens_for(engine, "checkin")
    def _note_checkin(_dbapi_conn: Any, record: Any) -> None:
        record.info["checked_in_at"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _ping_if_idle(dbapi_conn: Any, record: Any, _proxy: Any) -> None:
        if time.monotonic() - record.info.get("checked_in_at", 0.0) < _PING_AFTER_IDLE_S:
            return
        try:
            dialect.do_ping(dbapi_conn)  # what pool_pre_ping runs (outside any transaction)
        except Exception as exc:  # noqa: BLE001 - any failure: the pool opens a fresh connection
            raise DisconnectionError(type(exc).__name__) from exc

    return engine


class ServerUnreachable(DomainError):
    """The database server does not answer (stopped, restarting, network).

    What was being written is either not stored or (the answer to a COMMIT lost) stored
    completely; queueing a claim again with its id is safe either way (claims.create)."""


# PostgreSQL error classes that mean the connection, not the statement, failed:
# 08 connection exception; 57P01-57P03 the server is shutting down, crashed or starting.
_CONNECTION_STATES = ("08", "57P01", "57P02", "57P03")


def is_connection_error(exc: BaseException) -> bool:
    """True when `exc` says the PostgreSQL server could not be reached or went away."""
    if isinstance(exc, DBAPIError) and exc.connection_invalidated:
        return True
    import psycopg  # here: an SQLite-only workstation never loads the PostgreSQL driver

    orig = exc.orig if isinstance(exc, DBAPIError) else exc
    if not isinstance(orig, psycopg.OperationalError | psycopg.InterfaceError):
        return False
    if isinstance(orig, psycopg.InterfaceError):
        return "closed" in str(orig)  # "the connection is closed"
    state = orig.sqlstate
    # No SQLSTATE: libpq failed before the server said anything (refused, timed out, reset).
    return state is None or state.startswith(_CONNECTION_STATES)


def database_failure(exc: BaseException) -> str | None:
    """The driver's error class when `exc` is the database failing (unreachable, locked, disk),
    None for anything else: the name is safe to log, the message may not be."""
    if not isinstance(exc, OperationalError):
        return None
    return type(exc.orig).__name__ if exc.orig is not None else "OperationalError"


def server_reason(exc: BaseException) -> str:
    """libpq's reason in one line, without the address part (for the set-up assistant)."""
    text = str(exc.orig if isinstance(exc, DBAPIError) else exc).strip()
    first = text.splitlines()[0] if text else type(exc).__name__
    return first.rsplit(" failed: ", 1)[-1].strip()


def _unreachable(exc: DBAPIError) -> ServerUnreachable | None:
    """The user's sentence for a connection error (None: another error, re-raise it)."""
    if not is_connection_error(exc):
        return None
    log.warning("database server unreachable: %s", type(exc).__name__)
    return ServerUnreachable("db.server_down")


def ping_server(url: str) -> None:
    """Connect once; ServerUnreachable with libpq's reason when that fails."""
    engine = postgres_engine(url, pooled=False)
    try:
        with engine.connect() as conn:
            conn.exec_driver_sql("SELECT 1")
    except DBAPIError as exc:
        raise ServerUnreachable("db.server_refused", reason=server_reason(exc)) from exc
    finally:
        engine.dispose()


@dataclass(frozen=True)
class Rotation:
    """A change of the database key under way: the rows are re-encrypted from `old` to `new`;
    `page_key` is the key the SQLite file's pages are under now."""

    old: bytes
    new: bytes
    page_key: bytes
    admin_key: bytes | None = None


class Store:
    """An opened database: engine, sessions and the field cipher (needs the key)."""

    def __init__(self, engine: Engine, cipher: FieldCipher, location: Location) -> None:
        self.engine = engine
        self.location = location
        self._joined = threading.local()  # the session of `transaction()` open in this thread, if any
        self.audit_key: AuditKey | None = None  # the audit chain's HMAC key (database.open_*)
        self.use(engine, cipher)
        # Wrong passwords tried for the user who opened it since their last sign-in (key slots
        # count them before the database can be read): recorded by the sign-in.
        self.failures_before_sign_in = 0
        self.rotation: Rotation | None = None  # a key rotation this sign-in must finish
        self.admin_key: bytes | None = None  # administrators: the signing key (services.authority)

    def use(self, engine: Engine, cipher: FieldCipher) -> None:
        """Work through `engine` with `cipher` from now on (after a key rotation)."""
        self.engine = engine
        self.cipher = cipher
        # Every writer compares the key in force (audit_head.key_check) with its own, and
        # chains its audit events with the audit key (set_audit_key). Sessions copy this dict
        # when they start.
        self._info: dict[str, object] = {
            KEY_CHECK_INFO: key_check(cipher.database_key),
            AUDIT_KEY_INFO: self.audit_key.key if self.audit_key is not None else None,
        }
        self._read = sessionmaker(engine, expire_on_commit=False, info=self._info)
        self._write = sessionmaker(
            engine.execution_options(**{_WRITE_OPTION: True}), expire_on_commit=False, info=self._info
        )

    def set_audit_key(self, key: AuditKey | None) -> None:
        self.audit_key = key
        self._info[AUDIT_KEY_INFO] = key.key if key is not None else None

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """One transaction for a use case made of several services (services.counter.submit).

        Every `write()` and `read()` in this thread inside it joins it instead of opening its
        own: they see what the others wrote, and it is all committed at the end or all
        rolled back on any error. Nested, it joins the one already open.
        """
        outer: Session | None = getattr(self._joined, "session", None)
        if outer is not None:
            yield outer
            return
        with self.write() as session:
            self._joined.session = session
            try:
                yield session
            finally:
                self._joined.session = None

    @contextmanager
    def write(self) -> Iterator[Session]:
        """One use case, one transaction: committed at the end, rolled back on any error.

        A server that does not answer (or goes away, even during the COMMIT) raises
        ServerUnreachable, a sentence for the user, instead of the driver's error.
        Inside `transaction()` it joins that transaction.
        """
        joined: Session | None = getattr(self._joined, "session", None)
        if joined is not None:
            yield joined
            return
        try:  # a bare try: free on the hot path (queueing a claim), unlike another context manager
            with self._write() as session, session.begin():
                yield session
        except DBAPIError as exc:
            if (unreachable := _unreachable(exc)) is None:
                raise
            raise unreachable from exc

    @contextmanager
    def read(self) -> Iterator[Session]:
        joined: Session | None = getattr(self._joined, "session", None)
        if joined is not None:  # inside `transaction()`: see what it wrote
            yield joined
            return
        try:
            with self._read() as session, session.begin():
                yield session
        except DBAPIError as exc:
            if (unreachable := _unreachable(exc)) is None:
                raise
            raise unreachable from exc

    def ping(self) -> None:
        """A round trip to the database (ServerUnreachable when the server does not answer)."""
        try:
            with self.engine.connect() as conn:
                conn.exec_driver_sql("SELECT 1")
        except DBAPIError as exc:
            if (unreachable := _unreachable(exc)) is None:
                raise
            raise unreachable from exc

    def close(self) -> None:
        self.engine.dispose()


i18n.register(
    {
        "db.ca_missing": i18n.N_(
            "Le serveur {host} est sur une autre machine : verifier s'y connecte chiffré et en vérifiant son certificat, mais le certificat de l'autorité (CA) manque en {path}. Copiez-y le fichier CA du serveur, ou ajoutez ?sslrootcert=CHEMIN à l'adresse (?sslmode=require chiffre sans vérifier qui répond : déconseillé)."
        ),
        "db.server_down": i18n.N_(
            "Le serveur de données ne répond pas : ce qui est saisi est gardé ; réessayez quand il sera revenu."
        ),
        "db.server_refused": i18n.N_(
            "Connexion au serveur impossible ({reason}). Vérifiez l'adresse, que PostgreSQL est démarré et que ce poste y est autorisé (pg_hba.conf), puis réessayez."
        ),
    }
)
