"""The batches page's dialogs: export a batch (folder, encryption, busy bar), mark it sent,
void it with a reason, and choose which queued claims go in a new batch."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

from PySide6.QtCore import QDate, QSortFilterProxyModel, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from verifier import i18n, paths
from verifier.domain.errors import Problem
from verifier.domain.money import format_eur
from verifier.domain.states import ClaimStatus
from verifier.formatting import format_count, format_day
from verifier.gui.admin.batch_models import BatchRow, ClaimChoiceModel, ReadyRow
from verifier.gui.admin.common import Jobs, SentenceLabel
from verifier.gui.admin.form_dialog import FormDialog, line_edit
from verifier.gui.admin.insurers import table
from verifier.services import batches, queue
from verifier.services.batches import CHANNELS, BatchInfo
from verifier.services.context import Context

i18n.register(
    {
        "admin.batch.enc.none": i18n.N_(
            "aucun : fichier en clair, qui nomme les patients (seulement si le dossier est protégé par ailleurs)"
        ),
        "admin.batch.enc.passphrase": i18n.N_("par la phrase secrète convenue avec l'organisme"),
        "admin.batch.enc.certificate": i18n.N_("pour le certificat de l'organisme"),
        "admin.batch.outbox_missing": i18n.N_("Indiquez le dossier où écrire le lot."),
        "admin.batch.passphrase_missing": i18n.N_("Saisissez la phrase secrète, ou générez-en une."),
        "admin.batch.passphrase_mismatch": i18n.N_("La confirmation ne correspond pas à la phrase secrète."),
        "admin.batch.certificate_missing": i18n.N_("Choisissez le fichier du certificat de l'organisme."),
    }
)

CHOOSE_LIMIT = 500


def default_outbox() -> Path:
    return paths.data_dir() / "outbox"


def _with_button(edit: QLineEdit, button: QPushButton) -> QWidget:
    """A line edit and its "Choose…" button on one row; the row's focus goes to the edit."""
    row = QWidget()
    layout = QHBoxLayout(row)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.addWidget(edit, 1)
    layout.addWidget(button)
    row.setFocusProxy(edit)
    return row


