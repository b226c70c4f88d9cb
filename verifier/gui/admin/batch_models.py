"""Table models of the "when service returns" pages: claims awaiting export per insurer,
claims refused at batch creation, batches, claims to choose, rejections, reconciliation."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QFont

from verifier import i18n
from verifier.domain.money import format_eur
from verifier.formatting import local_datetime, local_day
from verifier.gui.admin.common import count_text
from verifier.gui.rows import Column, RowsModel
from verifier.services.batches import BatchInfo
from verifier.services.claims import format_number
from verifier.services.queue import QueueRow
from verifier.services.reconciliation import InsurerLine
from verifier.services.returns import Rejection

i18n.register(
    {
        "admin.batch.col.insurer": ("Organisme", "Insurer"),
        "admin.batch.col.amc": ("N° AMC", "AMC no."),
        "admin.batch.col.operator": ("Opérateur", "Operator"),
        "admin.batch.col.batch_to": ("Lot", "Batch"),
        "admin.batch.col.recipient": ("Destinataire", "Recipient"),
        "admin.batch.to_insurer": ("propre à l'organisme", "the insurer's own"),
        "admin.batch.to_operator": ("commun, opérateur {code}", "shared, operator {code}"),
        "admin.batch.operator_recipient": ("Opérateur {name}", "Operator {name}"),
        "admin.batch.col.count": ("Demandes", "Claims"),
        "admin.batch.col.amount": ("Part AMC", "Insurer's share"),
        "admin.batch.col.number": ("N° lot", "Batch no."),
        "admin.batch.col.status": ("État", "Status"),
        "admin.batch.col.created": ("Créé le", "Created"),
        "admin.batch.col.sent": ("Envoyé le", "Sent on"),
        "admin.batch.col.channel": ("Envoyé par", "Sent by"),
        "admin.batch.col.claim": ("N° demande", "Claim no."),
        "admin.batch.col.reasons": ("Motifs du refus", "Why it was refused"),
        "admin.batch.col.dispensed": ("Délivrée le", "Dispensed"),
        "admin.batch.col.patient": ("Patient", "Patient"),
        "admin.batch.channel.upload": ("dépôt sur le portail", "portal upload"),
        "admin.batch.channel.mail": ("messagerie", "e-mail"),
        "admin.batch.channel.post": ("courrier postal", "post"),
        "admin.returns.col.version": ("Version", "Version"),
        "admin.returns.col.code": ("Code motif", "Reason code"),
        "admin.returns.col.reason": ("Motif", "Reason"),
        "admin.recon.col.insurer": ("Organisme", "Insurer"),
        "admin.recon.col.queued": ("En attente", "Queued"),
        "admin.recon.col.exported": ("Exporté", "Exported"),
        "admin.recon.col.accepted": ("Accepté", "Accepted"),
        "admin.recon.col.paid": ("Payé", "Paid"),
        "admin.recon.col.rejected": ("Rejeté", "Rejected"),
        "admin.recon.col.outstanding": ("Restant dû", "Outstanding"),
        "admin.recon.col.short_paid": ("Payé en moins", "Short paid"),
        "admin.recon.total": ("Total", "Total"),
        "admin.recon.count_tip": ("{amount} : {count} demande(s)", "{amount}: {count} claim(s)"),
    }
)


def day_text(day: date) -> str:
    return day.strftime("%d/%m/%Y")


# ----------------------------------------------------------------------- batches page


@dataclass(frozen=True)
class ReadyRow:
    """An insurer with claims awaiting export (the `id` is the insurer's)."""

    id: int
    name: str
    amc_number: str
    operator_code: str | None
    count: int
    amc: Decimal
    by_operator: bool = False  # its claims go in the operator's batch, with its other insurers'


def batch_to_text(r: ReadyRow) -> str:
    if r.by_operator and r.operator_code:
        return i18n.tr("admin.batch.to_operator", code=r.operator_code)
    return i18n.tr("admin.batch.to_insurer")


class ReadyModel(RowsModel):
    COLUMNS = (
        Column("admin.batch.col.insurer", lambda r: r.name),
        Column("admin.batch.col.amc", lambda r: r.amc_number),
        Column("admin.batch.col.operator", lambda r: r.operator_code or ""),
        Column("admin.batch.col.batch_to", batch_to_text),
        Column("admin.batch.col.count", lambda r: count_text(r.count), sort=lambda r: r.count, right=True),
        Column("admin.batch.col.amount", lambda r: format_eur(r.amc), sort=lambda r: float(r.amc), right=True),
    )

    def ready(self, index: int) -> ReadyRow:
        row: ReadyRow = self.row(index)
        return row


@dataclass(frozen=True)
class RefusedRow:
    insurer_name: str
    claim_number: int
    reasons: str


class RefusedModel(RowsModel):
    COLUMNS = (
        Column("admin.batch.col.claim", lambda r: format_number(r.claim_number), sort=lambda r: r.claim_number),
        Column("admin.batch.col.insurer", lambda r: r.insurer_name),
        Column("admin.batch.col.reasons", lambda r: r.reasons),
    )


@dataclass(frozen=True)
class BatchRow:
    """A batch and the name of its recipient: its insurer, or "Opérateur X" (the `id` is the batch's)."""

    info: BatchInfo
    insurer_name: str

    @property
    def id(self) -> int:
        return self.info.id


def channel_text(channel: str | None) -> str:
    return i18n.tr(f"admin.batch.channel.{channel}") if channel else ""


class BatchModel(RowsModel):
    COLUMNS = (
        Column("admin.batch.col.number", lambda r: r.info.number_text, sort=lambda r: r.info.number),
        Column("admin.batch.col.recipient", lambda r: r.insurer_name),
        Column("admin.batch.col.status", lambda r: i18n.tr(f"batch.status.{r.info.state}")),
        Column(
            "admin.batch.col.count",
            lambda r: count_text(r.info.claim_count),
            sort=lambda r: r.info.claim_count,
            right=True,
        ),
        Column(
            "admin.batch.col.amount",
            lambda r: format_eur(r.info.total_amc),
            sort=lambda r: float(r.info.total_amc),
            right=True,
        ),
        Column(
            "admin.batch.col.created",
            lambda r: local_datetime(r.info.created_at),
            sort=lambda r: r.info.created_at.timestamp(),
        ),
        Column(
            "admin.batch.col.sent",
            lambda r: local_day(r.info.sent_at) if r.info.sent_at else "",
            sort=lambda r: r.info.sent_at.timestamp() if r.info.sent_at else 0.0,
        ),
        Column("admin.batch.col.channel", lambda r: channel_text(r.info.channel)),
    )

    def batch(self, index: int) -> BatchRow:
        row: BatchRow = self.row(index)
        return row


class ClaimChoiceModel(RowsModel):
    """Queued claims of one insurer, each with a check box in the first column (all checked)."""

    COLUMNS = (
        Column("admin.batch.col.claim", lambda r: format_number(r.number), sort=lambda r: r.number),
        Column(
            "admin.batch.col.dispensed", lambda r: day_text(r.dispensed_on), sort=lambda r: r.dispensed_on.toordinal()
        ),
        Column("admin.batch.col.patient", lambda r: r.patient_name),
        Column("admin.batch.col.amount", lambda r: format_eur(r.amc), sort=lambda r: float(r.amc), right=True),
    )

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._checked: set[str] = set()

    def set_rows(self, rows: Any) -> None:
        self._checked = {r.id for r in rows}
        super().set_rows(rows)

    def checked_ids(self) -> list[str]:
        return [r.id for r in self.rows() if r.id in self._checked]

    def set_all(self, checked: bool) -> None:
        self._checked = {r.id for r in self.rows()} if checked else set()
        if self.rowCount():
            self.dataChanged.emit(
                self.index(0, 0), self.index(self.rowCount() - 1, 0), [Qt.ItemDataRole.CheckStateRole]
            )

    def claim(self, index: int) -> QueueRow:
        row: QueueRow = self.row(index)
        return row

    def flags(self, index: QModelIndex | QPersistentModelIndex) -> Qt.ItemFlag:
        flags = super().flags(index)
        if index.isValid() and index.column() == 0:
            flags |= Qt.ItemFlag.ItemIsUserCheckable
        return flags

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role == Qt.ItemDataRole.CheckStateRole:
            if not index.isValid() or index.column() != 0 or not 0 <= index.row() < self.rowCount():
                return None
            chosen = self.claim(index.row()).id in self._checked
            return Qt.CheckState.Checked if chosen else Qt.CheckState.Unchecked
        return super().data(index, role)

    def setData(
        self, index: QModelIndex | QPersistentModelIndex, value: Any, role: int = Qt.ItemDataRole.EditRole
    ) -> bool:
        if role != Qt.ItemDataRole.CheckStateRole or not index.isValid() or index.column() != 0:
            return False
        claim_id = self.claim(index.row()).id
        state = value.value if isinstance(value, Qt.CheckState) else int(value)
        if state == Qt.CheckState.Checked.value:
            self._checked.add(claim_id)
        else:
            self._checked.discard(claim_id)
        self.dataChanged.emit(index, index, [Qt.ItemDataRole.CheckStateRole])
        return True


# ----------------------------------------------------------------------- returns page


class RejectionModel(RowsModel):
    COLUMNS = (
        Column("admin.batch.col.claim", lambda r: format_number(r.claim_number), sort=lambda r: r.claim_number),
        Column("admin.returns.col.version", lambda r: str(r.version), sort=lambda r: r.version, right=True),
        Column("admin.batch.col.insurer", lambda r: r.insurer_name),
        Column("admin.returns.col.code", lambda r: r.reason_code or ""),
        Column("admin.returns.col.reason", lambda r: r.reason_text or ""),
        Column("admin.batch.col.amount", lambda r: format_eur(r.amc), sort=lambda r: float(r.amc), right=True),
    )

    def rejection(self, index: int) -> Rejection:
        row: Rejection = self.row(index)
        return row


# ----------------------------------------------------------------------- reconciliation page

AMOUNTS = ("queued", "exported", "accepted", "paid", "rejected", "outstanding")
BANDS = ("0–30", "31–60", "61–90", "90+")


def _insurer_text(line: InsurerLine) -> str:
    return f"{line.insurer_name} ({line.amc_number})" if line.amc_number else line.insurer_name


def _amount_column(name: str) -> Column:
    return Column(
        f"admin.recon.col.{name}",
        lambda line: format_eur(getattr(line, name)),
        sort=lambda line: float(getattr(line, name)),
        right=True,
    )


def _band_column(i: int) -> Column:
    return Column(
        f"admin.recon.band{i}",
        lambda line: format_eur(line.ageing[i]),
        sort=lambda line: float(line.ageing[i]),
        right=True,
    )


i18n.register({f"admin.recon.band{i}": (f"{band} j", f"{band} d") for i, band in enumerate(BANDS)})


class ReconciliationModel(RowsModel):
    """One row per insurer, then the totals (in bold); the amounts' tooltips give the counts."""

    COLUMNS = (
        Column("admin.recon.col.insurer", _insurer_text),
        *(_amount_column(name) for name in AMOUNTS),
        _amount_column("short_paid"),
        *(_band_column(i) for i in range(len(BANDS))),
    )
    COUNTED = {1: "queued", 2: "exported", 3: "accepted", 4: "paid", 5: "rejected"}

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.has_total = False

    def set_lines(self, lines: list[InsurerLine], total: InsurerLine | None) -> None:
        self.has_total = total is not None
        self.set_rows([*lines, total] if total is not None else lines)

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < self.rowCount():
            return None
        line: InsurerLine = self.row(index.row())
        if role == Qt.ItemDataRole.FontRole and self.has_total and index.row() == self.rowCount() - 1:
            font = QFont()
            font.setBold(True)
            return font
        if role == Qt.ItemDataRole.ToolTipRole and index.column() in self.COUNTED:
            status = self.COUNTED[index.column()]
            amount = super().data(index, Qt.ItemDataRole.DisplayRole)
            return i18n.tr("admin.recon.count_tip", amount=amount, count=count_text(line.counts.get(status, 0)))
        return super().data(index, role)


def total_line(lines: list[InsurerLine]) -> InsurerLine:
    """The sum of every insurer's line (counts included), named "Total"."""
    zero = Decimal("0.00")
    total = InsurerLine(0, i18n.tr("admin.recon.total"), "")
    for name in ("queued", "exported", "accepted", "paid_claimed", "paid", "rejected"):
        setattr(total, name, sum((getattr(line, name) for line in lines), zero))
    if lines:
        total.ageing = [sum((line.ageing[i] for line in lines), zero) for i in range(len(lines[0].ageing))]
    for line in lines:
        for status, count in line.counts.items():
            total.counts[status] = total.counts.get(status, 0) + count
    return total
