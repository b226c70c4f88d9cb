"""The batch slip (bordereau.pdf): page count known in advance, page x of y and the column
titles on every page, page totals and the batch total, names that fit, and the same bytes
for the same batch."""

from __future__ import annotations

import io
import re
from dataclasses import replace
from decimal import Decimal

import pytest
from pypdf import PdfReader

from tests.unit.test_bundle_samples import header_for
from verifier.exports.bordereau import (
    _BOTTOM,
    BOLD,
    COLUMNS,
    PAD,
    ROWS_FIRST,
    ROWS_OTHER,
    SIZE,
    Bordereau,
    SlipRow,
    _fit,
    _width,
    layout,
)
from verifier.exports.values import amount_grouped_fr


def rows(n: int) -> list[SlipRow]:
    return [
        SlipRow(
            str(10_000 + i),
            f"PATIENT{i} Prénom",
            f"ADH-{i:06d}",
            "20/11/2026",
            Decimal("25.50"),
            Decimal("16.58"),
            Decimal("8.92"),
            Decimal("0.00"),
        )
        for i in range(n)
    ]


def render(n: int) -> tuple[Bordereau, bytes]:
    header = replace(
        header_for([]), claim_count=n, line_count=2 * n, total_price=Decimal("25.50") * n, total_amc=Decimal("8.92") * n
    )
    slip = Bordereau(header)
    for row in rows(n):
        slip.add(row)
    return slip, slip.finish()


def page_texts(pdf: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages]


def test_rows_per_page_keep_the_text_readable() -> None:
    assert SIZE >= 8
    assert 40 <= ROWS_FIRST < ROWS_OTHER <= 60


@pytest.mark.parametrize(
    "n",
    [
        0,
        1,
        ROWS_FIRST - 13,
        ROWS_FIRST - 12,
        ROWS_FIRST,
        ROWS_FIRST + 1,
        ROWS_FIRST + ROWS_OTHER,
        ROWS_FIRST + 2 * ROWS_OTHER - 5,
        400,
    ],
)
def test_every_page_says_page_x_of_y_and_repeats_the_column_titles(n: int) -> None:
    slip, pdf = render(n)
    texts = page_texts(pdf)
    pages, closing_alone = layout(n)
    assert len(texts) == pages == slip.pages
    titles = r"N°\s+Patient\s+N°\s+Délivré\s+Montant"
    for i, text in enumerate(texts, 1):
        assert f"Page {i} sur {pages}" in text
        assert "Lot n° 000042" in text
        if i < pages or not closing_alone:
            assert re.search(titles, text), f"column titles missing on page {i}"
        else:  # the page that only holds the totals and the signature boxes
            assert not re.search(titles, text) and "Total du lot" in text
    numbers = [int(m) for text in texts for m in re.findall(r"(?m)^(1\d{4}) PATIENT", text)]
    assert numbers == [10_000 + i for i in range(n)]  # every claim once, in order
    per_page = [len(re.findall(r"(?m)^1\d{4} PATIENT", text)) for text in texts]
    assert per_page[0] <= ROWS_FIRST and all(k <= ROWS_OTHER for k in per_page[1:])
    if closing_alone:
        assert per_page[-1] == 0
    assert "Cachet de l'officine" in texts[-1] and "Cachet de l'officine" not in "".join(texts[:-1])
    assert slip.closing_bottom >= _BOTTOM  # signature boxes above the footer


def test_page_totals_and_batch_total_add_up() -> None:
    n = ROWS_FIRST + ROWS_OTHER + 7
    _, pdf = render(n)
    texts = page_texts(pdf)
    page_counts = [int(m) for t in texts for m in re.findall(r"Total de la page \((\d+) demandes?\)", t)]
    assert page_counts == [ROWS_FIRST, ROWS_OTHER, 7]
    assert f"Total de la page ({ROWS_FIRST} demandes) {amount_grouped_fr(Decimal('25.50') * ROWS_FIRST)}" in texts[0]
    total = amount_grouped_fr(Decimal("8.92") * n)
    assert re.search(rf"Part AMC demandée\s+{total} €", texts[-1])
    assert re.search(rf"Demandes\s+{n}\s", texts[-1])


