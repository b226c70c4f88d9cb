"""Synthetic batches for the bundle tests: fictional people, valid-looking NIRs, exact amounts.

No test here: the builders are imported by the other test_bundle_*.py files.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator, Sequence
from dataclasses import replace
from datetime import UTC, date, datetime
from decimal import ROUND_HALF_UP, Decimal

from verifier.exports.rows import BundleHeader, ExportBox, ExportBoxFee, ExportLine, ExportPrescription, InsurerPart

CREATED = datetime(2026, 11, 29, 9, 30, 12, tzinfo=UTC)
SURNAMES = [
    "DURANDEAU",
    "LEFÈVRE-ÉTIENNE",
    "N'GUESSAN",
    "MÜLLER",
    "O'NEILL",
    "GARCÍA LÓPEZ",
    "NGUYỄN",
    "=CMD|' /C calc'!A0",
    "ŒUVRARD",
    "ZAÏDI",
]
FIRSTS = ["Élodie", "Zoé", "Jean-Noël", "Anaïs", "Łukasz", "Chloë", "Mathéo", "François", "Inès", "Loïc"]
LABELS = [
    "DOLIPRANE 1000MG CPR B/8",
    "AMOXICILLINE 500MG GÉL B/12",
    "Bas de contention « classe 2 »",
    "SPASFON LYOC 80MG",
    "-30% VITAMINE D3; spray",
    "LEVOTHYROX 75µg CPR",
]


def nir(sex: str, yy: str, mm: str, dept: str, commune: str, order: int) -> str:
    """A 15-character NIR with its key (fictional person)."""
    body = f"{sex}{yy}{mm}{dept}{commune}{order:03d}"
    number = int(body.replace("2A", "19").replace("2B", "18"))
    return f"{body}{97 - number % 97:02d}"


def cents(value: Decimal) -> Decimal:
    return value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def make_lines(claims: int = 5, seed: int = 1, max_lines: int = 3, first_number: int = 1000) -> list[ExportLine]:
    """`claims` claims of 1 to `max_lines` lines, ordered by claim number then position."""
    rng = random.Random(seed)
    out: list[ExportLine] = []
    number = first_number
    for i in range(claims):
        number += rng.randint(1, 3)
        member = f"ADH-{rng.randint(1000, 99999)}"
        method = rng.choice(("card", "hotline", "portal"))
        surname, first = SURNAMES[(i + seed) % len(SURNAMES)], FIRSTS[(i * 3 + seed) % len(FIRSTS)]
        birth = (
            "00/00/1961" if i % 7 == 3 else f"{rng.randint(1, 28):02d}/{rng.randint(1, 12):02d}/19{rng.randint(40, 99)}"
        )
        dept = "2A" if i % 5 == 2 else f"{rng.randint(1, 95):02d}"
        person_nir = nir(
            str(rng.choice((1, 2))),
            birth[-2:],
            birth[3:5] if birth[3:5] != "00" else "20",
            dept,
            f"{rng.randint(1, 999):03d}",
            rng.randint(1, 999),
        )
        lines = []
        for position in range(1, rng.randint(1, max_lines) + 1):
            quantity = rng.randint(1, 3)
            unit = Decimal(rng.randint(50, 30000)) / 100
            rate = Decimal(rng.choice(("65", "30", "15", "100", "0", "65.5")))
            price = cents(quantity * unit)
            br = price
            amo = min(cents(br * rate / 100), price)
            tm = br - amo
            amc = max(Decimal("0.00"), min(cents(br * Decimal(rng.choice((100, 150, 200))) / 100) - amo, price - amo))
            patient = price - amo - amc
            lines.append(
                {
                    "position": position,
                    "quantity": quantity,
                    "unit": unit,
                    "rate": rate,
                    "price": price,
                    "br": br,
                    "amo": amo,
                    "tm": tm,
                    "amc": amc,
                    "patient": patient,
                }
            )
        totals = {k: sum((x[k] for x in lines), Decimal("0.00")) for k in ("price", "amo", "amc", "patient")}
        for x in lines:
            out.append(
                ExportLine(
                    claim_id=f"c{number:08d}-0000-4000-8000-{seed:012d}",
                    claim_number=number,
                    claim_version=2 if i % 4 == 1 else 1,
                    previous_claim_id=f"p{number:08d}-0000-4000-8000-{seed:012d}" if i % 4 == 1 else None,
                    dispensed_on=date(2026, 11, 1 + i % 28),
                    prescriber_rpps="10003456789" if i % 3 else None,
                    operator_down=i % 2 == 0,
                    patient_surname=surname,
                    patient_first_name=first,
                    patient_birth_date=birth,
                    patient_nir=person_nir,
                    patient_rank=1 + i % 2,
                    amo_fund="011751234" if i % 6 else None,
                    member_number=member,
                    insurer_amc_number="90412345",
                    insurer_name="Mutuelle des Pharmaciens Réunis",
                    check_method=method,
                    check_reference="HOT-123" if i % 2 else None,
                    check_outcome="covered",
                    checked_at=datetime(2026, 11, 1 + i % 28, 8, 15, 30, 123456, tzinfo=UTC),
                    guarantees="PHAR 100; LPP 200" if i % 2 else "PHAR 100 PH2",
                    line_position=x["position"],
                    code=f"34009{rng.randint(10**7, 10**8 - 1)}",
                    code_kind="cip13",
                    label=LABELS[(i + x["position"]) % len(LABELS)],
                    prestation_code=rng.choice(("PH7", "PH4", "PH2", "LPP")),
                    quantity=x["quantity"],
                    unit_price=x["unit"],
                    br_unit=x["unit"],
                    amo_rate=x["rate"],
                    price=x["price"],
                    br=x["br"],
                    amo=x["amo"],
                    tm=x["tm"],
                    amc=x["amc"],
                    patient_share=x["patient"],
                    expiry=date(2028, 1 + i % 12, 28) if x["position"] == 1 else None,
                    lot=f"LOT{i:04d}" if x["position"] == 1 else None,
                    serial=f"SN{i:06d}" if i % 3 == 0 else None,
                    claim_price=totals["price"],
                    claim_amo=totals["amo"],
                    claim_amc=totals["amc"],
                    claim_patient_share=totals["patient"],
                )
            )
    return out


def header_for(lines: Sequence[ExportLine], **changes: object) -> BundleHeader:
    def total(name: str) -> Decimal:
        return sum((getattr(x, name) for x in lines), Decimal("0.00"))

    header = BundleHeader(
        site_name="Pharmacie de l'Église Saint-Étienne",
        site_finess="750012345",
        site_am_number="7512345678",
        site_address="12 rue de la République\n75011 Paris",
        insurer_amc_number="90412345",
        insurer_name="Mutuelle des Pharmaciens Réunis",
        operator_code="VIAMEDIS",
        batch_id=7,
        batch_number=42,
        created_at=CREATED,
        claim_count=len({x.claim_id for x in lines}),
        line_count=len(lines),
        total_price=total("price"),
        total_br=total("br"),
        total_amo=total("amo"),
        total_tm=total("tm"),
        total_amc=total("amc"),
        total_patient=total("patient_share"),
    )
    return replace(header, **changes)  # type: ignore[arg-type]


def source(lines: Sequence[ExportLine]) -> Callable[[], Iterator[ExportLine]]:
    """What the batch service passes: a fresh iterator on each call."""
    return lambda: iter(list(lines))


def worked_example() -> tuple[BundleHeader, list[ExportLine]]:
    """The batch of the worked example in docs/export-format.md (two claims, four lines: the
    first claim's boxes with their per-box fee, then its prescription fee HDR)."""
    d = Decimal
    first = ExportLine(
        claim_id="3f6c1a9e-2b7d-4c1e-9a53-6d2f0b8e4a71",
        claim_number=1287,
        claim_version=1,
        previous_claim_id=None,
        dispensed_on=date(2026, 11, 27),
        prescriber_rpps="10101234567",
        operator_down=True,
        patient_surname="DURANDEAU",
        patient_first_name="Élodie",
        patient_birth_date="14/03/1968",
        patient_nir=nir("2", "68", "03", "75", "056", 101),
        patient_rank=1,
        amo_fund="011751234",
        member_number="ADH-778899",
        insurer_amc_number="90412345",
        insurer_name="Mutuelle Fictive des Pharmaciens",
        check_method="hotline",
        check_reference="HOT-55120",
        check_outcome="covered",
        checked_at=datetime(2026, 11, 27, 8, 42, 10, tzinfo=UTC),
        guarantees="PHAR 100",
        line_position=1,
        code="3400930000001",
        code_kind="cip13",
        label="PARACÉTAMOL 1 G CPR B/8",
        prestation_code="PH7",
        quantity=2,
        unit_price=d("2.18"),
        br_unit=d("2.18"),
        amo_rate=d("65"),
        price=d("4.36"),
        br=d("4.36"),
        amo=d("2.83"),
        tm=d("1.53"),
        amc=d("1.53"),
        patient_share=d("0.00"),
        expiry=date(2028, 6, 30),
        lot="B2241",
        serial=None,  # two boxes: what they share
        claim_price=d("13.97"),
        claim_amo=d("5.96"),
        claim_amc=d("8.01"),
        claim_patient_share=d("0.00"),
        boxes=(
            ExportBox("B2241", date(2028, 6, 30), "7H3K9Q2M", "datamatrix"),
            ExportBox("B2241", date(2028, 6, 30), "7H3K9R5T", "datamatrix"),
        ),
        # Format 1.5: 1,02 € of each 2,18 € box is the dispensing fee (HD7): 2 x 1,02 = 2,04,
        # AMO 65 % = 1,33, the AMC's guarantee (PHAR 100) pays the rest.
        box_fee=ExportBoxFee("HD7", d("1.02"), d("2.04"), d("2.04"), d("1.33"), d("0.71"), d("0.71"), d("0.00")),
        prescription=ExportPrescription(date(2026, 11, 25), False, None),
    )
    second = replace(
        first,
        line_position=2,
        code="3400930000018",
        label="AMOXICILLINE 500 MG GÉL B/12",
        prestation_code="PH4",
        quantity=1,
        unit_price=d("9.00"),
        br_unit=d("9.00"),
        amo_rate=d("30"),
        price=d("9.00"),
        br=d("9.00"),
        amo=d("2.70"),
        tm=d("6.30"),
        amc=d("6.30"),
        expiry=None,
        lot=None,
        serial=None,
        boxes=(ExportBox(None, None, None, "ean13"),),
        box_fee=ExportBoxFee("HD4", d("1.02"), d("1.02"), d("1.02"), d("0.31"), d("0.71"), d("0.71"), d("0.00")),
    )
    # The prescription's fee (HDR, 0,61 € at 70 %): a line of its own.
    fee = replace(
        first,
        line_position=3,
        code="",
        code_kind="manual",
        label="Honoraire de dispensation par ordonnance",
        prestation_code="HDR",
        quantity=1,
        unit_price=d("0.61"),
        br_unit=d("0.61"),
        amo_rate=d("70"),
        price=d("0.61"),
        br=d("0.61"),
        amo=d("0.43"),
        tm=d("0.18"),
        amc=d("0.18"),
        expiry=None,
        lot=None,
        serial=None,
        boxes=(),
        box_fee=None,
        line_kind="fee",
    )
    third = replace(
        first,
        claim_id="a81d7c55-0e4b-4f5a-8d9e-1c2b3a4d5e6f",
        claim_number=1290,
        claim_version=2,
        previous_claim_id="5b0e2d44-7c1a-4e8b-b6f3-9a8c7d6e5f40",
        dispensed_on=date(2026, 11, 28),
        prescriber_rpps=None,
        patient_surname="LEFÈVRE",
        patient_first_name="Noël",
        patient_birth_date="00/00/1952",
        patient_nir=nir("1", "52", "20", "99", "123", 12),
        member_number="0045127",
        check_method="card",
        check_reference=None,
        checked_at=datetime(2026, 11, 28, 14, 5, tzinfo=UTC),
        guarantees="PHAR 100 PH2; LPP 200",
        code="3400949999998",
        label="SPASFON LYOC 80 MG B/10",
        prestation_code="PH2",
        quantity=1,
        unit_price=d("4.50"),
        br_unit=d("4.50"),
        amo_rate=d("15"),
        price=d("4.50"),
        br=d("4.50"),
        amo=d("0.68"),
        tm=d("3.82"),
        amc=d("3.82"),
        expiry=date(2027, 9, 30),
        lot="S7781",
        serial=None,
        claim_price=d("4.50"),
        claim_amo=d("0.68"),
        claim_amc=d("3.82"),
        boxes=(ExportBox("S7781", date(2027, 9, 30), None, "datamatrix"),),
        box_fee=None,  # a reference without the fee: the line is shown whole
        prescription=None,
    )
    lines = [first, second, fee, third]
    header = header_for(
        lines,
        site_name="Pharmacie de l'Église",
        insurer_name="Mutuelle Fictive des Pharmaciens",
        batch_id=17,
        created_at=datetime(2026, 11, 29, 9, 30, tzinfo=UTC),
    )
    header = replace(
        header,
        insurers=(InsurerPart("90412345", "Mutuelle Fictive des Pharmaciens", header.claim_count, header.total_amc),),
    )
    return header, lines
