"""The lines of a stay or a consultation: a table with live amounts and an editor under it.

Amounts come from the pure domain function `domain.care.compute`, called again on every change
with the tariffs read once (`services.tariffs.current`): nothing is stored or read here.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QGridLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from verifier import i18n
from verifier.domain import tariffs as t
from verifier.domain.care import CareInvoice, CareLine, LineKind, Stay, compute
from verifier.domain.care_guarantees import CareGuarantee
from verifier.domain.errors import Problem, ValidationError
from verifier.domain.money import format_eur
from verifier.gui.clinic.common import amount_of
from verifier.gui.tasks import error_style
from verifier.services import stays

ZERO = Decimal("0.00")
Index = QModelIndex | QPersistentModelIndex

# Each kind of line: what the screen calls it, its default code and label, its shortcut.
KIND_TEXT: dict[LineKind, str] = {
    LineKind.STAY_FEES: i18n.N_("Frais de séjour"),
    LineKind.DAILY_CHARGE: i18n.N_("Forfait journalier"),
    LineKind.FEE: i18n.N_("Honoraires"),
    LineKind.ROOM: i18n.N_("Chambre particulière"),
    LineKind.COMPANION: i18n.N_("Accompagnant"),
    LineKind.COMFORT: i18n.N_("Confort (TV, téléphone)"),
    LineKind.EMERGENCY: i18n.N_("Forfait urgences (FPU)"),
    LineKind.CONSULTATION: i18n.N_("Acte, consultation"),
}
DEFAULT_CODE = {
    LineKind.STAY_FEES: "FS",
    LineKind.DAILY_CHARGE: "FJ",
    LineKind.FEE: "",
    LineKind.ROOM: "CP",
    LineKind.COMPANION: "ACC",
    LineKind.COMFORT: "TV",
    LineKind.EMERGENCY: "FPU",
    LineKind.CONSULTATION: "G",
}
PER_DAY = stays.PER_DAY_KINDS  # the per-day kinds the service holds to the stay's days
PRICED_BY_TARIFF = (LineKind.DAILY_CHARGE, LineKind.EMERGENCY)
WITH_BR = (LineKind.FEE, LineKind.CONSULTATION)
COLUMNS = (
    i18n.N_("Nature"),
    i18n.N_("Code"),
    i18n.N_("Libellé"),
    i18n.N_("Qté"),
    i18n.N_("Prix unit."),
    i18n.N_("BR"),
    i18n.N_("Facturé"),
    i18n.N_("AMO"),
    i18n.N_("AMC"),
    i18n.N_("Patient"),
    i18n.N_("Praticien"),
)
LINE_FIELDS = ("code", "label", "quantity", "unit_price", "br_unit", "practitioner_rpps")


@dataclass(frozen=True)
class Entry:
    line: CareLine
    auto_quantity: bool  # the quantity follows the stay's dates


def days_for(kind: LineKind, stay: Stay | None) -> int:
    """The quantity a per-day line or the forfait journalier takes from the stay's dates."""
    if stay is None:
        return 1
    if kind is LineKind.DAILY_CHARGE:
        return max(1, stay.daily_charge_days)
    return stay.days


