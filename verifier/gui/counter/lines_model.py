"""The claim's lines as a table model: quantity and price editable, amounts computed live.

Amounts come from `verifier.domain.claims.compute_line` under `guarantee_for(code,
guarantees)` and the totals from `total`: the very functions `services.claims` uses, so
what the counter shows is, to the cent, what gets queued.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import QApplication, QStyle

from verifier import i18n
from verifier.domain.claims import MAX_QUANTITY, MIN_QUANTITY, ClaimTotals, LineAmounts, LineInput, compute_line, total
from verifier.domain.coverage import Guarantee, coverage_problem, guarantee_for, line_kind
from verifier.domain.errors import Problem, ValidationError
from verifier.domain.money import format_eur, format_rate, parse_amount
from verifier.formatting import format_day, format_decimal
from verifier.gui.boxes import READ_AS, boxes_of, with_boxes
from verifier.gui.boxes import scanned_boxes as _scanned_boxes
from verifier.services.claims import Box, LineDraft

i18n.register(
    {
        "counter.col.code": i18n.N_("Code"),
        "counter.col.label": i18n.N_("Produit"),
        "counter.col.prestation": i18n.NP_("counter.col", "Prest."),
        "counter.col.prestation_tip": i18n.N_("Code de prestation (PH7, PH4, PH2…)"),
        "counter.col.quantity": i18n.N_("Qté"),
        "counter.col.unit_price": i18n.N_("Prix unit."),
        "counter.col.amo_rate": i18n.N_("Taux AMO"),
        "counter.col.br": i18n.N_("BR"),
        "counter.col.amo": i18n.N_("AMO"),
        "counter.col.tm": i18n.N_("TM"),
        "counter.col.amc": i18n.N_("AMC"),
        "counter.col.patient": i18n.NP_("counter.col", "Part patient"),
        "counter.col.label_tip": i18n.N_("Libellé du produit"),
        "counter.col.br_tip": i18n.N_("Base de remboursement"),
        "counter.col.amo_tip": i18n.N_("Part de l'assurance maladie obligatoire"),
        "counter.col.tm_tip": i18n.N_("Ticket modérateur (BR − AMO)"),
        "counter.col.amc_tip": i18n.N_("Part de la complémentaire, demandée à l'organisme"),
        "counter.col.patient_tip": i18n.N_("Reste à payer par le patient"),
        "counter.quantity_invalid": i18n.N_("La quantité est un nombre entier de {minimum} à {maximum} : corrigez-la."),
        "counter.label_empty": i18n.N_("Le libellé ne peut pas être vide."),
    }
)

COLUMNS = ("code", "label", "prestation", "quantity", "unit_price", "amo_rate", "br", "amo", "tm", "amc", "patient")
COL = {name: i for i, name in enumerate(COLUMNS)}
AMOUNT_COLUMNS = ("br", "amo", "tm", "amc", "patient")
# Service field names (`lineN.<field>`) -> column, to put the cursor on what is wrong.
FIELD_COLUMN = {
    "label": COL["label"],
    "quantity": COL["quantity"],
    "unit_price": COL["unit_price"],
    "br_unit": COL["unit_price"],
    "amo_rate": COL["amo_rate"],
    "prestation_code": COL["prestation"],
}
_TIPS = {
    "label": "counter.col.label_tip",
    "prestation": "counter.col.prestation_tip",
    "br": "counter.col.br_tip",
    "amo": "counter.col.amo_tip",
    "tm": "counter.col.tm_tip",
    "amc": "counter.col.amc_tip",
    "patient": "counter.col.patient_tip",
}
_RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
_LEFT = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter
ZERO = Decimal("0.00")


def line_problems(line: LineDraft, number: int) -> list[Problem]:
    """What is wrong with one line, with the service's field names (`line{number}.quantity`...)."""
    problems: list[Problem] = []
    try:
        LineInput(line.prestation_code, line.quantity, line.unit_price, line.amo_rate, line.br_unit)
    except ValidationError as exc:
        problems += [p.on_line(number) for p in exc.problems]
    if not line.label.strip():
        problems.append(Problem("claim.line_label_missing", {"line": number}, "label", line=number))
    return problems


