"""Table models of the "when service returns" pages: claims awaiting export per insurer,
claims refused at batch creation, batches, claims to choose, rejections, reconciliation."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QFont

from verifier import i18n
from verifier.domain.money import format_eur
from verifier.formatting import format_count, format_day, local_datetime, local_day
from verifier.gui.rows import Column, RowsModel
from verifier.services.batches import BatchInfo
from verifier.services.claims import format_number
from verifier.services.queue import QueueRow
from verifier.services.reconciliation import InsurerLine
from verifier.services.returns import Rejection

i18n.register(
    {
        "admin.batch.col.insurer": i18n.N_("Organisme"),
        "admin.batch.col.amc": i18n.N_("N° AMC"),
        "admin.batch.col.operator": i18n.N_("Opérateur"),
        "admin.batch.col.batch_to": i18n.N_("Lot"),
        "admin.batch.col.recipient": i18n.N_("Destinataire"),
        "admin.batch.col.count": i18n.N_("Demandes"),
        "admin.batch.col.amount": i18n.N_("Part AMC"),
        "admin.batch.col.number": i18n.N_("N° lot"),
        "admin.batch.col.status": i18n.N_("État"),
        "admin.batch.col.created": i18n.N_("Créé le"),
        "admin.batch.col.sent": i18n.N_("Envoyé le"),
        "admin.batch.col.channel": i18n.N_("Envoyé par"),
        "admin.batch.col.claim": i18n.N_("N° demande"),
        "admin.batch.col.reasons": i18n.N_("Motifs du refus"),
        "admin.batch.col.dispensed": i18n.NP_("admin.batch.col", "Délivrée le"),
        "admin.batch.col.patient": i18n.N_("Patient"),
        "admin.batch.channel.upload": i18n.N_("dépôt sur le portail"),
        "admin.batch.channel.mail": i18n.N_("messagerie"),
        "admin.batch.channel.post": i18n.N_("courrier postal"),
        "admin.returns.col.version": i18n.N_("Version"),
        "admin.returns.col.code": i18n.N_("Code motif"),
        "admin.returns.col.reason": i18n.N_("Motif"),
        "admin.recon.col.insurer": i18n.N_("Organisme"),
        "admin.recon.col.queued": i18n.N_("En attente"),
        "admin.recon.col.exported": i18n.N_("Exporté"),
        "admin.recon.col.accepted": i18n.N_("Accepté"),
        "admin.recon.col.paid": i18n.N_("Payé"),
        "admin.recon.col.rejected": i18n.N_("Rejeté"),
        "admin.recon.col.outstanding": i18n.N_("Restant dû"),
        "admin.recon.col.short_paid": i18n.N_("Payé en moins"),
    }
)


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
        return i18n.tr("commun, opérateur {code}", code=r.operator_code)
    return i18n.tr("propre à l'organisme")


class ReadyModel(RowsModel):
    COLUMNS = (
        Column("admin.batch.col.insurer", lambda r: r.name),
        Column("admin.batch.col.amc", lambda r: r.amc_number),
        Column("admin.batch.col.operator", lambda r: r.operator_code or ""),
        Column("admin.batch.col.batch_to", batch_to_text),
        Column("admin.batch.col.count", lambda r: format_count(r.count), sort=lambda r: r.count, right=True),
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
    return i18n.say(f"admin.batch.channel.{channel}") if channel else ""


class BatchModel(RowsModel):
    COLUMNS = (
        Column("admin.batch.col.number", lambda r: r.info.number_text, sort=lambda r: r.info.number),
        Column("admin.batch.col.recipient", lambda r: r.insurer_name),
        Column("admin.batch.col.status", lambda r: i18n.say(f"batch.status.{r.info.state}")),
        Column(
            "admin.batch.col.count",
            lambda r: format_count(r.info.claim_count),
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
            "admin.batch.col.dispensed", lambda r: format_day(r.dispensed_on), sort=lambda r: r.dispensed_on.toordinal()
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


i18n.register(
    {
        "admin.recon.band0": i18n.N_("0–30 j"),
        "admin.recon.band1": i18n.N_("31–60 j"),
        "admin.recon.band2": i18n.N_("61–90 j"),
        "admin.recon.band3": i18n.N_("90+ j"),
    }
)


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
            return i18n.ntr(
                "{amount} : {count} demande",
                "{amount} : {count} demandes",
                line.counts.get(status, 0),
                amount=amount,
                count=format_count(line.counts.get(status, 0)),
            )
        return super().data(index, role)


def total_line(lines: list[InsurerLine]) -> InsurerLine:
    """The sum of every insurer's line (counts included), named "Total"."""
    zero = Decimal("0.00")
    total = InsurerLine(0, i18n.tr("Total"), "")
    for name in ("queued", "exported", "accepted", "paid_claimed", "paid", "rejected"):
        setattr(total, name, sum((getattr(line, name) for line in lines), zero))
    if lines:
        total.ageing = [sum((line.ageing[i] for line in lines), zero) for i in range(len(lines[0].ageing))]
    for line in lines:
        for status, count in line.counts.items():
            total.counts[status] = total.counts.get(status, 0) + count
    return total
