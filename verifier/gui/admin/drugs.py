"""The "Médicaments" page: which drug reference is loaded, and importing a newer ANSM download
with a progress bar and a report of the lines left out."""

from __future__ import annotations

import functools
from pathlib import Path

from PySide6.QtCore import QDate, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDateEdit,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from verifier import i18n
from verifier.formatting import format_count, local_datetime
from verifier.gui.admin.common import AdminPage, SentenceLabel, snapshot_date
from verifier.gui.admin.models import ReasonModel
from verifier.gui.tasks import error_sentence
from verifier.services import drugs
from verifier.services.context import Context
from verifier.services.drugs import CIS_CIP_FILE, ParseReport, ReferenceInfo

i18n.register(
    {
        "admin.drugs_source": i18n.N_("Source :"),
        "admin.drugs_version": i18n.N_("Version :"),
        "admin.drugs_count": i18n.N_("Présentations :"),
        "admin.drugs_skipped": i18n.N_("Lignes ignorées :"),
        "admin.drugs_imported_at": i18n.N_("Chargée le :"),
        "admin.drugs_phase.start": i18n.N_("Préparation de l'import de {name}…"),
        "admin.drugs_phase.reading": i18n.N_("Lecture et contrôle des présentations…"),
        "admin.drugs_phase.writing": i18n.N_("Remplacement de la base (en une seule fois)…"),
        "admin.drugs_phase.done": i18n.N_("Import terminé."),
    }
)

PHASES = ("start", "reading", "writing", "done")


def _value(text: str) -> QLabel:
    label = QLabel(text)
    label.setWordWrap(True)
    return label


