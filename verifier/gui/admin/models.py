"""Table models of the administrators' pages: insurers, operators, users, skipped lines."""

from __future__ import annotations

from verifier import i18n
from verifier.formatting import format_count, format_day
from verifier.gui.rows import Column, RowsModel
from verifier.services.directory import InsurerInfo, OperatorInfo
from verifier.services.users import UserInfo

i18n.register(
    {
        "admin.col.amc": i18n.N_("N° AMC"),
        "admin.col.name": i18n.N_("Nom"),
        "admin.col.operator": i18n.N_("Opérateur"),
        "admin.col.hotline": i18n.N_("Téléphone"),
        "admin.col.portal": i18n.N_("Portail"),
        "admin.col.batch_by": i18n.N_("Lots par"),
        "admin.col.state": i18n.N_("État"),
        "admin.col.protection": i18n.N_("Chiffrement des lots"),
        "admin.untrusted": i18n.N_("modifié hors verifier : à vérifier"),
        "admin.protection_short.passphrase": i18n.N_("phrase secrète"),
        "admin.protection_short.certificate": i18n.N_("certificat"),
        "admin.col.code": i18n.N_("Code"),
        "admin.col.health_url": i18n.N_("Adresse de supervision"),
        "admin.col.login": i18n.N_("Identifiant"),
        "admin.col.display_name": i18n.N_("Nom affiché"),
        "admin.col.role": i18n.N_("Rôle"),
        "admin.col.reason": i18n.N_("Motif"),
        "admin.col.lines": i18n.N_("Lignes ignorées"),
        "admin.active": i18n.N_("actif"),
        "admin.inactive": i18n.N_("désactivé"),
        "admin.batch_by.insurer": i18n.N_("organisme"),
        "admin.batch_by.operator": i18n.N_("opérateur"),
        "admin.role.admin": i18n.N_("administrateur"),
        "admin.role.counter": i18n.N_("comptoir"),
    }
)


def _state(active: bool) -> str:
    return i18n.say("admin.active" if active else "admin.inactive")


def _entry_state(entry: InsurerInfo | OperatorInfo) -> str:
    if not entry.trusted:
        return i18n.say("admin.untrusted")
    if isinstance(entry, InsurerInfo) and entry.provisional:
        return i18n.tr("à confirmer")
    return _state(entry.active)


def _protection(entry: InsurerInfo | OperatorInfo) -> str:
    text = i18n.say(f"admin.protection_short.{entry.export_protection}")
    if entry.certificate is not None and entry.export_protection == "certificate":
        text += " " + i18n.tr("(jusqu'au {date})", date=format_day(entry.certificate.not_after.date()))
    return text


class InsurerModel(RowsModel):
    COLUMNS = (
        Column("admin.col.amc", lambda i: i.amc_number),
        Column("admin.col.name", lambda i: i.name),
        Column("admin.col.operator", lambda i: i.operator_code or ""),
        Column("admin.col.hotline", lambda i: i.hotline or ""),
        Column("admin.col.portal", lambda i: i.portal or ""),
        Column("admin.col.batch_by", lambda i: i18n.say(f"admin.batch_by.{i.batch_by}")),
        Column("admin.col.protection", _protection),
        Column("admin.col.state", _entry_state),
    )

    def insurer(self, index: int) -> InsurerInfo:
        info: InsurerInfo = self.row(index)
        return info


class OperatorModel(RowsModel):
    COLUMNS = (
        Column("admin.col.code", lambda o: o.code),
        Column("admin.col.name", lambda o: o.name),
        Column("admin.col.health_url", lambda o: o.health_url or ""),
        Column("admin.col.protection", _protection),
        Column("admin.col.state", _entry_state),
    )

    def operator(self, index: int) -> OperatorInfo:
        info: OperatorInfo = self.row(index)
        return info


class UserModel(RowsModel):
    COLUMNS = (
        Column("admin.col.login", lambda u: u.login),
        Column("admin.col.display_name", lambda u: u.display_name),
        Column("admin.col.role", lambda u: i18n.say(f"admin.role.{u.role}")),
        Column("admin.col.state", lambda u: _state(u.active)),
    )

    def user(self, index: int) -> UserInfo:
        info: UserInfo = self.row(index)
        return info


class ReasonModel(RowsModel):
    """(reason code, number of lines) pairs of a drug import, the reason in the user's words."""

    COLUMNS = (
        Column("admin.col.reason", lambda r: i18n.say(r[0])),
        Column("admin.col.lines", lambda r: format_count(r[1]), sort=lambda r: r[1], right=True),
    )
