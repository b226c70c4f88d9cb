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
from verifier.security.crypto import KdfParams, WrappedKey, b64, key_check, unb64, unwrap_key, wrap_key

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
    name: str
    kind: str  # "user" or "recovery"
    wrapped: WrappedKey
    failures: int = 0
    locked_until: datetime | None = None
    locks: int = 0  # lockouts in a row since the last right password: each doubles the next

    def to_json(self) -> str:
        return json.dumps(
            {
                "salt": b64(self.wrapped.salt),
                "nonce": b64(self.wrapped.nonce),
                "ciphertext": b64(self.wrapped.ciphertext),
                "kdf": self.wrapped.kdf.to_dict(),
            },
            sort_keys=True,
        )

    @staticmethod
    def wrapped_from_json(text: str) -> WrappedKey:
        data = json.loads(text)
        return WrappedKey(
            salt=unb64(data["salt"]),
            nonce=unb64(data["nonce"]),
            ciphertext=unb64(data["ciphertext"]),
            kdf=KdfParams(**data["kdf"]),
        )


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


def context_for(name: str) -> bytes:
    return f"verifier-slot:{name}".encode()


def make_slot(name: str, kind: str, db_key: bytes, password: str) -> Slot:
    return Slot(name=name, kind=kind, wrapped=wrap_key(db_key, password, context_for(name)))


def _locked(slot: Slot, now: datetime) -> bool:
    return slot.locked_until is not None and slot.locked_until > now


def _lock(slot: Slot, now: datetime) -> Slot:
    """The slot locked once more: longer each time in a row (back-off)."""
    locks = slot.locks + 1
    return replace(slot, failures=0, locks=locks, locked_until=now + timedelta(minutes=lock_minutes(locks)))


def unlock(slots: SlotStore, name: str, password: str, now: datetime | None = None) -> bytes:
    """The database key for `name` with `password`, or AuthFailed. Counts every attempt first."""
    return unlock_counting(slots, name, password, now)[0]


def unlock_counting(slots: SlotStore, name: str, password: str, now: datetime | None = None) -> tuple[bytes, int]:
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
    key = unwrap_key(slot.wrapped, password, context_for(name))
    if key is None:
        log.warning("sign-in refused for %s: wrong password (%d of %d)", name, slot.failures, MAX_FAILURES)
        if slot.failures >= MAX_FAILURES:
            taken = slots.update(name, lambda s: s if _locked(s, now) else _lock(s, now))
            locks = taken[1].locks if taken else 1
            raise AuthFailed("auth.locked", minutes=lock_minutes(locks))
        raise AuthFailed("auth.failed")
    expected = slots.key_check()
    if expected is not None and expected != key_check(key):
        raise AuthFailed("auth.mismatch")
    # The right password: this attempt and the failures before it are forgiven.
    slots.update(name, lambda s: replace(s, failures=0, locked_until=None, locks=0))
    log.info("signed in: %s", name)
    return key, max(0, slot.failures - 1)


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
        if entry is None:
            return None
        locked = entry.get("locked_until")
        return Slot(
            name=name,
            kind=str(entry["kind"]),
            wrapped=Slot.wrapped_from_json(str(entry["wrapped"])),
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
