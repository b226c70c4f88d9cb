"""Services the counter desk stands on: outages, ceilings and overrides, drafts, settings."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from tests.factories import PASSWORD, line, make_check, make_site, patient_input
from verifier.domain.errors import PermissionDenied, ValidationError
from verifier.domain.states import ClaimStatus
from verifier.services import auth, checks, claims, drafts, outages, patients, settings
from verifier.services.ceilings import CeilingExceeded, Override
from verifier.services.context import Context
from verifier.store.engine import Location
from verifier.store.schema import AuditEvent, Claim


@pytest.fixture
def admin(location: Location) -> Iterator[Context]:
    ctx = make_site(location)
    yield ctx
    ctx.close()


@pytest.fixture
def counter(admin: Context) -> Iterator[Context]:
    auth.add_user(admin, "anne", "Anne", "counter", "anne's long password")
    ctx = auth.sign_in(admin.store.location, "anne", "anne's long password")
    yield ctx
    ctx.close()


def _check(ctx: Context) -> checks.CheckInfo:
    p, _ = patients.save(ctx, patient_input())
    return make_check(ctx, p.id)


def test_claims_made_during_an_outage_are_marked(admin: Context, counter: Context) -> None:
    before = claims.create(counter, _check(counter).id, [line()], queue_now=True)
    down = outages.declare_down(counter, "viamedis", "Plateforme injoignable")
    assert [o.operator_code for o in outages.current(admin)] == ["VIAMEDIS"]
    with pytest.raises(ValidationError):
        outages.declare_down(admin, "VIAMEDIS")
    during = claims.create(counter, _check(counter).id, [line()], queue_now=True)
    outages.declare_up(admin, "VIAMEDIS")
    assert outages.current(admin) == []
    with admin.store.read() as s:
        rows = {c.id: c for c in s.scalars(select(Claim))}
    assert not rows[before.id].operator_down and rows[before.id].outage_id is None
    assert rows[during.id].operator_down and rows[during.id].outage_id == down.id
    assert checks.get(admin, claims.get(admin, during.id).check_id).operator_down


def test_ceiling_needs_an_administrator_and_a_reason(admin: Context, counter: Context) -> None:
    check = _check(counter)
    big = [line("250.00", "30"), line("200.00", "30")]  # AMC 315,00 > 300,00
    with pytest.raises(CeilingExceeded) as err:
        claims.create(counter, check.id, big, queue_now=True)
    assert [p.code for p in err.value.problems] == ["ceiling.claim"]
    assert "315,00" in str(err.value)
    with pytest.raises(ValidationError) as bad:
        claims.create(counter, check.id, big, queue_now=True, override=Override("anne", "anne's long password", "ok"))
    assert {p.code for p in bad.value.problems} == {"override.reason", "override.not_admin"}
    with pytest.raises(ValidationError) as wrong:
        claims.create(
            counter, check.id, big, queue_now=True, override=Override("admin", "bad password!!", "Ordonnance urgente")
        )
    assert wrong.value.problems[0].field == "password"
    c = claims.create(
        counter, check.id, big, queue_now=True, override=Override("admin", PASSWORD, "Ordonnance urgente")
    )
    assert c.status is ClaimStatus.QUEUED
    with admin.store.read() as s:
        row = s.get(Claim, c.id)
        assert (
            row is not None and row.override_reason == "Ordonnance urgente" and row.override_by == admin.actor.user_id
        )
        ev = s.scalars(select(AuditEvent).where(AuditEvent.action == "claim.override")).one()
        assert "ceiling.claim" in ev.details and "urgente" not in ev.details


def test_outstanding_and_check_age_ceilings(admin: Context, counter: Context) -> None:
    settings.save(admin, settings.SiteSettings(insurer_outstanding_ceiling=Decimal("10.00")))
    check = _check(counter)
    claims.create(counter, check.id, [line()], queue_now=True)  # 3,50 outstanding
    draft = claims.create(counter, check.id, [line("20.00")])  # 7,00 more -> 10,50
    with pytest.raises(CeilingExceeded) as err:
        claims.queue(counter, draft.id)
    assert [p.code for p in err.value.problems] == ["ceiling.insurer"]
    claims.queue(counter, draft.id, Override("admin", PASSWORD, "Accord de la mutuelle"))
    p, _ = patients.save(counter, patient_input())
    old = checks.record(
        counter,
        checks.CheckInput(
            p.id,
            "90412345",
            "card",
            "covered",
            make_check(counter, p.id).guarantees,
            checked_at=datetime.now(UTC) - timedelta(days=2),
        ),
    )
    settings.save(admin, settings.SiteSettings())
    with pytest.raises(CeilingExceeded) as err2:
        claims.create(counter, old.id, [line()], queue_now=True)
    assert [p.code for p in err2.value.problems] == ["ceiling.check_age"]


def test_settings_are_admin_only_and_validated(admin: Context, counter: Context) -> None:
    assert settings.load(counter).claim_amc_ceiling == Decimal("300.00")
    with pytest.raises(PermissionDenied):
        settings.save(counter, settings.SiteSettings(idle_lock_minutes=10))
    with pytest.raises(ValidationError):
        settings.save(admin, settings.SiteSettings(idle_lock_minutes=0))
    settings.save(admin, settings.SiteSettings(idle_lock_minutes=10, claim_amc_ceiling=Decimal("150.50")))
    loaded = settings.load(counter)
    assert loaded.idle_lock_minutes == 10 and loaded.claim_amc_ceiling == Decimal("150.50")


def test_drafts_are_per_user_and_encrypted(admin: Context, counter: Context) -> None:
    drafts.save(counter, "counter", {"surname": "ZORGLUB", "lines": [{"code": "3400949497294"}]})
    assert drafts.load(counter, "counter") == {"surname": "ZORGLUB", "lines": [{"code": "3400949497294"}]}
    assert drafts.load(admin, "counter") is None
    drafts.save(counter, "counter", {"surname": "AUTRE"})
    assert drafts.load(counter, "counter") == {"surname": "AUTRE"}
    with admin.store.read() as s:
        from verifier.store.schema import FormDraft

        raw = " ".join(d.payload_enc for d in s.scalars(select(FormDraft)))
    assert "AUTRE" not in raw
    drafts.clear(counter, "counter")
    assert drafts.load(counter, "counter") is None
