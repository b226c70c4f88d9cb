"""Issue 12 point 2: an audit log that notices removal.

The chain was unkeyed and its head lived in the same database: with any user's key,
`DELETE FROM audit_events; UPDATE audit_head SET seq=0, last_hash='00…0'` left `audit
verify` saying "intact", and so did deleting the tail and moving the head back, or
recomputing the chain after an edit. Now the chain is keyed (HMAC under the site's audit
key), its head is anchored beside the key slots at every sign-in and close, and every
export's manifest carries a witness signed by the administrators' key: each of these
attacks is named.
"""

from __future__ import annotations

import json
import shutil
import zipfile
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import select, text

from tests.factories import PASSWORD, make_site, queued_claim
from verifier.security.audit import GENESIS, event_hash
from verifier.services import audit, auth, batches
from verifier.services.context import Context
from verifier.store import audit_log
from verifier.store.engine import Location
from verifier.store.schema import AuditEvent


def _sql(ctx: Context, *statements: str, **params: object) -> None:
    with ctx.store.engine.begin() as conn:
        for statement in statements:
            conn.execute(text(statement), params)


def _activity(location: Location, claims: int = 2) -> None:
    with make_site(location) as admin:
        for n in range(claims):
            queued_claim(admin, order=500 + n, surname=f"ANCRE{n}")


def _findings(
    location: Location, manifests: tuple[Path, ...] = ()
) -> tuple[audit_log.ChainReport, list[audit.AnchorFinding]]:
    with auth.sign_in(location, "admin", PASSWORD) as admin:
        return audit.verify(admin), audit.anchors(admin, manifests)


def _head(ctx: Context) -> int:
    with ctx.store.read() as s:
        return audit_log.head(s)[0]


def test_an_emptied_log_is_named(location: Location) -> None:
    _activity(location)
    with auth.sign_in(location, "admin", PASSWORD) as admin:
        before = _head(admin)
        _sql(admin, "DELETE FROM audit_events", f"UPDATE audit_head SET seq = 0, last_hash = '{GENESIS}'")
    chain, found = _findings(location)
    assert chain.broken_at is None  # the chain alone cannot tell: nothing left to check
    assert [(f.source, f.kind) for f in found] == [("slots", audit.TRUNCATED)]
    assert found[0].seq >= before


def test_a_removed_tail_is_named(location: Location) -> None:
    _activity(location)
    with auth.sign_in(location, "admin", PASSWORD) as admin:
        top = _head(admin)
        keep = top - 4
        _sql(
            admin,
            "DELETE FROM audit_events WHERE seq > :keep",
            "UPDATE audit_head SET seq = :keep, last_hash = (SELECT hash FROM audit_events WHERE seq = :keep)",
            keep=keep,
        )
    chain, found = _findings(location)
    assert chain.broken_at is None
    assert [f.kind for f in found] == [audit.TRUNCATED]


def _rewrite_from(ctx: Context, seq: int, key: bytes | None, change: Callable[[str], str]) -> None:
    """Change event `seq`'s details and recompute every hash after it, as an attacker with
    `key` (the audit key, read with the database key) or without it (plain SHA-256)."""
    with ctx.store.read() as s:  # the times as the program reads them (UTC, aware)
        events = s.scalars(select(AuditEvent).where(AuditEvent.seq >= seq - 1).order_by(AuditEvent.seq)).all()
    prev = events[0].hash
    with ctx.store.engine.begin() as conn:
        for ev in events[1:]:
            details = change(ev.details) if ev.seq == seq else ev.details
            digest = event_hash(prev, ev.seq, ev.at, ev.actor, ev.action, ev.entity, ev.entity_id, details, key)
            conn.execute(
                text("UPDATE audit_events SET details = :d, prev_hash = :p, hash = :h WHERE seq = :s"),
                {"d": details, "p": prev, "h": digest, "s": ev.seq},
            )
            prev = digest
        conn.execute(text("UPDATE audit_head SET last_hash = :h"), {"h": prev})


def _amount_event(ctx: Context) -> int:
    with ctx.store.engine.connect() as conn:
        return int(conn.execute(text("SELECT min(seq) FROM audit_events WHERE action = 'claim.created'")).scalar_one())


def test_a_rewrite_without_the_audit_key_breaks_the_chain(location: Location) -> None:
    """Someone with the server's files but not the key (a PostgreSQL operator) recomputes
    the chain with SHA-256, as it used to be: the keyed hashes no longer hold."""
    _activity(location)
    with auth.sign_in(location, "admin", PASSWORD) as admin:
        _rewrite_from(admin, _amount_event(admin), None, lambda d: d.replace('"amc":', '"amc_was":'))
    chain, _ = _findings(location)
    assert chain.broken_at is not None and chain.reason == "hash"


def test_a_rewrite_with_the_audit_key_is_named_by_the_anchor(location: Location) -> None:
    """A user holding the database key can read the audit key and recompute a consistent
    chain; the anchor, taken before, holds the old hash."""
    _activity(location)
    with auth.sign_in(location, "admin", PASSWORD) as admin:
        key = admin.store.audit_key
        assert key is not None
        _rewrite_from(admin, _amount_event(admin), key.key, lambda d: d.replace('"amc":', '"amc_was":'))
    chain, found = _findings(location)
    assert chain.broken_at is None
    assert [f.kind for f in found] == [audit.REWRITTEN]


