"""Reusing a returning patient's last check: offered when younger than the site's reuse age,
recorded as a new check pointing to the original. SQLite and PostgreSQL."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from datetime import timedelta

import pytest

from tests.factories import AMC, line, make_check, make_site, patient_input
from verifier.domain.errors import ValidationError
from verifier.services import checks, claims, patients, settings
from verifier.services.context import Context
from verifier.store.engine import Location
from verifier.store.types import utcnow


@pytest.fixture
def admin(location: Location) -> Iterator[Context]:
    ctx = make_site(location)
    yield ctx
    ctx.close()


def test_the_last_check_is_offered_and_reused_as_a_new_check(admin: Context) -> None:
    p, _ = patients.save(admin, patient_input())
    first = make_check(admin, p.id)  # by telephone, reference HOT-12345
    offered = checks.last_reusable(admin, p.id, AMC)
    assert offered is not None and offered.id == first.id and offered.checked_by_name == "Admin"
    again = checks.record(admin, checks.reuse_input(offered, AMC))
    assert again.id != first.id and again.reused_check_id == first.id
    assert (again.method, again.reference, again.outcome, again.guarantees) == (
        "hotline",
        "HOT-12345",
        "covered",
        first.guarantees,
    )
    claim = claims.create(admin, again.id, [line()], queue_now=True)
    assert claim.status == "queued"


def test_a_check_older_than_the_reuse_age_is_not_offered(admin: Context) -> None:
    p, _ = patients.save(admin, patient_input())
    checks.record(
        admin,
        dataclasses.replace(
            checks.reuse_input(make_check(admin, p.id), AMC),
            reused_check_id=None,
            checked_at=utcnow() - timedelta(days=8),
        ),
    )
    # the newest check is from today: offered; a week later it is not
    assert checks.last_reusable(admin, p.id, AMC) is not None
    assert checks.last_reusable(admin, p.id, AMC, now=utcnow() + timedelta(days=8)) is None
    settings.save(admin, dataclasses.replace(settings.load(admin), check_reuse_days=0))
    assert checks.last_reusable(admin, p.id, AMC) is None


def test_a_reuse_must_name_a_check_of_the_same_patient(admin: Context) -> None:
    p, _ = patients.save(admin, patient_input())
    other, _ = patients.save(admin, patient_input(surname="AUTRE", order=202))
    original = make_check(admin, other.id)
    with pytest.raises(ValidationError) as exc:
        checks.record(admin, dataclasses.replace(checks.reuse_input(original, AMC), patient_id=p.id))
    assert exc.value.problems[0].code == "check.reuse_mismatch"
