"""The item models of an opened claim: its lines (editable while correcting), history, versions."""

from __future__ import annotations

import dataclasses
from decimal import Decimal, InvalidOperation
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QSpinBox, QStyledItemDelegate, QStyleOptionViewItem, QWidget

from verifier import i18n
from verifier.domain.claims import MAX_QUANTITY, MIN_QUANTITY, LineAmounts, LineInput, compute_line
from verifier.domain.coverage import Guarantee, guarantee_for
from verifier.domain.errors import ValidationError
from verifier.domain.money import format_eur, format_rate, parse_amount
from verifier.domain.states import ClaimStatus
from verifier.formatting import local_datetime
from verifier.gui.queue.model import status_text
from verifier.gui.queue.texts import history_sentence
from verifier.gui.rows import Column, RowsModel
from verifier.services.claim_view import HistoryEntry, VersionRef
from verifier.services.claims import LineDraft, format_number

i18n.register(
    {
        "queue.line.label": i18n.N_("Produit"),
        "queue.line.code": i18n.N_("Code"),
        "queue.line.prestation": i18n.NP_("queue.line", "Prest."),
        "queue.line.quantity": i18n.N_("Qté"),
        "queue.line.unit_price": i18n.N_("Prix unitaire"),
        "queue.line.amo_rate": i18n.N_("Taux AMO"),
        "queue.line.price": i18n.N_("Prix"),
        "queue.line.amo": i18n.N_("Part AMO"),
        "queue.line.amc": i18n.N_("Part AMC"),
        "queue.line.patient": i18n.N_("Reste patient"),
        "queue.history.when": i18n.N_("Date"),
        "queue.history.who": i18n.N_("Par"),
        "queue.history.what": i18n.N_("Action"),
        "queue.version.number": i18n.N_("N° de demande"),
        "queue.version.version": i18n.N_("Version"),
        "queue.version.status": i18n.N_("Statut"),
    }
)

Index = QModelIndex | QPersistentModelIndex
_RIGHT = int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
_LEFT = int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)

LABEL, CODE, PRESTATION, QUANTITY, UNIT_PRICE, AMO_RATE, PRICE, AMO, AMC, PATIENT = range(10)
_LINE_HEADERS = (
    "queue.line.label",
    "queue.line.code",
    "queue.line.prestation",
    "queue.line.quantity",
    "queue.line.unit_price",
    "queue.line.amo_rate",
    "queue.line.price",
    "queue.line.amo",
    "queue.line.amc",
    "queue.line.patient",
)
EDITABLE_COLUMNS = (QUANTITY, UNIT_PRICE)