def compute(line: LineDraft, guarantees: list[Guarantee]) -> LineAmounts | None:
    """The line's amounts exactly as the claims service computes them, or None if it is invalid."""
    try:
        li = LineInput(line.prestation_code, line.quantity, line.unit_price, line.amo_rate, line.br_unit)
    except ValidationError:
        return None
    return compute_line(li, guarantee_for(line.prestation_code, guarantees))


class LinesModel(QAbstractTableModel):
    """Rows are `LineDraft`s; `changed` fires after any change (rows, edits, guarantees)."""

    changed = Signal()
    edit_refused = Signal(str)  # a sentence: why a typed quantity or price was not taken

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._lines: list[LineDraft] = []
        self._amounts: list[LineAmounts | None] = []
        self._guarantees: list[Guarantee] = []
        self._serials: list[set[str]] = []  # serial numbers scanned into each line
        self._by_hand: list[bool] = []  # entered by hand: the label may be edited
        self._dispensed_on = date.today()
        self._warning_days = 30  # the site's expiry warning window

    def set_expiry_rule(self, dispensed_on: date, warning_days: int) -> None:
        """The dispensing date and the site's window: boxes expiring within it are flagged."""
        if (dispensed_on, warning_days) == (self._dispensed_on, self._warning_days):
            return
        self._dispensed_on, self._warning_days = dispensed_on, warning_days
        if self._lines:
            self.dataChanged.emit(self.index(0, 0), self.index(len(self._lines) - 1, len(COLUMNS) - 1))

    def warning_days(self) -> int:
        return self._warning_days

    def expires_soon(self, row: int) -> date | None:
        """The earliest expiry of the line's boxes when it falls within the warning window."""
        expiries = [b.expiry for b in boxes_of(self._lines[row]) if b.expiry is not None]
        if not expiries:
            return None
        first = min(expiries)
        return first if first <= self._dispensed_on + timedelta(days=self._warning_days) else None

    def boxes(self, row: int) -> tuple[Box, ...]:
        """The boxes of a line: those scanned, then one without identity per box counted by hand."""
        return boxes_of(self._lines[row])

    # --- reading --------------------------------------------------------------------------

    def lines(self) -> list[LineDraft]:
        return list(self._lines)

    def line(self, row: int) -> LineDraft:
        return self._lines[row]

    def by_hand(self, row: int) -> bool:
        return self._by_hand[row]

    def row_of(self, code: str) -> int | None:
        """The row of the line billing the box `code` (a CIP13), if there is one."""
        for row, line in enumerate(self._lines):
            if code and line.code == code:
                return row
        return None

    def amounts(self, row: int) -> LineAmounts | None:
        return self._amounts[row]

    def guarantees(self) -> list[Guarantee]:
        return list(self._guarantees)

    def totals(self) -> ClaimTotals:
        """The sums of the lines that can be computed (an invalid line counts for nothing)."""
        return total([a for a in self._amounts if a is not None])

    def problems(self) -> list[Problem]:
        found: list[Problem] = []
        for i, line in enumerate(self._lines, start=1):
            found += line_problems(line, i)
        return found

    def coverage_notes(self) -> list[tuple[int, Problem]]:
        """(row, why the insurer pays nothing on it) for lines the guarantees leave out."""
        notes = []
        for row, line in enumerate(self._lines):
            amounts = self._amounts[row]
            problem = coverage_problem(line.prestation_code, self._guarantees)
            if problem is not None and amounts is not None and self._guarantees:
                notes.append((row, problem))
        return notes

    # --- changing -------------------------------------------------------------------------

    def set_guarantees(self, guarantees: list[Guarantee]) -> None:
        if guarantees == self._guarantees:
            return
        self._guarantees = list(guarantees)
        self._recompute_all()

    def add_line(self, line: LineDraft, by_hand: bool = False) -> tuple[int, bool]:
        """Add `line`, or add its quantity to the line with the same box code.

        Returns (row, merged). Scanning the same CIP twice counts two boxes, as pharmacists
        expect; a DataMatrix whose serial number was already scanned is the same box read
        twice and is refused with ValidationError ``counter.same_box``.
        """
        if line.code:
            for row, existing in enumerate(self._lines):
                if existing.code != line.code:
                    continue
                if line.serial and line.serial in self._serials[row]:
                    raise ValidationError([Problem("counter.same_box", {"line": row + 1}, "scan")])
                quantity = min(existing.quantity + line.quantity, MAX_QUANTITY)
                # Each box keeps its own lot, expiry and serial: the new one never inherits the first's.
                scanned = _scanned_boxes(existing) + _scanned_boxes(line)
                self._lines[row] = with_boxes(replace(existing, quantity=quantity), scanned)
                if line.serial:
                    self._serials[row].add(line.serial)
                self._recompute(row)
                return row, True
        row = len(self._lines)
        self.beginInsertRows(QModelIndex(), row, row)
        line = replace(line, boxes=_scanned_boxes(line)[: line.quantity])
        self._lines.append(line)
        self._amounts.append(compute(line, self._guarantees))
        self._serials.append({b.serial for b in line.boxes if b.serial})
        self._by_hand.append(by_hand)
        self.endInsertRows()
        self.changed.emit()
        return row, False

    def remove_row(self, row: int) -> None:
        if not 0 <= row < len(self._lines):
            return
        self.beginRemoveRows(QModelIndex(), row, row)
        del self._lines[row], self._amounts[row], self._serials[row], self._by_hand[row]
        self.endRemoveRows()
        self.changed.emit()

    def set_lines(self, lines: list[LineDraft], by_hand: list[bool] | None = None) -> None:
        self.beginResetModel()
        self._lines = [replace(line, boxes=_scanned_boxes(line)[: line.quantity]) for line in lines]
        self._by_hand = list(by_hand) if by_hand is not None and len(by_hand) == len(lines) else [False] * len(lines)
        self._amounts = [compute(line, self._guarantees) for line in self._lines]
        self._serials = [{b.serial for b in line.boxes if b.serial} for line in self._lines]
        self.endResetModel()
        self.changed.emit()

    def clear(self) -> None:
        self.set_lines([])

    def _recompute(self, row: int) -> None:
        self._amounts[row] = compute(self._lines[row], self._guarantees)
        self.dataChanged.emit(self.index(row, 0), self.index(row, len(COLUMNS) - 1))
        self.changed.emit()

    def _recompute_all(self) -> None:
        self._amounts = [compute(line, self._guarantees) for line in self._lines]
        if self._lines:
            self.dataChanged.emit(self.index(0, 0), self.index(len(self._lines) - 1, len(COLUMNS) - 1))
        self.changed.emit()

    # --- Qt model -------------------------------------------------------------------------

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008 (Qt signature)
        return 0 if parent.isValid() else len(self._lines)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008 (Qt signature)
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and 0 <= section < len(COLUMNS):
            name = COLUMNS[section]
            if role == Qt.ItemDataRole.DisplayRole:
                return i18n.say(f"counter.col.{name}")
            if role == Qt.ItemDataRole.ToolTipRole and name in _TIPS:
                return i18n.say(_TIPS[name])
            if role == Qt.ItemDataRole.TextAlignmentRole:
                return int(_LEFT if name in ("code", "label", "prestation") else _RIGHT)
            return None
        if orientation == Qt.Orientation.Vertical and role == Qt.ItemDataRole.DisplayRole:
            return str(section + 1)
        return None

    def flags(self, index: QModelIndex | QPersistentModelIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        base = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemNeverHasChildren
        name = COLUMNS[index.column()]
        # A fee's quantity and amount are the rules' (F7 computes them again); it is removed
        # with a reason, never edited.
        fee = line_kind(self._lines[index.row()].prestation_code) == "fee"
        editable = (name in ("quantity", "unit_price") and not fee) or (name == "label" and self._by_hand[index.row()])
        return base | Qt.ItemFlag.ItemIsEditable if editable else base

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._lines):
            return None
        line, amounts = self._lines[index.row()], self._amounts[index.row()]
        name = COLUMNS[index.column()]
        if role == Qt.ItemDataRole.DisplayRole:
            return self._display(line, amounts, name)
        if role == Qt.ItemDataRole.EditRole:
            if name == "quantity":
                return str(line.quantity)
            if name == "unit_price":
                return format_decimal(line.unit_price, 2)
            return self._display(line, amounts, name)
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return int(_LEFT if name in ("code", "label", "prestation") else _RIGHT)
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._tooltip(index.row(), line, name)
        if name == "label" and role in _WARNING_ROLES and self.expires_soon(index.row()) is not None:
            return _warning(role)
        return None

    def column_texts(self, column: int) -> list[str]:
        """What the table shows in `column`, row by row (to size the column)."""
        name = COLUMNS[column]
        return [self._display(line, amounts, name) for line, amounts in zip(self._lines, self._amounts)]

    def expiry_note(self, row: int) -> str:
        """The sentence flagging a box that expires within the window, or ""."""
        soon = self.expires_soon(row)
        if soon is None:
            return ""
        return i18n.tr(
            "Attention : une boîte de cette ligne périme le {date}, dans {days} jour(s) : vérifiez qu'elle couvre le traitement.",
            date=format_day(soon),
            days=(soon - self._dispensed_on).days,
        )

    def _display(self, line: LineDraft, amounts: LineAmounts | None, name: str) -> str:
        if name == "code":
            return line.code
        if name == "label":
            return line.label
        if name == "prestation":
            return line.prestation_code
        if name == "quantity":
            return str(line.quantity)
        if name == "unit_price":
            return format_eur(line.unit_price)
        if name == "amo_rate":
            return f"{format_rate(line.amo_rate)}\u00a0%"
        if amounts is None:
            return "—"
        return format_eur(getattr(amounts, name))

    def _tooltip(self, row: int, line: LineDraft, name: str) -> str | None:
        problems = line_problems(line, row + 1)
        if problems:
            return " ".join(p.message() for p in problems)
        if name == "label" and self.expires_soon(row) is not None:
            return self.expiry_note(row)
        if name == "amc":
            problem = coverage_problem(line.prestation_code, self._guarantees)
            return problem.message() if problem is not None else None
        if name in ("code", "label") and (line.expiry or line.lot):
            parts = []
            if line.expiry:
                parts.append(i18n.tr("Péremption {date}", date=format_day(line.expiry)))
            if line.lot:
                parts.append(i18n.tr("lot {lot}", lot=line.lot))
            return ", ".join(parts)
        return None

    def setData(
        self, index: QModelIndex | QPersistentModelIndex, value: Any, role: int = Qt.ItemDataRole.EditRole
    ) -> bool:
        if (
            role != Qt.ItemDataRole.EditRole
            or not index.isValid()
            or not self.flags(index) & Qt.ItemFlag.ItemIsEditable
        ):
            return False
        row, name = index.row(), COLUMNS[index.column()]
        line, text = self._lines[row], str(value).strip()
        try:
            if name == "quantity":
                if not text.isdigit() or not MIN_QUANTITY <= int(text) <= MAX_QUANTITY:
                    raise ValidationError(
                        [
                            Problem(
                                "counter.quantity_invalid",
                                {"minimum": MIN_QUANTITY, "maximum": MAX_QUANTITY},
                                "quantity",
                            )
                        ]
                    )
                # Fewer boxes: the last scanned go; more: the extra ones have no identity.
                new = with_boxes(replace(line, quantity=int(text)), _scanned_boxes(line))
            elif name == "unit_price":
                new = replace(line, unit_price=parse_amount(text))
            else:
                if not text:
                    raise ValidationError([Problem("counter.label_empty", {}, "label")])
                new = replace(line, label=text[:300])
        except ValidationError as exc:
            sentence = " ".join(p.message() for p in exc.problems)
            self.edit_refused.emit(i18n.tr("Ligne {line} : {text}", line=row + 1, text=sentence))
            return False
        self._lines[row] = new
        self._serials[row] = {b.serial for b in new.boxes if b.serial}
        self._recompute(row)
        return True


