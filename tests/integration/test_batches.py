"""Batches: numbering per insurer, completeness, void until sent, sent (SQLite and PostgreSQL)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta

import pytest

from tests.factories import AMC, make_site, queued_claim
from verifier.domain.errors import PermissionDenied, ValidationError
from verifier.domain.states import ClaimStatus
from verifier.services import auth, batches, claims, directory, patients
from verifier.services.context import Context
from verifier.store.engine import Location


@pytest.fixture
def admin(location: Location) -> Iterator[Context]:
    ctx = make_site(location)
    yield ctx
    ctx.close()


def test_batch_numbers_never_repeat_and_void_returns_claims(admin: Context) -> None:
    ins = directory.get_insurer(admin, AMC)
    first = [queued_claim(admin, order=300 + i) for i in range(3)]
    r1 = batches.create_batch(admin, ins.id)
    assert r1.batch.number == 1 and r1.batch.claim_count == 3 and r1.refused == []
    assert {claims.get(admin, c.id).status for c in first} == {ClaimStatus.EXPORTED}
    with pytest.raises(ValidationError):
        batches.create_batch(admin, ins.id)  # nothing left to export
    voided = batches.void_batch(admin, r1.batch.id, "Mauvais organisme")
    assert voided.status == "void"
    assert {claims.get(admin, c.id).status for c in first} == {ClaimStatus.QUEUED}
    r2 = batches.create_batch(admin, ins.id, [first[0].id])
    assert r2.batch.number == 2 and r2.batch.claim_count == 1  # number 1 is never reused
    sent = batches.mark_sent(admin, r2.batch.id, date.today(), "upload")
    assert sent.status == "sent" and sent.channel == "upload"
    with pytest.raises(ValidationError) as err:
        batches.void_batch(admin, r2.batch.id, "trop tard")
    assert "envoyé" in str(err.value)
    with pytest.raises(ValidationError):
        batches.mark_sent(admin, r2.batch.id, date.today() + timedelta(days=1), "mail")


def test_incomplete_claims_stay_queued_with_their_reasons(admin: Context) -> None:
    ins = directory.get_insurer(admin, AMC)
    good = queued_claim(admin, order=401)
    late = queued_claim(admin, order=402, surname="EXPIRE")
    # the card of the second patient turns out to have expired before dispensing
    p = patients.get(admin, late.patient_id)
    patients.save(
        admin,
        patients.PatientInput(
            p.surname,
            p.first_name,
            p.birth_date.text,
            p.nir,
            str(p.rank),
            p.amo_fund or "",
            AMC,
            p.member_number or "",
            date.today() - timedelta(days=300),
            date.today() - timedelta(days=1),
        ),
    )
    result = batches.create_batch(admin, ins.id)
    assert result.batch.claim_count == 1
    assert [(r.claim_number, [p.code for p in r.problems]) for r in result.refused] == [
        (late.number, ["claim.card_expired"])
    ]
    assert claims.get(admin, good.id).status is ClaimStatus.EXPORTED
    assert claims.get(admin, late.id).status is ClaimStatus.QUEUED


def test_counter_cannot_batch(admin: Context) -> None:
    auth.add_user(admin, "anne", "Anne", "counter", "anne's long password")
    ctx = auth.sign_in(admin.store.location, "anne", "anne's long password")
    try:
        queued_claim(ctx)
        with pytest.raises(PermissionDenied):
            batches.create_batch(ctx, directory.get_insurer(ctx, AMC).id)
    finally:
        ctx.close()
