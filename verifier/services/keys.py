"""Changing the database key: revoking a user, or an administrator's "rotate the key".

Every slot of format 2 holds its own X25519 key pair (security.keyslots): whoever holds the
database key can seal a new one to each remaining slot's public key without knowing any
password. A rotation therefore:

1. makes a new key and writes the remaining users' slots for it as *pending*, beside the
   current ones (the slot file or table), so a crash at any later step loses nobody;
2. marks the new key as the one in force (audit_head.key_check): a workstation still
   holding the old key can no longer write (it is told to sign in again);
3. re-encrypts the encrypted columns and recomputes the blind indexes, in batches, each
   committed; a row already under the new key is skipped, so a rotation cut short resumes
   where it stopped (the next sign-in of a remaining user finishes it);
4. on SQLite, re-encrypts every page of the file (PRAGMA rekey);
5. makes the pending slots the current ones, in one step.

The left-out users' slots, and every old copy of the slot file, open the old key only: the
file or the rows written from then on are not under it. What was copied before stays
readable to whoever copied it (docs/security.md).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TypeVar

from verifier import i18n
from verifier.domain.errors import Problem, ValidationError
from verifier.security.crypto import FieldCipher, key_check, new_database_key
from verifier.security.keyslots import RECOVERY_SLOT, Slot, make_slot, new_recovery_code, reseal
from verifier.services.context import Context
from verifier.services.patients import nir_index, search_tokens
from verifier.store import audit_log, database, rekey
from verifier.store import patients as patient_store
from verifier.store import users as user_store
from verifier.store.engine import Rotation, Store, rekey_sqlite, sqlite_engine
from verifier.store.schema import CoverageCheck, Patient
from verifier.store.session import Session

log = logging.getLogger(__name__)

BATCH = 500

Progress = Callable[[int, int], None]  # rows done, rows in all


@dataclass(frozen=True)
class RotationResult:
    users: int  # slots kept (users who can still sign in)
    revoked: tuple[str, ...]  # logins whose slot was left out
    needs_password: tuple[str, ...]  # active users with an old-format slot: give them a new password
    recovery_code: str | None  # a new recovery code, when the old one could not follow
    finished: bool = True  # False: the SQLite file was open elsewhere, its pages follow at the next sign-in


def rotate(ctx: Context, reason: str, progress: Progress | None = None) -> RotationResult:
    """A new database key for the active users (and the recovery code), none for the others."""
    ctx.require_admin("rotate_key")
    store = ctx.store
    if store.rotation is not None:  # an interrupted one first
        finish(store, progress)
    slots = database.slot_store(store.location)
    with store.read() as s:
        active = {u.login for u in user_store.everyone(s) if u.active}
    old, new = store.cipher.database_key, new_database_key()
    keep: list[Slot] = []
    revoked: list[str] = []
    needs_password: list[str] = []
    recovery_code = None
    for name in slots.names():
        slot = slots.get(name)
        if slot is None:
            continue
        if slot.kind == "recovery":
            if slot.revocable:
                keep.append(reseal(slot, new))
            continue
        if name in active and slot.revocable:
            keep.append(reseal(slot, new))
        elif name in active:
            needs_password.append(name)
        else:
            revoked.append(name)
    if not any(s.kind == "recovery" for s in keep):  # format 1: the code itself is needed to follow
        recovery_code = new_recovery_code()
        keep.append(make_slot(RECOVERY_SLOT, "recovery", new, recovery_code, admin_key=store.admin_key))
    if ctx.actor.login not in {s.name for s in keep}:
        raise ValidationError([Problem("key.self_missing", {}, "login")])
    slots.set_pending(key_check(new), keep)
    store.rotation = Rotation(old=old, new=new, page_key=old, admin_key=store.admin_key)
    finished = finish(store, progress)
    with store.write() as s:
        audit_log.append(
            s,
            ctx.actor.login,
            "key.rotated",
            "site",
            "1",
            {
                "reason": reason,
                "users": len([k for k in keep if k.kind == "user"]),
                "revoked": revoked,
                "needs_password": needs_password,
                "recovery_renewed": recovery_code is not None,
            },
        )
    log.info(
        "database key rotated (%s): %d slots kept, %d left out", reason, len(keep), len(revoked) + len(needs_password)
    )
    return RotationResult(
        len([k for k in keep if k.kind == "user"]), tuple(revoked), tuple(needs_password), recovery_code, finished
    )


def finish(store: Store, progress: Progress | None = None) -> bool:
    """Carry the rotation under way in `store` to its end (steps 2 to 5 above); it may have
    been started by this process or by one that crashed."""
    rotation = store.rotation
    assert rotation is not None
    cipher = FieldCipher(rotation.new, previous=rotation.old)
    store.use(store.engine, cipher)
    with store.write() as s:
        audit_log.set_key_in_force(s, key_check(rotation.new))
    _reencrypt(store, cipher, progress)
    path = store.location.sqlite_path
    if path is not None and rotation.page_key != rotation.new:
        store.engine.dispose()
        if not rekey_sqlite(path, rotation.page_key, rotation.new):
            # Another window on this computer has the file open: the personal columns are
            # under the new key already, and the left-out users cannot sign in (their slot is
            # not among the pending ones); the pages follow at the next sign-in made alone.
            log.warning("key rotation: the file is open elsewhere; its pages are rekeyed at the next sign-in")
            return False
        store.use(sqlite_engine(path, rotation.new), cipher)
    database.slot_store(store.location).promote()
    store.use(store.engine, FieldCipher(rotation.new))
    store.rotation = None
    log.info("key rotation finished")
    return True


Row = TypeVar("Row", Patient, CoverageCheck)


def _in_batches(
    store: Store,
    fetch: Callable[[Session, str, int], Sequence[Row]],
    change: Callable[[Session, Row], None],
    done: int,
    total: int,
    progress: Progress | None,
) -> int:
    """`change` every row `fetch` gives, BATCH rows per committed transaction (by id)."""
    after = ""
    while True:
        with store.write() as s:
            batch = fetch(s, after, BATCH)
            for row in batch:
                change(s, row)
            if batch:
                after = batch[-1].id
        done += len(batch)
        if progress is not None:
            progress(done, total)
        if len(batch) < BATCH:
            return done


def _check(cipher: FieldCipher) -> Callable[[Session, CoverageCheck], None]:
    def change(_s: Session, c: CoverageCheck) -> None:
        for column in ("member_number_enc", "note_enc"):
            name = "coverage_checks." + column.removesuffix("_enc")
            token = getattr(c, column)
            if not cipher.is_current(token, name):
                setattr(c, column, cipher.encrypt(cipher.decrypt(token, name), name))

    return change


def _reencrypt(store: Store, cipher: FieldCipher, progress: Progress | None) -> None:
    with store.read() as s:
        total = rekey.count_rows(s)

    def patient(s: Session, p: Patient) -> None:
        if not cipher.is_current(p.surname_enc, "patients.surname"):  # else done before a crash
            _patient(s, cipher, p)

    done = _in_batches(store, rekey.patients_after, patient, 0, total, progress)
    done = _in_batches(store, rekey.checks_after, _check(cipher), done, total, progress)
    with store.write() as s:
        audit_log.reencrypt_key(s, cipher)
        for d in rekey.drafts(s):
            if not cipher.is_current(d.payload_enc, "form_drafts.payload"):
                try:
                    d.payload_enc = (
                        cipher.encrypt(cipher.decrypt(d.payload_enc, "form_drafts.payload"), "form_drafts.payload")
                        or ""
                    )
                except Exception:  # noqa: BLE001 - a draft neither key opens is not worth keeping
                    s.delete(d)
            done += 1
    if progress is not None:
        progress(total, total)


_PATIENT_COLUMNS = ("surname", "first_name", "birth_date", "nir", "member_number")


def _patient(s: Session, cipher: FieldCipher, p: Patient) -> None:
    """One patient under the new key: its columns, its NIR index and its name tokens."""
    values = {c: cipher.decrypt(getattr(p, c + "_enc"), "patients." + c) for c in _PATIENT_COLUMNS}
    for c, value in values.items():
        setattr(p, c + "_enc", cipher.encrypt(value, "patients." + c))
    p.nir_bidx = nir_index(cipher, values["nir"] or "")
    tokens = search_tokens(cipher, values["surname"] or "", values["first_name"] or "")
    patient_store.replace_search_tokens(s, p.id, tokens)


i18n.register(
    {
        "key.self_missing": i18n.N_(
            "Votre propre accès ne peut pas suivre la nouvelle clé : reconnectez-vous une fois, puis recommencez."
        ),
    }
)
