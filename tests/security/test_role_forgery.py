"""Issue 12: authority the database key alone does not give.

A counter user holds the database key; `UPDATE users SET role='admin'` used to make them an
administrator (`verifier --user demo-comptoir batch export 1 --out o` then succeeded). User
rows are now signed with the administrators' Ed25519 key, which only administrators' slots
hold: the forged row does not verify and gives nothing.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import text

from tests.factories import PASSWORD, make_site, queued_claim
from tests.integration.test_cli import run
from verifier.domain.errors import PermissionDenied
from verifier.security import signing
from verifier.security.crypto import b64
from verifier.services import auth, batches, users
from verifier.store.engine import Location

COUNTER_PASSWORD = "grenier ardoise tulipe 47"


def _sql(ctx: object, statement: str, **params: object) -> None:
    """What a counter can do with the key their password unwraps: any SQL at all."""
    with ctx.store.engine.begin() as conn:  # type: ignore[attr-defined]
        conn.execute(text(statement), params)


def test_a_role_changed_by_sql_gives_no_right(location: Location) -> None:
    with make_site(location) as admin:
        auth.add_user(admin, "comptoir", "Comptoir", "counter", COUNTER_PASSWORD)
        queued_claim(admin)
    with auth.sign_in(location, "comptoir", COUNTER_PASSWORD) as counter:
        _sql(counter, "UPDATE users SET role = 'admin' WHERE login = 'comptoir'")
    with auth.sign_in(location, "comptoir", COUNTER_PASSWORD) as forged:
        assert not forged.actor.is_admin  # the row does not verify: the counter's role
        with pytest.raises(PermissionDenied):
            batches.create_batch(forged, 1)
    # Copying an administrator's signature onto the row does not help: it names the user.
    with auth.sign_in(location, "comptoir", COUNTER_PASSWORD) as counter:
        _sql(
            counter,
            "UPDATE users SET signature = (SELECT signature FROM users WHERE login = 'admin') WHERE login = 'comptoir'",
        )
    with auth.sign_in(location, "comptoir", COUNTER_PASSWORD) as forged:
        assert not forged.actor.is_admin
    # Nor does replacing the public key by one of their own, signing their row with it: the
    # signing key must be in hand, and their slot holds none.
    fake = signing.new_signing_key()
    with auth.sign_in(location, "comptoir", COUNTER_PASSWORD) as counter:
        uid = counter.actor.user_id
        _sql(
            counter,
            "UPDATE settings SET value = :v WHERE key = 'admin.public_key'",
            v=f'"{b64(signing.public_of(fake))}"',
        )
        _sql(
            counter,
            "UPDATE users SET signature = :s WHERE id = :id",
            s=signing.sign(fake, signing.user_message(uid, "comptoir", "admin", True)),
            id=uid,
        )
    with auth.sign_in(location, "comptoir", COUNTER_PASSWORD) as forged:
        with pytest.raises(PermissionDenied):
            batches.create_batch(forged, 1)
    # The real administrator is told the key in the database is not theirs.
    with auth.sign_in(location, "admin", PASSWORD) as admin, pytest.raises(PermissionDenied) as caught:
        users.list_users(admin)
    assert caught.value.problem.code == "authority.key_replaced"


def test_the_signing_key_follows_the_administrators(location: Location) -> None:
    with make_site(location) as admin:
        auth.add_user(admin, "second", "Second", "admin", COUNTER_PASSWORD)
    with auth.sign_in(location, "second", COUNTER_PASSWORD) as second:
        assert users.list_users(second)  # an administrator added by one: holds the key
        users.set_role(second, "admin", "counter")
    with auth.sign_in(location, "admin", PASSWORD) as demoted:
        assert not demoted.actor.is_admin
        assert demoted.store.admin_key is None  # taken out of their slot
    with auth.sign_in(location, "second", COUNTER_PASSWORD) as second:
        users.set_role(second, "admin", "admin")
    with auth.sign_in(location, "admin", PASSWORD) as admin:
        assert users.list_users(admin)


def test_the_command_line_refuses_the_forged_administrator(tmp_path: Path) -> None:
    """The issue's reproduction, on the demonstration site."""
    from verifier.services import demo

    db = tmp_path / "demo.db"
    made = run(tmp_path, "--db", str(db), "demo")
    assert made.returncode == 0, made.stderr
    with auth.sign_in(Location(sqlite_path=db), demo.DEMO_COUNTER, demo.DEMO_PASSWORD) as counter:
        _sql(counter, "UPDATE users SET role = 'admin' WHERE login = :l", l=demo.DEMO_COUNTER)
    out = run(
        tmp_path,
        "--db",
        str(db),
        "--user",
        demo.DEMO_COUNTER,
        "batch",
        "export",
        "1",
        "--out",
        str(tmp_path / "o"),
        "--plain",
        env={"VERIFIER_PASSWORD": demo.DEMO_PASSWORD},
    )
    assert out.returncode != 0 and "Traceback" not in out.stderr
    assert "administrateur" in out.stderr
    assert not (tmp_path / "o").exists() or not any((tmp_path / "o").iterdir())
