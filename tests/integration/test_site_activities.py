"""What a site does (officine, établissement de santé, centre de santé): chosen at set-up,
kept in the site settings, a wrong choice refused before anything is created."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import PASSWORD
from tests.integration.test_cli import run
from verifier.domain.errors import ValidationError
from verifier.services import auth, settings
from verifier.store import database
from verifier.store.engine import Location


def test_a_clinic_and_centre_site_keeps_its_activities(location: Location) -> None:
    site = auth.SiteInput("Clinique du Lac", activities=("centre", "clinic"))
    ctx, _ = auth.initialise(location, site, "admin", "Admin", PASSWORD)
    try:
        assert settings.load(ctx).activity_set() == ("clinic", "centre")
        changed = settings.save(ctx, settings.SiteSettings(activities="pharmacy"))
        assert changed.activity_set() == ("pharmacy",)
        with pytest.raises(ValidationError) as none:
            settings.save(ctx, settings.SiteSettings(activities=""))
        assert [p.code for p in none.value.problems] == ["settings.activities_none"]
        assert settings.load(ctx).activity_set() == ("pharmacy",)
    finally:
        ctx.close()


def test_an_unknown_activity_creates_nothing(tmp_path: Path) -> None:
    location = Location(sqlite_path=tmp_path / "site.db")
    with pytest.raises(ValidationError) as bad:
        auth.initialise(location, auth.SiteInput("Spa", activities=("spa",)), "admin", "Admin", PASSWORD)
    assert [p.code for p in bad.value.problems] == ["settings.activity_unknown"]
    assert not database.exists(location)
    refused = run(tmp_path, "--db", str(tmp_path / "cli.db"), "init", "--site-name", "Spa", "--activity", "spa")
    assert refused.returncode == 1 and "Activité inconnue : spa" in refused.stderr and "Traceback" not in refused.stderr
    assert not (tmp_path / "cli.db").exists()


def test_the_clinic_and_centre_demo_has_stays_and_consultations_of_every_kind(tmp_path: Path) -> None:
    from tests.integration.test_cli import signed

    db = tmp_path / "clinic.db"
    made = run(tmp_path, "demo", "--db", str(db), "--activity", "clinic,centre")
    assert made.returncode == 0, made.stderr
    listed = json.loads(signed(tmp_path, db, "claims", "list", "--json", "--limit", "100").stdout)["claims"]
    assert {c["kind"] for c in listed} == {"stay", "consultation"}  # no pharmacy claim on a clinic-only site
    assert sum(c["open_stay"] for c in listed) == 1
    assert {c["status"] for c in listed} >= {"draft", "queued", "exported", "accepted", "paid", "rejected"}
    amounts = sorted(c["amc"] for c in listed if c["kind"] == "stay" and c["status"] != "draft")
    assert amounts == sorted(
        ["787.50", "360.00", "450.00", "8.49", "240.00"]
    )  # surgery, medical, psychiatry, FPU, maternity
    refused = run(tmp_path, "demo", "--db", str(tmp_path / "spa.db"), "--activity", "spa")
    assert refused.returncode == 1 and "Activité inconnue : spa" in refused.stderr
    assert not (tmp_path / "spa.db").exists()
