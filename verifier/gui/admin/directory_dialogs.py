"""The forms that add or edit an insurer and an operator (the services check everything)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from verifier import i18n
from verifier.formatting import format_day
from verifier.gui.admin.form_dialog import FormDialog, line_edit
from verifier.services import directory
from verifier.services.context import Context
from verifier.services.directory import Certificate, InsurerInfo, OperatorInfo

i18n.register(
    {
        "admin.f.amc_hint": i18n.N_("Tel qu'imprimé sur l'attestation de tiers payant."),
        "admin.f.amc_fixed": i18n.N_("Le numéro AMC identifie l'organisme sur les demandes : il ne se modifie pas."),
        "admin.protection.passphrase": i18n.N_("par une phrase secrète, dite par téléphone à chaque envoi"),
        "admin.protection.certificate": i18n.N_("pour le certificat de l'organisme"),
        "admin.entry_untrusted": i18n.N_(
            "Cette fiche a été modifiée en dehors de verifier : vérifiez chaque champ (téléphone, opérateur, certificat) avant d'enregistrer. Ses lots sont refusés jusque-là."
        ),
    }
)


def certificate_text(cert: Certificate | None) -> str:
    if cert is None:
        return i18n.tr("Aucun certificat enregistré.")
    return i18n.tr(
        "Enregistré : « {subject} », valable jusqu'au {date} (empreinte SHA-256 {fingerprint}…).",
        subject=cert.subject,
        date=format_day(cert.not_after.date()),
        fingerprint=cert.fingerprint[:16],
    )


class ProtectionFields:
    """How the entry's batches are encrypted by default: the choice, a new certificate file,
    what is on record. Added to a form as two rows."""

    def __init__(self, dialog: FormDialog, protection: str, certificate: Certificate | None) -> None:
        self.dialog = dialog
        self.box = QComboBox()
        for code in directory.PROTECTIONS:
            self.box.addItem(i18n.say(f"admin.protection.{code}"), code)
        self.box.setCurrentIndex(max(0, self.box.findData(protection)))
        self.file_edit: QLineEdit = line_edit(1000, i18n.tr("fichier .pem ou .crt de l'organisme"))
        self.file_edit.setAccessibleName(i18n.tr("Nouveau fichier du certificat de l'organisme (PEM)"))
        self.browse = QPushButton(i18n.tr("Parcour&ir…"))
        self.browse.setAccessibleName(i18n.tr("Choisir le fichier du certificat"))
        self.browse.setAutoDefault(False)  # Enter in the form saves it, never opens a file chooser
        self.browse.clicked.connect(self.choose)
        # What is on record, as plain text: a certificate's subject is the sender's to choose.
        self.on_record = QLabel(certificate_text(certificate))
        self.on_record.setWordWrap(True)
        self.on_record.setTextFormat(Qt.TextFormat.PlainText)
        self.row = QWidget()
        column = QVBoxLayout(self.row)
        column.setContentsMargins(0, 0, 0, 0)
        line = QHBoxLayout()
        line.addWidget(self.file_edit, 1)
        line.addWidget(self.browse)
        column.addLayout(line)
        column.addWidget(self.on_record)
        self.row.setFocusProxy(self.file_edit)

    def add_to_form(self) -> None:
        f = self.dialog.form
        f.add(
            "protection",
            i18n.tr("Chi&ffrement des lots :"),
            self.box,
            i18n.tr("Chiffrement par défaut des lots envoyés à cet organisme"),
            i18n.tr(
                "L'export chiffre ainsi, sauf choix contraire pour un envoi (un fichier en clair est noté au journal)."
            ),
        )
        f.add(
            "certificate",
            i18n.tr("Ce&rtificat :"),
            self.row,
            i18n.tr("Nouveau fichier du certificat de l'organisme (PEM)"),
        )

    def after_layout(self) -> None:
        """The file's button comes right after the file in the Tab order, then Save."""
        QWidget.setTabOrder(self.file_edit, self.browse)
        QWidget.setTabOrder(self.browse, self.dialog.save_button)

    def choose(self) -> None:
        path, _filter = QFileDialog.getOpenFileName(
            self.dialog,
            i18n.tr("Choisir le certificat de l'organisme"),
            str(Path.home()),
            i18n.tr("Certificats (*.pem *.crt *.cer);;Tous les fichiers (*)"),
        )
        if path:
            self.file_edit.setText(path)

    def chosen(self) -> tuple[str, Path | None]:
        text = self.file_edit.text().strip()
        return str(self.box.currentData()), Path(text) if text else None


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
        self.protection = ProtectionFields(
            self,
            insurer.export_protection if insurer else directory.PASSPHRASE,
            insurer.certificate if insurer else None,
        )
        self.protection.add_to_form()
        if insurer is not None:
            self.amc_edit.setText(insurer.amc_number)
            self.amc_edit.setReadOnly(True)
            self.name_edit.setText(insurer.name)
            self.operator_box.setCurrentIndex(max(0, self.operator_box.findData(insurer.operator_code or "")))
            self.hotline_edit.setText(insurer.hotline or "")
            self.portal_edit.setText(insurer.portal or "")
            self.batch_box.setCurrentIndex(max(0, self.batch_box.findData(insurer.batch_by)))
        self.finish_layout()
        self.protection.after_layout()
        if insurer is not None and not insurer.trusted:
            self.message.refuse(i18n.say("admin.entry_untrusted"))
        (self.name_edit if insurer else self.amc_edit).setFocus()

    def save(self) -> None:
        operator = str(self.operator_box.currentData() or "") or None
        batch_by = str(self.batch_box.currentData())
        protection, certificate = self.protection.chosen()
        if self.insurer is None:
            self.start(
                _add_insurer,
                self.ctx,
                protection,
                certificate,
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
                protection,
                certificate,
            )

    def saved(self, result: object) -> None:
        self.insurer_saved.emit(result)


