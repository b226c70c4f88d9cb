"""Issue 12 point 4: the sign-in lockout cannot be raced. 16 wrong passwords sent at once all
got "wrong password", the slot ended at 2-3 failures and never locked; five waves let 30
guesses through. Each attempt is now counted before the password is tried, atomically."""

from __future__ import annotations

import threading
from collections import Counter

from tests.factories import PASSWORD, make_site
from verifier.security.keyslots import MAX_FAILURES, AuthFailed
from verifier.services import auth
from verifier.store.engine import Location


def _wave(location: Location, tries: int) -> Counter[str]:
    start = threading.Barrier(tries)
    said: Counter[str] = Counter()
    lock = threading.Lock()

    def guess(n: int) -> None:
        start.wait()
        try:
            auth.sign_in(location, "admin", f"mauvais mot de passe {n}").close()
            outcome = "signed in"
        except AuthFailed as exc:
            outcome = exc.problem.code
        with lock:
            said[outcome] += 1

    threads = [threading.Thread(target=guess, args=(n,)) for n in range(tries)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return said


def test_32_parallel_wrong_passwords_lock_the_slot(location: Location) -> None:
    make_site(location).close()
    said = _wave(location, 32)
    assert said["auth.failed"] <= MAX_FAILURES - 1 and said["signed in"] == 0  # at most 5 guesses tried
    assert said["auth.failed"] + said["auth.locked"] == 32
    assert said["auth.locked"] >= 32 - MAX_FAILURES
    again = _wave(location, 8)  # a second wave finds the slot locked: no password is tried
    assert again == Counter({"auth.locked": 8})
    try:
        auth.sign_in(location, "admin", PASSWORD).close()
        raise AssertionError("the right password must wait for the lock to end too")
    except AuthFailed as exc:
        assert exc.problem.code == "auth.locked"


def test_the_right_password_forgives_the_attempts_before_it(location: Location) -> None:
    make_site(location).close()
    for n in range(MAX_FAILURES - 1):
        try:
            auth.sign_in(location, "admin", f"faux {n}").close()
        except AuthFailed:
            pass
    auth.sign_in(location, "admin", PASSWORD).close()  # the 5th attempt, right: signed in, count back to 0
    for n in range(MAX_FAILURES - 1):
        try:
            auth.sign_in(location, "admin", f"faux encore {n}").close()
        except AuthFailed as exc:
            assert exc.problem.code == "auth.failed"
    auth.sign_in(location, "admin", PASSWORD).close()


def test_failed_attempts_are_recorded_by_the_next_sign_in(location: Location) -> None:
    import json

    from sqlalchemy import select

    from verifier.store.schema import AuditEvent

    make_site(location).close()
    for n in range(3):
        try:
            auth.sign_in(location, "admin", f"essai manqué {n}").close()
        except AuthFailed:
            pass
    ctx = auth.sign_in(location, "admin", PASSWORD)
    try:
        with ctx.store.read() as s:
            rows = s.execute(
                select(AuditEvent.action, AuditEvent.details).order_by(AuditEvent.seq.desc()).limit(2)
            ).all()
    finally:
        ctx.close()
    (signed, _), (failed, details) = rows
    assert (signed, failed) == ("session.signed_in", "session.failed_attempts")
    assert json.loads(details) == {"count": 3}


def test_each_lockout_in_a_row_lasts_twice_as_long(location: Location) -> None:
    from datetime import UTC, datetime, timedelta

    from verifier.security.keyslots import lock_minutes, unlock
    from verifier.store import database

    make_site(location).close()
    slots = database.slot_store(location)
    now = datetime(2026, 12, 6, 9, 0, tzinfo=UTC)

    def wave(at: datetime) -> int:
        """Five wrong passwords at `at`: how many minutes the slot is then locked for."""
        for n in range(MAX_FAILURES):
            try:
                unlock(slots, "admin", f"faux {n}", now=at)
            except AuthFailed as exc:
                if exc.problem.code == "auth.locked":
                    return int(exc.problem.params["minutes"])
        raise AssertionError("five wrong passwords must lock the slot")

    locked = []
    for _ in range(4):
        minutes = wave(now)
        locked.append(minutes)
        now += timedelta(minutes=minutes + 1)  # once the lock is over, five more guesses
    assert locked == [5, 10, 20, 40] == [lock_minutes(n) for n in (1, 2, 3, 4)]
    assert lock_minutes(50) == 320  # at most 5 h 20
    unlock(slots, "admin", PASSWORD, now=now)  # the right password: the back-off starts again
    assert wave(now) == 5
