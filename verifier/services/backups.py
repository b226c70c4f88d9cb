"""Backups of the embedded (SQLite) site: taken, listed, verified, restored.

Automatic backups are taken when the window closes and, while claims are queued, every
AUTO_MINUTES (gui.main_window); `verifier backup now` takes one at once. Each goes to the
backups folder beside the database and, when this computer's config.json names one
(`backup_copy`: a USB key, a network share), a copy goes there too. The folder keeps the
newest backup of each of the last 24 hours and of each of the last 30 days, and every
backup taken before a schema upgrade (store.backup.kept).

A backup opens with the passwords of the moment it was taken (its own copy of the key
slots): a user deactivated since can open the backups from before (docs/security.md).
PostgreSQL sites are backed up with the server's tools (`pg_dump`, docs/administration.md).
"""

from __future__ import annotations

import logging
import shutil
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from verifier import i18n
from verifier.domain.errors import DomainError
from verifier.security.crypto import FieldCipher
from verifier.security.keyslots import AuthFailed, FileSlots, open_slot
from verifier.services.context import Context
from verifier.store import audit_log, backup, copy, database, migrate
from verifier.store import users as user_store
from verifier.store.backup import Backup
from verifier.store.engine import Location, Store

log = logging.getLogger(__name__)

AUTO_MINUTES = 60  # while claims are queued
STALE_HOURS = 24  # the status strip warns when the last good backup is older


class BackupError(DomainError):
    pass


@dataclass(frozen=True)
class BackupReport:
    path: Path
    revision: str | None
    integrity: str
    events: int
    chain_broken_at: int | None
    claims: int
    patients: int

    @property
    def good(self) -> bool:
        return self.integrity == "ok" and self.chain_broken_at is None


def _sqlite(location: Location) -> Path:
    if location.sqlite_path is None:
        raise BackupError("backup.postgres")
    return location.sqlite_path


def folder(location: Location) -> Path:
    return backup.folder_for(_sqlite(location))


def take(ctx: Context, kind: str = "manual", copy_to: Path | None = None) -> Backup:
    """A backup now, into the backups folder (and `copy_to`), then the folder's rotation."""
    path = _sqlite(ctx.store.location)
    if kind == "manual":
        ctx.require_admin("backup")
    if ctx.store.rotation is not None:  # the file's pages may be under another key just now
        raise BackupError("backup.rotating")
    try:
        made = backup.take(path, ctx.store.cipher.database_key, backup.folder_for(path), kind)
    except backup.BackupFailed as exc:
        log.warning("backup failed (%s)", exc)
        raise BackupError("backup.failed", reason=str(exc)) from None
    if copy_to is not None:
        try:
            copy_to.mkdir(parents=True, exist_ok=True)
            shutil.copy2(made.keys_path, copy_to / made.keys_path.name)
            shutil.copy2(made.path, copy_to / made.path.name)
            backup.prune(copy_to)
        except OSError as exc:
            log.warning("backup copy to the second folder failed (%s)", type(exc).__name__)
            raise BackupError("backup.copy_failed", folder=str(copy_to)) from None
    backup.prune(backup.folder_for(path))
    with ctx.store.write() as s:
        audit_log.append(s, ctx.actor.login, "backup.taken", "site", "1", {"kind": kind, "bytes": made.size})
    return made


def automatic(ctx: Context, kind: str, copy_to: Path | None = None) -> Backup | None:
    """A backup the program takes by itself (closing, on a timer): never an error for the
    user at that moment, only a log line and the status strip's warning later."""
    if ctx.store.location.sqlite_path is None:
        return None
    try:
        return take(ctx, kind, copy_to)
    except Exception as exc:  # noqa: BLE001 - the counter's work goes on; the status strip tells
        log.warning("automatic backup not taken (%s)", type(exc).__name__)
        return None


def listed(location: Location) -> list[Backup]:
    return backup.listed(folder(location))


def last_taken(location: Location) -> datetime | None:
    """When the newest backup was taken (None: none, or not an embedded site)."""
    if location.sqlite_path is None:
        return None
    found = listed(location)
    return found[0].taken_at if found else None


def stale(location: Location, now: datetime | None = None) -> bool:
    """Whether the status strip should warn: an embedded site whose newest backup is older
    than STALE_HOURS (or that has none)."""
    if location.sqlite_path is None:
        return False
    last = last_taken(location)
    return last is None or (now or datetime.now(UTC)) - last > timedelta(hours=STALE_HOURS)


