"""`verifier stay simulate`: a stay described in JSON, its amounts computed with the site's
tariffs, every problem named with its JSON path, nothing stored."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.integration.test_cli import run
from verifier.services import demo

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "stay-surgery.json"


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp = tmp_path_factory.mktemp("stay")
    made = run(tmp, "demo", "--db", str(tmp / "demo.db"))
    assert made.returncode == 0, made.stderr
    return tmp


def _simulate(site: Path, *args: str, stdin: str | None = None):  # type: ignore[no-untyped-def]
    return run(
        site,
        "--db",
        str(site / "demo.db"),
        "stay",
        "simulate",
        *args,
        "--user",
        demo.DEMO_COUNTER,
        env={"VERIFIER_PASSWORD": demo.DEMO_PASSWORD},
        stdin=stdin,
    )


def test_the_example_surgery_gives_the_amounts_of_the_worked_example(site: Path) -> None:
    out = _simulate(site, str(EXAMPLE), "--json")
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    assert data["pav"] is True
    assert data["totals"] == {
        "price": "3857.00",
        "br": "2863.50",
        "amo": "2839.50",
        "tm": "24.00",
        "amc": "787.50",
        "patient": "230.00",
    }
    assert [line["quantity"] for line in data["lines"]] == [1, 5, 1, 1, 5, 5]  # FJ, room, TV from the dates
    assert data["warnings"] == []
    text = _simulate(site, str(EXAMPLE))
    assert text.returncode == 0, text.stderr
    assert (
        "Total 3\u00a0857,00\u00a0€ : AMO 2\u00a0839,50\u00a0€, complémentaire 787,50\u00a0€, patient 230,00\u00a0€."
        in text.stdout
    )


def test_every_problem_is_named_with_its_json_path_and_nothing_is_computed(site: Path) -> None:
    bad = {
        "admission": "2026-03-06",
        "discharge": "2026-03-02",
        "exemption": "vip",
        "guarantees": ["SEJOUR 100 % BR", "LUNETTES 100 %", 12],
        "days_used": {"XX": 3},
        "lines": [
            {"kind": "fee", "code": "ADC", "unit_price": "100.00", "br_unit": "150.00"},
            {"kind": "tv"},
            {"kind": "room", "unit_price": "douze"},
        ],
    }
    out = _simulate(site, "-", stdin=json.dumps(bad))
    assert out.returncode == 1 and "Traceback" not in out.stderr
    paths = [line.split(":", 1)[0] for line in out.stderr.splitlines()[:-1]]
    assert paths == [
        "$.exemption",
        "$.discharge",
        "$.guarantees[1]",
        "$.guarantees[2]",
        "$.days_used.XX",
        "$.lines[1].kind",
        "$.lines[2].unit_price",
    ]
    assert out.stderr.splitlines()[-1] == "Rien n'est calculé : corrigez le fichier et recommencez."
    below = {
        "admission": "2026-03-02",
        "lines": [{"kind": "fee", "code": "ADC", "unit_price": "100.00", "br_unit": "150.00"}],
    }
    refused = _simulate(site, "-", stdin=json.dumps(below))
    assert refused.returncode == 1
    assert refused.stderr.startswith("$.lines[0].unit_price: L'acte ADC est facturé sous sa base de remboursement")
    garbage = _simulate(site, "-", stdin="{not json")
    assert garbage.returncode == 1 and garbage.stderr.startswith("$: ce n'est pas du JSON valide (ligne 1, colonne 2).")
