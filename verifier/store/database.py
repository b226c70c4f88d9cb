"""Creating and opening a database: key slots, engine, migrations with a backup first."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.exc import OperationalError

from verifier import i18n
from verifier.domain.errors import DomainError
from verifier.security import signing
from verifier.security.audit import anchor_mac, anchor_message
from verifier.security.crypto import FieldCipher, key_check, new_database_key
from verifier.security.keyslots import AuthFailed, FileSlots, SlotStore, make_slot, open_slot, unlock_counting
from verifier.store import audit_log, backup, migrate
from verifier.store.engine import Location, Rotation, Store, opens_with, postgres_engine, sqlite_engine
from verifier.store.keyslot_table import TableSlots

log = logging.getLogger(__name__)


class DatabaseMissing(DomainError):
    pass


class DatabaseExists(DomainError):
    pass


class DatabaseUnreachable(DomainError):
    """The database server does not answer (PostgreSQL stopped, network, wrong address)."""


@contextmanager
def reachable() -> Iterator[None]:
    """Turn the driver's "cannot connect" into a sentence the user can act on."""
    try:
        yield
    except OperationalError as exc:
        log.warning("database unreachable: %s", type(exc.orig).__name__ if exc.orig else "OperationalError")
        raise DatabaseUnreachable("db.unreachable") from None


def slot_store(location: Location) -> SlotStore:
    if location.sqlite_path is not None:
        return FileSlots.for_database(location.sqlite_path)
    return TableSlots(postgres_engine(location.url or "", pooled=False))


def exists(location: Location) -> bool:
    """True when a database with at least one key slot is already there."""
    if location.sqlite_path is not None:
        return location.sqlite_path.exists() or FileSlots.for_database(location.sqlite_path).exists()
    engine = postgres_engine(location.url or "", pooled=False)
    try:
        with reachable():
            rev = migrate.current_revision(engine)
            return rev is not None and bool(TableSlots(engine).names())
    finally:
        engine.dispose()


def _engine(location: Location, key: bytes, rotation: Rotation | None = None) -> Store:
    if rotation is None:
        cipher = FieldCipher(key)
        page_key = key
    else:  # rows not re-encrypted yet are read with the old key
        cipher = FieldCipher(rotation.new, previous=rotation.old)
        page_key = rotation.page_key
    if location.sqlite_path is not None:
        engine = sqlite_engine(location.sqlite_path, page_key)
    else:
        engine = postgres_engine(location.url or "")
    store = Store(engine, cipher, location)
    store.rotation = rotation
    return store


def _rotation_under_way(location: Location, slots: SlotStore, login: str, password: str, old: bytes) -> Rotation | None:
    """A key rotation that a crash interrupted: the user's new slot opens the new key, and
    the sign-in finishes the rotation (services.keys.finish). A user the rotation left out
    (revoked) is refused."""
    pending = slots.pending()
    if pending is None:
        return None
    slot = pending.slots.get(login)
    opened = None if slot is None else open_slot(slot, password)
    if opened is None or key_check(opened.db_key) != pending.key_check:
        log.warning("sign-in refused for %s: not among the users of the new key", login)
        raise AuthFailed("auth.failed")
    page_key = old
    if location.sqlite_path is not None and not opens_with(location.sqlite_path, old):
        page_key = opened.db_key  # the file was rekeyed before the crash
    return Rotation(old=old, new=opened.db_key, page_key=page_key, admin_key=opened.admin_key)


def create(location: Location, login: str, password: str) -> tuple[Store, bytes]:
    """A new, empty, migrated database whose key is wrapped for `login`.

    Returns the store and the database key (the caller may add more slots, e.g. recovery).
    """
    if exists(location):
        raise DatabaseExists("db.exists", where=location.describe())
    key = new_database_key()
    if location.sqlite_path is not None:
        location.sqlite_path.parent.mkdir(parents=True, exist_ok=True)
    store = _engine(location, key)
    migrate.upgrade(store.engine)
    if location.sqlite_path is not None:
        location.sqlite_path.chmod(0o600)
    slots = slot_store(location)
    slots.set_key_check(key_check(key))
    slots.put(make_slot(login, "user", key, password))
    with_audit_key(store)
    return store, key