_WARNING_ROLES = (Qt.ItemDataRole.BackgroundRole, Qt.ItemDataRole.ForegroundRole, Qt.ItemDataRole.DecorationRole)


def _warning(role: int) -> Any:
    """How a line with a box near its expiry looks: amber cell, dark text, warning icon."""
    if role == Qt.ItemDataRole.BackgroundRole:
        return QBrush(QColor("#ffe08a"))
    if role == Qt.ItemDataRole.ForegroundRole:
        return QBrush(QColor("#3d2e00"))
    style = QApplication.style()
    return style.standardIcon(QStyle.StandardPixmap.SP_MessageBoxWarning) if style is not None else None


i18n.register(
    {
        "counter.same_box": i18n.N_(
            "Cette boîte (même numéro de série) est déjà scannée, ligne {line} : elle n'est pas comptée deux fois."
        ),
    }
)


def line_to_dict(line: LineDraft) -> dict[str, object]:
    """A line as JSON-friendly values, for the draft."""
    return {
        "label": line.label,
        "prestation_code": line.prestation_code,
        "quantity": line.quantity,
        "unit_price": str(line.unit_price),
        "amo_rate": str(line.amo_rate),
        "code": line.code,
        "code_kind": line.code_kind,
        "br_unit": None if line.br_unit is None else str(line.br_unit),
        "expiry": line.expiry.isoformat() if line.expiry else None,
        "lot": line.lot,
        "serial": line.serial,
        "boxes": [
            {
                "lot": b.lot,
                "expiry": b.expiry.isoformat() if b.expiry else None,
                "serial": b.serial,
                "read_as": b.read_as,
            }
            for b in line.boxes
        ],
        "fee_unit": None if line.fee_unit is None else str(line.fee_unit),
    }


