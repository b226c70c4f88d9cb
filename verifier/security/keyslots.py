"""Key slots: the database key, wrapped once per user under that user's password.

SQLite keeps its slots in a small JSON file beside the database (`<db>.keys`), since the
database itself cannot be read before the key is known. PostgreSQL keeps them in the
`key_slots` table (see verifier.store.keyslot_table). Both follow the `SlotStore` protocol.
Failed sign-ins are counted per slot; after MAX_FAILURES the slot locks for LOCK_MINUTES,
doubled for each lockout in a row (`lock_minutes`) until the right password is given.

Every attempt is counted *before* the password is tried, in one atomic read-and-write of the
slot (an exclusive lock on the slot file's companion `<db>.keys.lock`, or the row's lock on
PostgreSQL), and forgiven once the password proves right. Attempts made in parallel therefore
all count: 16 at once used to read the same count and leave it at 2 or 3, and five such waves
let 30 guesses through.
"""

from __future__ import annotations

import json
import logging
import os
import secrets
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Protocol

from verifier import i18n
from verifier.domain.errors import DomainError
from verifier.files import PRIVATE, atomic_write
from verifier.security.crypto import (
    KdfParams,
    Sealed,
    WrappedKey,
    b64,
    key_check,
    new_keypair,
    open_sealed,
    seal,
    unb64,
    unwrap_key,
    wrap_key,
)

log = logging.getLogger(__name__)

MAX_FAILURES = 5
LOCK_MINUTES = 5
MAX_DOUBLINGS = 6  # 5, 10, 20, 40, 80, 160, then 320 minutes at most


def lock_minutes(locks: int) -> int:
    """How long the `locks`-th lockout in a row lasts (1: the first)."""
    return int(LOCK_MINUTES * 2 ** min(max(locks - 1, 0), MAX_DOUBLINGS))


FORMAT = 1


class AuthFailed(DomainError):
    """Wrong user or password (deliberately the same message for both)."""


@dataclass(frozen=True)
class Slot:
    """One user's (or the recovery code's) way in.

    Format 2 (issue 12): `wrapped` holds the slot's own X25519 private key under the
    password-derived key, `public` its public half, and `sealed` the database key sealed to
    `public`; an administrator's slot also holds the administrators' signing key (`admin`).
    Anyone holding the database key can therefore seal a *new* database key for every slot
    without knowing the passwords: that is what lets a rotation revoke one user and keep the
    others. Format 1 slots (`public` None) hold the database key itself under the password;
    they are upgraded at the user's next sign-in.
    """

    name: str
    kind: str  # "user" or "recovery"
    wrapped: WrappedKey
    failures: int = 0
    locked_until: datetime | None = None
    locks: int = 0  # lockouts in a row since the last right password: each doubles the next
    public: bytes | None = None
    sealed: Sealed | None = None
    admin: Sealed | None = None

    def to_json(self) -> str:
        data: dict[str, object] = {
            "salt": b64(self.wrapped.salt),
            "nonce": b64(self.wrapped.nonce),
            "ciphertext": b64(self.wrapped.ciphertext),
            "kdf": self.wrapped.kdf.to_dict(),
        }
        if self.public is not None and self.sealed is not None:
            data["v"] = 2
            data["public"] = b64(self.public)
            data["sealed"] = self.sealed.to_dict()
            if self.admin is not None:
                data["admin"] = self.admin.to_dict()
        return json.dumps(data, sort_keys=True)

    @staticmethod
    def parse(
        name: str,
        kind: str,
        text: str,
        failures: int = 0,
        locked_until: datetime | None = None,
        locks: int = 0,
    ) -> Slot:
        data = json.loads(text)
        wrapped = WrappedKey(
            salt=unb64(data["salt"]),
            nonce=unb64(data["nonce"]),
            ciphertext=unb64(data["ciphertext"]),
            kdf=KdfParams(**data["kdf"]),
        )
        public = unb64(data["public"]) if data.get("v") == 2 else None
        sealed = Sealed.from_dict(data["sealed"]) if public is not None else None
        admin = Sealed.from_dict(data["admin"]) if public is not None and data.get("admin") else None
        return Slot(name, kind, wrapped, failures, locked_until, locks, public, sealed, admin)

    @property
    def revocable(self) -> bool:
        """Format 2: a new database key can be sealed to it without the password."""
        return self.public is not None


