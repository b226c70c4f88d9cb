"""The patient's receipt for the degraded procedure (reportlab), in the user's language."""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Protocol
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import KeepTogether, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from verifier import i18n
from verifier.domain.claims import LineAmounts
from verifier.domain.coverage import Guarantee, guarantee_for
from verifier.domain.identifiers import BirthDate
from verifier.domain.money import format_eur, format_rate
from verifier.domain.pharmacy_fees import split_box
from verifier.domain.states import outcome_label
from verifier.exports.values import time_printed_fr
from verifier.formatting import format_day

i18n.register(
    {
        "receipt.col.product": i18n.N_("Produit"),
        "receipt.col.qty": i18n.N_("Qté"),
        "receipt.col.unit": i18n.N_("Prix unit."),
        "receipt.col.br": i18n.N_("Base remb."),
        "receipt.col.rate": i18n.N_("Taux AMO"),
        "receipt.col.amo": i18n.N_("AMO"),
        "receipt.col.amc": i18n.N_("AMC"),
        "receipt.col.patient": i18n.N_("Patient"),
        "method.card": i18n.N_("Carte papier vue"),
        "method.hotline": i18n.N_("Appel à la plateforme"),
        "method.portal": i18n.NP_("method", "Portail de l'organisme"),
        "method.fax": i18n.N_("Fax"),
    }
)


# What the receipt reads, described here so that this renderer depends on no service: the
# claim window's detail (services.claim_view) has these attributes, and so may anything else.
class ReceiptSite(Protocol):
    @property
    def name(self) -> str: ...
    @property
    def finess(self) -> str | None: ...
    @property
    def am_number(self) -> str | None: ...
    @property
    def address(self) -> str | None: ...


class ReceiptLine(Protocol):
    @property
    def code(self) -> str: ...
    @property
    def label(self) -> str: ...
    @property
    def quantity(self) -> int: ...
    @property
    def unit_price(self) -> Decimal: ...
    @property
    def amo_rate(self) -> Decimal: ...
    @property
    def prestation_code(self) -> str: ...
    @property
    def fee_unit(self) -> Decimal | None: ...


class ReceiptClaim(Protocol):
    @property
    def number_text(self) -> str: ...
    @property
    def version(self) -> int: ...
    @property
    def dispensed_on(self) -> date: ...
    @property
    def price(self) -> Decimal: ...
    @property
    def amo(self) -> Decimal: ...
    @property
    def amc(self) -> Decimal: ...
    @property
    def patient_share(self) -> Decimal: ...
    @property
    def lines(self) -> Sequence[tuple[ReceiptLine, LineAmounts]]: ...


class ReceiptPatient(Protocol):
    @property
    def surname(self) -> str: ...
    @property
    def first_name(self) -> str: ...
    @property
    def birth_date(self) -> BirthDate: ...
    @property
    def nir(self) -> str: ...
    @property
    def rank(self) -> int: ...


class ReceiptCheck(Protocol):
    @property
    def method(self) -> str: ...
    @property
    def outcome(self) -> str: ...
    @property
    def checked_at(self) -> datetime: ...
    @property
    def reference(self) -> str | None: ...
    @property
    def member_number(self) -> str | None: ...
    @property
    def guarantees(self) -> Sequence[Guarantee]: ...
    @property
    def operator_down(self) -> bool: ...


class ReceiptInsurer(Protocol):
    @property
    def name(self) -> str: ...
    @property
    def amc_number(self) -> str: ...
    @property
    def operator_code(self) -> str | None: ...


class ReceiptDetail(Protocol):
    @property
    def claim(self) -> ReceiptClaim: ...
    @property
    def patient(self) -> ReceiptPatient: ...
    @property
    def check(self) -> ReceiptCheck: ...
    @property
    def checked_by(self) -> str: ...
    @property
    def insurer(self) -> ReceiptInsurer: ...


def _spaced_nir(nir: str) -> str:
    """As printed on the Carte Vitale: 2 80 02 99 350 102 03."""
    parts = (nir[0], nir[1:3], nir[3:5], nir[5:7], nir[7:10], nir[10:13], nir[13:15])
    return " ".join(parts) if len(nir) == 15 else nir