class ExportDialog(FormDialog):
    """Where to write the batch and how to encrypt it; the export runs with a busy bar."""

    exported = Signal(object)  # the Path written

    ROW_PASSPHRASE, ROW_CONFIRM, ROW_CERTIFICATE = 2, 3, 4

    def __init__(self, ctx: Context, batch: BatchRow, parent: QWidget | None) -> None:
        info = batch.info
        super().__init__(
            ctx,
            i18n.tr("Exporter le lot n° {number} — {insurer}", number=info.number_text, insurer=batch.insurer_name),
            parent,
        )
        self.batch = batch
        self.save_button.setText(i18n.tr("&Exporter"))
        explain = QLabel(
            i18n.tr(
                "Le lot ({count} demande(s), {amount}) est écrit dans le dossier d'envoi en un seul fichier, qui apparaît complet ou pas du tout. Exporter à nouveau donne exactement le même fichier.",
                count=format_count(info.claim_count),
                amount=format_eur(info.total_amc),
            )
        )
        explain.setWordWrap(True)
        self.outbox_edit = line_edit(1000)
        self.outbox_edit.setText(str(default_outbox()))
        self.outbox_edit.setAccessibleName(i18n.tr("Dossier où écrire le fichier du lot"))
        self.choose_button = QPushButton(i18n.tr("C&hoisir…"))
        self.choose_button.setAccessibleName(i18n.tr("Choisir un autre dossier d'envoi"))
        self.choose_button.clicked.connect(self.choose_folder)
        self.encryption_box = QComboBox()
        # Encrypted by default (a stolen export must reveal no one), as the recipient's entry
        # says: its certificate on record first when it has one; plain comes last, said so.
        self.wanted = batches.protection(ctx, info.id)
        if self.wanted.kind == "certificate" and self.wanted.certificate_subject is not None:
            assert self.wanted.certificate_not_after is not None
            self.encryption_box.addItem(
                i18n.tr(
                    "pour le certificat enregistré de l'organisme (« {subject} », valable jusqu'au {date})",
                    subject=self.wanted.certificate_subject,
                    date=format_day(self.wanted.certificate_not_after.date()),
                ),
                "stored",
            )
        for code in ("passphrase", "certificate", "none"):
            self.encryption_box.addItem(i18n.say(f"admin.batch.enc.{code}"), code)
        self.passphrase_edit = line_edit(200)
        self.passphrase_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.passphrase_edit.setAccessibleName(i18n.tr("Phrase secrète du fichier du lot"))
        self.generate_button = QPushButton(i18n.tr("&Générer"))
        self.generate_button.setAccessibleName(i18n.tr("Générer une phrase secrète et l'afficher"))
        self.generate_button.clicked.connect(self.generate_passphrase)
        self.confirm_edit = line_edit(200)
        self.confirm_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.certificate_edit = line_edit(1000)
        self.certificate_edit.setAccessibleName(i18n.tr("Fichier du certificat de l'organisme (PEM)"))
        self.browse_button = QPushButton(i18n.tr("Parcour&ir…"))
        self.browse_button.setAccessibleName(i18n.tr("Choisir le fichier du certificat"))
        self.browse_button.clicked.connect(self.choose_certificate)
        f = self.form
        f.add(
            "outbox",
            i18n.tr("&Dossier d'envoi :"),
            _with_button(self.outbox_edit, self.choose_button),
            i18n.tr("Dossier où écrire le fichier du lot"),
            i18n.tr("Par défaut : {folder}", folder=str(default_outbox())),
        )
        f.add(
            "encryption",
            i18n.tr("Chi&ffrement :"),
            self.encryption_box,
            i18n.tr("Chiffrement du fichier du lot"),
        )
        f.add(
            "passphrase",
            i18n.tr("&Phrase secrète :"),
            _with_button(self.passphrase_edit, self.generate_button),
            i18n.tr("Phrase secrète du fichier du lot"),
            i18n.tr(
                "12 caractères au moins. Communiquez-la à l'organisme par un autre moyen (téléphone), jamais avec le fichier."
            ),
        )
        f.add("confirm", i18n.tr("C&onfirmation :"), self.confirm_edit, i18n.tr("Confirmation de la phrase secrète"))
        f.add(
            "certificate",
            i18n.tr("Ce&rtificat :"),
            _with_button(self.certificate_edit, self.browse_button),
            i18n.tr("Fichier du certificat de l'organisme (PEM)"),
            i18n.tr("Fichier .pem ou .crt fourni par l'organisme."),
        )
        self.bar = QProgressBar()
        self.bar.setRange(0, 0)  # busy: the writer does not say how far it is
        self.bar.setAccessibleName(i18n.tr("Avancement de l'export"))
        self.bar.hide()
        self.finish_layout()
        layout = self.layout()
        assert isinstance(layout, QVBoxLayout)
        layout.insertWidget(0, explain)
        layout.insertWidget(layout.indexOf(self.message) + 1, self.bar)
        order = [
            self.outbox_edit,
            self.choose_button,
            self.encryption_box,
            self.passphrase_edit,
            self.generate_button,
            self.confirm_edit,
            self.certificate_edit,
            self.browse_button,
            self.save_button,
            self.cancel_button,
        ]
        for first, second in zip(order, order[1:]):
            QWidget.setTabOrder(first, second)
        self.encryption_box.currentIndexChanged.connect(lambda _i: self._show_rows())
        self._show_rows()
        if not self.wanted.trusted:
            self.message.refuse(i18n.say("batch.recipient_untrusted", recipient=self.wanted.recipient))
        self.save_button.setFocus()

    def encryption(self) -> str:
        return str(self.encryption_box.currentData())

    def _show_rows(self) -> None:
        mode = self.encryption()
        self.form.layout.setRowVisible(self.ROW_PASSPHRASE, mode == "passphrase")
        self.form.layout.setRowVisible(self.ROW_CONFIRM, mode == "passphrase")
        self.form.layout.setRowVisible(self.ROW_CERTIFICATE, mode == "certificate")
        for message in self.form.messages.values():  # showing a row shows its empty sentence too
            message.setVisible(bool(message.text()))
        self.adjustSize()

    def generate_passphrase(self) -> None:
        """A strong passphrase, shown in clear so that it can be read to the insurer."""
        phrase = batches.new_passphrase()
        for edit in (self.passphrase_edit, self.confirm_edit):
            edit.setEchoMode(QLineEdit.EchoMode.Normal)
            edit.setText(phrase)
        self.passphrase_edit.setFocus()
        self.passphrase_edit.selectAll()

    def choose_folder(self) -> None:
        start = self.outbox_edit.text().strip() or str(default_outbox())
        folder = QFileDialog.getExistingDirectory(self, i18n.tr("Choisir le dossier d'envoi"), start)
        if folder:
            self.outbox_edit.setText(folder)

    def choose_certificate(self) -> None:
        path, _filter = QFileDialog.getOpenFileName(
            self,
            i18n.tr("Choisir le certificat de l'organisme"),
            str(Path.home()),
            i18n.tr("Certificats (*.pem *.crt *.cer);;Tous les fichiers (*)"),
        )
        if path:
            self.certificate_edit.setText(path)

    def save(self) -> None:
        if self.jobs.busy:
            return
        problems = []
        outbox = self.outbox_edit.text().strip()
        if not outbox:
            problems.append(Problem("admin.batch.outbox_missing", {}, "outbox"))
        passphrase: str | None = None
        certificate: Path | None = None
        if self.encryption() == "passphrase":
            passphrase = self.passphrase_edit.text()
            if not passphrase:
                problems.append(Problem("admin.batch.passphrase_missing", {}, "passphrase"))
            elif passphrase != self.confirm_edit.text():
                problems.append(Problem("admin.batch.passphrase_mismatch", {}, "confirm"))
        elif self.encryption() == "certificate":
            if not self.certificate_edit.text().strip():
                problems.append(Problem("admin.batch.certificate_missing", {}, "certificate"))
            else:
                certificate = Path(self.certificate_edit.text().strip())
        self.form.show(problems)
        if problems:
            return
        stored = self.encryption() == "stored"
        self.start(batches.export_with, self.ctx, self.batch.info.id, Path(outbox), passphrase, certificate, stored)
        self.message.say(i18n.tr("Export du lot n° {number} en cours…", number=self.batch.info.number_text))
        self.bar.show()

    def saved(self, result: object) -> None:
        self.bar.hide()
        self.exported.emit(result)

    def _failed(self, exc: BaseException) -> None:
        self.bar.hide()
        super()._failed(exc)