@dataclass(frozen=True)
class Opened:
    """What a slot gives with the right password."""

    db_key: bytes
    private: bytes | None = None  # format 2: the slot's private key
    admin_key: bytes | None = None  # administrators: the signing key's private half


class SlotStore(Protocol):
    def get(self, name: str) -> Slot | None: ...
    def put(self, slot: Slot) -> None: ...
    def update(self, name: str, change: Callable[[Slot], Slot]) -> tuple[Slot, Slot] | None:
        """Atomically: (the slot as it was, as `change` left it, now stored); None if there is none."""
        ...

    def remove(self, name: str) -> None: ...
    def names(self) -> list[str]: ...
    def key_check(self) -> str | None: ...
    def set_key_check(self, value: str) -> None: ...
    def pending(self) -> Pending | None:
        """The slots of a key rotation under way (written before anything is re-encrypted)."""
        ...

    def set_pending(self, key_check: str, slots: list[Slot]) -> None: ...
    def promote(self) -> None:
        """End a rotation: the pending slots replace the current ones, in one step."""
        ...

    def anchor(self) -> dict[str, object] | None:
        """The audit chain's head as last recorded outside the audit tables."""
        ...

    def set_anchor(self, anchor: dict[str, object]) -> None:
        """Record `anchor` unless the one recorded is further on (anchors never go back)."""
        ...


@dataclass(frozen=True)
class Pending:
    key_check: str
    slots: dict[str, Slot]


RECOVERY_SLOT = "@recovery"  # the slot the recovery code opens (no login starts with "@")


def new_recovery_code() -> str:
    """Six groups of five characters from an unambiguous alphabet (about 150 bits)."""
    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    raw = "".join(secrets.choice(alphabet) for _ in range(30))
    return "-".join(raw[i : i + 5] for i in range(0, 30, 5))


def context_for(name: str) -> bytes:
    return f"verifier-slot:{name}".encode()


def _db_context(name: str) -> bytes:
    return context_for(name) + b"/database-key"


def _admin_context(name: str) -> bytes:
    return context_for(name) + b"/admin-key"


def make_slot(name: str, kind: str, db_key: bytes, password: str, admin_key: bytes | None = None) -> Slot:
    """A format-2 slot: a new key pair, its private half under `password`, `db_key` (and for
    an administrator `admin_key`) sealed to its public half."""
    private, public = new_keypair()
    return Slot(
        name=name,
        kind=kind,
        wrapped=wrap_key(private, password, context_for(name)),
        public=public,
        sealed=seal(public, db_key, _db_context(name)),
        admin=seal(public, admin_key, _admin_context(name)) if admin_key is not None else None,
    )


def reseal(slot: Slot, db_key: bytes) -> Slot:
    """The same slot, opening `db_key` instead (a rotation: no password needed)."""
    assert slot.public is not None
    return replace(slot, sealed=seal(slot.public, db_key, _db_context(slot.name)))


def with_admin_key(slot: Slot, admin_key: bytes | None) -> Slot:
    """The same slot, holding the administrators' signing key (or no longer holding it)."""
    assert slot.public is not None
    sealed = seal(slot.public, admin_key, _admin_context(slot.name)) if admin_key is not None else None
    return replace(slot, admin=sealed)


def open_slot(slot: Slot, password: str) -> Opened | None:
    """What the slot holds, or None when the password is wrong."""
    inner = unwrap_key(slot.wrapped, password, context_for(slot.name))
    if inner is None:
        return None
    if slot.public is None or slot.sealed is None:
        return Opened(inner)
    db_key = open_sealed(inner, slot.sealed, _db_context(slot.name))
    if db_key is None:
        return None
    admin = open_sealed(inner, slot.admin, _admin_context(slot.name)) if slot.admin is not None else None
    return Opened(db_key, inner, admin)


def _locked(slot: Slot, now: datetime) -> bool:
    return slot.locked_until is not None and slot.locked_until > now