def open_store(location: Location, login: str, password: str, upgrade: bool = True) -> Store:
    """Unlock with a user's password, then bring the schema up to date (backup first), unless
    `upgrade` is False (a look that must change nothing: `db status`)."""
    if not exists(location):
        raise DatabaseMissing("db.missing", where=location.describe())
    with reachable():
        slots = slot_store(location)
        opened, failures = unlock_counting(slots, login, password, upgrade=upgrade)
        rotation = _rotation_under_way(location, slots, login, password, opened.db_key)
        store = _engine(location, opened.db_key, rotation)
        store.failures_before_sign_in = failures
        store.admin_key = opened.admin_key if rotation is None else rotation.admin_key
        if upgrade:
            upgrade_with_backup(store)
        with_audit_key(store, create=upgrade)
    return store


def open_with_key(location: Location, key: bytes) -> Store:
    store = _engine(location, key)
    upgrade_with_backup(store)
    with_audit_key(store)
    return store


def with_audit_key(store: Store, create: bool = True) -> None:
    """Give the store the site's audit key, made on first use (sites set up before it had
    one: their older events stay chained with plain SHA-256)."""
    with store.write() if create else store.read() as s:
        key = audit_log.load_key(s, store.cipher)
        if key is None and create:
            key = audit_log.create_key(s, store.cipher)
    store.set_audit_key(key)


def upgrade_with_backup(store: Store) -> Path | None:
    """Upgrade an older schema; an SQLite file is first copied beside itself (still encrypted)."""
    current = migrate.current_revision(store.engine)
    head = migrate.head_revision()
    if current == head:
        return None
    backup = None
    if current is not None and store.location.sqlite_path is not None:
        backup = backup_sqlite(store, f"before-{head}")
    log.info("upgrading schema from %s to %s", current, head)
    migrate.upgrade(store.engine)
    return backup


def backup_sqlite(store: Store, label: str) -> Path:
    """A backup of the SQLite file into its backups folder (store.backup), still encrypted,
    with its key slots: taken before every schema upgrade."""
    path = store.location.sqlite_path
    assert path is not None
    return backup.take(path, store.cipher.database_key, backup.folder_for(path), label).path


def write_anchor(store: Store) -> None:
    """Record the audit chain's head beside the key slots (the `.keys` file on SQLite; a
    setting row on PostgreSQL), with an HMAC under the audit key and, when an administrator
    holds the store, their signature. Deleting the chain's tail, or putting back an older
    copy of the database, leaves the head behind this anchor: `audit verify` names it."""
    key = store.audit_key
    if key is None:
        return
    slots = slot_store(store.location)
    current = slots.anchor()
    with store.read() as s:
        seq, digest = audit_log.head(s)
        if current is not None and audit_log.hash_at(s, int(str(current["seq"]))) != current["hash"]:
            # The chain no longer holds the event the anchor vouches for: keep the evidence.
            log.error("audit chain behind or different from its anchor (event %s): anchor kept", current["seq"])
            return
    at = datetime.now(UTC).isoformat(timespec="seconds")
    anchor: dict[str, object] = {"seq": seq, "hash": digest, "at": at, "mac": anchor_mac(key.key, seq, digest, at)}
    if store.admin_key is not None:
        anchor["signature"] = signing.sign(store.admin_key, anchor_message(seq, digest, at))
    slots.set_anchor(anchor)


def integrity_check(store: Store) -> str:
    with store.engine.connect() as conn:
        if store.dialect == "sqlite":
            return str(conn.execute(text("PRAGMA integrity_check")).scalar())
        return "ok"


i18n.register(
    {
        "db.exists": i18n.N_(
            "Une base de données existe déjà ici : {where}. Choisissez un autre emplacement ou ouvrez celle-ci."
        ),
        "db.unreachable": i18n.N_(
            "La base de données ne répond pas : vérifiez que le serveur PostgreSQL est démarré et que l'adresse (--db ou VERIFIER_DATABASE_URL) est juste, puis réessayez."
        ),
        "db.missing": i18n.N_("Aucune base de données trouvée : {where}. Lancez d'abord « verifier init »."),
    }
)