class SentDialog(FormDialog):
    """When and how the batch left: the date (not in the future) and the channel."""

    sent = Signal(object)  # BatchInfo

    def __init__(self, ctx: Context, batch: BatchRow, parent: QWidget | None) -> None:
        super().__init__(ctx, i18n.tr("Lot n° {number} envoyé", number=batch.info.number_text), parent)
        self.batch = batch
        self.save_button.setText(i18n.tr("&Marquer envoyé"))
        explain = QLabel(
            i18n.tr(
                "Une fois marqué envoyé, le lot ne peut plus être annulé : ses demandes attendent la réponse de l'organisme."
            )
        )
        explain.setWordWrap(True)
        self.date_edit = QDateEdit(QDate.currentDate())
        self.date_edit.setDisplayFormat("dd/MM/yyyy")
        self.date_edit.setCalendarPopup(True)
        self.date_edit.setMaximumDate(QDate.currentDate())
        self.channel_box = QComboBox()
        for channel in CHANNELS:
            self.channel_box.addItem(i18n.say(f"admin.batch.channel.{channel}"), channel)
        self.form.add(
            "sent_on",
            i18n.tr("&Date d'envoi :"),
            self.date_edit,
            i18n.tr("Date d'envoi du lot à l'organisme"),
            compact=True,
        )
        self.form.add(
            "channel",
            i18n.tr("&Envoyé par :"),
            self.channel_box,
            i18n.tr("Comment le lot a été envoyé"),
            compact=True,
        )
        self.finish_layout()
        layout = self.layout()
        assert isinstance(layout, QVBoxLayout)
        layout.insertWidget(0, explain)
        self.date_edit.setFocus()

    def save(self) -> None:
        day: date = self.date_edit.date().toPython()  # type: ignore[assignment]
        self.start(batches.mark_sent, self.ctx, self.batch.info.id, day, str(self.channel_box.currentData()))

    def saved(self, result: object) -> None:
        self.sent.emit(result)


class VoidBatchDialog(FormDialog):
    """Why the batch is voided; its claims go back to the queue."""

    voided = Signal(object)  # BatchInfo

    def __init__(self, ctx: Context, batch: BatchRow, parent: QWidget | None) -> None:
        info: BatchInfo = batch.info
        super().__init__(ctx, i18n.tr("Annuler le lot n° {number}", number=info.number_text), parent)
        self.batch = batch
        self.save_button.setText(i18n.tr("A&nnuler le lot"))
        self.cancel_button.setText(i18n.tr("&Retour"))
        explain = QLabel(
            i18n.tr(
                "Ses {count} demande(s) reviennent en attente d'export. Le numéro {number} ne sera jamais réutilisé.",
                count=format_count(info.claim_count),
                number=info.number_text,
            )
        )
        explain.setWordWrap(True)
        self.reason_edit = line_edit(500, i18n.tr("Par exemple : fichier refusé par le portail"))
        self.form.add(
            "reason", i18n.ptr("admin.batch.f", "&Motif :"), self.reason_edit, i18n.tr("Motif de l'annulation du lot")
        )
        self.finish_layout()
        layout = self.layout()
        assert isinstance(layout, QVBoxLayout)
        layout.insertWidget(0, explain)
        self.reason_edit.setFocus()

    def save(self) -> None:
        self.start(batches.void_batch, self.ctx, self.batch.info.id, self.reason_edit.text())

    def saved(self, result: object) -> None:
        self.voided.emit(result)


