"""bordereau.pdf: the batch slip a person reads, signs and stamps.

Drawn page by page on the reportlab canvas rather than built as a platypus story: a
platypus Table of 100,000 rows splits in quadratic time and keeps every row as an object,
while here only the current page's rows are held. Every row has the same height and the
page layout is fixed, so the number of pages follows from the claim count alone and
"page x of y" is written in one pass.

Always in French, whatever the user's language: it goes to a French insurer, and the same
batch must give the same bytes (reportlab's `invariant` mode fixes the dates and the ID).
"""

from __future__ import annotations

import io
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from reportlab import rl_config
from reportlab.lib.colors import Color
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.lib.utils import simpleSplit
from reportlab.pdfbase.pdfmetrics import getFont
from reportlab.pdfgen.canvas import Canvas

from verifier.exports.rows import FORMAT_VERSION, BundleHeader, ExportLine, InsurerPart
from verifier.exports.values import amount_grouped_fr, as_paris, date_fr, pdf_text

PAGE_W: float = A4[0]
PAGE_H: float = A4[1]
MARGIN_X: float = 15 * mm
MARGIN_TOP: float = 14 * mm
MARGIN_BOTTOM: float = 12 * mm
WIDTH = PAGE_W - 2 * MARGIN_X

FONT, BOLD = "Helvetica", "Helvetica-Bold"
SIZE = 8.5  # table rows; nothing on the slip is smaller than 8 pt
SMALL = 8.0
ROW_H = 12.0
HEAD_ROW_H = 22.0  # two lines of column titles
FOOTER_H = 18.0
RUNNING_HEAD_H = 22.0  # pages after the first: batch, insurer, site in one line
FIRST_HEAD_H = 178.0  # page one: title, the two blocks, the summary line
CLOSING_H = 202.0  # last page: totals, attestation, signature and stamp boxes
PAD = 3.0

GREY = Color(0.93, 0.93, 0.93)
RULE = Color(0.55, 0.55, 0.55)
ZEBRA = Color(0.965, 0.965, 0.965)

# (title line 1, title line 2, width, right-aligned)
COLUMNS: tuple[tuple[str, str, float, bool], ...] = (
    ("N°", "demande", 48, False),
    ("Patient", "nom prénom", 136, False),
    ("N°", "adhérent", 74, False),
    ("Délivré", "le", 48, False),
    ("Montant", "€", 51, True),
    ("AMO", "€", 51, True),
    ("AMC", "€", 51, True),
    ("Part", "patient €", 51, True),
)
# A batch for an operator holds several insurers: each row names its insurer's AMC number.
OPERATOR_COLUMNS: tuple[tuple[str, str, float, bool], ...] = (
    COLUMNS[0],
    ("Patient", "nom prénom", 96, False),
    ("N° AMC", "n° adhérent", 114, False),
    *COLUMNS[3:],
)
for _cols in (COLUMNS, OPERATOR_COLUMNS):
    assert abs(sum(c[2] for c in _cols) - WIDTH) < 1, "columns must fill the page width"
RECAP_TITLE_H = 30.0