def needs_attention(ctx: Context) -> bool:
    """For the status strip: an embedded site without a backup of the last STALE_HOURS."""
    return stale(ctx.store.location)


def second_folder() -> Path | None:
    """This computer's second backup folder (config.json's `backup_copy`), if any."""
    from verifier.config import Config

    chosen = Config.load().backup_copy
    return Path(chosen) if chosen else None


def _find(path: Path) -> Backup:
    for b in backup.listed(path.parent):
        if b.path.resolve() == path.resolve():
            return b
    raise BackupError("backup.not_found", path=str(path))


def _key(b: Backup, login: str, password: str) -> bytes:
    slot = FileSlots(b.keys_path).get(login)
    opened = None if slot is None else open_slot(slot, password)
    if opened is None:
        raise AuthFailed("auth.failed")
    return opened.db_key


def _report(path: Path, store: Store) -> BackupReport:
    integrity = database.integrity_check(store)
    revision = migrate.current_revision(store.engine)
    with store.read() as s:
        key = audit_log.load_key(s, store.cipher)
        chain = audit_log.verify(s, key)
        claims, patients = backup.holdings(s)
    return BackupReport(path, revision, integrity, chain.events, chain.broken_at, claims, patients)


def verify(path: Path, login: str, password: str) -> BackupReport:
    """Open a backup read-only with a password of its time and check it: SQLite integrity,
    the audit chain, what it holds. Nothing is written to it."""
    b = _find(path)
    key = _key(b, login, password)
    store = Store(copy.readonly_sqlite_engine(b.path, key), FieldCipher(key), Location(sqlite_path=b.path))
    try:
        with store.read() as s:
            user = user_store.sign_in_row(s, login)
        if user is None or not user.active:
            raise AuthFailed("auth.failed")
        return _report(b.path, store)
    finally:
        store.close()


def restore(path: Path, target: Path, login: str, password: str) -> BackupReport:
    """Put a backup into a new file `target` (never over an existing one), bring its schema up
    to date if it is older, and verify it. The site is then opened with `--db target`."""
    b = _find(path)
    key = _key(b, login, password)
    if target.exists() or FileSlots.for_database(target).path.exists():
        raise BackupError("backup.target_exists", path=str(target))
    backup.place(b, target)
    store = database.open_with_key(Location(sqlite_path=target), key)
    try:
        with store.read() as s:
            user = user_store.sign_in_row(s, login)
        if user is None or user.role != "admin" or not user.active:
            raise BackupError("backup.admin_only")
        report = _report(target, store)
        with store.write() as s:
            audit_log.append(s, login, "backup.restored", "site", "1", {"from": b.path.name})
    except BaseException:
        store.close()
        for p in (target, FileSlots.for_database(target).path):
            p.unlink(missing_ok=True)
        raise
    store.close()
    log.info("backup restored into a new file")
    return report


i18n.register(
    {
        "backup.postgres": i18n.N_(
            "Cette base est sur un serveur PostgreSQL : sauvegardez-la avec pg_dump (voir docs/administration.md)."
        ),
        "backup.rotating": i18n.N_(
            "Un changement de clé est en cours : reconnectez-vous une fois seul sur ce poste, puis recommencez la sauvegarde."
        ),
        "backup.failed": i18n.N_(
            "La sauvegarde n'a pas pu être faite ({reason}) ; les sauvegardes précédentes sont intactes. Vérifiez la place libre sur le disque et réessayez."
        ),
        "backup.copy_failed": i18n.N_(
            "La sauvegarde est faite, mais sa copie vers {folder} a échoué : branchez le support (clé USB, partage) ou choisissez un autre dossier."
        ),
        "backup.not_found": i18n.N_(
            "{path} n'est pas une sauvegarde complète (fichier .db avec son fichier .keys, dans son dossier d'origine). Voyez « verifier backup list »."
        ),
        "backup.target_exists": i18n.N_(
            "{path} existe déjà : la restauration se fait toujours dans un nouveau fichier. Choisissez un autre nom."
        ),
        "backup.admin_only": i18n.N_("Seul un administrateur de la sauvegarde peut la restaurer."),
    }
)
