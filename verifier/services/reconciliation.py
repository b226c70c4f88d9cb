"""Reconciliation per insurer: queued, exported, accepted, paid, rejected, outstanding, ageing."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from verifier import i18n
from verifier.domain.states import ClaimStatus
from verifier.services.context import Context
from verifier.store import reconciliation as rec

ZERO = Decimal("0.00")


# The statuses whose amounts the report sums in a column of their own (paid apart: claimed
# and paid amounts differ).
_AMOUNTS = (ClaimStatus.QUEUED, ClaimStatus.EXPORTED, ClaimStatus.ACCEPTED, ClaimStatus.REJECTED)


@dataclass
class InsurerLine:
    insurer_id: int
    insurer_name: str
    amc_number: str
    queued: Decimal = ZERO
    exported: Decimal = ZERO
    accepted: Decimal = ZERO
    paid_claimed: Decimal = ZERO  # AMC of the claims paid
    paid: Decimal = ZERO  # what the insurer actually paid for them
    rejected: Decimal = ZERO
    counts: dict[str, int] = field(default_factory=dict)
    ageing: list[Decimal] = field(default_factory=lambda: [ZERO] * len(rec.AGE_BANDS))

    @property
    def outstanding(self) -> Decimal:
        """Owed and not yet paid nor refused: queued + exported + accepted."""
        return self.queued + self.exported + self.accepted

    @property
    def short_paid(self) -> Decimal:
        """Paid claims for which the insurer paid less than claimed."""
        return self.paid_claimed - self.paid


@dataclass(frozen=True)
class Reconciliation:
    on: date
    lines: list[InsurerLine]

    def total(self, name: str) -> Decimal:
        return sum((getattr(line, name) for line in self.lines), ZERO)


def reconcile(ctx: Context, today: date | None = None) -> Reconciliation:
    ctx.require_admin("record_return")
    today = today or date.today()
    with ctx.store.read() as s:
        sums = rec.by_status(s)
        ages = rec.outstanding_by_age(s, today)
    lines: dict[int, InsurerLine] = {}
    for row in sums:
        line = lines.setdefault(row.insurer_id, InsurerLine(row.insurer_id, row.insurer_name, row.amc_number))
        line.counts[row.status] = row.count
        if row.status is ClaimStatus.PAID:
            line.paid_claimed += row.amc
            line.paid += row.paid
        elif row.status in _AMOUNTS:
            setattr(line, row.status.value, getattr(line, row.status.value) + row.amc)
    for insurer_id, bands in ages.items():
        if insurer_id in lines:
            lines[insurer_id].ageing = bands
    return Reconciliation(today, sorted(lines.values(), key=lambda line: line.insurer_name))


COLUMNS = (
    "amc_number",
    "insurer",
    "queued",
    "exported",
    "accepted",
    "paid",
    "rejected",
    "outstanding",
    "age_0_30",
    "age_31_60",
    "age_61_90",
    "age_90_plus",
)


def to_csv(r: Reconciliation) -> str:
    """UTF-8 with a BOM and `;` so a French spreadsheet opens it as is; amounts with a comma,
    texts guarded against formulas (the bundle's own CSV writer)."""
    from verifier.exports.csv_writer import spreadsheet_csv

    return spreadsheet_csv(
        COLUMNS,
        (
            [
                line.amc_number,
                line.insurer_name,
                line.queued,
                line.exported,
                line.accepted,
                line.paid,
                line.rejected,
                line.outstanding,
                *line.ageing,
            ]
            for line in r.lines
        ),
    )


def to_pdf(r: Reconciliation, site_name: str) -> bytes:
    """The report as an A4 landscape PDF (reportlab: loaded when a PDF is asked for)."""
    from verifier.exports import reconciliation_pdf

    return reconciliation_pdf.render(r, site_name)


i18n.register(
    {
        "recon.col.insurer": i18n.N_("Organisme"),
        "recon.col.queued": i18n.N_("En attente"),
        "recon.col.exported": i18n.N_("Exporté"),
        "recon.col.accepted": i18n.N_("Accepté"),
        "recon.col.paid": i18n.N_("Payé"),
        "recon.col.rejected": i18n.N_("Rejeté"),
        "recon.col.outstanding": i18n.N_("Restant dû"),
        "recon.col.age": i18n.N_("{band} j"),
    }
)
