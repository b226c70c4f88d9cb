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


class CsvImportBox(QGroupBox):
    """The import button, its explanation and the report of the last import."""

    imported = Signal(object)  # the ImportReport, after a file was accepted

    def __init__(self, ctx: Context | None, parent: QWidget | None = None) -> None:
        """`ctx` may come later (the set-up assistant has none until the site exists)."""
        super().__init__(i18n.tr("Importer un annuaire (CSV)"), parent)
        self.ctx = ctx
        self.jobs = Jobs(self)
        self.report: ImportReport | None = None
        layout = QVBoxLayout(self)
        area = FileImportArea(
            layout,
            i18n.tr(
                "Une ligne d'en-tête puis une ligne par organisme : amc_number;name;operator;hotline;portal (séparateur « ; » ou « , », UTF-8 ou Windows-1252). Un numéro AMC déjà connu met l'organisme à jour. Au moindre problème, rien n'est importé."
            ),
            i18n.tr("&Importer un annuaire CSV…"),
            i18n.tr("Compte rendu de l'import de l'annuaire"),
            self.choose_file,
        )
        self.button, self.result, self.details = area.button, area.result, area.details
        layout.addStretch(0)

    def set_allowed(self, allowed: bool) -> None:
        self.button.setEnabled(allowed and not self.jobs.busy)

    def choose_file(self) -> None:
        path, _filter = QFileDialog.getOpenFileName(
            self,
            i18n.tr("Choisir l'annuaire des organismes"),
            str(Path.home()),
            i18n.tr("Fichiers CSV (*.csv *.txt);;Tous les fichiers (*)"),
        )
        if path:
            self.import_file(Path(path))

    def import_file(self, path: Path) -> None:
        if self.jobs.busy or self.ctx is None:
            return
        self.button.setEnabled(False)
        self.details.hide()
        self.result.say(i18n.tr("Import de {file} en cours…", file=path.name))
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
        self.result.say(i18n.tr("{file} importé. {summary}", file=path.name, summary=report.summary()))
        self._details(report.details())
        self.imported.emit(report)

    def _failed(self, path: Path, exc: BaseException) -> None:
        self.button.setEnabled(True)
        problems = problems_of(exc)
        if not problems:
            self.result.failed(exc)
            self._details([])
            return
        self.result.refuse(
            i18n.tr(
                "{file} est refusé ; rien n'a été modifié. Corrigez ces lignes puis importez le fichier à nouveau :",
                file=path.name,
            )
        )
        self._details([p.message() for p in problems])

    def _details(self, lines: list[str]) -> None:
        self.details.setPlainText("\n".join(lines))
        self.details.setVisible(bool(lines))
