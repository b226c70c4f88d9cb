"""Backups of an SQLite site: taken with SQLite's online backup API, verified, rotated.

A backup is two files in the backups folder: `<name>-<UTC time>-<kind>.db`, still encrypted
with the site's key, and its `.keys` (the key slots of that moment, so it opens with the
passwords of that moment). Both are written under a `.partial` name, checked
(`PRAGMA integrity_check` on the copy), made durable, then renamed: a backup cut short (a
crash, `kill -9`, a full disk) leaves a `.partial` file that is never listed and is removed
by the next backup, and every earlier backup stays as it was.
"""

from __future__ import annotations

import logging
import os
import re
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import sqlcipher3.dbapi2 as sqlcipher
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from verifier.files import PRIVATE
from verifier.security.keyslots import FileSlots
from verifier.store.engine import unlock_connection
from verifier.store.schema import Claim, Patient

log = logging.getLogger(__name__)

PARTIAL = ".partial"
_NAME = re.compile(r"^(?P<site>.+)-(?P<at>\d{8}T\d{6}\d{6}Z)-(?P<kind>[a-z0-9-]+)\.db$")


@dataclass(frozen=True)
class Backup:
    path: Path
    taken_at: datetime
    kind: str  # "manual", "auto", "close", "before-0012"…
    size: int

    @property
    def keys_path(self) -> Path:
        return FileSlots.for_database(self.path).path


class BackupFailed(Exception):
    """The copy could not be made or did not check out; nothing was renamed into place."""


def folder_for(db_path: Path) -> Path:
    return db_path.parent / "backups"


def _connect(path: Path, key: bytes) -> sqlcipher.Connection:
    conn = sqlcipher.connect(str(path), timeout=60, check_same_thread=False)
    conn.isolation_level = None
    unlock_connection(conn, key.hex(), ("PRAGMA busy_timeout = 60000",))
    return conn


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def take(
    db_path: Path,
    key: bytes,
    folder: Path,
    kind: str,
    now: datetime | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> Backup:
    """Copy the live database (readers and writers may go on meanwhile) into `folder`;
    `progress(pages left, pages in all)` after each step."""
    now = now or datetime.now(UTC)
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    for stale in folder.glob(f"*{PARTIAL}"):  # a backup a crash cut short
        stale.unlink(missing_ok=True)
    name = f"{db_path.stem}-{now.strftime('%Y%m%dT%H%M%S%fZ')}-{kind}.db"
    target = folder / name
    partial = folder / (name + PARTIAL)
    keys_partial = folder / (name + ".keys" + PARTIAL)
    src = _connect(db_path, key)
    try:
        dst = _connect(partial, key)  # a new file, keyed like the site
        try:
            # In steps of 256 pages: writers are not held for the whole copy.
            src.backup(dst, pages=256, progress=(lambda _s, left, total: progress(left, total)) if progress else None)
            result = dst.execute("PRAGMA integrity_check").fetchone()[0]
            dst.execute("PRAGMA journal_mode = DELETE")
        finally:
            dst.close()
    except sqlcipher.Error as exc:
        partial.unlink(missing_ok=True)
        raise BackupFailed(type(exc).__name__) from None
    finally:
        src.close()
    if result != "ok":
        partial.unlink(missing_ok=True)
        raise BackupFailed("integrity")
    try:
        shutil.copyfile(FileSlots.for_database(db_path).path, keys_partial)
        for p in (partial, keys_partial):
            p.chmod(PRIVATE)
            _fsync(p)
        keys_partial.replace(folder / (name + ".keys"))
        partial.replace(target)  # last: a listed backup always has its keys
        _fsync(folder)
    except OSError as exc:
        for p in (partial, keys_partial):
            p.unlink(missing_ok=True)
        raise BackupFailed(type(exc).__name__) from None
    log.info("backup written: %s", target.name)
    return Backup(target, now, kind, target.stat().st_size)


def listed(folder: Path) -> list[Backup]:
    """The complete backups in `folder`, newest first (a `.partial` or a lone file is not one)."""
    found: list[Backup] = []
    if not folder.is_dir():
        return found
    for path in folder.glob("*.db"):
        m = _NAME.match(path.name)
        if m is None or not FileSlots.for_database(path).path.exists():
            continue
        at = datetime.strptime(m["at"], "%Y%m%dT%H%M%S%fZ").replace(tzinfo=UTC)
        found.append(Backup(path, at, m["kind"], path.stat().st_size))
    return sorted(found, key=lambda b: b.taken_at, reverse=True)


def kept(backups: list[Backup], hourly: int = 24, daily: int = 30) -> set[Path]:
    """Which backups a rotation keeps: the newest of each of the last `hourly` hours that have
    one, and of each of the last `daily` days; and every backup taken before a migration."""
    keep: set[Path] = set()
    hours: dict[str, Backup] = {}
    days: dict[str, Backup] = {}
    for b in backups:  # newest first: the first seen in a slot is its newest
        hours.setdefault(b.taken_at.strftime("%Y%m%d%H"), b)
        days.setdefault(b.taken_at.strftime("%Y%m%d"), b)
        if b.kind.startswith("before-"):
            keep.add(b.path)
    keep |= {b.path for b in list(hours.values())[:hourly]}
    keep |= {b.path for b in list(days.values())[:daily]}
    return keep


def prune(folder: Path, hourly: int = 24, daily: int = 30) -> int:
    """Remove the backups the rotation does not keep; how many went."""
    backups = listed(folder)
    keep = kept(backups, hourly, daily)
    gone = 0
    for b in backups:
        if b.path not in keep:
            b.path.unlink(missing_ok=True)
            b.keys_path.unlink(missing_ok=True)
            gone += 1
    return gone


def place(backup: Backup, target: Path) -> None:
    """Copy a backup and its keys to `target` (a file that must not exist), atomically."""
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + PARTIAL)
    keys_partial = target.with_name(target.name + ".keys" + PARTIAL)
    shutil.copyfile(backup.path, partial)
    shutil.copyfile(backup.keys_path, keys_partial)
    for p in (partial, keys_partial):
        p.chmod(PRIVATE)
        _fsync(p)
    keys_partial.replace(FileSlots.for_database(target).path)
    partial.replace(target)


def holdings(session: Session) -> tuple[int, int]:
    """How many claims and patients a database holds (what a restore should bring back)."""
    claims = session.scalar(select(func.count()).select_from(Claim)) or 0
    patients = session.scalar(select(func.count()).select_from(Patient)) or 0
    return int(claims), int(patients)