def _date(d: datetime) -> str:
    return time_printed_fr(d)  # Paris time, whatever the machine's zone


def render_receipt(
    d: ReceiptDetail, site: ReceiptSite, printed_at: datetime | None = None, franchise: Decimal | None = None
) -> bytes:
    """One A4 page (more if there are many lines) as PDF bytes; `franchise`: what the AMO will
    withhold on the boxes (shown, never part of the amounts above it)."""
    tr = i18n.tr
    styles = getSampleStyleSheet()
    body = ParagraphStyle("body", parent=styles["Normal"], fontSize=9.5, leading=12)
    small = ParagraphStyle("small", parent=body, fontSize=8, leading=10, textColor=colors.HexColor("#444444"))
    head = ParagraphStyle("head", parent=styles["Heading2"], fontSize=11, spaceBefore=6, spaceAfter=2)
    title = ParagraphStyle("title", parent=styles["Title"], fontSize=14, spaceAfter=4)

    def p(text: str, style: ParagraphStyle = body) -> Paragraph:
        return Paragraph(escape(text), style)

    c, pt, ck = d.claim, d.patient, d.check
    site_lines = [site.name] + [x for x in (site.address,) if x]
    ids = " – ".join(
        x
        for x in (f"FINESS {site.finess}" if site.finess else "", f"AM {site.am_number}" if site.am_number else "")
        if x
    )
    story: list[object] = [
        Table(
            [
                [
                    [p(site_lines[0], head)] + [p(x, small) for x in site_lines[1:]] + ([p(ids, small)] if ids else []),
                    [
                        p(tr("Demande n° {number} (version {version})", number=c.number_text, version=c.version), head),
                        p(tr("Délivré le {date}", date=format_day(c.dispensed_on)), small),
                        p(tr("Imprimé le {date}", date=_date(printed_at or datetime.now(UTC))), small),
                    ],
                ]
            ],
            colWidths=[105 * mm, 70 * mm],
            style=[("VALIGN", (0, 0), (-1, -1), "TOP")],
        ),
        Spacer(1, 4 * mm),
        p(tr("Reçu de délivrance – tiers payant en mode dégradé"), title),
        p(tr("Patient"), head),
        p(f"{pt.surname} {pt.first_name}, " + tr("né(e) le {date}", date=pt.birth_date.text)),
        p(tr("NIR {nir} – rang {rank}", nir=_spaced_nir(pt.nir), rank=pt.rank)),
        p(i18n.ptr("receipt", "Organisme complémentaire"), head),
        p(
            f"{d.insurer.name} – "
            + tr("N° AMC {amc}", amc=d.insurer.amc_number)
            + (f" – {d.insurer.operator_code}" if d.insurer.operator_code else "")
        ),
    ]
    if ck.member_number:
        story.append(p(tr("N° d'adhérent {member}", member=ck.member_number)))
    guarantees = ", ".join(f"{g.domain} {format_rate(g.rate)} % BR" for g in ck.guarantees) or "—"
    story += [
        p(tr("Vérification des droits"), head),
        p(
            tr(
                "{method} le {date} par {who} – résultat : {outcome}",
                method=i18n.say(f"method.{ck.method}"),
                date=_date(ck.checked_at),
                who=d.checked_by,
                outcome=outcome_label(ck.outcome, in_sentence=True),
            )
        ),
    ]
    if ck.reference:
        story.append(p(tr("Référence obtenue : {reference}", reference=ck.reference)))
    story.append(p(tr("Garantie : {guarantees}", guarantees=guarantees)))
    if ck.operator_down:
        story.append(p(tr("Opérateur de tiers payant indisponible au moment de la délivrance."), small))
    cols = ["product", "qty", "unit", "br", "rate", "amo", "amc", "patient"]
    rows: list[list[object]] = [[p(i18n.say(f"receipt.col.{k}"), small) for k in cols]]

    def row(head: str, label: str, quantity: int, unit: Decimal, rate: Decimal, a: LineAmounts) -> list[object]:
        return [
            Paragraph(escape(head) + "<br/>" + escape(label), small) if head else p(label, small),
            str(quantity),
            format_eur(unit),
            format_eur(a.br),
            f"{format_rate(rate)} %",
            format_eur(a.amo),
            format_eur(a.amc),
            format_eur(a.patient),
        ]

    for line, a in c.lines:
        # Under the label: the CIP13 of a box, the code of a fee or act (HDR, TRD...).
        code = line.code or line.prestation_code
        # A box whose price includes the dispensing fee: the product, then its fee (HD7...),
        # as the pharmacy's invoice shows them; the two add up to the line exactly.
        split = split_box(
            line.prestation_code,
            line.quantity,
            line.unit_price,
            line.amo_rate,
            a,
            line.fee_unit,
            guarantee_for(line.prestation_code, ck.guarantees),
        )
        if split is None:
            rows.append(row(code, line.label, line.quantity, line.unit_price, line.amo_rate, a))
            continue
        rows.append(
            row(
                f"{code} · {split.product_code}",
                line.label,
                line.quantity,
                split.product_unit,
                line.amo_rate,
                split.product,
            )
        )
        rows.append(
            row(
                split.fee_code,
                tr("Honoraire de dispensation"),
                line.quantity,
                split.fee_unit,
                line.amo_rate,
                split.fee,
            )
        )
    br = sum((a.br for _, a in c.lines), c.price * 0)
    rows.append(
        [
            p(tr("Total"), body),
            "",
            format_eur(c.price),
            format_eur(br),
            "",
            format_eur(c.amo),
            format_eur(c.amc),
            format_eur(c.patient_share),
        ]
    )
    table = Table(
        rows, colWidths=[62 * mm, 10 * mm, 18 * mm, 18 * mm, 15 * mm, 17 * mm, 17 * mm, 18 * mm], repeatRows=1
    )
    table.setStyle(
        TableStyle(
            [
                ("FONTSIZE", (0, 0), (-1, -1), 8),
                ("ALIGN", (1, 0), (-1, -1), "RIGHT"),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("LINEBELOW", (0, 0), (-1, 0), 0.8, colors.black),
                ("LINEABOVE", (0, -1), (-1, -1), 0.8, colors.black),
                ("FONTNAME", (0, -1), (-1, -1), "Helvetica-Bold"),
                ("ROWBACKGROUNDS", (0, 1), (-1, -2), [colors.white, colors.HexColor("#f2f2f2")]),
            ]
        )
    )
    story += [Spacer(1, 4 * mm), table, Spacer(1, 4 * mm)]
    if franchise is not None and franchise > 0:
        # D161-13-1: amounts before franchise; L871-1: never paid by a complementary insurer.
        story.append(
            p(
                tr(
                    "Franchise médicale estimée : {amount}, retenue par l'Assurance maladie sur ses remboursements (sauf exonération : maternité, C2S) et jamais demandée à votre complémentaire. Les montants ci-dessus sont avant franchise.",
                    amount=format_eur(franchise),
                ),
                small,
            )
        )
    story += [
        p(
            tr(
                "La part complémentaire (AMC) sera facturée à votre organisme dès le retour du service. Si l'organisme la refuse, l'officine pourra vous la demander."
            ),
            small,
        ),
        Spacer(1, 6 * mm),
    ]
    box = Table(
        [[p(tr("Signature du patient"), small), p(tr("Cachet et signature de l'officine"), small)], ["", ""]],
        colWidths=[85 * mm, 85 * mm],
        rowHeights=[6 * mm, 28 * mm],
    )
    box.setStyle(
        TableStyle(
            [
                ("BOX", (0, 0), (0, -1), 0.8, colors.black),
                ("BOX", (1, 0), (1, -1), 0.8, colors.black),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]
        )
    )
    story.append(KeepTogether([box]))
    out = io.BytesIO()
    doc = SimpleDocTemplate(
        out,
        pagesize=A4,
        leftMargin=15 * mm,
        rightMargin=15 * mm,
        topMargin=15 * mm,
        bottomMargin=15 * mm,
        title=tr("Reçu de délivrance – tiers payant en mode dégradé"),
        author=site.name,
        subject=tr("Demande n° {number} (version {version})", number=c.number_text, version=c.version),
    )
    doc.build(story)
    return out.getvalue()
