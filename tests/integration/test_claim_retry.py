"""Queueing again with the same claim id (the counter's retry after a lost answer) on both
backends: the stored claim is returned, never a second one, and never a claim that has moved
on since; checks the stored claim itself now fails do not refuse the retry."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import func, select

from tests.factories import PASSWORD, line, make_check, patient_input
from tests.integration.test_counter_services import admin, counter  # noqa: F401 - a site and a counter user
from verifier.domain.errors import ValidationError
from verifier.domain.states import ClaimStatus
from verifier.services import claims, patients
from verifier.services.ceilings import CeilingExceeded, Override
from verifier.services.context import Context
from verifier.store.engine import postgres_connect_args
from verifier.store.schema import Claim


def _count(ctx: Context) -> int:
    with ctx.store.read() as s:
        return int(s.scalar(select(func.count()).select_from(Claim)) or 0)


def test_a_retry_over_a_ceiling_returns_the_claim_already_queued(counter: Context) -> None:
    p, _ = patients.save(counter, patient_input())
    check = make_check(counter, p.id)
    big = [line("250.00", "30"), line("200.00", "30")]  # over the per-claim ceiling
    claim_id = str(uuid.uuid4())
    first = claims.create(
        counter,
        check.id,
        big,
        queue_now=True,
        claim_id=claim_id,
        override=Override("admin", PASSWORD, "Ordonnance urgente"),
    )
    # The answer was lost; the counter retries without the override (it asks only if refused).
    again = claims.create(counter, check.id, big, queue_now=True, claim_id=claim_id)
    assert (again.id, again.number, again.status) == (first.id, first.number, ClaimStatus.QUEUED)
    assert _count(counter) == 1
    # A new form (new id) with the same content is a new claim, and is refused as usual.
    with pytest.raises(CeilingExceeded):
        claims.create(counter, check.id, big, queue_now=True, claim_id=str(uuid.uuid4()))


def test_a_retry_after_a_restart_records_the_check_again_and_still_finds_the_claim(counter: Context) -> None:
    p, _ = patients.save(counter, patient_input())
    claim_id = str(uuid.uuid4())
    first = claims.create(counter, make_check(counter, p.id).id, [line()], queue_now=True, claim_id=claim_id)
    second_check = make_check(counter, p.id)  # the restored form records its check once more
    again = claims.create(counter, second_check.id, [line()], queue_now=True, claim_id=claim_id)
    assert again.number == first.number and _count(counter) == 1
    # Another patient under the same id is another content: refused, nothing stored.
    other, _ = patients.save(counter, patient_input(surname="AUTRE", order=202))
    with pytest.raises(ValidationError) as err:
        claims.create(counter, make_check(counter, other.id).id, [line()], queue_now=True, claim_id=claim_id)
    assert [p.code for p in err.value.problems] == ["claim.id_taken"]
    assert _count(counter) == 1


def test_a_claim_voided_since_is_not_reported_as_queued(counter: Context) -> None:
    p, _ = patients.save(counter, patient_input())
    check = make_check(counter, p.id)
    claim_id = str(uuid.uuid4())
    first = claims.create(counter, check.id, [line()], queue_now=True, claim_id=claim_id)
    claims.void(counter, claim_id, "Erreur de saisie")
    with pytest.raises(ValidationError) as err:
        claims.create(counter, check.id, [line()], queue_now=True, claim_id=claim_id)
    assert [p.code for p in err.value.problems] == ["claim.id_settled"]
    assert f"n° {first.number_text}" in str(err.value) and "rien n'a été mis en file" in str(err.value)
    assert _count(counter) == 1 and claims.get(counter, claim_id).status is ClaimStatus.VOID


def test_tls_settings_made_the_usual_libpq_way_are_not_overridden(monkeypatch: pytest.MonkeyPatch) -> None:
    url = "postgresql://verifier_counter@serveur-officine/verifier"
    monkeypatch.delenv("PGSSLMODE", raising=False)
    monkeypatch.delenv("PGSERVICE", raising=False)
    local = "postgresql://verifier_counter@localhost/verifier"
    assert postgres_connect_args(local)["sslmode"] == "prefer"
    assert "sslmode" not in postgres_connect_args(url + "?sslmode=verify-full")
    assert "sslmode" not in postgres_connect_args("postgresql:///verifier?service=officine")
    monkeypatch.setenv("PGSSLMODE", "require")
    assert "sslmode" not in postgres_connect_args(url)
