"""Dated reference values: an administrator adds the value a new decree sets, every claim
computed after uses it from its date, and the command line lists, adds and removes them."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import select

from tests.factories import make_site
from tests.integration.test_cli import run
from verifier.domain import tariffs as t
from verifier.domain.care import CareLine, LineKind, Stay, compute
from verifier.domain.errors import PermissionDenied, ValidationError
from verifier.services import auth, demo, tariffs
from verifier.services.context import Context
from verifier.store.engine import Location
from verifier.store.schema import AuditEvent


@pytest.fixture
def admin(location: Location) -> Iterator[Context]:
    ctx = make_site(location)
    yield ctx
    ctx.close()


def test_a_new_value_applies_from_its_date_and_is_audited(admin: Context) -> None:
    tariffs.add(admin, "fj", date(2027, 1, 1), Decimal("22.00"), "arrêté fictif du 15/12/2026")
    values = tariffs.current(admin)
    assert values.at(t.FJ, date(2026, 12, 31)) == Decimal("20.00")
    assert values.at(t.FJ, date(2027, 1, 1)) == Decimal("22.00")
    stay = Stay(date(2026, 12, 30), date(2027, 1, 2))  # 2 days at 20,00 and 2 at 22,00
    (fj,) = compute(stay, [CareLine(LineKind.DAILY_CHARGE, "FJ", "FJ", 4, Decimal(0))], [], values).lines
    assert fj.amounts.price == Decimal("84.00")
    rows = [r for r in tariffs.every_value(admin) if r.code == t.FJ]
    assert [(r.since, r.shipped) for r in rows] == [
        (date(2010, 1, 1), True),
        (date(2018, 1, 1), True),
        (date(2027, 1, 1), False),
    ]
    with admin.store.read() as s:
        event = s.scalars(select(AuditEvent).where(AuditEvent.action == "tariff.added")).one()
    assert event.entity_id == "FJ" and json.loads(event.details)["amount"] == "22.00"


def test_bad_values_are_refused_and_nothing_is_stored(admin: Context) -> None:
    for code, since, amount, problem in [
        ("XX", date(2027, 1, 1), Decimal("1.00"), "tariff.unknown_code"),
        ("FJ", date(2027, 1, 1), Decimal("-1.00"), "tariff.bad_amount"),
        ("FJ", date(2027, 1, 1), Decimal("1.005"), "tariff.bad_amount"),
        ("FJ", date(2018, 1, 1), Decimal("21.00"), "tariff.same_day"),
    ]:
        with pytest.raises(ValidationError) as exc:
            tariffs.add(admin, code, since, amount)
        assert [p.code for p in exc.value.problems] == [problem]
    assert all(r.shipped for r in tariffs.every_value(admin))
    with pytest.raises(ValidationError) as shipped:
        tariffs.remove(admin, "FJ", date(2018, 1, 1))
    assert shipped.value.problems[0].code == "tariffs.shipped"


def test_only_an_administrator_changes_them(admin: Context) -> None:
    auth.add_user(admin, "anne", "Anne", "counter", "anne's long password")
    counter = auth.sign_in(admin.store.location, "anne", "anne's long password")
    try:
        with pytest.raises(PermissionDenied):
            tariffs.add(counter, "FJ", date(2027, 1, 1), Decimal("22.00"))
        assert tariffs.current(counter).at(t.FJ, date(2027, 6, 1)) == Decimal("20.00")
    finally:
        counter.close()


def test_the_command_line_lists_adds_and_removes(tmp_path: Path) -> None:
    made = run(tmp_path, "demo", "--db", str(tmp_path / "demo.db"))
    assert made.returncode == 0, made.stderr
    env = {"VERIFIER_PASSWORD": demo.DEMO_PASSWORD}

    def cli(*args: str, user: str = demo.DEMO_ADMIN):  # type: ignore[no-untyped-def]
        return run(tmp_path, "--db", str(tmp_path / "demo.db"), *args, "--user", user, env=env)

    added = cli("tariffs", "add", "FJ", "01/01/2027", "22,00", "--source", "arrêté fictif")
    assert added.returncode == 0, added.stderr
    assert added.stdout.strip() == "FJ vaut 22,00\u00a0€ à partir du 01/01/2027."
    listed = cli("tariffs", "list", user=demo.DEMO_COUNTER)
    assert listed.returncode == 0, listed.stderr
    fj = [line for line in listed.stdout.splitlines() if line.startswith("FJ ")]
    assert [line.split()[1] for line in fj] == ["01/01/2010", "01/01/2018", "01/01/2027"]
    assert "ajoutée" in fj[-1] and "arrêté fictif" in fj[-1]
    bad_date = cli("tariffs", "add", "FJ", "2027-01-01", "22")
    assert bad_date.returncode == 1 and "jj/mm/aaaa" in bad_date.stderr and "Traceback" not in bad_date.stderr
    counter = cli("tariffs", "add", "FJ", "01/02/2027", "23,00", user=demo.DEMO_COUNTER)
    assert counter.returncode == 1 and "Seul un administrateur" in counter.stderr
    removed = cli("tariffs", "remove", "fj", "01/01/2027")
    assert removed.returncode == 0, removed.stderr
    again = cli("tariffs", "remove", "FJ", "01/01/2027")
    assert again.returncode == 1 and "Aucune valeur ajoutée de FJ" in again.stderr