_TOP = PAGE_H - MARGIN_TOP
_BOTTOM = MARGIN_BOTTOM + FOOTER_H
# Rows per page, keeping one row for the page total.
ROWS_FIRST = int((_TOP - FIRST_HEAD_H - HEAD_ROW_H - _BOTTOM) // ROW_H) - 1
ROWS_OTHER = int((_TOP - RUNNING_HEAD_H - HEAD_ROW_H - _BOTTOM) // ROW_H) - 1
# The per-insurer summary of an operator's batch: pages after the closing part.
ROWS_RECAP = int((_TOP - RUNNING_HEAD_H - RECAP_TITLE_H - HEAD_ROW_H - _BOTTOM) // ROW_H) - 1


def layout(claim_count: int) -> tuple[int, bool]:
    """(pages, whether the closing part needs a page of its own) for `claim_count` rows."""
    if claim_count <= ROWS_FIRST:
        pages, last_rows, capacity = 1, claim_count, ROWS_FIRST
    else:
        pages = 1 + math.ceil((claim_count - ROWS_FIRST) / ROWS_OTHER)
        last_rows = claim_count - ROWS_FIRST - (pages - 2) * ROWS_OTHER
        capacity = ROWS_OTHER
    room = (capacity - last_rows) * ROW_H
    if room < CLOSING_H:
        return pages + 1, True
    return pages, False


def recap_pages(insurers: int) -> int:
    """Pages of the per-insurer summary that ends an operator's batch slip."""
    return math.ceil(insurers / ROWS_RECAP) if insurers else 0


@dataclass(frozen=True)
class SlipRow:
    """One claim as the slip shows it."""

    number: str
    patient: str
    member: str
    dispensed_on: str
    price: Decimal
    amo: Decimal
    amc: Decimal
    patient_share: Decimal
    amc_number: str = ""
    fees_amc: Decimal = Decimal("0.00")  # format 1.5: AMC of the dispensing fees (per box and per prescription)
    acts_amc: Decimal = Decimal("0.00")  # format 1.5: AMC of the pharmacist's acts


def slip_row(lines: Sequence[ExportLine]) -> SlipRow:
    c = lines[0]
    fees = sum((x.amc for x in lines if x.line_kind == "fee"), Decimal("0.00"))
    fees += sum((x.box_fee.amc for x in lines if x.box_fee is not None), Decimal("0.00"))
    acts = sum((x.amc for x in lines if x.line_kind == "act"), Decimal("0.00"))
    number = str(c.claim_number) if c.claim_version <= 1 else f"{c.claim_number} v{c.claim_version}"
    return SlipRow(
        number,
        f"{c.patient_surname} {c.patient_first_name}",
        c.member_number or "",
        date_fr(c.dispensed_on),
        c.claim_price,
        c.claim_amo,
        c.claim_amc,
        c.claim_patient_share,
        c.insurer_amc_number,
        fees,
        acts,
    )


_WIDTHS = {FONT: getFont(FONT).widths, BOLD: getFont(BOLD).widths}
# PDF string escapes; the text is Windows-1252 bytes read as Latin-1 characters.
_ESCAPES = {ord("\\"): "\\\\", ord("("): "\\(", ord(")"): "\\)"}
_ESCAPES.update({i: f"\\{i:03o}" for i in range(256) if i < 32 or i > 126})


def _width(text: str, font: str = FONT, size: float = SIZE) -> float:
    """Width in points of cp1252-safe `text` (the standard fonts' metrics, no reportlab call)."""
    widths = _WIDTHS[font]
    return float(sum(widths[b] for b in text.encode("cp1252")) * size / 1000)


def _fit(text: str, width: float, font: str = FONT, size: float = SIZE) -> str:
    """`text` cut with an ellipsis to fit `width` points."""
    text = pdf_text(text)
    if _width(text, font, size) <= width:
        return text
    lo, hi = 0, len(text)
    while lo < hi:  # longest prefix that fits with the ellipsis
        mid = (lo + hi + 1) // 2
        if _width(text[:mid] + "…", font, size) <= width:
            lo = mid
        else:
            hi = mid - 1
    return text[:lo].rstrip() + "…"


def _pdf_string(text: str) -> str:
    return "(" + text.encode("cp1252").decode("latin-1").translate(_ESCAPES) + ")"


class Bordereau:
    """Draws the slip as claims arrive; `finish()` returns the PDF bytes."""

    def __init__(self, header: BundleHeader) -> None:
        self.h = header
        self.pages, self._closing_alone = layout(header.claim_count)
        self._columns = OPERATOR_COLUMNS if header.for_operator else COLUMNS
        self._recap = list(header.insurers) if header.for_operator else []
        self.pages += recap_pages(len(self._recap))
        self._buffer = io.BytesIO()
        self.c = Canvas(self._buffer, pagesize=A4, invariant=1, pageCompression=1)
        self.c.setTitle(f"Bordereau lot {header.batch_number:06d} – {pdf_text(header.recipient_name)}")
        self.c.setAuthor(pdf_text(header.site_name))
        self.c.setSubject("Demandes de remboursement AMC en tiers payant")
        self.c.setCreator("verifier")
        # The names under which the page resources know the two fonts (/F1, /F2...).
        self._font_names = {}
        for font in (FONT, BOLD):
            probe = self.c.beginText()
            probe.setFont(font, SIZE)
            self._font_names[font] = re.search(r"/F\d+", probe.getCode()).group(0)  # type: ignore[union-attr]
        self._page = 0
        self._closing_y = 0.0
        self.closing_bottom = 0.0
        self._rows: list[SlipRow] = []
        self._capacity = ROWS_FIRST
        self._lot = f"{header.batch_number:06d}"
        self.totals = [Decimal(0)] * 4
        self.fees_amc = self.acts_amc = Decimal("0.00")
        self.count = 0
        x = MARGIN_X
        self._x: list[float] = []
        for col in self._columns:
            self._x.append(x)
            x += col[2]

    # -- feeding -----------------------------------------------------------------------
    def add(self, row: SlipRow) -> None:
        self._rows.append(row)
        self.count += 1
        for i, value in enumerate((row.price, row.amo, row.amc, row.patient_share)):
            self.totals[i] += value
        self.fees_amc += row.fees_amc
        self.acts_amc += row.acts_amc
        if len(self._rows) == self._capacity:
            self._flush_page(last=False)

    def finish(self) -> bytes:
        if self._rows or self._page == 0:
            self._flush_page(last=True)
        if self._closing_alone:
            self._closing(self._start_page())
            self._end_page()
        else:
            self._closing(self._closing_y)
            self._end_page()
        for start in range(0, len(self._recap), ROWS_RECAP):
            self._recap_page(self._recap[start : start + ROWS_RECAP])
        # ASCII85 on top of Flate makes the file 25 % larger and costs a third of the
        # save time in pure Python; binary streams are fine for every PDF reader.
        a85 = rl_config.useA85
        rl_config.useA85 = 0
        try:
            self.c.save()
        finally:
            rl_config.useA85 = a85
        return self._buffer.getvalue()

    # -- pages -------------------------------------------------------------------------
    def _start_page(self) -> float:
        self._page += 1
        return self._first_head() if self._page == 1 else self._running_head()

    def _end_page(self) -> None:
        c = self.c
        y = MARGIN_BOTTOM + 4
        c.setStrokeColor(RULE)
        c.setLineWidth(0.5)
        c.line(MARGIN_X, MARGIN_BOTTOM + FOOTER_H - 6, PAGE_W - MARGIN_X, MARGIN_BOTTOM + FOOTER_H - 6)
        c.setFillColorRGB(0, 0, 0)
        c.setFont(FONT, SMALL)
        c.drawString(
            MARGIN_X,
            y,
            _fit(
                f"Lot n° {self._lot} – {self.h.recipient_reference} – {self.h.recipient_name}", WIDTH * 0.7, FONT, SMALL
            ),
        )
        c.drawRightString(PAGE_W - MARGIN_X, y, f"Page {self._page} sur {self.pages}")
        c.showPage()

    def _text(self, font: str, size: float, cells: list[tuple[float, float, str]]) -> None:
        """Draw many short texts in one text object, written as PDF operators.

        reportlab's per-string calls cost ~30 us each, most of the slip's time over
        100,000 rows; this writes the same operators (Tm, Tj) for a fraction of it.
        """
        ops = [f"BT {self._font_names[font]} {size} Tf"]
        ops += [f"1 0 0 1 {x:.2f} {y:.2f} Tm {_pdf_string(text)} Tj" for x, y, text in cells]
        ops.append("ET")
        self.c.addLiteral("\n".join(ops))

    def _cells(
        self, y: float, texts: Sequence[str], font: str = FONT, size: float = SIZE
    ) -> list[tuple[float, float, str]]:
        """A row's texts placed in the columns (amounts right-aligned), baseline at `y`."""
        out = []
        for x, (_, _, width, right), text in zip(self._x, self._columns, texts):
            out.append((x + width - PAD - _width(text, font, size) if right else x + PAD, y, text))
        return out

    def _flush_page(self, last: bool) -> None:
        rows, self._rows = self._rows, []
        y = self._start_page()
        y = self._table_head(y)
        c = self.c
        c.setFillColor(ZEBRA)
        stripes = [
            f"{MARGIN_X:.2f} {y - (i + 1) * ROW_H:.2f} {WIDTH:.2f} {ROW_H:.2f} re" for i in range(1, len(rows), 2)
        ]
        if stripes:
            c.addLiteral("\n".join(stripes) + " f")
        c.setFillColorRGB(0, 0, 0)
        sums = [Decimal(0)] * 4
        names_w, member_w = self._columns[1][2] - 2 * PAD, self._columns[2][2] - 2 * PAD
        operator = self.h.for_operator
        cells: list[tuple[float, float, str]] = []
        for row in rows:
            y -= ROW_H
            amounts = (row.price, row.amo, row.amc, row.patient_share)
            for i, value in enumerate(amounts):
                sums[i] += value
            member = f"{row.amc_number}  {row.member}" if operator else row.member
            cells += self._cells(
                y + 3.5,
                (
                    row.number,
                    _fit(row.patient, names_w),
                    _fit(member, member_w),
                    row.dispensed_on,
                    *map(amount_grouped_fr, amounts),
                ),
            )
        self._text(FONT, SIZE, cells)
        y = self._sum_row(y, "Total de la page", len(rows), sums)
        self._capacity = ROWS_OTHER
        if last and not self._closing_alone:
            self._closing_y = y
            return
        self._end_page()

    def _table_head(self, y: float) -> float:
        c = self.c
        c.setFillColor(GREY)
        c.rect(MARGIN_X, y - HEAD_ROW_H, WIDTH, HEAD_ROW_H, stroke=0, fill=1)
        c.setFillColorRGB(0, 0, 0)
        self._text(
            BOLD,
            SMALL,
            self._cells(y - 9, [col[0] for col in self._columns], BOLD, SMALL)
            + self._cells(y - 18, [col[1] for col in self._columns], BOLD, SMALL),
        )
        c.setStrokeColor(RULE)
        c.setLineWidth(0.5)
        c.line(MARGIN_X, y - HEAD_ROW_H, PAGE_W - MARGIN_X, y - HEAD_ROW_H)
        return y - HEAD_ROW_H

    def _sum_row(self, y: float, label: str, count: int, sums: list[Decimal]) -> float:
        c = self.c
        c.setStrokeColor(RULE)
        c.setLineWidth(0.5)
        c.line(MARGIN_X, y, PAGE_W - MARGIN_X, y)
        y -= ROW_H
        label = f"{label} ({count} demande{'s' if count > 1 else ''})"
        cells = self._cells(y + 3.5, ["", "", "", "", *map(amount_grouped_fr, sums)], BOLD, SIZE)
        self._text(BOLD, SIZE, [(MARGIN_X + PAD, y + 3.5, label)] + cells[4:])
        return y

    # -- page heads --------------------------------------------------------------------
    def _first_head(self) -> float:
        c, h = self.c, self.h
        y = _TOP
        c.setFont(BOLD, 14)
        c.drawString(MARGIN_X, y - 14, "Bordereau d'envoi – demandes de remboursement AMC")
        c.setFont(FONT, 9)
        created = as_paris(h.created_at)
        c.drawString(
            MARGIN_X,
            y - 28,
            f"Tiers payant complémentaire – demandes enregistrées pendant une "
            f"indisponibilité de l'opérateur (format {FORMAT_VERSION})",
        )
        c.setFont(BOLD, 12)
        c.drawString(MARGIN_X, y - 48, f"Lot n° {self._lot}")
        c.setFont(FONT, 9)
        c.drawString(MARGIN_X + 95, y - 48, f"créé le {created:%d/%m/%Y} à {created:%H:%M} (heure de Paris)")
        box_top, box_h, gap = y - 60, 84.0, 10.0
        box_w = (WIDTH - gap) / 2
        site_lines = [("Officine émettrice", True), (h.site_name, True)]
        address = [
            wrapped
            for part in (h.site_address or "").splitlines()
            for wrapped in simpleSplit(pdf_text(part), FONT, 9, box_w - 12)
        ]
        site_lines += [(part, False) for part in address[:3]]
        site_lines += [(f"FINESS {h.site_finess or '—'}   N° AM {h.site_am_number or '—'}", False)]
        if h.for_operator:
            n = len(h.insurers)
            insurer_lines = [
                ("Opérateur de tiers payant destinataire", True),
                (h.recipient_name, True),
                (f"Code opérateur {h.operator_code}", False),
                (
                    f"{n} organisme{'s' if n > 1 else ''} complémentaire{'s' if n > 1 else ''}, "
                    f"récapitulatif page {self.pages - recap_pages(n) + 1}",
                    False,
                ),
            ]
        else:
            insurer_lines = [
                ("Organisme complémentaire destinataire", True),
                (h.insurer_name or "", True),
                (f"N° AMC {h.insurer_amc_number}", False),
            ]
            if h.operator_code:
                insurer_lines.append((f"Opérateur de tiers payant : {h.operator_code}", False))
        for x, lines in ((MARGIN_X, site_lines), (MARGIN_X + box_w + gap, insurer_lines)):
            c.setStrokeColor(RULE)
            c.setLineWidth(0.8)
            c.rect(x, box_top - box_h, box_w, box_h, stroke=1, fill=0)
            ly = box_top - 13
            for i, (text, bold) in enumerate(lines[:6]):
                c.setFont(BOLD if bold else FONT, 9 if i else SMALL)
                c.drawString(x + 6, ly, _fit(text, box_w - 12, BOLD if bold else FONT, 9 if i else SMALL))
                ly -= 12 if i else 13
        y = box_top - box_h - 16
        c.setFont(FONT, 9)
        c.drawString(
            MARGIN_X,
            y,
            f"{h.claim_count} demande{'s' if h.claim_count > 1 else ''}, "
            f"{h.line_count} ligne{'s' if h.line_count > 1 else ''} – montant total "
            f"{amount_grouped_fr(h.total_price)} € – part AMC demandée "
            f"{amount_grouped_fr(h.total_amc)} €",
        )
        return _TOP - FIRST_HEAD_H

    def _running_head(self) -> float:
        c, h = self.c, self.h
        c.setFont(BOLD, 9)
        c.drawString(MARGIN_X, _TOP - 10, f"Bordereau – lot n° {self._lot}")
        c.setFont(FONT, 9)
        c.drawRightString(
            PAGE_W - MARGIN_X,
            _TOP - 10,
            _fit(f"{h.recipient_name} ({h.recipient_reference}) – {h.site_name}", WIDTH - 150, FONT, 9),
        )
        return _TOP - RUNNING_HEAD_H

    # -- closing -------------------------------------------------------------------------
    def _closing(self, y: float) -> None:
        c = self.c
        y -= 20
        c.setFont(BOLD, 10)
        c.drawString(MARGIN_X, y, f"Total du lot n° {self._lot}")
        rows = (
            ("Demandes", str(self.count)),
            ("Lignes", str(self.h.line_count)),
            ("Montant total", amount_grouped_fr(self.totals[0]) + " €"),
            ("Part AMO", amount_grouped_fr(self.totals[1]) + " €"),
            ("Part AMC demandée", amount_grouped_fr(self.totals[2]) + " €"),
            # Format 1.5: what of the AMC part pays the pharmacy's fees and acts (claims.csv
            # gives them per line: line_kind, box_fee_amc), under it in the same column.
            ("    dont honoraires de dispensation", amount_grouped_fr(self.fees_amc) + " €"),
            ("    dont actes du pharmacien", amount_grouped_fr(self.acts_amc) + " €"),
            ("Part patient", amount_grouped_fr(self.totals[3]) + " €"),
        )
        c.setFont(FONT, 9)
        for i, (label, value) in enumerate(rows):
            col, line = divmod(i, 4)
            x = MARGIN_X + col * (WIDTH / 2)
            ly = y - 14 - line * 12
            c.setFont(BOLD if label.startswith("Part AMC") else FONT, 9)
            c.drawString(x, ly, label)
            c.drawRightString(x + WIDTH / 2 - 20, ly, value)
        y -= 14 + 4 * 12 + 8
        c.setFont(FONT, 8.5)
        attest = (
            "Le pharmacien titulaire certifie que les demandes ci-dessus correspondent à des délivrances "
            "effectuées en tiers payant, les droits ayant été vérifiés selon la méthode indiquée pour "
            "chacune dans le fichier claims.csv de ce lot."
        )
        for text in simpleSplit(attest, FONT, 8.5, WIDTH):
            c.drawString(MARGIN_X, y, text)
            y -= 11
        box_h, gap = 80.0, 10.0
        box_w = (WIDTH - gap) / 2
        y -= 6
        c.setStrokeColor(RULE)
        c.setLineWidth(0.8)
        for x, title in (
            (MARGIN_X, "Date et signature du pharmacien"),
            (MARGIN_X + box_w + gap, "Cachet de l'officine"),
        ):
            c.rect(x, y - box_h, box_w, box_h, stroke=1, fill=0)
            c.setFont(FONT, SMALL)
            c.drawString(x + 6, y - 12, title)
        self.closing_bottom = y - box_h  # kept for the layout tests: must stay above the footer

    # -- per-insurer summary (operator batches) -------------------------------------------
    def _recap_page(self, parts: Sequence[InsurerPart]) -> None:
        c = self.c
        y = self._start_page()
        c.setFont(BOLD, 11)
        c.drawString(MARGIN_X, y - 16, f"Récapitulatif par organisme complémentaire – lot n° {self._lot}")
        y -= RECAP_TITLE_H
        widths = (90.0, WIDTH - 90.0 - 80.0 - 110.0, 80.0, 110.0)
        xs = [MARGIN_X + sum(widths[:i]) for i in range(4)]
        c.setFillColor(GREY)
        c.rect(MARGIN_X, y - HEAD_ROW_H, WIDTH, HEAD_ROW_H, stroke=0, fill=1)
        c.setFillColorRGB(0, 0, 0)

        def row(yy: float, texts: Sequence[str], font: str) -> list[tuple[float, float, str]]:
            out = [(xs[0] + PAD, yy, texts[0]), (xs[1] + PAD, yy, _fit(texts[1], widths[1] - 2 * PAD, font))]
            for i in (2, 3):
                out.append((xs[i] + widths[i] - PAD - _width(texts[i], font), yy, texts[i]))
            return out

        self._text(BOLD, SMALL, row(y - 14, ("N° AMC", "Organisme", "Demandes", "Part AMC €"), BOLD))
        y -= HEAD_ROW_H
        cells: list[tuple[float, float, str]] = []
        for part in parts:
            y -= ROW_H
            cells += row(
                y + 3.5,
                (part.amc_number, pdf_text(part.name), str(part.claim_count), amount_grouped_fr(part.total_amc)),
                FONT,
            )
        self._text(FONT, SIZE, cells)
        c.setStrokeColor(RULE)
        c.setLineWidth(0.5)
        c.line(MARGIN_X, y, PAGE_W - MARGIN_X, y)
        y -= ROW_H
        self._text(
            BOLD,
            SIZE,
            row(
                y + 3.5,
                (
                    f"Total du lot ({len(self.h.insurers)} organismes)",
                    "",
                    str(self.h.claim_count),
                    amount_grouped_fr(self.h.total_amc),
                ),
                BOLD,
            ),
        )
        self._end_page()
