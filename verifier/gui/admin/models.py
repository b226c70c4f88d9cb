"""Table models of the administrators' pages: insurers, operators, users, skipped lines."""

from __future__ import annotations

from verifier import i18n
from verifier.gui.admin.common import count_text
from verifier.gui.rows import Column, RowsModel
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
        "admin.to_confirm": ("à confirmer", "to be confirmed"),
        "admin.active": ("actif", "active"),
        "admin.inactive": ("désactivé", "deactivated"),
        "admin.batch_by.insurer": ("organisme", "insurer"),
        "admin.batch_by.operator": ("opérateur", "operator"),
        "admin.role.admin": ("administrateur", "administrator"),
        "admin.role.counter": ("comptoir", "counter"),
    }
)


def _state(active: bool) -> str:
    return i18n.tr("admin.active" if active else "admin.inactive")


class InsurerModel(RowsModel):
    COLUMNS = (
        Column("admin.col.amc", lambda i: i.amc_number),
        Column("admin.col.name", lambda i: i.name),
        Column("admin.col.operator", lambda i: i.operator_code or ""),
        Column("admin.col.hotline", lambda i: i.hotline or ""),
        Column("admin.col.portal", lambda i: i.portal or ""),
        Column("admin.col.batch_by", lambda i: i18n.tr(f"admin.batch_by.{i.batch_by}")),
        Column("admin.col.state", lambda i: i18n.tr("admin.to_confirm") if i.provisional else _state(i.active)),
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
