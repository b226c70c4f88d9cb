"""Copying a whole site, table by table, from the embedded SQLite file into an empty PostgreSQL database.

Choices, and why:
- **Generic over `Base.metadata`.** Every table in `sorted_tables` (foreign-key order) is
  copied with every column the models declare, so a column or table added by a future
  migration moves without touching this module. Primary keys are kept as they are: claims,
  batches, audit events and drafts keep their identities.
- **Values, never plaintext.** Rows are read and written through the column types, which
  round-trip exactly (amounts are integer hundredths, times UTC to the microsecond, the
  audit chain checks that). Encrypted identity columns are text the application encrypted
  with the site's data key; they are copied as they are and never decrypted here.
- **One transaction on the target.** The schema is made by the real Alembic migrations
  (the same scripts as a new PostgreSQL site; PostgreSQL's DDL is transactional), then the
  rows, the key slots, the sequences, and the caller's checks run in that one transaction:
  any failure rolls everything back and leaves the target as empty as it was found.
- **One read transaction on the source**, opened read-only (`mode=ro`, `query_only`): the
  copy and its counts see one consistent snapshot, and the file is never written (no
  checkpoint, no migration, no audit event).
- **Self-referencing foreign keys** (`claims.previous_id`, a rectified claim's earlier
  version): `sorted_tables` orders tables, not the rows inside one, and a claim's key (a
  random UUID) may sort before its earlier version's. Such columns are written NULL first
  and set by an UPDATE once the whole table is in, so the copy never depends on when the
  server checks a key (end of statement for PostgreSQL's non-deferrable constraints).
- **COPY** writes the rows (about four times faster than INSERTs), each value converted by
  its column type for PostgreSQL exactly as an INSERT would bind it.
- **Sequences.** Integer keys copied explicitly leave their PostgreSQL sequences at 1; each
  is moved to the table's largest key so the next row takes the next number. Claim and
  batch numbers come from the `counters` table, which is copied like any other.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

import psycopg
import sqlcipher3.dbapi2 as sqlcipher
from alembic import command
from psycopg import sql
from sqlalchemy import (
    Integer,
    Table,
    bindparam,
    create_engine,
    delete,
    event,
    func,
    insert,
    inspect,
    select,
    text,
    update,
)
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session
from sqlalchemy.pool import NullPool

from verifier.security.keyslots import Slot
from verifier.store import migrate
from verifier.store.engine import unlock_connection
from verifier.store.schema import Base

CHUNK = 2000
KEY_CHECK_SETTING = "key_check"  # where store.keyslot_table keeps the key fingerprint on PostgreSQL
_KEY_SLOTS = Base.metadata.tables["key_slots"]
_SETTINGS = Base.metadata.tables["settings"]
# Two moves into the same server database at once: the second waits, then finds it not empty.
_LOCK = "SELECT pg_advisory_xact_lock(hashtext('verifier.migrate-to'))"


class TargetNotEmpty(Exception):
    """The target database already holds tables (names in `tables`)."""

    def __init__(self, tables: list[str]) -> None:
        super().__init__(", ".join(tables))
        self.tables = tables


class CopyFailed(Exception):
    """A database error during the copy; `step` is "schema", a table name, "key_slots" or "sequences".

    `reason` is the driver's error class (e.g. StringDataRightTruncation), never the
    message, which can quote row values.
    """

    def __init__(self, step: str, reason: str) -> None:
        super().__init__(f"{step}: {reason}")
        self.step = step
        self.reason = reason


@dataclass(frozen=True)
class TableCount:
    """Rows of one table: in the source, added from elsewhere (the key file), and on the target."""

    table: str
    source: int
    added: int
    target: int

    @property
    def matches(self) -> bool:
        return self.target == self.source + self.added


@dataclass(frozen=True)
class CopyResult:
    tables: tuple[TableCount, ...]
    sequences: tuple[str, ...]  # the sequences moved past the copied keys


def readonly_sqlite_engine(path: Path, key: bytes) -> Engine:
    """An engine that can only read the encrypted file: no write, no checkpoint, no migration.

    Each transaction begins with a plain BEGIN so that several SELECTs see one snapshot
    (the driver's own transaction handling would run each in its own).
    """
    uri = f"file:{quote(str(path))}?mode=ro"

    def connect() -> Any:
        return sqlcipher.connect(uri, uri=True, timeout=60, check_same_thread=False)

    engine = create_engine("sqlite://", module=sqlcipher, creator=connect, poolclass=NullPool)
    hex_key = key.hex()

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.isolation_level = None
        unlock_connection(dbapi_conn, hex_key, ("PRAGMA query_only = ON",))

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        conn.exec_driver_sql("BEGIN")

    return engine


def occupied_tables(conn: Connection) -> list[str]:
    """Tables and views already in the target; an empty `alembic_version` alone counts as empty."""
    insp = inspect(conn)
    names = sorted(set(insp.get_table_names()) | set(insp.get_view_names()))
    if names == ["alembic_version"] and conn.execute(text("SELECT count(*) FROM alembic_version")).scalar() == 0:
        return []
    return names


def count_rows(conn: Connection, table: Table) -> int:
    return int(conn.execute(select(func.count()).select_from(table)).scalar_one())


def copy_site(
    source: Engine,
    target: Engine,
    revision: str,
    slots: Sequence[Slot],
    key_check: str,
    finish: Callable[[Session, tuple[TableCount, ...]], None],
    chunk: int = CHUNK,
) -> CopyResult:
    """Copy every table from `source` into the empty PostgreSQL `target`, at schema `revision`.

    `slots` (the source's key file) become rows of `key_slots`, and `key_check` the
    fingerprint setting, as store.keyslot_table keeps them. `finish` runs last, inside the
    target's transaction with a session on it, to verify and to audit: whatever it raises
    rolls the whole copy back. Raises TargetNotEmpty (nothing done) or CopyFailed.
    """
    tables = Base.metadata.sorted_tables
    with target.connect() as tconn, tconn.begin():
        tconn.execute(text(_LOCK))
        found = occupied_tables(tconn)
        if found:
            raise TargetNotEmpty(found)
        step = "schema"
        try:
            command.upgrade(migrate.alembic_config(tconn), revision)
            for table in reversed(tables):  # rows the migrations seed (audit genesis, counters)
                tconn.execute(delete(table))
            counts: dict[str, int] = {}  # in the source's snapshot, the one the copy read
            with source.connect() as sconn, sconn.begin():
                for table in tables:
                    step = table.name
                    _copy_table(sconn, tconn, table, chunk)
                    counts[table.name] = count_rows(sconn, table)
            step = "key_slots"
            added = _write_slots(tconn, slots, key_check)
            step = "sequences"
            sequences = _reset_sequences(tconn, tables)
            step = "counts"
            result = tuple(
                TableCount(t.name, counts[t.name], added.get(t.name, 0), count_rows(tconn, t)) for t in tables
            )
        except (SQLAlchemyError, psycopg.Error) as exc:  # psycopg's own: COPY runs on the driver
            raise CopyFailed(step, type(getattr(exc, "orig", None) or exc).__name__) from exc
        with Session(bind=tconn) as session:  # joins the transaction; never commits it itself
            finish(session, result)
            session.flush()
    return CopyResult(result, sequences)


def _copy_table(sconn: Connection, tconn: Connection, table: Table, chunk: int) -> None:
    pk = list(table.primary_key.columns)
    self_refs = {fk.parent.key for fk in table.foreign_keys if fk.column.table is table}
    later: list[dict[str, object]] = []
    columns = list(table.columns)
    # Each column's own conversion for PostgreSQL (amounts to hundredths, times to UTC...),
    # as an INSERT would bind it; COPY then takes 0.23 s for the 20,747 drug rows against
    # 0.90 s for an executemany of INSERTs.
    convert = [c.type.dialect_impl(tconn.dialect).bind_processor(tconn.dialect) for c in columns]
    statement = sql.SQL("COPY {} ({}) FROM STDIN").format(
        sql.Identifier(table.name), sql.SQL(", ").join(sql.Identifier(c.name) for c in columns)
    )
    driver = tconn.connection.driver_connection  # the transaction's own connection
    assert driver is not None
    rows_in = sconn.execute(select(table).order_by(*pk))
    with driver.cursor() as cursor, cursor.copy(statement) as out:
        for part in rows_in.partitions(chunk):  # the source is read a chunk at a time
            for row in part:
                values = row._mapping
                if self_refs and any(values[k] is not None for k in self_refs):
                    later.append(
                        {**{f"pk_{c.key}": values[c.key] for c in pk}, **{f"new_{k}": values[k] for k in self_refs}}
                    )
                out.write_row(
                    [
                        None
                        if c.key in self_refs or values[c.key] is None
                        else f(values[c.key])
                        if f is not None
                        else values[c.key]
                        for c, f in zip(columns, convert)
                    ]
                )
    if later:
        fix = (
            update(table)
            .where(*(c == bindparam(f"pk_{c.key}") for c in pk))
            .values({k: bindparam(f"new_{k}") for k in self_refs})
        )
        for i in range(0, len(later), chunk):
            tconn.execute(fix, later[i : i + chunk])


def _write_slots(tconn: Connection, slots: Sequence[Slot], key_check: str) -> dict[str, int]:
    """The key file's slots and fingerprint, in the form store.keyslot_table reads them."""
    if slots:
        tconn.execute(
            insert(_KEY_SLOTS),
            [
                {
                    "name": s.name,
                    "kind": s.kind,
                    "data": s.to_json(),
                    "failures": s.failures,
                    "locked_until": s.locked_until,
                }
                for s in slots
            ],
        )
    added = {_KEY_SLOTS.name: len(slots)}
    settings = _SETTINGS
    present = tconn.execute(select(settings.c.key).where(settings.c.key == KEY_CHECK_SETTING)).first()
    if present is None:
        tconn.execute(insert(settings), [{"key": KEY_CHECK_SETTING, "value": f'"{key_check}"'}])
        added[_SETTINGS.name] = 1
    return added


def _reset_sequences(tconn: Connection, tables: Sequence[Table]) -> tuple[str, ...]:
    """Move each integer key's sequence past the largest copied key (or back to 1 when empty)."""
    moved = []
    for table in tables:
        pk = list(table.primary_key.columns)
        if len(pk) != 1 or not isinstance(pk[0].type, Integer):
            continue
        seq = tconn.execute(text("SELECT pg_get_serial_sequence(:t, :c)"), {"t": table.name, "c": pk[0].name}).scalar()
        if seq is None:  # e.g. audit_events.seq, numbered by the chain itself
            continue
        top = tconn.execute(select(func.max(pk[0]))).scalar()
        if top is None:
            tconn.execute(text("SELECT setval(CAST(:s AS regclass), 1, false)"), {"s": seq})
        else:
            tconn.execute(text("SELECT setval(CAST(:s AS regclass), :v, true)"), {"s": seq, "v": int(top)})
        moved.append(str(seq))
    return tuple(moved)