class DrugsPage(AdminPage):
    """The loaded reference, the import of a newer one, and the import's report."""

    changed = Signal()

    def __init__(self, ctx: Context, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self.report: ParseReport | None = None
        self._path: Path | None = None  # the file being imported: asked again for once confirmed

        current = QGroupBox(i18n.tr("Base des médicaments chargée"))
        self.source_label, self.version_label, self.count_label = _value(""), _value(""), _value("")
        self.skipped_label, self.imported_label = _value(""), _value("")
        self.none_label = _value(
            i18n.tr("Aucune base des médicaments n'est chargée : importez un téléchargement de l'ANSM.")
        )
        self.none_label.hide()
        grid = QFormLayout()
        for code, label in (
            ("admin.drugs_source", self.source_label),
            ("admin.drugs_version", self.version_label),
            ("admin.drugs_count", self.count_label),
            ("admin.drugs_skipped", self.skipped_label),
            ("admin.drugs_imported_at", self.imported_label),
        ):
            grid.addRow(i18n.say(code), label)
        box = QVBoxLayout(current)
        box.addLayout(grid)
        box.addWidget(self.none_label)

        importer = QGroupBox(i18n.tr("Importer une version plus récente"))
        explain = _value(
            i18n.tr(
                "Téléchargez CIS_CIP_bdpm.txt (et CIS_bdpm.txt pour les noms des médicaments) sur base-donnees-publique.medicaments.gouv.fr, puis choisissez le dossier qui les contient ou le fichier CIS_CIP_bdpm.txt. L'ancienne base reste en place jusqu'à la fin de l'import."
            )
        )
        self.date_edit = QDateEdit(QDate.currentDate())
        self.date_edit.setDisplayFormat("dd/MM/yyyy")
        self.date_edit.setCalendarPopup(True)
        self.date_edit.setMaximumDate(QDate.currentDate())
        self.date_edit.setAccessibleName(i18n.tr("Date de la version téléchargée sur le site de l'ANSM"))
        date_label = QLabel(i18n.tr("&Date du téléchargement :"))
        date_label.setBuddy(self.date_edit)
        self.folder_button = QPushButton(i18n.tr("Importer un d&ossier…"))
        self.folder_button.clicked.connect(self.choose_folder)
        self.file_button = QPushButton(i18n.tr("Importer le &fichier CIS_CIP_bdpm.txt…"))
        self.file_button.clicked.connect(self.choose_file)
        self.bar = QProgressBar()
        self.bar.setRange(0, len(PHASES) - 1)
        self.bar.setAccessibleName(i18n.tr("Avancement de l'import de la base des médicaments"))
        self.bar.hide()
        self.phase_label = _value("")
        self.phase_label.hide()
        row = QHBoxLayout()
        row.addWidget(date_label)
        row.addWidget(self.date_edit)
        row.addSpacing(16)
        row.addWidget(self.folder_button)
        row.addWidget(self.file_button)
        row.addStretch(1)
        box = QVBoxLayout(importer)
        box.addWidget(explain)
        box.addLayout(row)
        box.addWidget(self.phase_label)
        box.addWidget(self.bar)

        self.report_box = QGroupBox(i18n.tr("Compte rendu du dernier import"))
        self.summary_label = _value("")
        self.reason_model = ReasonModel(self)
        self.reason_view = QTableView()
        self.reason_view.setModel(self.reason_model)
        self.reason_view.setAccessibleName(i18n.tr("Lignes ignorées par motif"))
        self.reason_view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.reason_view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.reason_view.setTabKeyNavigation(False)
        self.reason_view.verticalHeader().hide()
        self.reason_view.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.reason_view.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        box = QVBoxLayout(self.report_box)
        box.addWidget(self.summary_label)
        box.addWidget(self.reason_view, 1)
        self.report_box.hide()

        self.status = SentenceLabel()
        layout = QVBoxLayout(self)
        layout.addWidget(current)
        layout.addWidget(importer)
        layout.addWidget(self.report_box)
        layout.addWidget(self.status)
        layout.addStretch(1)
        QWidget.setTabOrder(self.date_edit, self.folder_button)
        QWidget.setTabOrder(self.folder_button, self.file_button)
        QWidget.setTabOrder(self.file_button, self.reason_view)
        self._set_buttons()

    def refresh(self) -> None:
        """Show the loaded reference (one row read by key: on the GUI thread)."""
        try:
            self.show_reference(drugs.reference(self.ctx))
        except Exception as exc:  # noqa: BLE001 - said as a sentence, logged by error_sentence
            self.status.failed(exc)

    def show_reference(self, ref: ReferenceInfo | None) -> None:
        self.none_label.setVisible(ref is None)
        if ref is None:
            for label in (
                self.source_label,
                self.version_label,
                self.count_label,
                self.skipped_label,
                self.imported_label,
            ):
                label.setText("—")
            return
        self.source_label.setText(ref.source)
        self.version_label.setText(snapshot_date(ref.snapshot_date))
        self.count_label.setText(format_count(ref.count))
        self.skipped_label.setText(format_count(ref.skipped))
        self.imported_label.setText(local_datetime(ref.imported_at))

    def _set_buttons(self) -> None:
        idle = self.allowed and not self.jobs.busy
        for widget in (self.folder_button, self.file_button, self.date_edit):
            widget.setEnabled(idle)

    def choose_folder(self) -> None:
        path = QFileDialog.getExistingDirectory(
            self, i18n.tr("Choisir le dossier du téléchargement ANSM"), str(Path.home())
        )
        if path:
            self.import_path(Path(path))

    def choose_file(self) -> None:
        path, _filter = QFileDialog.getOpenFileName(
            self,
            i18n.tr("Choisir le fichier CIS_CIP_bdpm.txt"),
            str(Path.home()),
            i18n.tr("Fichiers BDPM (*.txt *.gz);;Tous les fichiers (*)"),
        )
        if path:
            self.import_path(Path(path))

    def import_path(self, path: Path, allow_shrink: bool = False) -> None:
        """Import a folder or a CIS_CIP_bdpm file off the GUI thread, phase by phase. A file much
        smaller than the current reference is imported only once the administrator confirms it."""
        if self.jobs.busy:
            return
        self._path = path
        self.status.say("")
        self.report_box.hide()
        self._phase("start", path.name if path.is_file() else CIS_CIP_FILE)
        self.bar.show()
        self.phase_label.show()
        date = self.date_edit.date().toString("yyyy-MM-dd")
        self.jobs.run(
            functools.partial(drugs.import_reference, allow_shrink=allow_shrink),
            self.ctx,
            path,
            date,
            on_done=self._done,
            on_failed=self._failed,
            on_progress=self._phase,
        )
        self._set_buttons()

    def _phase(self, phase: str, name: str = "") -> None:
        if phase in PHASES:
            self.bar.setValue(PHASES.index(phase))
            self.phase_label.setText(i18n.say(f"admin.drugs_phase.{phase}", name=name))

    def _done(self, report: ParseReport) -> None:
        self.report = report
        self._phase("done")
        self._set_buttons()
        self.summary_label.setText(report.summary())
        self.reason_model.set_rows(list(report.counts_by_reason().items()))
        self.reason_view.setVisible(bool(report.skipped))
        self.report_box.show()
        self.refresh()
        self.changed.emit()

    def _failed(self, exc: BaseException) -> None:
        self.bar.hide()
        self.phase_label.hide()
        self._set_buttons()
        shrink = [p for p in getattr(exc, "problems", []) if p.code == "drug.import_shrink"]
        if shrink and self._path is not None:
            answer = QMessageBox.question(
                self,
                i18n.tr("Fichier incomplet ?"),
                i18n.tr(
                    "Ce fichier ne contient que {new} présentations, {percent} % des {current} du référentiel actuel : un téléchargement interrompu donne cela. Remplacer quand même le référentiel par ce fichier ?",
                    new=format_count(shrink[0].params["new"]),
                    percent=shrink[0].params["percent"],
                    current=format_count(shrink[0].params["current"]),
                ),
                QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
                QMessageBox.StandardButton.No,
            )
            if answer == QMessageBox.StandardButton.Yes:
                self.import_path(self._path, allow_shrink=True)
                return
        self.status.refuse(
            i18n.tr("L'import n'a pas abouti ; la base précédente est inchangée. {reason}", reason=error_sentence(exc))
        )