def test_same_rows_give_the_same_bytes() -> None:
    assert render(130)[1] == render(130)[1]


def test_long_and_foreign_names_fit_their_column() -> None:
    width = COLUMNS[1][2] - 2 * PAD
    long = _fit("DE LA ROCHEFOUCAULD-MONTMORENCY-LAVAL Marie-Geneviève-Bernadette", width)
    assert long.endswith("…") and _width(long) <= width
    assert _fit("NGUYỄN Łukasz 中", width) == "NGUYEN Lukasz ?"
    assert _fit("LINE\nBREAK\tTAB", width) == "LINE BREAK TAB"


def test_large_amounts_fit_their_column() -> None:
    # A page total of ~55 claims up to 999 999,99 EUR; the batch total has a block of its own.
    for col in COLUMNS[4:]:
        assert _width(amount_grouped_fr(Decimal("999999.99")), BOLD, SIZE) <= col[2] - 2 * PAD


def test_versions_after_the_first_are_marked() -> None:
    from tests.unit.test_bundle_samples import make_lines
    from verifier.exports.bordereau import slip_row

    lines = make_lines(4, seed=1, max_lines=1)
    assert slip_row([replace(lines[0], claim_version=1)]).number == str(lines[0].claim_number)
    assert slip_row([replace(lines[0], claim_version=3)]).number == f"{lines[0].claim_number} v3"


def test_operator_slip_names_each_claims_insurer_and_ends_with_a_summary_per_insurer() -> None:
    from verifier.exports.bordereau import ROWS_RECAP, recap_pages
    from verifier.exports.rows import InsurerPart

    insurers = ROWS_RECAP + 5  # the summary takes two pages
    parts = tuple(InsurerPart(f"{77_000_000 + i}", f"Mutuelle n° {i}", 1, Decimal("8.92")) for i in range(insurers))
    n = ROWS_FIRST + 3
    header = replace(
        header_for([]),
        insurer_amc_number=None,
        insurer_name=None,
        operator_code="VIAMEDIS",
        operator_name="Viamedis",
        insurers=parts,
        claim_count=n,
        line_count=n,
        total_price=Decimal("25.50") * n,
        total_amc=Decimal("8.92") * n,
    )
    slip = Bordereau(header)
    for i, row in enumerate(rows(n)):
        slip.add(replace(row, amc_number=parts[i % insurers].amc_number))
    reader = PdfReader(io.BytesIO(slip.finish()))
    assert recap_pages(insurers) == 2
    assert len(reader.pages) == slip.pages == layout(n)[0] + 2
    texts = [p.extract_text() for p in reader.pages]
    for i, text in enumerate(texts, 1):
        assert f"Page {i} sur {slip.pages}" in text and "opérateur VIAMEDIS" in text
    assert "Opérateur de tiers payant destinataire" in texts[0] and "Viamedis" in texts[0]
    assert f"{parts[0].amc_number}  ADH-000000" in texts[0].replace("\n", " ") or parts[0].amc_number in texts[0]
    summary = "\n".join(texts[-2:])
    assert summary.count("Récapitulatif par organisme complémentaire") == 2
    for p in parts:
        assert p.amc_number in summary and p.name in summary
    assert f"Total du lot ({insurers} organismes)" in summary and amount_grouped_fr(Decimal("8.92") * n) in summary


@pytest.mark.parametrize(
    ("instant", "shown"),
    [
        ("2026-01-15T08:53:00+00:00", "15/01/2026 à 09:53"),  # winter: UTC+1
        ("2026-07-15T08:53:00+00:00", "15/07/2026 à 10:53"),  # summer: UTC+2
        ("2026-12-31T23:30:00", "01/01/2027 à 00:30"),  # stored naive = UTC; the day turns in Paris
    ],
)
def test_the_slip_prints_its_time_in_paris_time(instant: str, shown: str) -> None:
    from datetime import datetime

    header = replace(header_for([]), created_at=datetime.fromisoformat(instant))
    slip = Bordereau(header)
    text = page_texts(slip.finish())[0]
    assert f"créé le {shown} (heure de Paris)" in text
    assert "UTC" not in text
