"""The forms that add or edit an insurer and an operator (the services check everything)."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QComboBox, QWidget

from verifier import i18n
from verifier.gui.admin.form_dialog import FormDialog, line_edit
from verifier.services import directory
from verifier.services.context import Context
from verifier.services.directory import InsurerInfo, OperatorInfo

i18n.register(
    {
        "admin.f.amc_hint": i18n.N_("Tel qu'imprimé sur l'attestation de tiers payant."),
        "admin.f.amc_fixed": i18n.N_("Le numéro AMC identifie l'organisme sur les demandes : il ne se modifie pas."),
    }
)


class InsurerDialog(FormDialog):
    """Add an insurer (`insurer` None) or edit one; `insurer_saved` carries the result."""

    insurer_saved = Signal(object)

    def __init__(
        self,
        ctx: Context,
        operators: list[OperatorInfo],
        insurer: InsurerInfo | None = None,
        parent: QWidget | None = None,
    ) -> None:
        title = (
            i18n.tr("Modifier l'organisme {amc}", amc=insurer.amc_number)
            if insurer
            else i18n.tr("Ajouter un organisme complémentaire")
        )
        super().__init__(ctx, title, parent)
        self.insurer = insurer
        self.amc_edit = line_edit(20)
        self.name_edit = line_edit(directory.NAME_MAX)
        self.operator_box = QComboBox()
        self.operator_box.addItem(i18n.tr("(aucun opérateur)"), "")
        current = insurer.operator_code if insurer else None
        for op in operators:
            if op.active or op.code == current:
                self.operator_box.addItem(f"{op.name} ({op.code})", op.code)
        self.hotline_edit = line_edit(directory.HOTLINE_MAX, i18n.tr("facultatif"))
        self.portal_edit = line_edit(directory.URL_MAX, i18n.tr("facultatif"))
        self.batch_box = QComboBox()
        self.batch_box.addItem(i18n.tr("un lot par organisme"), "insurer")
        self.batch_box.addItem(i18n.tr("un lot par opérateur"), "operator")
        f = self.form
        f.add(
            "amc_number",
            i18n.tr("N° &AMC :"),
            self.amc_edit,
            i18n.tr("Numéro AMC de l'organisme, 1 à 10 chiffres"),
            i18n.say("admin.f.amc_fixed" if insurer else "admin.f.amc_hint"),
        )
        f.add(
            "name",
            i18n.ptr("admin.f", "&Nom :"),
            self.name_edit,
            i18n.ptr("admin.f", "Nom de l'organisme complémentaire"),
        )
        f.add(
            "operator", i18n.tr("&Opérateur :"), self.operator_box, i18n.tr("Opérateur de tiers payant de l'organisme")
        )
        f.add(
            "hotline",
            i18n.tr("&Téléphone :"),
            self.hotline_edit,
            i18n.tr("Téléphone de l'organisme pour vérifier les droits"),
        )
        f.add(
            "portal",
            i18n.tr("&Portail :"),
            self.portal_edit,
            i18n.tr("Adresse du portail professionnel de l'organisme"),
        )
        f.add(
            "batch_by",
            i18n.tr("&Lots d'export :"),
            self.batch_box,
            i18n.tr("Regroupement des demandes dans les lots d'export"),
        )
        if insurer is not None:
            self.amc_edit.setText(insurer.amc_number)
            self.amc_edit.setReadOnly(True)
            self.name_edit.setText(insurer.name)
            self.operator_box.setCurrentIndex(max(0, self.operator_box.findData(insurer.operator_code or "")))
            self.hotline_edit.setText(insurer.hotline or "")
            self.portal_edit.setText(insurer.portal or "")
            self.batch_box.setCurrentIndex(max(0, self.batch_box.findData(insurer.batch_by)))
        self.finish_layout()
        (self.name_edit if insurer else self.amc_edit).setFocus()

    def save(self) -> None:
        operator = str(self.operator_box.currentData() or "") or None
        batch_by = str(self.batch_box.currentData())
        if self.insurer is None:
            self.start(
                directory.add_insurer,
                self.ctx,
                self.amc_edit.text(),
                self.name_edit.text(),
                operator,
                self.hotline_edit.text(),
                self.portal_edit.text(),
                batch_by,
            )
        else:
            self.start(
                _update_insurer,
                self.ctx,
                self.insurer.id,
                self.name_edit.text(),
                operator,
                self.hotline_edit.text(),
                self.portal_edit.text(),
                batch_by,
            )

    def saved(self, result: object) -> None:
        self.insurer_saved.emit(result)


def _update_insurer(
    ctx: Context, insurer_id: int, name: str, operator: str | None, hotline: str, portal: str, batch_by: str
) -> InsurerInfo:
    return directory.update_insurer(
        ctx, insurer_id, name=name, operator_code=operator, hotline=hotline, portal=portal, batch_by=batch_by
    )


def _update_operator(ctx: Context, operator_id: int, name: str, health_url: str) -> OperatorInfo:
    return directory.update_operator(ctx, operator_id, name=name, health_url=health_url)


class OperatorDialog(FormDialog):
    """Add an operator (`operator` None) or edit one; `operator_saved` carries the result."""

    operator_saved = Signal(object)

    def __init__(self, ctx: Context, operator: OperatorInfo | None = None, parent: QWidget | None = None) -> None:
        title = (
            i18n.tr("Modifier l'opérateur {code}", code=operator.code)
            if operator
            else i18n.tr("Ajouter un opérateur de tiers payant")
        )
        super().__init__(ctx, title, parent)
        self.operator = operator
        self.code_edit = line_edit(40, "VIAMEDIS")
        self.name_edit = line_edit(directory.NAME_MAX)
        self.url_edit = line_edit(directory.URL_MAX, "https://")
        f = self.form
        f.add(
            "code",
            i18n.tr("&Code :"),
            self.code_edit,
            i18n.tr("Code de l'opérateur, par exemple VIAMEDIS"),
            i18n.tr("Le code identifie l'opérateur (annuaires CSV, pannes) : il ne se modifie pas.")
            if operator
            else None,
        )
        f.add("name", i18n.ptr("admin.f", "&Nom :"), self.name_edit, i18n.tr("Nom de l'opérateur"))
        f.add(
            "health_url",
            i18n.tr("Adresse de &supervision :"),
            self.url_edit,
            i18n.tr("Adresse web interrogée pour savoir si l'opérateur répond"),
            i18n.tr("Facultatif. Commence par https://"),
        )
        if operator is not None:
            self.code_edit.setText(operator.code)
            self.code_edit.setReadOnly(True)
            self.name_edit.setText(operator.name)
            self.url_edit.setText(operator.health_url or "")
        self.finish_layout()
        (self.name_edit if operator else self.code_edit).setFocus()

    def save(self) -> None:
        if self.operator is None:
            self.start(
                directory.add_operator, self.ctx, self.code_edit.text(), self.name_edit.text(), self.url_edit.text()
            )
        else:
            self.start(_update_operator, self.ctx, self.operator.id, self.name_edit.text(), self.url_edit.text())

    def saved(self, result: object) -> None:
        self.operator_saved.emit(result)
