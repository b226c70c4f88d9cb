"""The clinic's bordereau for an AMC: summary page, one invoice per stay with the fields the
AMC invoice carries, amounts as computed, same bytes for the same rows."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal

from pypdf import PdfReader

from verifier.domain.care import CareLine, LineKind, Stay, compute
from verifier.domain.care_guarantees import parse_guarantees
from verifier.exports.stay_bordereau import StayBatchHeader, StayLineRow, StayRow, render

D = Decimal
HEADER = StayBatchHeader(
    batch_number="000007",
    created_on=date(2026, 3, 10),
    site_name="Clinique Démo du Lac",
    finess="740000000",
    address="1 quai du Lac, 74000 Annecy",
    insurer_name="Mutuelle Exemple des Alpes",
    amc_number="90412345",
)


def _surgery() -> StayRow:
    stay = Stay(date(2026, 3, 2), date(2026, 3, 6))
    lines = [
        CareLine(LineKind.STAY_FEES, "PJ", "Frais de séjour", 1, D("2400.00"), D("2400.00")),
        CareLine(LineKind.DAILY_CHARGE, "FJ", "Forfait journalier", 5, D("20.00")),
        CareLine(LineKind.FEE, "ADC", "Chirurgien (OPTAM)", 1, D("627.00"), D("313.50")),
        CareLine(LineKind.FEE, "ADA", "Anesthésiste", 1, D("250.00"), D("150.00"), optam=False),
        CareLine(LineKind.ROOM, "CP", "Chambre particulière", 5, D("90.00")),
        CareLine(LineKind.COMFORT, "TV", "Télévision", 5, D("6.00")),
    ]
    guarantees = parse_guarantees(
        ["SEJOUR 100 % BR", "FJ 100 % FR", "HONO OPTAM 200 % BR", "HONO NON OPTAM 180 % BR", "CP 50 €/j 60 j/an"]
    )
    invoice = compute(stay, lines, guarantees)
    rows = [
        StayLineRow(
            code=r.line.code,
            label=r.line.label,
            start=stay.admission,
            end=stay.discharge,
            unit_price=r.line.unit_price,
            quantity=r.line.quantity,
            price=r.amounts.price,
            amo=r.amounts.amo,
            amc=r.amounts.amc,
            patient=r.amounts.patient,
        )
        for r in invoice.lines
    ]
    return StayRow(
        claim_number="0000042",
        entry_number="E2026-00311",
        admission=stay.admission,
        discharge=stay.discharge,
        beneficiary="MARTIN Élodie",
        birth_date="14/05/1971",
        member_number="AB1234567",
        pec_number="PEC-2026-000123",
        mode="03",
        dmt="181",
        lines=rows,
    )


def test_the_summary_then_one_invoice_per_stay_with_every_field_and_amount() -> None:
    first = _surgery()
    second = StayRow(**{**first.__dict__, "claim_number": "0000043", "entry_number": "E2026-00312"})
    pdf = render(HEADER, [first, second])
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) == 3
    summary = reader.pages[0].extract_text()
    assert "lot n° 000007" in summary and "FINESS 740000000" in summary and "2 séjours" in summary
    assert "1 575,00" in summary  # 787,50 x 2, the AMC total of the batch
    invoice = reader.pages[1].extract_text()
    for text in (
        "E2026-00311",
        "PEC-2026-000123",
        "03 / 181",
        "AB1234567",
        "02/03/2026",
        "06/03/2026",
        "MARTIN Élodie",
    ):
        assert text in invoice, text
    assert "3 857,00" in invoice and "2 839,50" in invoice and "787,50" in invoice
    assert "Reste à la charge du patient : 230,00 €" in invoice
    assert render(HEADER, [first, second]) == pdf  # the same rows give the same bytes
