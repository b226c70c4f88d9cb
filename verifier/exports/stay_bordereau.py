"""The clinic's bordereau for an AMC: a batch summary page, then one invoice per stay.

Each invoice mirrors what the clinic sends the AMO for the same stay (the S3404 invoice,
whose AMC counterpart the UNOCAM mode opératoire describes): the establishment (FINESS),
the stay's entry number, admission and discharge dates, the beneficiary and the insured's
member number, the prise en charge number, and per line the mode de traitement (MT), the
discipline médico-tarifaire (DMT), the prestation code, the dates, unit price, quantity,
amount, the AMO's and the AMC's shares; then the totals (docs/clinics.md).

It takes plain rows (the dataclasses below), as the pharmacy bundle's writers do; the
export of stays fills them from the store. Always in French (it goes to a French insurer),
and byte-identical for the same rows (reportlab's invariant mode).
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import PageBreak, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from verifier.exports.values import amount_grouped_fr, date_fr, pdf_text

ZERO = Decimal("0.00")


@dataclass(frozen=True, kw_only=True)
class StayLineRow:
    code: str  # prestation code (FJ, PJ, ADC, CP…)
    label: str
    start: date
    end: date
    unit_price: Decimal
    quantity: int
    price: Decimal
    amo: Decimal
    amc: Decimal
    patient: Decimal


@dataclass(frozen=True, kw_only=True)
class StayRow:
    claim_number: str
    entry_number: str  # the clinic's numéro d'entrée
    admission: date
    discharge: date
    beneficiary: str  # surname and first name
    birth_date: str
    member_number: str
    pec_number: str
    mode: str  # MT
    dmt: str
    lines: Sequence[StayLineRow]

    def total(self, name: str) -> Decimal:
        return sum((getattr(line, name) for line in self.lines), ZERO)


@dataclass(frozen=True, kw_only=True)
class StayBatchHeader:
    batch_number: str
    created_on: date
    site_name: str
    finess: str
    address: str
    insurer_name: str
    amc_number: str


AMOUNTS = ("price", "amo", "amc", "patient")
_GRID = [
    ("FONTSIZE", (0, 0), (-1, -1), 8),
    ("FONTNAME", (0, 0), (-1, 0), "Helvetica-Bold"),
    ("BACKGROUND", (0, 0), (-1, 0), colors.Color(0.93, 0.93, 0.93)),
    ("LINEBELOW", (0, 0), (-1, 0), 0.6, colors.black),
    ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
    ("TOPPADDING", (0, 0), (-1, -1), 2),
    ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
]


def _finess(header: StayBatchHeader) -> str:
    """The FINESS as printed ("FINESS 123456789"), or nothing when the site has not entered it."""
    return f"FINESS {header.finess}" if header.finess else ""


def _p(text: str, style: ParagraphStyle) -> Paragraph:
    return Paragraph(escape(pdf_text(text)), style)


def render(header: StayBatchHeader, stays: Sequence[StayRow]) -> bytes:
    """The whole bordereau: summary, then each stay's invoice on its own page."""
    styles = getSampleStyleSheet()
    body = ParagraphStyle("body", parent=styles["Normal"], fontSize=8.5, leading=10.5)
    title = ParagraphStyle("title", parent=styles["Title"], fontSize=14, leading=17, spaceAfter=4)
    head = ParagraphStyle("head", parent=styles["Heading2"], fontSize=11, leading=13, spaceBefore=2, spaceAfter=3)
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=14 * mm,
        rightMargin=14 * mm,
        topMargin=14 * mm,
        bottomMargin=14 * mm,
        title=pdf_text(f"Bordereau AMC – lot n° {header.batch_number}"),
        author=pdf_text(header.site_name),
        invariant=1,
    )
    story: list[object] = [
        _p(f"Bordereau de facturation destiné à l'AMC – lot n° {header.batch_number}", title),
        _p(
            " – ".join(part for part in (header.site_name, _finess(header), header.address) if part),
            body,
        ),
        _p(f"Organisme complémentaire : {header.insurer_name} (n° AMC {header.amc_number})", body),
        _p(f"Établi le {date_fr(header.created_on)} – {len(stays)} séjour{'s' if len(stays) > 1 else ''}", body),
        Spacer(1, 4 * mm),
        _summary(stays),
    ]
    for stay in stays:
        story += [PageBreak(), *_invoice(header, stay, head, body)]
    doc.build(story)
    return buffer.getvalue()


