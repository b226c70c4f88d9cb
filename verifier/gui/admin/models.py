"""Table models of the administrators' pages: insurers, operators, users, skipped lines."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt

from verifier import i18n
from verifier.gui.admin.common import count_text
from verifier.services.directory import InsurerInfo, OperatorInfo
from verifier.services.users import UserInfo

i18n.register(
    {
        "admin.col.amc": ("N° AMC", "AMC no."),
        "admin.col.name": ("Nom", "Name"),
        "admin.col.operator": ("Opérateur", "Operator"),
        "admin.col.hotline": ("Téléphone", "Hotline"),
        "admin.col.portal": ("Portail", "Portal"),
        "admin.col.batch_by": ("Lots par", "Batches by"),
        "admin.col.state": ("État", "Status"),
        "admin.col.code": ("Code", "Code"),
        "admin.col.health_url": ("Adresse de supervision", "Status address"),
        "admin.col.login": ("Identifiant", "User name"),
        "admin.col.display_name": ("Nom affiché", "Display name"),
        "admin.col.role": ("Rôle", "Role"),
        "admin.col.reason": ("Motif", "Reason"),
        "admin.col.lines": ("Lignes ignorées", "Lines skipped"),
        "admin.active": ("actif", "active"),
        "admin.inactive": ("désactivé", "deactivated"),
        "admin.batch_by.insurer": ("organisme", "insurer"),
        "admin.batch_by.operator": ("opérateur", "operator"),
        "admin.role.admin": ("administrateur", "administrator"),
        "admin.role.counter": ("comptoir", "counter"),
    }
)

_RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
_LEFT = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter


@dataclass(frozen=True)
class Column:
    title: str  # message code
    text: Callable[[Any], str]
    sort: Callable[[Any], Any] | None = None  # value for Qt.UserRole sorting (text if None)
    right: bool = False


def _state(active: bool) -> str:
    return i18n.tr("admin.active" if active else "admin.inactive")


class RowsModel(QAbstractTableModel):
    """Read-only rows of a service's data classes, one column per `Column`."""

    COLUMNS: tuple[Column, ...] = ()

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._rows: list[Any] = []

    def set_rows(self, rows: Sequence[Any]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

    def rows(self) -> list[Any]:
        return list(self._rows)

    def row(self, index: int) -> Any:
        return self._rows[index]

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.COLUMNS)

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows) or not 0 <= index.column() < len(self.COLUMNS):
            return None
        column = self.COLUMNS[index.column()]
        item = self._rows[index.row()]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole, Qt.ItemDataRole.AccessibleTextRole):
            return column.text(item)
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return int(_RIGHT if column.right else _LEFT)
        if role == Qt.ItemDataRole.UserRole:
            return column.sort(item) if column.sort is not None else column.text(item).casefold()
        return None

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and 0 <= section < len(self.COLUMNS):
            if role == Qt.ItemDataRole.DisplayRole:
                return i18n.tr(self.COLUMNS[section].title)
            if role == Qt.ItemDataRole.TextAlignmentRole:
                return int(_RIGHT if self.COLUMNS[section].right else _LEFT)
        if orientation == Qt.Orientation.Vertical and role == Qt.ItemDataRole.DisplayRole and 0 <= section < len(self._rows):
            return section + 1
        return None


class InsurerModel(RowsModel):
    COLUMNS = (
        Column("admin.col.amc", lambda i: i.amc_number),
        Column("admin.col.name", lambda i: i.name),
        Column("admin.col.operator", lambda i: i.operator_code or ""),
        Column("admin.col.hotline", lambda i: i.hotline or ""),
        Column("admin.col.portal", lambda i: i.portal or ""),
        Column("admin.col.batch_by", lambda i: i18n.tr(f"admin.batch_by.{i.batch_by}")),
        Column("admin.col.state", lambda i: _state(i.active)),
    )

    def insurer(self, index: int) -> InsurerInfo:
        info: InsurerInfo = self.row(index)
        return info


class OperatorModel(RowsModel):
    COLUMNS = (
        Column("admin.col.code", lambda o: o.code),
        Column("admin.col.name", lambda o: o.name),
        Column("admin.col.health_url", lambda o: o.health_url or ""),
        Column("admin.col.state", lambda o: _state(o.active)),
    )

    def operator(self, index: int) -> OperatorInfo:
        info: OperatorInfo = self.row(index)
        return info


class UserModel(RowsModel):
    COLUMNS = (
        Column("admin.col.login", lambda u: u.login),
        Column("admin.col.display_name", lambda u: u.display_name),
        Column("admin.col.role", lambda u: i18n.tr(f"admin.role.{u.role}")),
        Column("admin.col.state", lambda u: _state(u.active)),
    )

    def user(self, index: int) -> UserInfo:
        info: UserInfo = self.row(index)
        return info


class ReasonModel(RowsModel):
    """(reason code, number of lines) pairs of a drug import, the reason in the user's words."""

    COLUMNS = (
        Column("admin.col.reason", lambda r: i18n.tr(r[0])),
        Column("admin.col.lines", lambda r: count_text(r[1]), sort=lambda r: r[1], right=True),
    )