def _box_from_dict(data: object) -> Box:
    if not isinstance(data, dict):
        raise ValueError("box")
    expiry = data.get("expiry")
    return Box(
        lot=str(data["lot"]) if data.get("lot") else None,
        expiry=date.fromisoformat(expiry) if isinstance(expiry, str) else None,
        serial=str(data["serial"]) if data.get("serial") else None,
        read_as=read_as if (read_as := str(data.get("read_as"))) in READ_AS else "manual",
    )


def _fee_unit(value: object) -> Decimal | None:
    """A draft's per-box fee: a finite amount in whole cents, else none (the line then shows
    whole; a draft file edited by hand never breaks the form)."""
    try:
        fee = Decimal(str(value)) if value is not None else None
    except InvalidOperation:
        return None
    if fee is None or not fee.is_finite() or fee <= 0 or fee != fee.quantize(Decimal("0.01")):
        return None
    return fee


def line_from_dict(data: dict[str, object]) -> LineDraft | None:
    """A line read back from a draft; None if the draft holds something unreadable."""
    try:
        br_unit, expiry = data.get("br_unit"), data.get("expiry")
        quantity = data.get("quantity", 1)
        return LineDraft(
            label=str(data.get("label", "")),
            prestation_code=str(data.get("prestation_code", "")),
            quantity=quantity if isinstance(quantity, int) and not isinstance(quantity, bool) else 1,
            unit_price=Decimal(str(data.get("unit_price", "0"))),
            amo_rate=Decimal(str(data.get("amo_rate", "0"))),
            code=str(data.get("code") or ""),
            code_kind=str(data.get("code_kind") or "manual"),
            br_unit=None if br_unit is None else Decimal(str(br_unit)),
            expiry=date.fromisoformat(expiry) if isinstance(expiry, str) else None,
            lot=str(data["lot"]) if data.get("lot") else None,
            serial=str(data["serial"]) if data.get("serial") else None,
            boxes=tuple(_box_from_dict(b) for b in boxes) if isinstance(boxes := data.get("boxes"), list) else (),
            fee_unit=_fee_unit(data.get("fee_unit")),
        )
    except (InvalidOperation, ValueError):
        return None


__all__ = [
    "boxes_of",
    "line_from_dict",
    "line_to_dict",
    "AMOUNT_COLUMNS",
    "COL",
    "COLUMNS",
    "FIELD_COLUMN",
    "LinesModel",
    "ZERO",
    "compute",
    "line_problems",
]