class LinesModel(QAbstractTableModel):
    """A claim's lines with their amounts; quantity and unit price editable while correcting.

    Edited amounts are previewed with the domain's own arithmetic under the check's
    guarantees; the service computes them again when the correction is saved.
    """

    problem = Signal(str)  # a refused value, as a sentence
    edited = Signal()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.drafts: list[LineDraft] = []
        self.amounts: list[LineAmounts | None] = []
        self.guarantees: list[Guarantee] = []
        self.editable = False
        self.changed_lines: set[int] = set()

    def set_lines(self, lines: list[tuple[LineDraft, LineAmounts]], guarantees: list[Guarantee]) -> None:
        self.beginResetModel()
        self.drafts = [d for d, _ in lines]
        self.amounts = [a for _, a in lines]
        self.guarantees = list(guarantees)
        self.changed_lines = set()
        self.endResetModel()

    def set_editable(self, editable: bool) -> None:
        self.beginResetModel()  # flags change for every cell
        self.editable = editable
        self.endResetModel()

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.drafts)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(_LINE_HEADERS)

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        flags = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemNeverHasChildren
        if self.editable and index.column() in EDITABLE_COLUMNS:
            flags |= Qt.ItemFlag.ItemIsEditable
        return flags

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or index.row() >= len(self.drafts):
            return None
        d, a, col = self.drafts[index.row()], self.amounts[index.row()], index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return self._text(d, a, col)
        if role == Qt.ItemDataRole.EditRole:
            if col == QUANTITY:
                return d.quantity
            if col == UNIT_PRICE:
                return format_eur(d.unit_price).replace("\u00a0€", "").replace("€", "")
            return self._text(d, a, col)
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return _RIGHT if col >= QUANTITY else _LEFT
        if role == Qt.ItemDataRole.ToolTipRole and self.editable and col in EDITABLE_COLUMNS:
            return i18n.tr("Modifiable : tapez la nouvelle valeur puis Entrée.")
        if role == Qt.ItemDataRole.FontRole and index.row() in self.changed_lines and col in EDITABLE_COLUMNS:
            font = QFont()
            font.setBold(True)
            return font
        return None

    @staticmethod
    def _text(d: LineDraft, a: LineAmounts | None, col: int) -> str:
        if col == LABEL:
            return d.label
        if col == CODE:
            return d.code
        if col == PRESTATION:
            return d.prestation_code
        if col == QUANTITY:
            return str(d.quantity)
        if col == UNIT_PRICE:
            return format_eur(d.unit_price)
        if col == AMO_RATE:
            return i18n.tr("{rate} %", rate=format_rate(d.amo_rate))
        if a is None:
            return "—"
        return format_eur((a.price, a.amo, a.amc, a.patient)[col - PRICE])

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < len(_LINE_HEADERS):
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return i18n.say(_LINE_HEADERS[section])
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return _RIGHT if section >= QUANTITY else _LEFT
        return None

    def setData(self, index: Index, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:
        if (
            role != Qt.ItemDataRole.EditRole
            or not index.isValid()
            or not (self.flags(index) & Qt.ItemFlag.ItemIsEditable)
        ):
            return False
        row = index.row()
        draft = self.drafts[row]
        try:
            if index.column() == QUANTITY:
                quantity = int(value)
                if quantity == draft.quantity:
                    return True
                draft = dataclasses.replace(draft, quantity=quantity)
            else:
                price = parse_amount(str(value))
                if price == draft.unit_price:
                    return True
                # A line whose BR followed its price keeps doing so.
                br = draft.br_unit if draft.br_unit is not None and draft.br_unit != draft.unit_price else None
                draft = dataclasses.replace(draft, unit_price=price, br_unit=br)
            amounts = compute_line(
                LineInput(draft.prestation_code, draft.quantity, draft.unit_price, draft.amo_rate, draft.br_unit),
                guarantee_for(draft.prestation_code, self.guarantees),
            )
        except ValidationError as exc:
            self.problem.emit(
                " ".join(i18n.tr("Ligne {line} : {message}", line=row + 1, message=p.message()) for p in exc.problems)
            )
            return False
        except (TypeError, ValueError, InvalidOperation):
            return False
        self.drafts[row], self.amounts[row] = draft, amounts
        self.changed_lines.add(row)
        self.dataChanged.emit(self.index(row, 0), self.index(row, len(_LINE_HEADERS) - 1))
        self.edited.emit()
        return True

    def totals(self) -> tuple[Decimal, Decimal, Decimal, Decimal] | None:
        """Price, AMO, AMC and patient totals, or None while a line has no amounts."""
        if any(a is None for a in self.amounts):
            return None
        sums = [sum((getattr(a, f) for a in self.amounts), Decimal("0.00")) for f in ("price", "amo", "amc", "patient")]
        return sums[0], sums[1], sums[2], sums[3]


class QuantityDelegate(QStyledItemDelegate):
    """A spin box from 1 to 999 for quantities; other cells get Qt's default editor."""

    def createEditor(self, parent: QWidget, option: QStyleOptionViewItem, index: Index) -> QWidget:
        if index.column() == QUANTITY:
            spin = QSpinBox(parent)
            spin.setRange(MIN_QUANTITY, MAX_QUANTITY)
            spin.setAccessibleName(i18n.tr("Qté"))
            return spin
        editor = super().createEditor(parent, option, index)
        editor.setAccessibleName(i18n.say(_LINE_HEADERS[index.column()]))
        return editor


class HistoryModel(RowsModel):
    """The claim's audit events: when, who, and what happened in a sentence."""

    COLUMNS = (
        Column("queue.history.when", lambda e: local_datetime(e.at)),
        Column("queue.history.who", lambda e: e.actor),
        Column("queue.history.what", history_sentence),
    )

    def set_entries(self, entries: list[HistoryEntry]) -> None:
        self.set_rows(entries)


class VersionsModel(QAbstractTableModel):
    """The chain of versions of a corrected claim, oldest first; the shown one marked."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.versions: list[VersionRef] = []
        self.current = ""

    def set_versions(self, versions: list[VersionRef], current: str) -> None:
        self.beginResetModel()
        self.versions, self.current = list(versions), current
        self.endResetModel()

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.versions)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else 3

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemNeverHasChildren

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or index.row() >= len(self.versions):
            return None
        v = self.versions[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            status = status_text(ClaimStatus(v.status))
            if v.id == self.current:
                status = i18n.tr("{status} (affichée)", status=status)
            return (format_number(v.number), str(v.version), status)[index.column()]
        if role == Qt.ItemDataRole.FontRole and v.id == self.current:
            font = QFont()
            font.setBold(True)
            return font
        if role == Qt.ItemDataRole.UserRole:
            return v.id
        return None

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < 3:
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return i18n.say(("queue.version.number", "queue.version.version", "queue.version.status")[section])
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return _LEFT
        return None