class CareLinesModel(QAbstractTableModel):
    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.entries: list[Entry] = []
        self.invoice: CareInvoice | None = None
        self.error: ValidationError | None = None

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.entries)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return i18n.tr(COLUMNS[section])
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        if role == Qt.ItemDataRole.TextAlignmentRole and index.column() >= 3:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        line = self.entries[index.row()].line
        result = self.invoice.lines[index.row()] if self.invoice is not None else None
        col = index.column()
        if col == 0:
            return i18n.tr(KIND_TEXT[line.kind])
        if col == 1:
            return line.code
        if col == 2:
            return line.label
        if col == 3:
            return str(line.quantity)
        if col == 4:
            if line.kind in PRICED_BY_TARIFF:
                return i18n.tr("tarif")
            return format_eur(line.unit_price)
        if col == 5:
            return format_eur(line.br_unit) if line.br_unit is not None else ""
        if col == 10:
            if line.kind not in WITH_BR:
                return ""
            optam = i18n.tr("OPTAM") if line.optam else i18n.tr("hors OPTAM")
            return f"{line.practitioner_rpps} {optam}" if line.practitioner_rpps else optam
        if result is None:
            return ""
        a = result.amounts
        return format_eur((a.price, a.amo, a.amc, a.patient)[col - 6])

    def lines(self) -> list[CareLine]:
        return [e.line for e in self.entries]

    def add(self, entry: Entry) -> None:
        self.beginInsertRows(QModelIndex(), len(self.entries), len(self.entries))
        self.entries.append(entry)
        self.endInsertRows()

    def remove(self, row: int) -> None:
        if 0 <= row < len(self.entries):
            self.beginRemoveRows(QModelIndex(), row, row)
            del self.entries[row]
            self.endRemoveRows()

    def set_entries(self, entries: list[Entry]) -> None:
        self.beginResetModel()
        self.entries = list(entries)
        self.invoice = None
        self.endResetModel()

    def follow_dates(self, stay: Stay | None) -> None:
        """Lines whose quantity comes from the dates take the new number of days."""
        self.entries = [
            replace(e, line=replace(e.line, quantity=days_for(e.line.kind, stay))) if e.auto_quantity else e
            for e in self.entries
        ]

    def recompute(self, stay: Stay | None, guarantees: list[CareGuarantee], tariffs: t.Tariffs | None) -> None:
        self.invoice, self.error = None, None
        if stay is not None and tariffs is not None and self.entries:
            try:
                self.invoice = compute(stay, self.lines(), guarantees, tariffs)
            except ValidationError as exc:
                self.error = exc
        if self.entries:
            self.dataChanged.emit(self.index(0, 0), self.index(len(self.entries) - 1, len(COLUMNS) - 1))


