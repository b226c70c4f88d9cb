"""`verifier claims import` as a script runs it (real subprocesses, the demo database):
all or nothing, every problem with its JSON path, the same file twice queues nothing new."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from tests.integration.test_cli import demo_db, run, signed  # noqa: F401 - the module-wide demo database
from verifier.exports.bundle import open_bundle
from verifier.services import demo

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "claims-outage-day.json"


def _queued(tmp_path: Path, db: Path) -> int:
    r = signed(tmp_path, db, "claims", "list", "--status", "queued", "--json", "--limit", "500")
    assert r.returncode == 0, r.stderr
    return int(json.loads(r.stdout)["total_count"])


def _write(tmp_path: Path, doc: Any) -> str:
    path = tmp_path / "claims.json"
    path.write_text(doc if isinstance(doc, str) else json.dumps(doc, ensure_ascii=False), "utf-8")
    return str(path)


def _refused(tmp_path: Path, db: Path, doc: Any, before: int) -> str:
    r = signed(tmp_path, db, "claims", "import", _write(tmp_path, doc))
    assert r.returncode == 1, r.stdout
    assert "Traceback" not in r.stderr and "Rien n'a été enregistré" in r.stderr
    assert _queued(tmp_path, db) == before
    return r.stderr


def test_a_broken_file_changes_nothing_and_names_the_json_path(demo_db: Path, tmp_path: Path) -> None:  # noqa: F811
    before = _queued(tmp_path, demo_db)
    example = json.loads(EXAMPLE.read_text("utf-8"))
    assert "ligne 1" in _refused(tmp_path, demo_db, '{"claims": [', before)

    wrong_type = json.loads(json.dumps(example))
    wrong_type["claims"][1]["lines"][0]["quantity"] = "deux"
    wrong_type["claims"][0]["lines"][0]["unit_price"] = 8.77  # a float, not an amount as text
    err = _refused(tmp_path, demo_db, wrong_type, before)
    assert "$.claims[1].lines[0].quantity:" in err and "$.claims[0].lines[0].unit_price:" in err

    # Found only when writing: the first claim is valid, so it must be rolled back too.
    unknown = json.loads(json.dumps(example))
    unknown["claims"][1]["insurer"]["amc_number"] = "11111111"
    assert "$.claims[1].insurer.amc_number:" in _refused(tmp_path, demo_db, unknown, before)

    bad_nir = json.loads(json.dumps(example))
    bad_nir["claims"][1]["patient"]["nir"] = "149096912308700"
    assert "$.claims[1].patient.nir:" in _refused(tmp_path, demo_db, bad_nir, before)

    bad_line = json.loads(json.dumps(example))
    bad_line["claims"][1]["lines"][0]["quantity"] = 0
    assert "$.claims[1].lines[0].quantity:" in _refused(tmp_path, demo_db, bad_line, before)


def test_import_queues_and_twice_queues_nothing_new_from_stdin(demo_db: Path, tmp_path: Path) -> None:  # noqa: F811
    before = _queued(tmp_path, demo_db)
    first = signed(tmp_path, demo_db, "claims", "import", str(EXAMPLE))
    assert first.returncode == 0, first.stderr
    assert "2 demandes mises en file, 0 déjà en file." in first.stdout
    assert _queued(tmp_path, demo_db) == before + 2
    again = run(
        tmp_path,
        "--db",
        str(demo_db),
        "claims",
        "import",
        "-",
        "--user",
        demo.DEMO_ADMIN,
        stdin=EXAMPLE.read_text("utf-8"),
        env={"VERIFIER_PASSWORD": demo.DEMO_PASSWORD},
    )
    assert again.returncode == 0, again.stderr
    assert "0 demande mise en file, 2 déjà en file." in again.stdout and "rien de nouveau" in again.stdout
    assert _queued(tmp_path, demo_db) == before + 2


def test_show_json_amounts_equal_the_export_bundle(demo_db: Path, tmp_path: Path) -> None:  # noqa: F811
    imported = signed(tmp_path, demo_db, "claims", "import", str(EXAMPLE))
    assert imported.returncode == 0, imported.stderr
    number = imported.stdout.split()[0]  # the first claim, insurer 90412345
    shown = signed(tmp_path, demo_db, "claims", "show", str(int(number)), "--json")
    assert shown.returncode == 0, shown.stderr
    mine = json.loads(shown.stdout)
    text = signed(tmp_path, demo_db, "claims", "show", str(int(number)))
    assert text.returncode == 0 and mine["amounts"]["amc"] in text.stdout
    made = signed(tmp_path, demo_db, "batch", "create", "--insurer", "90412345")
    assert made.returncode == 0, made.stderr
    batch_id = re.search(r"id=(\d+)", made.stdout).group(1)  # type: ignore[union-attr]
    out = signed(tmp_path, demo_db, "batch", "export", batch_id, "--out", str(tmp_path / "outbox"), "--plain")
    assert out.returncode == 0, out.stderr
    (bundle,) = (tmp_path / "outbox").iterdir()
    exported = json.loads(open_bundle(bundle)["claims.json"].decode("utf-8"))
    (theirs,) = [c for c in exported["claims"] if c["claim_id"] == mine["claim_id"]]
    assert mine["amounts"] == theirs["amounts"] and mine["claim_number"] == theirs["claim_number"]
    keys = (
        "position",
        "quantity",
        "unit_price",
        "br_unit",
        "amo_rate",
        "price",
        "br",
        "amo",
        "tm",
        "amc",
        "patient_share",
    )
    assert [{k: x[k] for k in keys} for x in mine["lines"]] == [{k: x[k] for k in keys} for x in theirs["lines"]]