def _checked_file(certificate: Path | None) -> None:
    """A new certificate file is read and checked before anything is written."""
    if certificate is not None:
        directory.read_certificate(certificate)


def _add_insurer(
    ctx: Context,
    protection: str,
    certificate: Path | None,
    amc: str,
    name: str,
    operator: str | None,
    hotline: str,
    portal: str,
    batch_by: str,
) -> InsurerInfo:
    _checked_file(certificate)
    info = directory.add_insurer(ctx, amc, name, operator, hotline, portal, batch_by)
    if protection != directory.PASSPHRASE or certificate is not None:
        result = directory.set_export_protection(
            ctx, insurer_id=info.id, protection=protection, certificate_file=certificate
        )
        assert isinstance(result, InsurerInfo)
        return result
    return info


def _update_insurer(
    ctx: Context,
    insurer_id: int,
    name: str,
    operator: str | None,
    hotline: str,
    portal: str,
    batch_by: str,
    protection: str,
    certificate: Path | None,
) -> InsurerInfo:
    _checked_file(certificate)
    directory.update_insurer(
        ctx, insurer_id, name=name, operator_code=operator, hotline=hotline, portal=portal, batch_by=batch_by
    )
    result = directory.set_export_protection(
        ctx, insurer_id=insurer_id, protection=protection, certificate_file=certificate
    )
    assert isinstance(result, InsurerInfo)
    return result


def _update_operator(
    ctx: Context, operator_id: int, name: str, health_url: str, protection: str, certificate: Path | None
) -> OperatorInfo:
    _checked_file(certificate)
    directory.update_operator(ctx, operator_id, name=name, health_url=health_url)
    result = directory.set_export_protection(
        ctx, operator_id=operator_id, protection=protection, certificate_file=certificate
    )
    assert isinstance(result, OperatorInfo)
    return result


def _add_operator(
    ctx: Context, protection: str, certificate: Path | None, code: str, name: str, health_url: str
) -> OperatorInfo:
    _checked_file(certificate)
    info = directory.add_operator(ctx, code, name, health_url)
    if protection != directory.PASSPHRASE or certificate is not None:
        result = directory.set_export_protection(
            ctx, operator_id=info.id, protection=protection, certificate_file=certificate
        )
        assert isinstance(result, OperatorInfo)
        return result
    return info


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
        self.protection = ProtectionFields(
            self,
            operator.export_protection if operator else directory.PASSPHRASE,
            operator.certificate if operator else None,
        )
        self.protection.add_to_form()
        if operator is not None:
            self.code_edit.setText(operator.code)
            self.code_edit.setReadOnly(True)
            self.name_edit.setText(operator.name)
            self.url_edit.setText(operator.health_url or "")
        self.finish_layout()
        self.protection.after_layout()
        if operator is not None and not operator.trusted:
            self.message.refuse(i18n.say("admin.entry_untrusted"))
        (self.name_edit if operator else self.code_edit).setFocus()

    def save(self) -> None:
        protection, certificate = self.protection.chosen()
        if self.operator is None:
            self.start(
                _add_operator,
                self.ctx,
                protection,
                certificate,
                self.code_edit.text(),
                self.name_edit.text(),
                self.url_edit.text(),
            )
        else:
            self.start(
                _update_operator,
                self.ctx,
                self.operator.id,
                self.name_edit.text(),
                self.url_edit.text(),
                protection,
                certificate,
            )

    def saved(self, result: object) -> None:
        self.operator_saved.emit(result)
