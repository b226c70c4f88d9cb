"""Insurers recorded at the counter from the card ("à confirmer"), then confirmed, corrected
or merged by an administrator. Every test runs on encrypted SQLite and on PostgreSQL."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterator
from decimal import Decimal

import pytest
from sqlalchemy import select

from tests.factories import AMC, line, make_site, patient_input
from verifier.domain.coverage import Guarantee
from verifier.domain.errors import PermissionDenied, ValidationError
from verifier.services import auth, batches, checks, claims, directory, patients
from verifier.services.context import Context
from verifier.store.engine import Location
from verifier.store.schema import AuditEvent, Claim, CoverageCheck, Insurer, Patient

NEW_AMC = "31234567"
COUNTER_PASSWORD = "anne's long password"


@pytest.fixture
def admin(location: Location) -> Iterator[Context]:
    ctx = make_site(location)
    yield ctx
    ctx.close()


@pytest.fixture
def counter(admin: Context) -> Iterator[Context]:
    auth.add_user(admin, "anne", "Anne", "counter", COUNTER_PASSWORD)
    ctx = auth.sign_in(admin.store.location, "anne", COUNTER_PASSWORD)
    yield ctx
    ctx.close()


def queue_on(ctx: Context, amc: str, order: int = 101) -> claims.ClaimInfo:
    p, _ = patients.save(ctx, dataclasses.replace(patient_input(order=order), amc_number=amc))
    check = checks.record(
        ctx, checks.CheckInput(p.id, amc, "hotline", "covered", [Guarantee("PHAR", Decimal(100))], reference="HOT-1")
    )
    return claims.create(ctx, check.id, [line()], queue_now=True)


def test_a_counter_user_records_an_insurer_and_queues_on_it_but_it_cannot_be_batched(
    admin: Context, counter: Context
) -> None:
    ins = directory.record_provisional_insurer(counter, f" {NEW_AMC} ", "  Mutuelle du Coin ", "viamedis")
    assert (ins.amc_number, ins.name, ins.operator_code, ins.provisional) == (
        NEW_AMC,
        "Mutuelle du Coin",
        "VIAMEDIS",
        True,
    )
    assert directory.count_provisional(counter) == 1
    claim = queue_on(counter, NEW_AMC)
    assert claim.status == "queued"
    with pytest.raises(ValidationError) as exc:
        batches.create_batch(admin, ins.id)
    assert "à confirmer" in str(exc.value.problems[1].message())
    assert claims.get(admin, claim.id).status == "queued"  # it stays queued
    with admin.store.read() as s:
        row = s.scalars(select(Insurer).where(Insurer.amc_number == NEW_AMC)).one()
        assert row.recorded_by == counter.actor.user_id and row.recorded_at is not None
        event = s.scalars(select(AuditEvent).where(AuditEvent.action == "insurer.recorded_provisional")).one()
        assert json.loads(event.details) == {"amc": NEW_AMC} and event.actor == "anne"


def test_recording_refuses_a_bad_number_a_known_number_and_an_unknown_operator(counter: Context) -> None:
    with pytest.raises(ValidationError) as exc:
        directory.record_provisional_insurer(counter, "12AB", "", "NOPE")
    assert {p.field for p in exc.value.problems} == {"amc_number", "name", "operator"}
    with pytest.raises(ValidationError) as exc:
        directory.record_provisional_insurer(counter, AMC, "Doublon")
    assert exc.value.problems[0].code == "insurer.exists"
    assert directory.count_provisional(counter) == 0


def test_confirm_then_the_claims_can_be_batched(admin: Context, counter: Context) -> None:
    ins = directory.record_provisional_insurer(counter, NEW_AMC, "Mutuelle du Coin")
    queue_on(counter, NEW_AMC)
    confirmed = directory.confirm_insurer(admin, ins.id)
    assert not confirmed.provisional and directory.count_provisional(admin) == 0
    result = batches.create_batch(admin, ins.id)
    assert result.batch.claim_count == 1 and not result.refused
    with pytest.raises(ValidationError):
        directory.confirm_insurer(admin, ins.id)  # only once


def test_correct_number_name_and_operator(admin: Context, counter: Context) -> None:
    ins = directory.record_provisional_insurer(counter, NEW_AMC, "Mutuel du Coin")
    with pytest.raises(ValidationError) as exc:
        directory.correct_insurer(admin, ins.id, amc_number=AMC, name="X", operator_code=None)
    assert exc.value.problems[0].code == "insurer.exists_merge"
    fixed = directory.correct_insurer(
        admin, ins.id, amc_number="31234568", name="Mutuelle du Coin", operator_code="VIAMEDIS"
    )
    assert (fixed.amc_number, fixed.name, fixed.operator_code, fixed.provisional) == (
        "31234568",
        "Mutuelle du Coin",
        "VIAMEDIS",
        False,
    )


def test_merge_moves_claims_checks_and_patients_and_removes_the_row(admin: Context, counter: Context) -> None:
    ins = directory.record_provisional_insurer(counter, NEW_AMC, "Mut. Test (carte)")
    claim = queue_on(counter, NEW_AMC)
    known = directory.get_insurer(admin, AMC)
    merged = directory.merge_insurer(admin, ins.id, known.id)
    assert merged.id == known.id and directory.count_provisional(admin) == 0
    with admin.store.read() as s:
        assert s.get(Insurer, ins.id) is None
        assert s.get(Claim, claim.id).insurer_id == known.id  # type: ignore[union-attr]
        assert {c.insurer_id for c in s.scalars(select(CoverageCheck))} == {known.id}
        assert {p.insurer_id for p in s.scalars(select(Patient))} == {known.id}
        event = s.scalars(select(AuditEvent).where(AuditEvent.action == "insurer.merged")).one()
        assert json.loads(event.details) == {
            "amc": AMC,
            "from_amc": NEW_AMC,
            "claims": 1,
            "checks": 1,
            "patients": 1,
            "batches": 0,
        }
    assert batches.create_batch(admin, known.id).batch.claim_count == 1


def test_a_counter_user_cannot_confirm_correct_or_merge(admin: Context, counter: Context) -> None:
    ins = directory.record_provisional_insurer(counter, NEW_AMC, "Mutuelle du Coin")
    known = directory.get_insurer(admin, AMC)
    with pytest.raises(PermissionDenied):
        directory.confirm_insurer(counter, ins.id)
    with pytest.raises(PermissionDenied):
        directory.merge_insurer(counter, ins.id, known.id)
    with pytest.raises(PermissionDenied):
        directory.correct_insurer(counter, ins.id, amc_number=NEW_AMC, name="X", operator_code=None)
    assert directory.get_insurer(admin, ins.id).provisional
