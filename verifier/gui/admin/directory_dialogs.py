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
        "admin.insurer_add_title": ("Ajouter un organisme complémentaire", "Add an insurer"),
        "admin.insurer_edit_title": ("Modifier l'organisme {amc}", "Edit insurer {amc}"),
        "admin.f.amc": ("N° &AMC :", "&AMC number:"),
        "admin.f.amc_a11y": ("Numéro AMC de l'organisme, 1 à 10 chiffres", "The insurer's AMC number, 1 to 10 digits"),
        "admin.f.amc_hint": (
            "Tel qu'imprimé sur l'attestation de tiers payant.",
            "As printed on the tiers-payant card.",
        ),
        "admin.f.amc_fixed": (
            "Le numéro AMC identifie l'organisme sur les demandes : il ne se modifie pas.",
            "The AMC number identifies the insurer on claims: it cannot be changed.",
        ),
        "admin.f.name": ("&Nom :", "&Name:"),
        "admin.f.insurer_name_a11y": ("Nom de l'organisme complémentaire", "The insurer's name"),
        "admin.f.operator": ("&Opérateur :", "&Operator:"),
        "admin.f.operator_a11y": ("Opérateur de tiers payant de l'organisme", "The insurer's tiers-payant operator"),
        "admin.f.no_operator": ("(aucun opérateur)", "(no operator)"),
        "admin.f.hotline": ("&Téléphone :", "&Hotline:"),
        "admin.f.hotline_a11y": (
            "Téléphone de l'organisme pour vérifier les droits",
            "The insurer's hotline for checking rights",
        ),
        "admin.f.portal": ("&Portail :", "&Portal:"),
        "admin.f.portal_a11y": (
            "Adresse du portail professionnel de l'organisme",
            "Address of the insurer's professional portal",
        ),
        "admin.f.optional": ("facultatif", "optional"),
        "admin.f.batch_by": ("&Lots d'export :", "Export &batches:"),
        "admin.f.batch_by_a11y": (
            "Regroupement des demandes dans les lots d'export",
            "How claims are grouped in export batches",
        ),
        "admin.f.batch_insurer": ("un lot par organisme", "one batch per insurer"),
        "admin.f.batch_operator": ("un lot par opérateur", "one batch per operator"),
        "admin.operator_add_title": ("Ajouter un opérateur de tiers payant", "Add a tiers-payant operator"),
        "admin.operator_edit_title": ("Modifier l'opérateur {code}", "Edit operator {code}"),
        "admin.f.code": ("&Code :", "&Code:"),
        "admin.f.code_a11y": ("Code de l'opérateur, par exemple VIAMEDIS", "The operator's code, e.g. VIAMEDIS"),
        "admin.f.code_fixed": (
            "Le code identifie l'opérateur (annuaires CSV, pannes) : il ne se modifie pas.",
            "The code identifies the operator (CSV directories, outages): it cannot be changed.",
        ),
        "admin.f.operator_name_a11y": ("Nom de l'opérateur", "The operator's name"),
        "admin.f.health_url": ("Adresse de &supervision :", "Status &address:"),
        "admin.f.health_url_a11y": (
            "Adresse web interrogée pour savoir si l'opérateur répond",
            "Web address probed to know whether the operator answers",
        ),
        "admin.f.health_url_hint": ("Facultatif. Commence par https://", "Optional. Starts with https://"),
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
            i18n.tr("admin.insurer_edit_title", amc=insurer.amc_number)
            if insurer
            else i18n.tr("admin.insurer_add_title")
        )
        super().__init__(ctx, title, parent)
        self.insurer = insurer
        self.amc_edit = line_edit(20)
        self.name_edit = line_edit(directory.NAME_MAX)
        self.operator_box = QComboBox()
        self.operator_box.addItem(i18n.tr("admin.f.no_operator"), "")
        current = insurer.operator_code if insurer else None
        for op in operators:
            if op.active or op.code == current:
                self.operator_box.addItem(f"{op.name} ({op.code})", op.code)
        self.hotline_edit = line_edit(directory.HOTLINE_MAX, i18n.tr("admin.f.optional"))
        self.portal_edit = line_edit(directory.URL_MAX, i18n.tr("admin.f.optional"))
        self.batch_box = QComboBox()
        self.batch_box.addItem(i18n.tr("admin.f.batch_insurer"), "insurer")
        self.batch_box.addItem(i18n.tr("admin.f.batch_operator"), "operator")
        f = self.form
        f.add(
            "amc_number",
            i18n.tr("admin.f.amc"),
            self.amc_edit,
            i18n.tr("admin.f.amc_a11y"),
            i18n.tr("admin.f.amc_fixed" if insurer else "admin.f.amc_hint"),
        )
        f.add("name", i18n.tr("admin.f.name"), self.name_edit, i18n.tr("admin.f.insurer_name_a11y"))
        f.add("operator", i18n.tr("admin.f.operator"), self.operator_box, i18n.tr("admin.f.operator_a11y"))
        f.add("hotline", i18n.tr("admin.f.hotline"), self.hotline_edit, i18n.tr("admin.f.hotline_a11y"))
        f.add("portal", i18n.tr("admin.f.portal"), self.portal_edit, i18n.tr("admin.f.portal_a11y"))
        f.add("batch_by", i18n.tr("admin.f.batch_by"), self.batch_box, i18n.tr("admin.f.batch_by_a11y"))
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
            i18n.tr("admin.operator_edit_title", code=operator.code)
            if operator
            else i18n.tr("admin.operator_add_title")
        )
        super().__init__(ctx, title, parent)
        self.operator = operator
        self.code_edit = line_edit(40, "VIAMEDIS")
        self.name_edit = line_edit(directory.NAME_MAX)
        self.url_edit = line_edit(directory.URL_MAX, "https://")
        f = self.form
        f.add(
            "code",
            i18n.tr("admin.f.code"),
            self.code_edit,
            i18n.tr("admin.f.code_a11y"),
            i18n.tr("admin.f.code_fixed") if operator else None,
        )
        f.add("name", i18n.tr("admin.f.name"), self.name_edit, i18n.tr("admin.f.operator_name_a11y"))
        f.add(
            "health_url",
            i18n.tr("admin.f.health_url"),
            self.url_edit,
            i18n.tr("admin.f.health_url_a11y"),
            i18n.tr("admin.f.health_url_hint"),
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
