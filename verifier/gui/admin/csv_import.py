"""Importing a directory of insurers from a CSV file: pick the file, import it off the GUI
thread, and show the report (what was added or updated, or every refused line)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QFileDialog,
    QGroupBox,
    QVBoxLayout,
    QWidget,
)

from verifier import i18n
from verifier.gui.admin.common import FileImportArea, Jobs, problems_of
from verifier.services import directory
from verifier.services.context import Context
from verifier.services.directory import ImportReport

i18n.register(
    {
        "admin.csv_title": ("Importer un annuaire (CSV)", "Import a directory (CSV)"),
        "admin.csv_explain": (
            "Une ligne d'en-tête puis une ligne par organisme : amc_number;name;operator;hotline;portal "
            "(séparateur « ; » ou « , », UTF-8 ou Windows-1252). Un numéro AMC déjà connu met l'organisme "
            "à jour. Au moindre problème, rien n'est importé.",
            "A header line then one line per insurer: amc_number;name;operator;hotline;portal "
            "(separator ';' or ',', UTF-8 or Windows-1252). A known AMC number updates that insurer. "
            "If any line is wrong, nothing is imported.",
        ),
        "admin.csv_button": ("&Importer un annuaire CSV…", "&Import a CSV directory…"),
        "admin.csv_dialog_title": ("Choisir l'annuaire des organismes", "Choose the insurer directory"),
        "admin.csv_filter": (
            "Fichiers CSV (*.csv *.txt);;Tous les fichiers (*)",
            "CSV files (*.csv *.txt);;All files (*)",
        ),
        "admin.csv_running": ("Import de {file} en cours…", "Importing {file}…"),
        "admin.csv_done": ("{file} importé. {summary}", "{file} imported. {summary}"),
        "admin.csv_refused": (
            "{file} est refusé ; rien n'a été modifié. Corrigez ces lignes puis importez le fichier à nouveau :",
            "{file} is refused; nothing was changed. Correct these lines and import the file again:",
        ),
        "admin.csv_report_a11y": ("Compte rendu de l'import de l'annuaire", "Report of the directory import"),
    }
)


class CsvImportBox(QGroupBox):
    """The import button, its explanation and the report of the last import."""

    imported = Signal(object)  # the ImportReport, after a file was accepted

    def __init__(self, ctx: Context | None, parent: QWidget | None = None) -> None:
        """`ctx` may come later (the set-up assistant has none until the site exists)."""
        super().__init__(i18n.tr("admin.csv_title"), parent)
        self.ctx = ctx
        self.jobs = Jobs(self)
        self.report: ImportReport | None = None
        layout = QVBoxLayout(self)
        area = FileImportArea(
            layout,
            i18n.tr("admin.csv_explain"),
            i18n.tr("admin.csv_button"),
            i18n.tr("admin.csv_report_a11y"),
            self.choose_file,
        )
        self.button, self.result, self.details = area.button, area.result, area.details
        layout.addStretch(0)

    def set_allowed(self, allowed: bool) -> None:
        self.button.setEnabled(allowed and not self.jobs.busy)

    def choose_file(self) -> None:
        path, _filter = QFileDialog.getOpenFileName(
            self, i18n.tr("admin.csv_dialog_title"), str(Path.home()), i18n.tr("admin.csv_filter")
        )
        if path:
            self.import_file(Path(path))

    def import_file(self, path: Path) -> None:
        if self.jobs.busy or self.ctx is None:
            return
        self.button.setEnabled(False)
        self.details.hide()
        self.result.say(i18n.tr("admin.csv_running", file=path.name))
        self.jobs.run(
            directory.import_insurers_csv,
            self.ctx,
            path,
            on_done=lambda report: self._done(path, report),
            on_failed=lambda exc: self._failed(path, exc),
        )

    def _done(self, path: Path, report: ImportReport) -> None:
        self.button.setEnabled(True)
        self.report = report
        self.result.say(i18n.tr("admin.csv_done", file=path.name, summary=report.summary()))
        self._details(report.details())
        self.imported.emit(report)

    def _failed(self, path: Path, exc: BaseException) -> None:
        self.button.setEnabled(True)
        problems = problems_of(exc)
        if not problems:
            self.result.failed(exc)
            self._details([])
            return
        self.result.refuse(i18n.tr("admin.csv_refused", file=path.name))
        self._details([p.message() for p in problems])

    def _details(self, lines: list[str]) -> None:
        self.details.setPlainText("\n".join(lines))
        self.details.setVisible(bool(lines))
