"""`verifier claims import` of a clinic's stays and consultations (issue 11 point 7), as a
clinic's own software would hand them over: real subprocesses on the demo database."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.integration.test_cli import demo_db, signed  # noqa: F401 - the module-wide demo database

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "clinic-claims.json"


def _write(tmp_path: Path, doc: Any) -> str:
    path = tmp_path / "clinic.json"
    path.write_text(json.dumps(doc, ensure_ascii=False), "utf-8")
    return str(path)


def _count(tmp_path: Path, db: Path) -> int:
    r = signed(tmp_path, db, "claims", "list", "--json", "--limit", "500")
    assert r.returncode == 0, r.stderr
    return int(json.loads(r.stdout)["total_count"])


def test_a_stay_and_a_consultation_are_imported_with_their_amounts(demo_db: Path, tmp_path: Path) -> None:  # noqa: F811
    before = _count(tmp_path, demo_db)
    out = signed(tmp_path, demo_db, "claims", "import", str(EXAMPLE))
    assert out.returncode == 0, out.stderr
    assert "2 demandes mises en file, 0 déjà en file." in out.stdout
    assert _count(tmp_path, demo_db) == before + 2
    listed = json.loads(signed(tmp_path, demo_db, "claims", "list", "--json", "--limit", "500").stdout)
    newest = sorted(listed["claims"], key=lambda c: c["number"])[-2:]
    shown = [json.loads(signed(tmp_path, demo_db, "claims", "show", str(c["number"]), "--json").stdout) for c in newest]
    assert [s["amounts"]["amc"] for s in shown] == ["787.50", "9.00"]
    assert [s["kind"] for s in shown] == ["stay", "consultation"]
    again = signed(tmp_path, demo_db, "claims", "import", str(EXAMPLE))
    assert again.returncode == 0 and "0 demande mise en file, 2 déjà en file." in again.stdout, again.stdout


def test_a_broken_stay_names_its_json_path_and_stores_nothing(demo_db: Path, tmp_path: Path) -> None:  # noqa: F811
    before = _count(tmp_path, demo_db)
    doc = json.loads(EXAMPLE.read_text("utf-8"))
    doc["claims"][0]["reference"] = "another"
    doc["claims"][1]["reference"] = "another-too"
    doc["claims"][0]["stay"]["mode"] = "3"
    doc["claims"][0]["pec"]["guarantees"][4] = "CP cinquante"
    doc["claims"][0]["lines"][2]["optam"] = "oui"
    doc["claims"][1]["kind"] = "hospitalisation"
    r = signed(tmp_path, demo_db, "claims", "import", _write(tmp_path, doc))
    assert r.returncode == 1 and "Traceback" not in r.stderr
    assert "$.claims[0].lines[2].optam:" in r.stderr and "$.claims[1].kind:" in r.stderr
    doc["claims"][0]["lines"][2]["optam"] = True
    doc["claims"][1]["kind"] = "consultation"
    r = signed(tmp_path, demo_db, "claims", "import", _write(tmp_path, doc))
    assert r.returncode == 1 and "Traceback" not in r.stderr
    assert "$.claims[0].stay.mode:" in r.stderr and "$.claims[0].pec.guarantees:" in r.stderr, r.stderr
    assert _count(tmp_path, demo_db) == before