def test_an_older_copy_of_the_database_put_back_is_named(tmp_path: Path) -> None:
    """The rollback: a copy of the file from this morning replaces tonight's (the slot file,
    where the anchor is, stays)."""
    location = Location(sqlite_path=tmp_path / "site.db")
    _activity(location, claims=1)
    shutil.copy2(tmp_path / "site.db", tmp_path / "morning.db")
    with auth.sign_in(location, "admin", PASSWORD) as admin:
        queued_claim(admin, order=600, surname="SOIR")
    (tmp_path / "site.db-wal").unlink(missing_ok=True)
    (tmp_path / "site.db-shm").unlink(missing_ok=True)
    shutil.copy2(tmp_path / "morning.db", tmp_path / "site.db")
    _, found = _findings(location)
    assert [f.kind for f in found] == [audit.TRUNCATED]


def test_the_insurers_witness_names_what_the_local_anchor_cannot(location: Location, tmp_path: Path) -> None:
    """An attacker with the audit key removes the tail and forges the local anchor too; the
    manifest the insurer received holds a witness signed with the administrators' key,
    which the attacker does not have."""
    _activity(location)
    with auth.sign_in(location, "admin", PASSWORD) as admin:
        batch = batches.create_batch(admin, 1).batch
        bundle = batches.export_batch(admin, batch.id, tmp_path / "out")
        witness = json.loads(zipfile.ZipFile(bundle).read("manifest.json"))["audit_witness"]
        assert set(witness) == {"seq", "hash", "at", "signature"}
        keep = int(witness["seq"]) - 1
        _sql(
            admin,
            "DELETE FROM audit_events WHERE seq > :keep",
            "UPDATE audit_head SET seq = :keep, last_hash = (SELECT hash FROM audit_events WHERE seq = :keep)",
            keep=keep,
        )
    # Only the manifest is given: the slot anchor may have been rewritten as well.
    with auth.sign_in(location, "admin", PASSWORD) as admin:
        found = [f for f in audit.anchors(admin, (bundle,)) if f.source != "slots"]
    # The sign-in since wrote new events past the cut: another event now holds the witness's place.
    assert [(f.kind, f.seq) for f in found] == [(audit.REWRITTEN, keep + 1)]


def test_a_forged_local_anchor_is_named(location: Location) -> None:
    _activity(location)
    if location.sqlite_path is not None:
        path = location.sqlite_path.with_name(location.sqlite_path.name + ".keys")
        data = json.loads(path.read_text("utf-8"))
        data["audit_anchor"]["seq"] = 1
        data["audit_anchor"]["hash"] = "ab" * 32
        path.write_text(json.dumps(data), "utf-8")
    else:
        with auth.sign_in(location, "admin", PASSWORD) as admin:
            _sql(
                admin,
                "UPDATE settings SET value = :v WHERE key = 'audit.anchor'",
                v=json.dumps({"seq": 1, "hash": "ab" * 32, "at": "2026-01-01T00:00:00+00:00", "mac": "00"}),
            )
    _, found = _findings(location)
    assert [f.kind for f in found] == [audit.FORGED]


def test_audit_verify_names_truncation_on_the_command_line(tmp_path: Path) -> None:
    from tests.integration.test_cli import run
    from verifier.services import demo

    db = tmp_path / "demo.db"
    assert run(tmp_path, "--db", str(db), "demo").returncode == 0
    with auth.sign_in(Location(sqlite_path=db), demo.DEMO_COUNTER, demo.DEMO_PASSWORD) as counter:
        _sql(counter, "DELETE FROM audit_events", f"UPDATE audit_head SET seq = 0, last_hash = '{GENESIS}'")
    out = run(
        tmp_path,
        "--db",
        str(db),
        "--user",
        demo.DEMO_ADMIN,
        "audit",
        "verify",
        env={"VERIFIER_PASSWORD": demo.DEMO_PASSWORD},
    )
    assert out.returncode == 1 and "tronqué" in out.stderr, out.stderr + out.stdout


def test_garbage_given_as_a_manifest_is_a_sentence(tmp_path: Path) -> None:
    from tests.integration.test_cli import run
    from verifier.services import demo

    db = tmp_path / "demo.db"
    assert run(tmp_path, "--db", str(db), "demo").returncode == 0
    garbage = {
        "binary.json": bytes(range(256)) * 8,
        "deep.json": b"[" * 100_000 + b"]" * 100_000,
        "utf16.json": "{}".encode("utf-16"),
        "witness.json": b'{"audit_witness": {"seq": "x", "hash": []}}',
        "broken.zip": b"PK\x03\x04 not a zip",
    }
    for name, data in garbage.items():
        (tmp_path / name).write_bytes(data)
        out = run(
            tmp_path,
            "--db",
            str(db),
            "--user",
            demo.DEMO_ADMIN,
            "audit",
            "verify",
            "--manifest",
            str(tmp_path / name),
            env={"VERIFIER_PASSWORD": demo.DEMO_PASSWORD},
        )
        assert out.returncode == 1 and "Un manifeste donné ne se lit pas" in out.stderr, (name, out.stderr)