def queued_claims(ctx: Context, insurer_id: int) -> queue.QueueSlice:
    search = queue.Search(statuses=(ClaimStatus.QUEUED,), insurer_id=insurer_id)
    return queue.read_page(ctx, search, sort="number", descending=False, limit=CHOOSE_LIMIT)


class ChooseClaimsDialog(QDialog):
    """The insurer's queued claims with check boxes; `chosen` carries the ticked claims' ids."""

    chosen = Signal(object)  # list[str]

    def __init__(self, ctx: Context, insurer: ReadyRow, parent: QWidget | None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.insurer = insurer
        self.jobs = Jobs(self)
        self.setWindowTitle(i18n.tr("Demandes à mettre dans le lot — {insurer}", insurer=insurer.name))
        explain = QLabel(
            i18n.tr("Cochez les demandes à exporter (Espace coche ou décoche la ligne). Les autres restent en attente.")
        )
        explain.setWordWrap(True)
        self.model = ClaimChoiceModel(self)
        self.proxy = QSortFilterProxyModel(self)
        self.proxy.setSourceModel(self.model)
        self.proxy.setSortRole(Qt.ItemDataRole.UserRole)
        self.view = table(self.proxy, i18n.tr("Demandes en attente de l'organisme"), stretch=2)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.count_label = SentenceLabel()
        self.count_label.say(i18n.tr("Lecture des demandes en attente…"))
        self.all_button = QPushButton(i18n.tr("&Tout cocher"))
        self.all_button.clicked.connect(lambda: self.model.set_all(True))
        self.none_button = QPushButton(i18n.tr("Tout &décocher"))
        self.none_button.clicked.connect(lambda: self.model.set_all(False))
        self.buttons = QDialogButtonBox()
        self.create_button = self.buttons.addButton(i18n.tr("&Créer le lot"), QDialogButtonBox.ButtonRole.AcceptRole)
        self.create_button.setEnabled(False)
        self.buttons.addButton(i18n.tr("Annuler"), QDialogButtonBox.ButtonRole.RejectRole)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        row = QHBoxLayout()
        row.addWidget(self.all_button)
        row.addWidget(self.none_button)
        row.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(explain)
        layout.addWidget(self.view, 1)
        layout.addLayout(row)
        layout.addWidget(self.count_label)
        layout.addWidget(self.buttons)
        self.model.dataChanged.connect(lambda *_: self._count())
        self.model.modelReset.connect(self._count)
        width = self.fontMetrics().averageCharWidth()
        self.setMinimumSize(width * 90, self.fontMetrics().lineSpacing() * 24)
        self.jobs.run(queued_claims, ctx, insurer.id, on_done=self._loaded, on_failed=self.count_label.failed)

    def _loaded(self, found: queue.QueueSlice) -> None:
        self.model.set_rows(found.rows)
        self.view.sortByColumn(0, Qt.SortOrder.AscendingOrder)
        if found.next is not None:
            self.count_label.say(
                self.count_label.text()
                + " "
                + i18n.tr("Seules les {shown} premières demandes sont affichées.", shown=CHOOSE_LIMIT)
            )
        if self.model.rowCount():
            self.view.setCurrentIndex(self.proxy.index(0, 0))
        self.view.setFocus()

    def _count(self) -> None:
        ids = set(self.model.checked_ids())
        amount = sum((r.amc for r in self.model.rows() if r.id in ids), Decimal("0.00"))
        self.count_label.say(
            i18n.ntr(
                "{checked} demande cochée sur {total}, {amount}.",
                "{checked} demandes cochées sur {total}, {amount}.",
                len(ids),
                checked=format_count(len(ids)),
                total=format_count(self.model.rowCount()),
                amount=format_eur(amount),
            )
        )
        self.create_button.setEnabled(bool(ids))

    def accept(self) -> None:
        ids = self.model.checked_ids()
        if ids:
            self.chosen.emit(ids)
            super().accept()
