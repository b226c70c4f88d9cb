"""The reconciliation report as a PDF (A4 landscape), in the user's language."""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from typing import Protocol

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from verifier import i18n
from verifier.domain.money import format_eur
from verifier.formatting import format_day

BANDS = ("0–30", "31–60", "61–90", "90+")


# What the report reads (services.reconciliation.Reconciliation has it), so that this
# renderer depends on no service.
class ReportLine(Protocol):
    @property
    def insurer_name(self) -> str: ...
    @property
    def amc_number(self) -> str: ...
    @property
    def queued(self) -> Decimal: ...
    @property
    def exported(self) -> Decimal: ...
    @property
    def accepted(self) -> Decimal: ...
    @property
    def paid(self) -> Decimal: ...
    @property
    def rejected(self) -> Decimal: ...
    @property
    def outstanding(self) -> Decimal: ...
    @property
    def ageing(self) -> Sequence[Decimal]: ...


class Report(Protocol):
    @property
    def on(self) -> date: ...
    @property
    def lines(self) -> Sequence[ReportLine]: ...
    def total(self, name: str) -> Decimal: ...


def render(r: Report, site_name: str) -> bytes:
    tr = i18n.tr
    styles = getSampleStyleSheet()
    head = [tr("Organisme")] + [
        i18n.say(f"recon.col.{k}") for k in ("queued", "exported", "accepted", "paid", "rejected", "outstanding")
    ]
    head += [tr("{band} j", band=b) for b in BANDS]
    rows: list[list[str]] = [head]
    for line in r.lines:
        rows.append(
            [
                f"{line.insurer_name} ({line.amc_number})",
                *(
                    format_eur(v)
                    for v in (line.queued, line.exported, line.accepted, line.paid, line.rejected, line.outstanding)
                ),
                *(format_eur(b) for b in line.ageing),
            ]
        )
    totals = [r.total(k) for k in ("queued", "exported", "accepted", "paid", "rejected", "outstanding")]
    ageing = [sum((line.ageing[i] for line in r.lines), totals[0] * 0) for i in range(len(BANDS))]
    rows.append([tr("Total"), *(format_eur(v) for v in totals), *(format_eur(v) for v in ageing)])
    table = Table(rows, repeatRows=1, colWidths=[62 * mm] + [20 * mm] * 10)
    table.setStyle(
        TableStyle(
            [
                ("FONTSIZE", (0, 0), (-1, -1), 8),
                ("ALIGN", (1, 0), (-1, -1), "RIGHT"),
                ("LINEBELOW", (0, 0), (-1, 0), 0.8, colors.black),
                ("LINEABOVE", (0, -1), (-1, -1), 0.8, colors.black),
                ("FONTNAME", (0, 0), (-1, 0), "Helvetica-Bold"),
                ("FONTNAME", (0, -1), (-1, -1), "Helvetica-Bold"),
                ("ROWBACKGROUNDS", (0, 1), (-1, -2), [colors.white, colors.HexColor("#f2f2f2")]),
            ]
        )
    )
    out = io.BytesIO()
    doc = SimpleDocTemplate(
        out,
        pagesize=landscape(A4),
        leftMargin=12 * mm,
        rightMargin=12 * mm,
        topMargin=12 * mm,
        bottomMargin=12 * mm,
        title=tr("Rapprochement par organisme au {date}", date=format_day(r.on)),
        author=site_name,
    )
    doc.build(
        [
            Paragraph(site_name, styles["Heading2"]),
            Paragraph(tr("Rapprochement par organisme au {date}", date=format_day(r.on)), styles["Title"]),
            Spacer(1, 4 * mm),
            table,
            Spacer(1, 4 * mm),
            Paragraph(
                tr("Restant dû = en file + exporté + accepté, réparti par ancienneté depuis la délivrance."),
                styles["Normal"],
            ),
        ]
    )
    return out.getvalue()
