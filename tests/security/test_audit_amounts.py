"""Issue 12 point 2 (part): a claim's AMC changed by SQL, with no audit event, was not seen:
`audit verify` said the log was intact. Each amount-setting event records the AMC, and
`audit verify` compares every claim with the last one."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from sqlalchemy import update

from tests.integration.test_cli import run
from verifier.location import Location
from verifier.services import audit, auth, demo
from verifier.store.schema import Claim


def _verify(tmp_path: Path, db: Path):  # type: ignore[no-untyped-def]
    return run(
        tmp_path,
        "--db",
        str(db),
        "audit",
        "verify",
        "--user",
        demo.DEMO_ADMIN,
        env={"VERIFIER_PASSWORD": demo.DEMO_PASSWORD},
    )


def test_an_amount_changed_by_sql_is_named_by_audit_verify(tmp_path: Path) -> None:
    db = tmp_path / "demo.db"
    made = run(tmp_path, "demo", "--db", str(db), "--activity", "pharmacy,clinic,centre")
    assert made.returncode == 0, made.stderr
    clean = _verify(tmp_path, db)  # every flow of the demo: created, corrected, rectified, discharged
    assert clean.returncode == 0, clean.stderr
    ctx = auth.sign_in(Location(sqlite_path=db), demo.DEMO_ADMIN, demo.DEMO_PASSWORD)
    try:
        assert audit.amount_mismatches(ctx) == []
        with ctx.store.write() as s:  # what a user holding the key could do with any SQLite tool
            s.execute(update(Claim).where(Claim.number == 3).values(amc=Decimal("999.99")))
        (found,) = audit.amount_mismatches(ctx)
        assert (found.number, found.stored) == (3, Decimal("999.99"))
    finally:
        ctx.close()
    tampered = _verify(tmp_path, db)
    assert tampered.returncode == 1 and "Traceback" not in tampered.stderr
    assert "demande n° 0000003 : 999,99\u00a0€ en base" in tampered.stderr
