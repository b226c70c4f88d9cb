"""docs/export-format.md shows real output: its worked example is what the code writes today."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from tests.unit.test_bundle import SCHEMA, schema_errors
from tests.unit.test_bundle_samples import worked_example
from verifier.exports.bundle import bundle_name, open_bundle, write_bundle
from verifier.exports.csv_writer import COLUMNS

DOC = (Path(__file__).resolve().parents[2] / "docs" / "export-format.md").read_text("utf-8")


def example(name: str) -> str:
    found = re.search(rf"<!-- example:{re.escape(name)} -->\n```\w*\n(.*?)```", DOC, re.DOTALL)
    assert found, f"no example block for {name}"
    return found.group(1)


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    header, lines = worked_example()
    return open_bundle(write_bundle(tmp_path_factory.mktemp("doc"), header, lambda: iter(lines)))


def test_the_example_file_name_is_the_one_written() -> None:
    header, _ = worked_example()
    assert f"File: `{bundle_name(header)}`" in DOC


def test_the_example_csv_is_the_one_written(files: dict[str, bytes]) -> None:
    written = files["claims.csv"].decode("utf-8").removeprefix("\ufeff").replace("\r\n", "\n")
    assert example("claims.csv") == written


def test_the_example_json_is_the_one_written_and_valid(files: dict[str, bytes]) -> None:
    assert example("claims.json") == files["claims.json"].decode("utf-8")
    assert schema_errors(json.loads(example("claims.json")), SCHEMA) == []


def test_the_example_manifest_is_the_one_written(files: dict[str, bytes]) -> None:
    shown, written = json.loads(example("manifest.json")), json.loads(files["manifest.json"])
    for doc in (shown, written):
        doc.pop("generator")
        doc["files"] = [f for f in doc["files"] if f["name"] != "bordereau.pdf"]  # depends on reportlab's version
    assert shown == written


def test_every_csv_column_is_documented() -> None:
    documented = re.findall(r"^\| \d+ \| `(\w+)` \|", DOC, re.MULTILINE)
    assert tuple(documented) == COLUMNS
