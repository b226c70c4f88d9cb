"""Issue 12: retention. Settled claims do not keep their patients' identities for ever: a
purge pseudonymises the patients whose claims are all settled and untouched for the
retention period, keeps every amount and the audit chain verifiable, is audited, and is
refused while claims are queued."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import text

from tests.factories import make_site, patient_input, queued_claim
from verifier.services import audit, claims, patients, retention, settings
from verifier.services.context import Context
from verifier.store.engine import Location


def _settle(ctx: Context, claim_id: str, status: str, days_ago: int) -> None:
    """The claim paid (or rejected) long ago: what years of returns leave behind."""
    old = datetime.now(UTC) - timedelta(days=days_ago)
    with ctx.store.write() as s:
        s.execute(
            text("UPDATE claims SET status = :st, updated_at = :at, created_at = :at WHERE id = :id"),
            {"st": status, "at": old, "id": claim_id},
        )
        pid = s.execute(text("SELECT patient_id, check_id FROM claims WHERE id = :id"), {"id": claim_id}).one()
        s.execute(text("UPDATE patients SET updated_at = :at WHERE id = :p"), {"at": old, "p": pid[0]})
        s.execute(text("UPDATE coverage_checks SET checked_at = :at WHERE id = :c"), {"at": old, "c": pid[1]})


def test_a_purge_pseudonymises_long_settled_patients_only(location: Location) -> None:
    with make_site(location) as admin:
        old = queued_claim(admin, surname="ANCIENPAYE", order=901)
        recent = queued_claim(admin, surname="RECENTPAYE", order=902)
        waiting = queued_claim(admin, surname="ENATTENTE", order=903)
        _settle(admin, old.id, "paid", days_ago=4 * 365)
        _settle(admin, recent.id, "paid", days_ago=30)
        amounts_before = claims.get(admin, old.id).amc

        with pytest.raises(retention.RetentionRefused) as refused:  # one claim still queued
            retention.purge(admin)
        assert "en file d'attente (1)" in str(refused.value)
        _settle(admin, waiting.id, "rejected", days_ago=10)

        assert retention.purge(admin, dry_run=True).patients == 1
        done = retention.purge(admin)
        assert (done.patients, done.claims) == (1, 1)
        assert retention.purge(admin).patients == 0  # already done: nothing more

        gone = claims.get(admin, old.id)
        person = patients.get(admin, gone.patient_id)
        assert person.surname.startswith("ANONYME-") and person.first_name == "" and person.nir == ""
        assert person.member_number is None
        assert gone.amc == amounts_before  # the money stays
        assert not patients.search(admin, "ANCIENPAYE")
        assert patients.search(admin, patient_input(order=901).nir) == []
        assert [p.surname for p in patients.search(admin, "RECENTPAYE")] == ["RECENTPAYE"]  # within retention
        assert audit.verify(admin).broken_at is None and not audit.amount_mismatches(admin)
        with admin.store.engine.connect() as conn:
            details = conn.execute(
                text("SELECT details FROM audit_events WHERE action = 'retention.purged'")
            ).scalar_one()
        assert '"patients":1' in details and "ANCIENPAYE" not in details


def test_the_retention_setting_has_bounds(location: Location) -> None:
    with make_site(location) as admin:
        with pytest.raises(Exception) as err:
            settings.save(admin, settings.SiteSettings(identity_retention_months=3))
        assert "entre 12 et 120 mois" in str(err.value)


def test_the_retention_commands(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from tests.integration.test_cli import run
    from verifier.services import demo

    db = tmp_path / "demo.db"
    assert run(tmp_path, "--db", str(db), "demo").returncode == 0
    env = {"VERIFIER_PASSWORD": demo.DEMO_PASSWORD}
    base = ("--db", str(db), "--user", demo.DEMO_ADMIN, "retention")
    assert "gardées 24 mois" in run(tmp_path, *base, "set", "24", env=env).stdout
    bad = run(tmp_path, *base, "set", "6", env=env)
    assert bad.returncode == 1 and "entre 12 et 120 mois" in bad.stderr
    refused = run(tmp_path, *base, "purge", "--dry-run", env=env)  # the demo has queued claims
    assert refused.returncode == 1 and "Purge refusée" in refused.stderr and "Traceback" not in refused.stderr