class CareLinesPanel(QWidget):
    """The table of lines, the totals, and the editor that adds a line of the chosen kind."""

    changed = Signal()

    def __init__(self, kinds: tuple[LineKind, ...], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.kinds = kinds
        self.stay: Stay | None = None  # what the quantities and the amounts are computed for
        self.model = CareLinesModel(self)
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setTabKeyNavigation(False)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        self.table.setAccessibleName(i18n.tr("Lignes de la facture"))
        self.totals = QLabel()
        self.totals.setAccessibleName(i18n.tr("Totaux de la facture"))
        self.totals.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.message = QLabel()
        self.message.setObjectName("lines_message")
        self.message.setWordWrap(True)
        self.message.hide()

        self.kind_box = QComboBox()
        for n, kind in enumerate(kinds, start=1):
            shortcut = f"Alt+{n}" if len(kinds) > 1 else ""
            text = i18n.tr(KIND_TEXT[kind])
            self.kind_box.addItem(f"{text} ({shortcut})" if shortcut else text, kind.value)
        self.kind_box.setAccessibleName(i18n.tr("Nature de la ligne à ajouter"))
        self.code_edit = QLineEdit()
        self.code_edit.setMaxLength(13)
        self.label_edit = QLineEdit()
        self.quantity_edit = QLineEdit("1")
        self.quantity_edit.setMaxLength(3)
        self.price_edit = QLineEdit()
        self.br_edit = QLineEdit()
        self.rpps_edit = QLineEdit()
        self.rpps_edit.setMaxLength(11)
        self.optam_box = QCheckBox(i18n.tr("OPTAM"))
        self.optam_box.setChecked(True)
        self.add_button = QPushButton(i18n.tr("Ajouter la ligne (Entrée)"))
        self.remove_button = QPushButton(i18n.tr("Retirer la ligne (Suppr)"))
        self._quantity_typed = False

        editor = QGridLayout()
        editor.setHorizontalSpacing(6)
        editor.setVerticalSpacing(2)
        labels = (
            (i18n.tr("Nature :"), self.kind_box),
            (i18n.tr("Code :"), self.code_edit),
            (i18n.tr("Libellé :"), self.label_edit),
            (i18n.tr("&Quantité :"), self.quantity_edit),
            (i18n.tr("Prix &facturé :"), self.price_edit),
            (i18n.tr("&BR :"), self.br_edit),
            (i18n.tr("RPPS :"), self.rpps_edit),
        )
        self.labels: dict[QWidget, QLabel] = {}
        for col, (text, widget) in enumerate(labels):
            label = QLabel(text)
            label.setBuddy(widget)
            self.labels[widget] = label
            editor.addWidget(label, 0, col)
            editor.addWidget(widget, 1, col)
        editor.addWidget(self.optam_box, 1, len(labels))
        editor.addWidget(self.add_button, 1, len(labels) + 1)
        editor.addWidget(self.remove_button, 1, len(labels) + 2)
        em = self.fontMetrics().horizontalAdvance("0")
        for widget, digits in (
            (self.code_edit, 9),
            (self.quantity_edit, 5),
            (self.price_edit, 12),
            (self.br_edit, 12),
            (self.rpps_edit, 13),
        ):
            widget.setMaximumWidth(em * digits + 16)
        editor.setColumnStretch(2, 3)
        for widget, a11y in (
            (self.code_edit, i18n.tr("Code de la ligne (code de prestation, CCAM ou NGAP)")),
            (self.label_edit, i18n.tr("Libellé de la ligne")),
            (self.quantity_edit, i18n.tr("Quantité ; pour une ligne par jour, les jours du séjour")),
            (self.price_edit, i18n.tr("Prix facturé par unité, ou par jour")),
            (self.br_edit, i18n.tr("Base de remboursement par unité")),
            (self.rpps_edit, i18n.tr("Numéro RPPS du praticien (facultatif)")),
        ):
            widget.setAccessibleName(a11y)
        root = QVBoxLayout(self)
        root.setContentsMargins(0, 0, 0, 0)
        root.setSpacing(4)
        root.addWidget(self.table, 1)
        root.addWidget(self.totals)
        root.addLayout(editor)
        root.addWidget(self.message)
        order = [
            self.kind_box,
            self.code_edit,
            self.label_edit,
            self.quantity_edit,
            self.price_edit,
            self.br_edit,
            self.rpps_edit,
            self.optam_box,
            self.add_button,
            self.table,
            self.remove_button,
        ]
        for first, second in zip(order, order[1:]):
            QWidget.setTabOrder(first, second)

        self.kind_box.currentIndexChanged.connect(lambda _i: self._kind_chosen())
        self.quantity_edit.textEdited.connect(lambda _t: setattr(self, "_quantity_typed", True))
        for edit in (
            self.code_edit,
            self.label_edit,
            self.quantity_edit,
            self.price_edit,
            self.br_edit,
            self.rpps_edit,
        ):
            edit.returnPressed.connect(self.add_line)
        self.add_button.clicked.connect(self.add_line)
        self.remove_button.clicked.connect(self.remove_line)
        delete = QShortcut(QKeySequence(Qt.Key.Key_Delete), self.table)
        delete.setContext(Qt.ShortcutContext.WidgetShortcut)
        delete.activated.connect(self.remove_line)
        self._kind_chosen()
        self._show_totals()

    def install_shortcuts(self, owner: QWidget) -> None:
        """Alt+1, Alt+2… anywhere in `owner` start a line of the kind listed at that place."""
        if len(self.kinds) > 1:
            for n, kind in enumerate(self.kinds, start=1):
                key = QShortcut(QKeySequence(f"Alt+{n}"), owner)
                key.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
                key.activated.connect(lambda k=kind: self.start_line(k))

    # --- the editor -----------------------------------------------------------------------

    def kind(self) -> LineKind:
        return LineKind(str(self.kind_box.currentData()))

    def start_line(self, kind: LineKind) -> None:
        """A shortcut's kind: the editor takes its defaults and the cursor goes where to type."""
        self.kind_box.setCurrentIndex(self.kinds.index(kind))
        self._kind_chosen()
        if kind in PRICED_BY_TARIFF:
            self.quantity_edit.setFocus(Qt.FocusReason.ShortcutFocusReason)
        elif kind is LineKind.FEE:
            self.code_edit.setFocus(Qt.FocusReason.ShortcutFocusReason)
        else:
            self.price_edit.setFocus(Qt.FocusReason.ShortcutFocusReason)

    def _kind_chosen(self) -> None:
        kind = self.kind()
        self.code_edit.setText(DEFAULT_CODE[kind])
        self.label_edit.setText(i18n.tr(KIND_TEXT[kind]) if kind is not LineKind.CONSULTATION else "")
        self._quantity_typed = False
        self.quantity_edit.setText(str(days_for(kind, self.stay) if kind in (*PER_DAY, LineKind.DAILY_CHARGE) else 1))
        self.price_edit.clear()
        self.br_edit.clear()
        self.rpps_edit.clear()
        self.optam_box.setChecked(True)
        self.price_edit.setEnabled(kind not in PRICED_BY_TARIFF)
        self.labels[self.price_edit].setText(
            i18n.tr("Prix &facturé par jour :") if kind in PER_DAY else i18n.tr("Prix &facturé :")
        )
        for widget in (self.br_edit, self.rpps_edit, self.optam_box):
            widget.setEnabled(kind in WITH_BR)
        self.rpps_edit.setEnabled(kind is LineKind.FEE)
        self.message.hide()

    def editor_line(self) -> tuple[CareLine | None, list[Problem]]:
        """The line the editor describes, or its problems (fields of the editor)."""
        kind = self.kind()
        problems: list[Problem] = []
        text = self.quantity_edit.text().strip()
        quantity = int(text) if text.isdigit() else 0
        if not 1 <= quantity <= 999:
            problems.append(Problem("care.quantity", {"quantity": text or "0"}, "quantity"))
        price: Decimal | None = ZERO
        if kind not in PRICED_BY_TARIFF:
            price = amount_of(self.price_edit.text(), "unit_price", problems)
        br: Decimal | None = None
        if kind in WITH_BR:
            br = amount_of(self.br_edit.text(), "br_unit", problems) if self.br_edit.text().strip() else price
        elif kind is LineKind.STAY_FEES:
            br = price
        if problems or price is None:
            return None, problems
        line = CareLine(
            kind,
            self.code_edit.text().strip(),
            self.label_edit.text().strip() or i18n.tr(KIND_TEXT[kind]),
            quantity,
            price,
            br,
            optam=self.optam_box.isChecked() if kind in WITH_BR else True,
            practitioner_rpps=self.rpps_edit.text().strip() or None,
        )
        return line, []

    def add_line(self) -> None:
        line, problems = self.editor_line()
        if line is None:
            self._say(" ".join(p.message() for p in problems))
            return
        auto = line.kind in (*PER_DAY, LineKind.DAILY_CHARGE) and not self._quantity_typed
        self.model.add(Entry(line, auto))
        self.table.selectRow(self.model.rowCount() - 1)
        self._kind_chosen()
        self.message.hide()
        self.changed.emit()
        self.kind_box.setFocus(Qt.FocusReason.OtherFocusReason)

    def remove_line(self) -> None:
        rows = self.table.selectionModel().selectedRows()
        row = rows[0].row() if rows else self.model.rowCount() - 1
        if row >= 0:
            self.model.remove(row)
            self.changed.emit()

    # --- amounts --------------------------------------------------------------------------

    def update_amounts(self, stay: Stay | None, guarantees: list[CareGuarantee], tariffs: t.Tariffs | None) -> None:
        """The dates or guarantees changed: quantities that follow the dates, then every amount."""
        self.stay = stay
        self.model.follow_dates(stay)
        if not self._quantity_typed and self.kind() in (*PER_DAY, LineKind.DAILY_CHARGE):
            self.quantity_edit.setText(str(days_for(self.kind(), stay)))
        self.model.recompute(stay, guarantees, tariffs)
        self._show_totals()

    def _show_totals(self) -> None:
        invoice = self.model.invoice
        if invoice is None:
            self.totals.setText(i18n.tr("Totaux : saisissez les dates et les lignes."))
        else:
            tot = invoice.totals
            text = i18n.tr(
                "Facturé {price} — AMO {amo} — AMC {amc} — patient {patient}",
                price=format_eur(tot.price),
                amo=format_eur(tot.amo),
                amc=format_eur(tot.amc),
                patient=format_eur(tot.patient),
            )
            if invoice.pav:
                text += " — " + i18n.tr("acte lourd : participation forfaitaire (PAV) au lieu du ticket modérateur")
            self.totals.setText(text)
        if self.model.error is not None:
            self.show_problems(list(self.model.error.problems))

    def show_problems(self, problems: list[Problem]) -> None:
        """Problems of the lines (with their line number) under the table."""
        mine = [p for p in problems if p.line is not None or p.field == "lines"]
        text = " ".join(
            (i18n.tr("Ligne {line} : {message}", line=p.line, message=p.message()) if p.line else p.message())
            for p in mine
        )
        self._say(text)
        if mine and mine[0].line is not None:
            self.table.selectRow(mine[0].line - 1)

    def _say(self, text: str) -> None:
        self.message.setText(text)
        self.message.setStyleSheet(error_style(self) if text else "")
        self.message.setVisible(bool(text))
        self.message.setAccessibleDescription(text)

    # --- state ----------------------------------------------------------------------------

    def lines(self) -> tuple[CareLine, ...]:
        return tuple(self.model.lines())

    def is_empty(self) -> bool:
        return not self.model.entries

    def clear(self) -> None:
        self.model.set_entries([])
        self.kind_box.setCurrentIndex(0)
        self._kind_chosen()
        self._say("")
        self._show_totals()
