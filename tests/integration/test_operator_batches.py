"""Batches per operator: insurers set to "batches per operator" share one batch, numbered in
the operator's own sequence; the bundle names each claim's insurer (SQLite and PostgreSQL)."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from pypdf import PdfReader

from tests.factories import AMC, line, make_site, nir_for
from verifier.domain.coverage import Guarantee
from verifier.domain.errors import ValidationError
from verifier.exports.bundle import open_bundle
from verifier.services import batches, checks, claims, directory, patients
from verifier.services.context import Context
from verifier.store.engine import Location

AMC_B = "77120001"  # second insurer of operator VIAMEDIS, batched through it
AMC_C = "31310003"  # third insurer of VIAMEDIS, batched per insurer
AMC_D = "55500007"  # an insurer of ALMERYS, batched through ALMERYS


def claim_for(ctx: Context, amc: str, order: int, surname: str = "OPERATEUR") -> claims.ClaimInfo:
    p, _ = patients.save(
        ctx,
        patients.PatientInput(
            f"{surname}{order}",
            "Zoé",
            "14/03/1968",
            nir_for("2", "14/03/1968", "75", "056", order),
            "1",
            "011751234",
            amc,
            f"ADH-{order}",
            date.today() - timedelta(days=100),
            date.today() + timedelta(days=100),
        ),
    )
    check = checks.record(
        ctx, checks.CheckInput(p.id, amc, "hotline", "covered", [Guarantee("PHAR", Decimal("100"))], reference="HOT-1")
    )
    return claims.create(ctx, check.id, [line(), line("4.50", "30", 2, "PH4")], queue_now=True)


@pytest.fixture
def site(location: Location) -> Iterator[Context]:
    ctx = make_site(location)  # VIAMEDIS, and AMC (Mutuelle Test) batched per insurer
    directory.add_operator(ctx, "ALMERYS", "Almerys")
    a = directory.get_insurer(ctx, AMC)
    directory.update_insurer(
        ctx, a.id, name=a.name, operator_code="VIAMEDIS", hotline=None, portal=None, batch_by="operator"
    )
    directory.add_insurer(ctx, AMC_B, "Prévoyance Fictive du Nord", "VIAMEDIS", batch_by="operator")
    directory.add_insurer(ctx, AMC_C, "Mutuelle Indépendante", "VIAMEDIS")
    directory.add_insurer(ctx, AMC_D, "Santé Fictive de l'Ouest", "ALMERYS", batch_by="operator")
    yield ctx
    ctx.close()


def test_one_batch_per_operator_with_its_own_numbers(site: Context, tmp_path: Path) -> None:
    ids = {amc: directory.get_insurer(site, amc).id for amc in (AMC, AMC_B, AMC_C, AMC_D)}
    made = {
        amc: [claim_for(site, amc, order) for order in range(n0, n0 + 2)]
        for amc, n0 in ((AMC, 100), (AMC_B, 200), (AMC_C, 300), (AMC_D, 400))
    }

    # Where each insurer's claims go: the two grouped insurers of VIAMEDIS meet in one recipient.
    recipients = batches.recipients_for(site, [ids[AMC], ids[AMC_C], ids[AMC_B], ids[AMC_D]])
    assert [(r.kind, r.code) for r in recipients] == [
        ("operator", "VIAMEDIS"),
        ("insurer", AMC_C),
        ("operator", "ALMERYS"),
    ]
    # An insurer grouped by operator cannot have a batch of its own: the sentence says where to go.
    with pytest.raises(ValidationError) as err:
        batches.create_batch(site, ids[AMC_B])
    assert "Viamedis" in str(err.value) and "VIAMEDIS" in str(err.value)

    via = batches.create_for(site, recipients[0]).batch
    assert via.for_operator and via.insurer_id is None and via.number == 1 and via.recipient == "Viamedis"
    assert via.claim_count == 4
    assert via.total_amc == sum((c.amc for amc in (AMC, AMC_B) for c in made[amc]), Decimal("0.00"))
    own = batches.create_for(site, recipients[1]).batch
    assert not own.for_operator and own.number == 1 and own.claim_count == 2
    alm = batches.create_for(site, recipients[2]).batch
    assert alm.number == 1 and alm.claim_count == 2  # each operator has its own sequence
    for amc in (AMC, AMC_B, AMC_C, AMC_D):
        assert {claims.get(site, c.id).status.value for c in made[amc]} == {"exported"}

    # Void and make again: the operator's number moves on, never reused.
    batches.void_batch(site, via.id, "Erreur de lot")
    again = batches.create_operator_batch(site, via.operator_id or 0).batch
    assert again.number == 2 and again.claim_count == 4
    listed = {b.id: b for b in batches.list_batches(site)}
    assert listed[again.id].recipient == "Viamedis" and listed[own.id].recipient == "Mutuelle Indépendante"

    # The bundle: named after the operator, each claim with its insurer, shares per insurer.
    path = batches.export_batch(site, again.id, tmp_path / "outbox")
    assert "_op-viamedis_lot-000002_" in path.name
    files = open_bundle(path)
    rows = list(csv.DictReader(io.StringIO(files["claims.csv"].decode("utf-8-sig")), delimiter=";"))
    by_number = {c.number: amc for amc in (AMC, AMC_B) for c in made[amc]}
    names = {AMC: "Mutuelle Test", AMC_B: "Prévoyance Fictive du Nord"}
    assert len(rows) == 8
    for row in rows:
        amc = by_number[int(row["claim_number"])]
        assert (row["insurer_amc_number"], row["insurer_name"]) == (amc, names[amc])
    doc = json.loads(files["claims.json"])
    assert doc["insurer"] is None and doc["operator"] == {"code": "VIAMEDIS", "name": "Viamedis"}
    assert {c["claim_number"]: c["insurer"]["amc_number"] for c in doc["claims"]} == by_number
    manifest = json.loads(files["manifest.json"])
    shares = {p["amc_number"]: (p["claim_count"], Decimal(p["amc"])) for p in manifest["insurers"]}
    assert shares == {amc: (2, sum((c.amc for c in made[amc]), Decimal("0.00"))) for amc in (AMC, AMC_B)}
    assert sum(a for _, a in shares.values()) == Decimal(manifest["totals"]["amc"])
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(files["bordereau.pdf"])).pages)
    assert "Opérateur de tiers payant destinataire" in text and "Récapitulatif par organisme" in text
    for amc in (AMC, AMC_B):
        assert amc in text
    # Re-export is byte-identical for an operator's batch too.
    assert batches.export_batch(site, again.id, tmp_path / "second").read_bytes() == path.read_bytes()


def test_chosen_claims_and_refusals_in_an_operator_batch(site: Context) -> None:
    a = claim_for(site, AMC, 500)
    b = claim_for(site, AMC_B, 501)
    claim_for(site, AMC_B, 502)
    op = batches.recipients_for(site, [directory.get_insurer(site, AMC_B).id])[0]
    result = batches.create_for(site, op, [a.id, b.id])
    assert result.batch.claim_count == 2
    assert claims.get(site, a.id).status.value == "exported"
    # Claims of an insurer batched per insurer are never swept into the operator's batch.
    c = claim_for(site, AMC_C, 503)
    rest = batches.create_for(site, op).batch
    assert rest.claim_count == 1 and claims.get(site, c.id).status.value == "queued"
    with pytest.raises(ValidationError) as err:
        batches.create_for(site, op)
    assert "Viamedis" in str(err.value)


def test_batches_per_operator_need_an_operator(site: Context) -> None:
    with pytest.raises(ValidationError) as err:
        directory.add_insurer(site, "12345678", "Sans Opérateur", None, batch_by="operator")
    assert [p.code for p in err.value.problems] == ["insurer.batch_by_needs_operator"]