def _lock(slot: Slot, now: datetime) -> Slot:
    """The slot locked once more: longer each time in a row (back-off)."""
    locks = slot.locks + 1
    return replace(slot, failures=0, locks=locks, locked_until=now + timedelta(minutes=lock_minutes(locks)))


def unlock(slots: SlotStore, name: str, password: str, now: datetime | None = None) -> bytes:
    """The database key for `name` with `password`, or AuthFailed. Counts every attempt first."""
    return unlock_counting(slots, name, password, now)[0].db_key


def unlock_counting(
    slots: SlotStore, name: str, password: str, now: datetime | None = None, upgrade: bool = True
) -> tuple[Opened, int]:
    """As `unlock`, with the number of failed attempts since this user's last sign-in: the
    database cannot record them while they happen (its key is what they failed to get), so
    the sign-in that follows does."""
    now = now or datetime.now(UTC)

    def attempt(slot: Slot) -> Slot:
        if _locked(slot, now):
            return slot
        if slot.failures >= MAX_FAILURES:  # the attempts already under way used them up
            return _lock(slot, now)
        return replace(slot, failures=slot.failures + 1, locked_until=None)

    taken = slots.update(name, attempt)
    if taken is None:
        log.warning("sign-in refused: unknown user")
        raise AuthFailed("auth.failed")
    _before, slot = taken
    if _locked(slot, now):
        assert slot.locked_until is not None
        minutes = max(1, int((slot.locked_until - now).total_seconds() // 60) + 1)
        log.warning("sign-in refused for %s: locked for %d min", name, minutes)
        raise AuthFailed("auth.locked", minutes=minutes)
    opened = open_slot(slot, password)
    if opened is None:
        log.warning("sign-in refused for %s: wrong password (%d of %d)", name, slot.failures, MAX_FAILURES)
        if slot.failures >= MAX_FAILURES:
            taken = slots.update(name, lambda s: s if _locked(s, now) else _lock(s, now))
            locks = taken[1].locks if taken else 1
            raise AuthFailed("auth.locked", minutes=lock_minutes(locks))
        raise AuthFailed("auth.failed")
    expected = slots.key_check()
    if expected is not None and expected != key_check(opened.db_key):
        raise AuthFailed("auth.mismatch")

    # The right password: this attempt and the failures before it are forgiven, and a
    # format-1 slot becomes a format-2 one (the password is known just now).
    db_key = opened.db_key

    def forgive(s: Slot) -> Slot:
        s = replace(s, failures=0, locked_until=None, locks=0)
        if upgrade and not s.revocable:
            fresh = make_slot(name, s.kind, db_key, password)
            s = replace(s, wrapped=fresh.wrapped, public=fresh.public, sealed=fresh.sealed)
        return s

    slots.update(name, forgive)
    if upgrade and not slot.revocable:
        log.info("key slot of %s upgraded to format 2", name)
        opened = open_slot(slots.get(name) or slot, password) or opened
    log.info("signed in: %s", name)
    return opened, max(0, slot.failures - 1)


@contextmanager
def exclusive(path: Path) -> Iterator[None]:
    """Hold an exclusive lock on `path` (created if needed, private) for the block: every
    process that changes the slot file takes it, so no change is lost to another."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        if sys.platform == "win32":
            import msvcrt

            msvcrt.locking(fd, msvcrt.LK_LOCK, 1)
        else:
            import fcntl

            fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # closing the descriptor releases the lock


class FileSlots:
    """Slots in a JSON file beside the SQLite database, replaced atomically on each change."""

    def __init__(self, path: Path) -> None:
        self.path = path

    @staticmethod
    def for_database(db_path: Path) -> FileSlots:
        return FileSlots(db_path.with_name(db_path.name + ".keys"))

    def exists(self) -> bool:
        return self.path.exists()

    @property
    def lock_path(self) -> Path:
        return self.path.with_name(self.path.name + ".lock")

    def _load(self) -> dict[str, object]:
        if not self.path.exists():
            return {"format": FORMAT, "key_check": None, "slots": {}}
        data: dict[str, object] = json.loads(self.path.read_text("utf-8"))
        return data

    def _save(self, data: dict[str, object]) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with atomic_write(self.path, PRIVATE) as out:
            out.write(json.dumps(data, indent=1, sort_keys=True).encode("utf-8"))

    def _slots(self, data: dict[str, object]) -> dict[str, dict[str, object]]:
        slots = data["slots"]
        assert isinstance(slots, dict)
        return slots

    def get(self, name: str) -> Slot | None:
        entry = self._slots(self._load()).get(name)
        return None if entry is None else self._slot(name, entry)

    @staticmethod
    def _slot(name: str, entry: dict[str, object]) -> Slot:
        locked = entry.get("locked_until")
        return Slot.parse(
            name,
            str(entry["kind"]),
            str(entry["wrapped"]),
            failures=int(str(entry.get("failures", 0))),
            locked_until=datetime.fromisoformat(str(locked)) if locked else None,
            locks=int(str(entry.get("locks", 0))),
        )

    @staticmethod
    def _entry(slot: Slot) -> dict[str, object]:
        return {
            "kind": slot.kind,
            "wrapped": slot.to_json(),
            "failures": slot.failures,
            "locked_until": slot.locked_until.isoformat() if slot.locked_until else None,
            "locks": slot.locks,
        }

    def put(self, slot: Slot) -> None:
        with exclusive(self.lock_path):
            data = self._load()
            self._slots(data)[slot.name] = self._entry(slot)
            self._save(data)

    def update(self, name: str, change: Callable[[Slot], Slot]) -> tuple[Slot, Slot] | None:
        with exclusive(self.lock_path):
            before = self.get(name)
            if before is None:
                return None
            after = change(before)
            data = self._load()
            self._slots(data)[name] = self._entry(after)
            self._save(data)
            return before, after

    def remove(self, name: str) -> None:
        with exclusive(self.lock_path):
            data = self._load()
            self._slots(data).pop(name, None)
            self._save(data)

    def names(self) -> list[str]:
        return sorted(self._slots(self._load()))

    def pending(self) -> Pending | None:
        data = self._load().get("pending")
        if not isinstance(data, dict):
            return None
        entries = data["slots"]
        assert isinstance(entries, dict)
        return Pending(str(data["key_check"]), {name: self._slot(name, e) for name, e in entries.items()})

    def set_pending(self, key_check: str, slots: list[Slot]) -> None:
        with exclusive(self.lock_path):
            data = self._load()
            data["pending"] = {"key_check": key_check, "slots": {s.name: self._entry(s) for s in slots}}
            self._save(data)

    def anchor(self) -> dict[str, object] | None:
        value = self._load().get("audit_anchor")
        return value if isinstance(value, dict) else None

    def set_anchor(self, anchor: dict[str, object]) -> None:
        with exclusive(self.lock_path):
            data = self._load()
            current = data.get("audit_anchor")
            if isinstance(current, dict) and int(str(current.get("seq", 0))) > int(str(anchor["seq"])):
                return
            data["audit_anchor"] = anchor
            self._save(data)

    def promote(self) -> None:
        with exclusive(self.lock_path):
            data = self._load()
            pending = data.pop("pending", None)
            if not isinstance(pending, dict):
                return
            current = self._slots(data)
            fresh: dict[str, dict[str, object]] = pending["slots"]
            for name, entry in fresh.items():  # sign-in failures counted meanwhile still count
                if name in current:
                    for field in ("failures", "locked_until", "locks"):
                        entry[field] = current[name].get(field, entry.get(field))
            data["slots"] = fresh
            data["key_check"] = pending["key_check"]
            self._save(data)

    def key_check(self) -> str | None:
        value = self._load().get("key_check")
        return str(value) if value else None

    def set_key_check(self, value: str) -> None:
        with exclusive(self.lock_path):
            data = self._load()
            data["key_check"] = value
            self._save(data)


i18n.register(
    {
        "auth.failed": i18n.N_(
            "Identifiant ou mot de passe incorrect. Vérifiez la saisie (majuscules, clavier) et réessayez."
        ),
        "auth.locked": i18n.N_(
            "Trop d'essais manqués : ce compte est bloqué pendant {minutes} min. Réessayez ensuite ou demandez à un administrateur."
        ),
        "auth.mismatch": i18n.N_(
            "Le fichier de clés ne correspond pas à cette base de données. Remettez le fichier « .keys » d'origine à côté de la base."
        ),
    }
)
