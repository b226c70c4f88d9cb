"""A site with a pharmacy and a clinic (issue 11): stays, consultations and pharmacy claims
batched together for one insurer, exported (format 1.3), answered by a return file and
reconciled per insurer, on SQLite and PostgreSQL."""

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

from tests.factories import AMC, make_site, patient_input, queued_claim
from tests.integration.test_stays import surgery_form
from tests.unit.test_bundle import SCHEMA, schema_errors
from verifier.domain.care import CareLine, LineKind
from verifier.domain.errors import ValidationError
from verifier.domain.states import ClaimKind, ClaimStatus
from verifier.exports.bundle import open_bundle
from verifier.exports.rows import FORMAT_VERSION
from verifier.services import batches, claims, directory, reconciliation, returns, stays
from verifier.services.context import Context
from verifier.services.stays import PecFields, StayFields, StayForm
from verifier.store.engine import Location

D = Decimal


@pytest.fixture
def mixed(location: Location) -> Iterator[tuple[Context, list[claims.ClaimInfo]]]:
    ctx = make_site(location)
    pharmacy = queued_claim(ctx, order=700)
    stay = stays.submit(ctx, surgery_form())
    today = date.today()
    consultation = stays.submit(
        ctx,
        StayForm(
            ClaimKind.CONSULTATION,
            patient_input(order=701),
            PecFields("card", "", today, None, ("CONS 100 % BR",)),
            StayFields(today, today),
            (CareLine(LineKind.CONSULTATION, "G", "Consultation", 1, D("30.00"), D("30.00")),),
        ),
    )
    assert stay.claim is not None and consultation.claim is not None, (stay.error, consultation.error)
    yield ctx, [pharmacy, stay.claim, consultation.claim]
    ctx.close()


def test_a_mixed_batch_exports_pharmacy_and_clinic_claims_and_reconciles(
    mixed: tuple[Context, list[claims.ClaimInfo]], tmp_path: Path
) -> None:
    ctx, (pharmacy, stay, consultation) = mixed
    made = batches.create_batch(ctx, directory.get_insurer(ctx, AMC).id)
    assert made.batch is not None and made.batch.claim_count == 3, made
    path = batches.export_batch(ctx, made.batch.id, tmp_path)
    files = open_bundle(path)
    assert set(files) == {"manifest.json", "claims.csv", "claims.json", "bordereau.pdf", "bordereau-sejours.pdf"}
    doc = json.loads(files["claims.json"])
    assert doc["format_version"] == FORMAT_VERSION == "1.5"
    assert schema_errors(doc, SCHEMA) == []  # docs/claims.schema.json describes the clinic fields
    by_number = {c["claim_number"]: c for c in doc["claims"]}
    assert "kind" not in by_number[pharmacy.number] and "care" not in by_number[pharmacy.number]["lines"][0]
    s = by_number[stay.number]
    assert s["kind"] == "stay" and s["stay"]["entry_number"] == "E2026-0042" and s["stay"]["mode"] == "03"
    assert s["stay"]["admission"] == "2026-03-02" and s["coverage_check"]["reference"] == "PEC-2026-000123"
    assert s["amounts"]["amc"] == "787.50" and s["lines"][0]["care"]["amo_withheld"] == "24.00"
    assert [line["care"]["kind"] for line in s["lines"]] == ["stay_fees", "fj", "fee", "fee", "room", "comfort"]
    assert s["coverage_check"]["guarantees"].startswith("SEJ 100 % BR; FJ 100 % FR")
    assert by_number[consultation.number]["lines"][0]["care"]["participation"] == "2.00"

    rows = list(csv.DictReader(io.StringIO(files["claims.csv"].decode("utf-8-sig")), delimiter=";"))
    assert {r["claim_kind"] for r in rows} == {"pharmacy", "stay", "consultation"}
    room = next(r for r in rows if r["care_kind"] == "room")
    assert (room["stay_dmt"], room["days_paid"], room["amc"], room["stay_discharge"]) == (
        "122",
        "5",
        "250,00",
        "06/03/2026",
    )
    assert all(r["care_kind"] == "" for r in rows if r["claim_kind"] == "pharmacy")

    slip = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(files["bordereau-sejours.pdf"])).pages)
    assert "E2026-0042" in slip and "PEC-2026-000123" in slip and "787,50" in slip
    assert batches.export_batch(ctx, made.batch.id, tmp_path / "again").read_bytes() == path.read_bytes()

    day = (date.today() - timedelta(days=1)).isoformat()
    answer = tmp_path / "retour.csv"
    answer.write_text(
        "claim_number;status;reason_code;reason_text;paid_amount;payment_date\n"
        f"{stay.number};paid;;;787.50;{day}\n{consultation.number};rejected;DRO;Droits fermés;;\n"
        f"{pharmacy.number};accepted;;;;\n",
        "utf-8",
    )
    report = returns.import_file(ctx, answer)
    assert (report.accepted, report.rejected, report.paid) == (1, 1, 1)
    assert claims.get(ctx, stay.id).status is ClaimStatus.PAID
    (line,) = reconciliation.reconcile(ctx).lines
    assert line.paid == D("787.50") and line.rejected == D("9.00")
    assert line.outstanding == pharmacy.amc  # the accepted pharmacy claim, not paid yet
    with pytest.raises(ValidationError) as refused:  # a consultation is voided and entered again
        claims.rectify(ctx, consultation.id)
    assert [p.code for p in refused.value.problems] == ["claim.consultation_rectify"]