def _summary(stays: Sequence[StayRow]) -> Table:
    rows: list[list[str]] = [
        ["N° demande", "N° d'entrée", "Bénéficiaire", "Entrée", "Sortie", "PEC", "Montant", "AMO", "AMC"]
    ]
    for s in stays:
        rows.append(
            [
                s.claim_number,
                s.entry_number,
                pdf_text(s.beneficiary)[:34],
                date_fr(s.admission),
                date_fr(s.discharge),
                pdf_text(s.pec_number)[:18],
                amount_grouped_fr(s.total("price")),
                amount_grouped_fr(s.total("amo")),
                amount_grouped_fr(s.total("amc")),
            ]
        )
    rows.append(
        [
            "Total",
            "",
            "",
            "",
            "",
            "",
            *(amount_grouped_fr(sum((s.total(n) for s in stays), ZERO)) for n in ("price", "amo", "amc")),
        ]
    )
    widths = [
        18 * mm,
        19 * mm,
        39 * mm,
        16 * mm,
        16 * mm,
        24 * mm,
        18 * mm,
        17 * mm,
        15 * mm,
    ]  # 182 mm: the page between margins
    table = Table(rows, colWidths=widths, repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                *_GRID,
                ("ALIGN", (6, 0), (-1, -1), "RIGHT"),
                ("FONTNAME", (0, -1), (-1, -1), "Helvetica-Bold"),
                ("LINEABOVE", (0, -1), (-1, -1), 0.6, colors.black),
            ]
        )
    )
    return table


def _invoice(header: StayBatchHeader, s: StayRow, head: ParagraphStyle, body: ParagraphStyle) -> list[object]:
    facts = [
        [
            "Établissement",
            " – ".join(p for p in (header.site_name, _finess(header)) if p),
            "N° d'entrée",
            s.entry_number,
        ],
        ["Bénéficiaire", f"{s.beneficiary}, né(e) le {s.birth_date}", "N° d'adhérent", s.member_number],
        ["Entrée", date_fr(s.admission), "Sortie", date_fr(s.discharge)],
        ["Prise en charge", s.pec_number, "MT / DMT", f"{s.mode} / {s.dmt}"],
    ]
    facts_table = Table([[pdf_text(c) for c in row] for row in facts], colWidths=[28 * mm, 78 * mm, 26 * mm, 50 * mm])
    facts_table.setStyle(
        TableStyle(
            [
                ("FONTSIZE", (0, 0), (-1, -1), 8.5),
                ("FONTNAME", (0, 0), (0, -1), "Helvetica-Bold"),
                ("FONTNAME", (2, 0), (2, -1), "Helvetica-Bold"),
                ("BOX", (0, 0), (-1, -1), 0.5, colors.grey),
                ("INNERGRID", (0, 0), (-1, -1), 0.25, colors.lightgrey),
            ]
        )
    )
    rows: list[list[str]] = [["MT", "DMT", "Code", "Libellé", "Du", "Au", "P.U.", "Qté", "Montant", "AMO", "AMC"]]
    for line in s.lines:
        rows.append(
            [
                s.mode,
                s.dmt,
                pdf_text(line.code),
                pdf_text(line.label)[:30],
                date_fr(line.start),
                date_fr(line.end),
                amount_grouped_fr(line.unit_price),
                str(line.quantity),
                amount_grouped_fr(line.price),
                amount_grouped_fr(line.amo),
                amount_grouped_fr(line.amc),
            ]
        )
    rows.append(
        ["Total", "", "", "", "", "", "", "", *(amount_grouped_fr(s.total(n)) for n in ("price", "amo", "amc"))]
    )
    widths = [9 * mm, 10 * mm, 12 * mm, 45 * mm, 16 * mm, 16 * mm, 16 * mm, 9 * mm, 18 * mm, 16 * mm, 15 * mm]
    lines_table = Table(rows, colWidths=widths, repeatRows=1)
    lines_table.setStyle(
        TableStyle(
            [
                *_GRID,
                ("ALIGN", (6, 0), (-1, -1), "RIGHT"),
                ("FONTNAME", (0, -1), (-1, -1), "Helvetica-Bold"),
                ("LINEABOVE", (0, -1), (-1, -1), 0.6, colors.black),
            ]
        )
    )
    patient = s.total("patient")
    return [
        _p(f"Facture AMC – demande n° {s.claim_number} – séjour n° {s.entry_number}", head),
        facts_table,
        Spacer(1, 4 * mm),
        lines_table,
        Spacer(1, 3 * mm),
        _p(
            f"Montant demandé à l'organisme complémentaire : {amount_grouped_fr(s.total('amc'))} €. "
            f"Reste à la charge du patient : {amount_grouped_fr(patient)} €.",
            body,
        ),
    ]
