"""The export bundle: what is inside, that the files agree with the lines and with each other,
that a re-export is byte-identical, and that inconsistent input writes nothing."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
import zipfile
from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader

from tests.unit.test_bundle_samples import CREATED, header_for, make_lines, source
from verifier.exports.bundle import BundleInconsistent, bundle_name, open_bundle, write_bundle
from verifier.exports.csv_writer import BOM, COLUMNS
from verifier.exports.rows import FORMAT_VERSION, ExportLine

SCHEMA = json.loads((Path(__file__).resolve().parents[2] / "docs" / "claims.schema.json").read_text("utf-8"))
MEMBERS = ["manifest.json", "claims.csv", "claims.json", "bordereau.pdf"]


# -- a small JSON Schema checker: the keywords docs/claims.schema.json uses ----------------
def schema_errors(value: Any, schema: dict[str, Any], root: dict[str, Any] = SCHEMA, path: str = "$") -> list[str]:
    if "$ref" in schema:
        target: Any = root
        for part in schema["$ref"].removeprefix("#/").split("/"):
            target = target[part]
        return schema_errors(value, target, root, path)
    errors: list[str] = []
    kinds = {"string": str, "integer": int, "boolean": bool, "object": dict, "array": list, "null": type(None)}
    if "type" in schema:
        allowed = schema["type"] if isinstance(schema["type"], list) else [schema["type"]]
        ok = any(isinstance(value, kinds[k]) and not (k == "integer" and isinstance(value, bool)) for k in allowed)
        if not ok:
            return [f"{path}: {value!r} is not {allowed}"]
    if "const" in schema and value != schema["const"]:
        errors.append(f"{path}: {value!r} != {schema['const']!r}")
    if "enum" in schema and value not in schema["enum"]:
        errors.append(f"{path}: {value!r} not in {schema['enum']}")
    if "pattern" in schema and not re.search(schema["pattern"], value):
        errors.append(f"{path}: {value!r} does not match {schema['pattern']}")
    if "minLength" in schema and len(value) < schema["minLength"]:
        errors.append(f"{path}: too short")
    if "minimum" in schema and value < schema["minimum"]:
        errors.append(f"{path}: {value} < {schema['minimum']}")
    if "minItems" in schema and len(value) < schema["minItems"]:
        errors.append(f"{path}: fewer than {schema['minItems']} items")
    if "anyOf" in schema and all(schema_errors(value, s, root, path) for s in schema["anyOf"]):
        errors.append(f"{path}: matches none of anyOf")
    if isinstance(value, dict):
        for key in schema.get("required", []):
            if key not in value:
                errors.append(f"{path}: missing {key}")
        props = schema.get("properties", {})
        for key, item in value.items():
            if key in props:
                errors += schema_errors(item, props[key], root, f"{path}.{key}")
            elif schema.get("additionalProperties") is False:
                errors.append(f"{path}: unexpected {key}")
    if isinstance(value, list) and "items" in schema:
        for i, item in enumerate(value):
            errors += schema_errors(item, schema["items"], root, f"{path}[{i}]")
    return errors


# -- helpers shared with the other bundle tests ----------------------------------------------
def csv_rows(data: bytes) -> list[dict[str, str]]:
    assert data.startswith(BOM.encode("utf-8"))
    text = data.decode("utf-8")[1:]
    assert "\r\n" in text and "\n" not in text.replace("\r\n", "")
    reader = csv.DictReader(io.StringIO(text, newline=""), delimiter=";")
    assert tuple(reader.fieldnames or ()) == COLUMNS
    return list(reader)


def guarded(value: str | None) -> str:
    """What the CSV holds for a text: empty for None, an apostrophe before a formula."""
    if not value:
        return ""
    return "'" + value if value[0] in "=+-@\t\r" else value


def fr_amount(value: Decimal) -> str:
    return f"{value:.2f}".replace(".", ",")


def expected_csv_row(x: ExportLine) -> dict[str, str]:
    checked = x.checked_at.astimezone(UTC)
    return {
        "claim_id": x.claim_id,
        "claim_number": str(x.claim_number),
        "claim_version": str(x.claim_version),
        "previous_claim_id": guarded(x.previous_claim_id),
        "dispensed_on": x.dispensed_on.strftime("%d/%m/%Y"),
        "prescriber_rpps": guarded(x.prescriber_rpps),
        "operator_down": "1" if x.operator_down else "0",
        "patient_surname": guarded(x.patient_surname),
        "patient_first_name": guarded(x.patient_first_name),
        "patient_birth_date": x.patient_birth_date,
        "patient_nir": x.patient_nir,
        "patient_rank": str(x.patient_rank),
        "amo_fund": guarded(x.amo_fund),
        "member_number": guarded(x.member_number),
        "insurer_amc_number": guarded(x.insurer_amc_number),
        "insurer_name": guarded(x.insurer_name),
        "check_method": x.check_method,
        "check_reference": guarded(x.check_reference),
        "check_outcome": x.check_outcome,
        "checked_at": checked.strftime("%d/%m/%Y %H:%M:%S"),
        "guarantees": guarded(x.guarantees),
        "line_position": str(x.line_position),
        "code": x.code,
        "code_kind": x.code_kind,
        "label": guarded(x.label),
        "prestation_code": x.prestation_code,
        "quantity": str(x.quantity),
        "unit_price": fr_amount(x.unit_price),
        "br_unit": fr_amount(x.br_unit),
        "amo_rate": f"{x.amo_rate.normalize():f}".replace(".", ","),
        "price": fr_amount(x.price),
        "br": fr_amount(x.br),
        "amo": fr_amount(x.amo),
        "tm": fr_amount(x.tm),
        "amc": fr_amount(x.amc),
        "patient_share": fr_amount(x.patient_share),
        "expiry": x.expiry.strftime("%d/%m/%Y") if x.expiry else "",
        "lot": guarded(x.lot),
        "serial": guarded(x.serial),
        "boxes": "~".join(
            f"{b.read_as}|{b.lot or ''}|{b.expiry.strftime('%d/%m/%Y') if b.expiry else ''}|{b.serial or ''}"
            for b in x.boxes
        ),
        # Format 1.3's clinic columns: a pharmacy line leaves them empty but its kind.
        "claim_kind": x.claim_kind,
        **dict.fromkeys(COLUMNS[COLUMNS.index("claim_kind") + 1 : COLUMNS.index("line_kind")], ""),
        # Format 1.5: what the line is; these lines have no per-box fee nor prescription.
        "line_kind": x.line_kind,
        **dict.fromkeys(COLUMNS[COLUMNS.index("line_kind") + 1 :], ""),
    }


def json_lines(doc: dict[str, Any]) -> list[tuple[dict[str, Any], dict[str, Any]]]:
    return [(claim, line) for claim in doc["claims"] for line in claim["lines"]]


def assert_json_matches(doc: dict[str, Any], lines: list[ExportLine]) -> None:
    flat = json_lines(doc)
    assert len(flat) == len(lines)
    for (claim, line), x in zip(flat, lines):
        assert claim["claim_id"] == x.claim_id and claim["claim_number"] == x.claim_number
        assert claim["version"] == x.claim_version and claim["previous_claim_id"] == x.previous_claim_id
        assert claim["dispensed_on"] == x.dispensed_on.isoformat()
        assert claim["operator_down"] is x.operator_down and claim["prescriber_rpps"] == x.prescriber_rpps
        p = claim["patient"]
        assert (
            p["surname"],
            p["first_name"],
            p["birth_date"],
            p["nir"],
            p["rank"],
            p["amo_fund"],
            p["member_number"],
        ) == (
            x.patient_surname,
            x.patient_first_name,
            x.patient_birth_date,
            x.patient_nir,
            x.patient_rank,
            x.amo_fund,
            x.member_number,
        )
        c = claim["coverage_check"]
        assert (c["method"], c["reference"], c["outcome"], c["guarantees"]) == (
            x.check_method,
            x.check_reference,
            x.check_outcome,
            x.guarantees,
        )
        assert datetime.fromisoformat(c["checked_at"]) == x.checked_at.replace(microsecond=0)
        assert {k: Decimal(v) for k, v in claim["amounts"].items()} == {
            "price": x.claim_price,
            "amo": x.claim_amo,
            "amc": x.claim_amc,
            "patient_share": x.claim_patient_share,
        }
        assert (
            line["position"],
            line["code"],
            line["code_kind"],
            line["label"],
            line["prestation_code"],
            line["quantity"],
        ) == (x.line_position, x.code, x.code_kind, x.label, x.prestation_code, x.quantity)
        for name in ("unit_price", "br_unit", "price", "br", "amo", "tm", "amc", "patient_share"):
            assert re.fullmatch(r"-?\d+\.\d\d", line[name]), line[name]
            assert Decimal(line[name]) == getattr(x, name), name
        assert Decimal(line["amo_rate"]) == x.amo_rate
        assert line["expiry"] == (x.expiry.isoformat() if x.expiry else None)
        assert (line["lot"], line["serial"]) == (x.lot, x.serial)


@pytest.fixture
def lines() -> list[ExportLine]:
    return make_lines(60, seed=5)


@pytest.fixture
def bundle(tmp_path: Path, lines: list[ExportLine]) -> dict[str, bytes]:
    path = write_bundle(tmp_path / "out", header_for(lines), source(lines))
    return open_bundle(path)


def test_an_export_line_is_built_by_name_only(lines: list[ExportLine]) -> None:
    """Positional arguments are refused: two swapped amounts could not slip into a file."""
    values = [getattr(lines[0], f) for f in ExportLine.__dataclass_fields__]
    with pytest.raises(TypeError):
        ExportLine(*values)  # type: ignore[misc]


# -- the bundle ------------------------------------------------------------------------------
def test_name_is_ascii_and_says_site_insurer_batch_and_utc_date(lines: list[ExportLine]) -> None:
    header = header_for(lines)
    assert bundle_name(header) == "verifier_pharmacie-de-l-eglise-saint-etienne_90412345_lot-000042_2026-11-29.zip"
    # 00:30 in Paris on 30 November is still 29 November in UTC: the name does not depend on the zone.
    paris = header_for(lines, created_at=datetime(2026, 11, 30, 0, 30, tzinfo=timezone(timedelta(hours=1))))
    assert bundle_name(paris).endswith("_2026-11-29.zip")
    odd = header_for(lines, site_name="  ", insurer_amc_number="12 34/5")
    assert bundle_name(odd) == "verifier_site_12-34-5_lot-000042_2026-11-29.zip"
    assert bundle_name(odd).isascii() and " " not in bundle_name(odd)


def test_zip_holds_the_four_files_in_a_fixed_order_with_fixed_dates(tmp_path: Path, lines: list[ExportLine]) -> None:
    path = write_bundle(tmp_path, header_for(lines), source(lines))
    assert path.parent == tmp_path and path.name == bundle_name(header_for(lines))
    assert sorted(p.name for p in tmp_path.iterdir()) == [path.name]  # no temporary file left behind
    with zipfile.ZipFile(path) as zf:
        assert zf.testzip() is None
        infos = zf.infolist()
    assert [i.filename for i in infos] == MEMBERS
    assert {i.date_time for i in infos} == {(2026, 11, 29, 9, 30, 12)}
    assert [i.compress_type for i in infos] == [zipfile.ZIP_DEFLATED] * 3 + [zipfile.ZIP_STORED]


def test_manifest_describes_the_batch_and_hashes_every_other_file(
    bundle: dict[str, bytes], lines: list[ExportLine]
) -> None:
    manifest = json.loads(bundle["manifest.json"])
    header = header_for(lines)
    assert manifest["format_version"] == FORMAT_VERSION
    assert manifest["batch"] == {"id": 7, "number": 42, "created_at": "2026-11-29T09:30:12Z"}
    assert manifest["site"]["name"] == header.site_name and manifest["insurer"]["amc_number"] == "90412345"
    assert manifest["claim_count"] == 60 and manifest["line_count"] == len(lines)
    assert Decimal(manifest["totals"]["amc"]) == header.total_amc
    assert manifest["totals"]["price"] == f"{header.total_price:.2f}"
    assert [f["name"] for f in manifest["files"]] == MEMBERS[1:]
    for entry in manifest["files"]:
        assert entry["sha256"] == hashlib.sha256(bundle[entry["name"]]).hexdigest()
        assert entry["bytes"] == len(bundle[entry["name"]])


def test_csv_has_one_row_per_line_agreeing_with_the_input(bundle: dict[str, bytes], lines: list[ExportLine]) -> None:
    rows = csv_rows(bundle["claims.csv"])
    assert len(rows) == len(lines)
    for row, x in zip(rows, lines):
        assert row == expected_csv_row(x)


def test_csv_keeps_formulas_from_running_and_accents_intact(bundle: dict[str, bytes]) -> None:
    rows = csv_rows(bundle["claims.csv"])
    surnames = {r["patient_surname"] for r in rows}
    assert "'=CMD|' /C calc'!A0" in surnames  # shown as text by a spreadsheet, never run
    assert not any(v.startswith(("=", "+", "-", "@")) for r in rows for v in r.values())
    assert {"LEFÈVRE-ÉTIENNE", "NGUYỄN", "ŒUVRARD", "GARCÍA LÓPEZ"} <= surnames
    assert "'-30% VITAMINE D3; spray" in {r["label"] for r in rows}  # the ; is quoted, not a new cell


def test_json_is_valid_against_the_schema_and_agrees_with_the_input(
    bundle: dict[str, bytes], lines: list[ExportLine]
) -> None:
    text = bundle["claims.json"].decode("utf-8")
    assert "\\u" not in text  # accents written as UTF-8, not escaped
    doc = json.loads(text, parse_float=lambda s: pytest.fail(f"a float in claims.json: {s}"))
    assert schema_errors(doc, SCHEMA) == []
    assert doc["format_version"] == FORMAT_VERSION and doc["claim_count"] == len(doc["claims"]) == 60
    assert [c["claim_number"] for c in doc["claims"]] == sorted({x.claim_number for x in lines})
    assert_json_matches(doc, lines)
    totals = {k: Decimal(v) for k, v in doc["totals"].items()}
    assert totals["amc"] == sum((x.amc for x in lines), Decimal(0))
    assert totals["price"] == totals["amo"] + totals["amc"] + totals["patient_share"]


def test_schema_checker_catches_mistakes(bundle: dict[str, bytes]) -> None:
    doc = json.loads(bundle["claims.json"])
    doc["claims"][0]["lines"][0]["price"] = 12.5
    doc["claims"][1]["patient"]["nir"] = "1234"
    doc["claims"][2]["extra"] = True
    errors = schema_errors(doc, SCHEMA)
    assert len(errors) == 3, errors


def test_pdf_carries_every_claim_number_and_the_totals(bundle: dict[str, bytes], lines: list[ExportLine]) -> None:
    reader = PdfReader(io.BytesIO(bundle["bordereau.pdf"]))
    text = "\n".join(page.extract_text() for page in reader.pages)
    for number in {x.claim_number for x in lines}:
        assert re.search(rf"(?m)^{number}\b", text), number
    total_amc = sum((x.amc for x in lines), Decimal(0))
    amc_text = f"{total_amc:,.2f}".replace(",", " ").replace(".", ",")
    assert re.search(rf"Part AMC demandée\s+{amc_text} €", text)
    assert re.search(r"Demandes\s+60\s", text) and re.search(rf"Lignes\s+{len(lines)}\s", text)
    assert "Lot n° 000042" in text and "Mutuelle des Pharmaciens Réunis" in text and "N° AMC 90412345" in text
    assert "Page 1 sur 2" in text and "Page 2 sur 2" in text
    assert "Cachet de l'officine" in text and "Date et signature du pharmacien" in text
    assert (
        reader.metadata is not None
        and reader.metadata.title == "Bordereau lot 000042 – Mutuelle des Pharmaciens Réunis"
    )


def test_re_export_is_byte_identical_zip_and_every_member(tmp_path: Path, lines: list[ExportLine]) -> None:
    header = header_for(lines)
    first = write_bundle(tmp_path / "a", header, source(lines)).read_bytes()
    second = write_bundle(tmp_path / "b", header, source(lines)).read_bytes()
    assert first == second
    # Same instant written in another time zone: still the same bytes.
    shifted = replace(header, created_at=CREATED.astimezone(timezone(timedelta(hours=-5))))
    third = write_bundle(tmp_path / "c", shifted, source(lines)).read_bytes()
    assert third == first


def test_re_export_replaces_an_earlier_file(tmp_path: Path, lines: list[ExportLine]) -> None:
    header = header_for(lines)
    path = write_bundle(tmp_path, header, source(lines))
    path.write_bytes(b"half-written")
    assert write_bundle(tmp_path, header, source(lines)) == path
    open_bundle(path)


def test_lines_are_read_once_as_a_stream(tmp_path: Path, lines: list[ExportLine]) -> None:
    calls = []

    def fresh() -> Any:
        calls.append(1)
        return (x for x in lines)  # a generator: no len(), no indexing

    write_bundle(tmp_path, header_for(lines), fresh)
    assert len(calls) == 1


def test_naive_and_aware_utc_times_give_the_same_bytes(tmp_path: Path, lines: list[ExportLine]) -> None:
    naive = [replace(x, checked_at=x.checked_at.replace(tzinfo=None)) for x in lines]
    header = header_for(lines)
    a = open_bundle(write_bundle(tmp_path / "a", header, source(lines)))
    b = open_bundle(
        write_bundle(tmp_path / "b", replace(header, created_at=CREATED.replace(tzinfo=None)), source(naive))
    )
    assert a == b


def test_an_empty_batch_still_makes_a_valid_bundle(tmp_path: Path) -> None:
    files = open_bundle(write_bundle(tmp_path, header_for([]), source([])))
    assert csv_rows(files["claims.csv"]) == []
    doc = json.loads(files["claims.json"])
    assert doc["claims"] == [] and schema_errors(doc, SCHEMA) == []
    text = PdfReader(io.BytesIO(files["bordereau.pdf"])).pages[0].extract_text()
    assert "Page 1 sur 1" in text and "Cachet de l'officine" in text


# -- what is refused, and then nothing is written ----------------------------------------------
def _refused(tmp_path: Path, header: Any, lines: list[ExportLine], code: str) -> None:
    with pytest.raises(BundleInconsistent) as caught:
        write_bundle(tmp_path, header, source(lines))
    assert caught.value.problem.code == code
    assert "000042" in str(caught.value)
    assert list(tmp_path.iterdir()) == []


def test_header_totals_must_match_the_lines(tmp_path: Path, lines: list[ExportLine]) -> None:
    header = header_for(lines)
    _refused(tmp_path, replace(header, total_amc=header.total_amc + Decimal("0.01")), lines, "export.batch_totals")
    _refused(tmp_path, replace(header, claim_count=header.claim_count + 1), lines, "export.batch_totals")
    _refused(tmp_path, replace(header, line_count=header.line_count - 1), lines, "export.batch_totals")


def _two_line_claim(lines: list[ExportLine]) -> int:
    """Index of the first line followed by another line of the same claim."""
    return next(i for i in range(len(lines) - 1) if lines[i].claim_id == lines[i + 1].claim_id)


def test_lines_out_of_order_are_refused(tmp_path: Path, lines: list[ExportLine]) -> None:
    i = _two_line_claim(lines)
    swapped = [*lines[:i], lines[i + 1], lines[i], *lines[i + 2 :]]
    _refused(tmp_path, header_for(lines), swapped, "export.order")
    second_claim = next(j for j, x in enumerate(lines) if x.claim_id != lines[0].claim_id)
    claims_swapped = lines[second_claim:] + lines[:second_claim]
    _refused(tmp_path, header_for(lines), claims_swapped, "export.order")


def test_a_claim_whose_lines_disagree_is_refused(tmp_path: Path, lines: list[ExportLine]) -> None:
    i = _two_line_claim(lines)
    for field, value in (("member_number", "OTHER"), ("patient_nir", "199999999999999"), ("claim_amc", Decimal(1))):
        bad = [*lines[: i + 1], replace(lines[i + 1], **{field: value}), *lines[i + 2 :]]
        _refused(tmp_path, header_for(lines), bad, "export.claim_mismatch")


def test_claim_totals_must_be_the_sum_of_its_lines(tmp_path: Path, lines: list[ExportLine]) -> None:
    first = lines[0]
    bad = [replace(x, claim_amc=x.claim_amc + Decimal("1.00")) if x.claim_id == first.claim_id else x for x in lines]
    _refused(tmp_path, header_for(lines), bad, "export.amounts")
    broken = [replace(lines[0], patient_share=lines[0].patient_share + 1), *lines[1:]]
    _refused(tmp_path, header_for(lines), broken, "export.amounts")


def test_a_failing_line_source_leaves_nothing(tmp_path: Path, lines: list[ExportLine]) -> None:
    def failing() -> Any:
        yield from lines[:10]
        raise OSError("database gone")

    with pytest.raises(OSError):
        write_bundle(tmp_path, header_for(lines), failing)
    assert list(tmp_path.iterdir()) == []


def test_open_bundle_names_the_file_that_does_not_match(tmp_path: Path, lines: list[ExportLine]) -> None:
    path = write_bundle(tmp_path / "ok", header_for(lines), source(lines))
    files = open_bundle(path)
    forged = tmp_path / "forged.zip"
    with zipfile.ZipFile(forged, "w") as zf:
        for name, data in files.items():
            zf.writestr(name, data.replace(b"DURANDEAU", b"DURANDEAX") if name == "claims.csv" else data)
    with pytest.raises(ValueError, match=r"claims\.csv"):
        open_bundle(forged)
    extra = tmp_path / "extra.zip"
    with zipfile.ZipFile(extra, "w") as zf:
        for name, data in files.items():
            zf.writestr(name, data)
        zf.writestr("notes.txt", b"hello")
    with pytest.raises(ValueError, match=r"notes\.txt"):
        open_bundle(extra)
    cut = tmp_path / "cut.zip"
    cut.write_bytes(path.read_bytes()[:-200])
    with pytest.raises(ValueError):
        open_bundle(cut)
