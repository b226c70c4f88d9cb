"""Exporting real batches: the bundle agrees with the database, re-exports are identical,
encryption needs the secret (SQLite and PostgreSQL)."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest
from pypdf import PdfReader

from tests.factories import AMC, line, make_check, make_site, patient_input
from verifier.domain.money import format_eur
from verifier.exports.bundle import Encryption, open_bundle
from verifier.services import batches, claims, directory, patients
from verifier.services.context import Context
from verifier.store.engine import Location


@pytest.fixture
def batch(location: Location) -> Iterator[tuple[Context, int, list[claims.ClaimInfo]]]:
    ctx = make_site(location)
    made = []
    for i in range(5):
        p, _ = patients.save(
            ctx,
            patient_input(
                surname=f"EXPORTEUR{i}", first=f"Zoé{i}", order=700 + i, birth="31/02/1980" if i == 0 else "14/03/1968"
            ),
        )
        check = make_check(ctx, p.id)
        made.append(claims.create(ctx, check.id, [line(), line("4.50", "30", i + 1, "PH4")], queue_now=True))
    result = batches.create_batch(ctx, directory.get_insurer(ctx, AMC).id)
    yield ctx, result.batch.id, made
    ctx.close()


def test_bundle_agrees_with_the_database(batch: tuple[Context, int, list[claims.ClaimInfo]], tmp_path: Path) -> None:
    ctx, batch_id, made = batch
    path = batches.export_batch(ctx, batch_id, tmp_path / "outbox")
    assert path.parent == tmp_path / "outbox" and path.suffix == ".zip"
    assert [p.name for p in (tmp_path / "outbox").iterdir()] == [path.name]  # no temporary left
    files = open_bundle(path)  # checks every SHA-256 of the manifest
    assert set(files) == {"manifest.json", "claims.csv", "claims.json", "bordereau.pdf"}
    by_number = {c.number: claims.get(ctx, c.id) for c in made}

    rows = list(csv.DictReader(io.StringIO(files["claims.csv"].decode("utf-8-sig")), delimiter=";"))
    assert len(rows) == sum(len(c.lines) for c in by_number.values())
    for row in rows:
        stored = by_number[int(row["claim_number"])]
        draft, amounts = stored.lines[int(row["line_position"]) - 1]
        assert row["quantity"] == str(draft.quantity)
        assert Decimal(row["amc"].replace(",", ".")) == amounts.amc
        assert Decimal(row["price"].replace(",", ".")) == amounts.price
        patient = patients.get(ctx, stored.patient_id)
        assert (row["patient_surname"], row["patient_nir"], row["patient_birth_date"]) == (
            patient.surname,
            patient.nir,
            patient.birth_date.text,
        )

    data = json.loads(files["claims.json"])
    assert [c["claim_number"] for c in data["claims"]] == sorted(by_number)
    for c in data["claims"]:
        stored = by_number[c["claim_number"]]
        assert Decimal(str(c["amounts"]["amc"])) == stored.amc
        assert [Decimal(str(x["amc"])) for x in c["lines"]] == [a.amc for _, a in stored.lines]

    manifest = json.loads(files["manifest.json"])
    total_amc = sum((c.amc for c in by_number.values()), Decimal("0.00"))
    assert manifest["claim_count"] == 5 and manifest["line_count"] == 10
    assert Decimal(str(manifest["totals"]["amc"])) == total_amc
    assert {f["name"] for f in manifest["files"]} == {"claims.csv", "claims.json", "bordereau.pdf"}
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(files["bordereau.pdf"])).pages)
    for number in by_number:
        assert f"{number:07d}" in text or str(number) in text
    assert format_eur(total_amc) in text.replace(" ", "\u00a0") or format_eur(total_amc) in text


def test_reexport_is_byte_identical_and_encryption_needs_the_secret(
    batch: tuple[Context, int, list[claims.ClaimInfo]],
    tmp_path: Path,
) -> None:
    ctx, batch_id, _made = batch
    first = batches.export_batch(ctx, batch_id, tmp_path / "a")
    second = batches.export_batch(ctx, batch_id, tmp_path / "b")
    assert first.name == second.name and first.read_bytes() == second.read_bytes()
    sealed = batches.export_batch(ctx, batch_id, tmp_path / "c", Encryption(passphrase="correct horse mutuelle"))
    raw = sealed.read_bytes()
    for secret in (b"EXPORTEUR0", "Zoé0".encode(), b"PK\x03\x04"):
        assert secret not in raw
    assert open_bundle(sealed, Encryption(passphrase="correct horse mutuelle")) == open_bundle(first)
    with pytest.raises(ValueError):
        open_bundle(sealed, Encryption(passphrase="wrong horse mutuelle"))


def test_voided_batch_cannot_be_exported(batch: tuple[Context, int, list[claims.ClaimInfo]], tmp_path: Path) -> None:
    ctx, batch_id, _made = batch
    batches.void_batch(ctx, batch_id, "Erreur de saisie")
    from verifier.domain.errors import ValidationError

    with pytest.raises(ValidationError):
        batches.export_batch(ctx, batch_id, tmp_path)
