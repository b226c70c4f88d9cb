"""The "Rapprochement" page: per insurer, what is queued, exported, accepted, paid, rejected
and still owed (by age), saved as a CSV for a spreadsheet or a PDF to print."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QSortFilterProxyModel
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from verifier import i18n
from verifier.domain.errors import Problem, ValidationError
from verifier.files import atomic_write
from verifier.formatting import format_day
from verifier.gui.admin.batch_models import ReconciliationModel, total_line
from verifier.gui.admin.common import AdminPage, Jobs, SentenceLabel
from verifier.gui.admin.insurers import table
from verifier.services import claim_view, reconciliation
from verifier.services.context import Context
from verifier.services.reconciliation import Reconciliation

i18n.register(
    {
        "admin.recon.csv_title": i18n.N_("Enregistrer le rapprochement (CSV)"),
        "admin.recon.pdf_title": i18n.N_("Enregistrer le rapprochement (PDF)"),
        "admin.recon.csv_filter": i18n.N_("Fichiers CSV (*.csv)"),
        "admin.recon.pdf_filter": i18n.N_("Documents PDF (*.pdf)"),
        "admin.recon.unwritable": i18n.N_("Impossible d'écrire {file} ({reason}) : choisissez un autre emplacement."),
    }
)


def write_csv(r: Reconciliation, path: Path) -> Path:
    return _write(path, reconciliation.to_csv(r).encode("utf-8"))


def write_pdf(ctx: Context, r: Reconciliation, path: Path) -> Path:
    return _write(path, reconciliation.to_pdf(r, claim_view.site(ctx).name))


def _write(path: Path, data: bytes) -> Path:
    """Write the whole file next to its place, then put it there (no half-written report)."""
    try:
        with atomic_write(path) as out:
            out.write(data)
    except OSError as exc:
        raise ValidationError(
            [Problem("admin.recon.unwritable", {"file": str(path), "reason": exc.strerror or type(exc).__name__})]
        ) from None
    return path


class ReconciliationPage(AdminPage):
    """The figures per insurer with a total line; saving them as CSV or PDF."""

    refresh_on_show = True

    def __init__(self, ctx: Context, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self.save_jobs = Jobs(self)
        self.report: Reconciliation | None = None
        self.last_saved: Path | None = None
        self._reload = False

        self.title = QLabel()
        font = QFont(self.title.font())
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.2)
        self.title.setFont(font)
        self.csv_button = QPushButton(i18n.tr("Exporter en &CSV…"))
        self.csv_button.clicked.connect(self.save_csv)
        self.pdf_button = QPushButton(i18n.tr("Enregistrer en P&DF pour imprimer…"))
        self.pdf_button.clicked.connect(self.save_pdf)
        self.model = ReconciliationModel(self)
        proxy = QSortFilterProxyModel(self)  # no sorting: the total stays last
        proxy.setSourceModel(self.model)
        self.view = table(proxy, i18n.tr("Rapprochement par organisme, en euros de part complémentaire"), stretch=0)
        self.view.setSortingEnabled(False)
        self.view.setSelectionMode(self.view.SelectionMode.NoSelection)
        self.view.setTabKeyNavigation(False)
        header = self.view.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Stretch)  # the amounts share the width
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setMinimumSectionSize(self.fontMetrics().horizontalAdvance("0 000,00 €  "))
        note = QLabel(
            i18n.tr(
                "Montants de part complémentaire (AMC). Restant dû = en attente + exporté + accepté, réparti par ancienneté depuis la délivrance. Payé en moins = part demandée moins ce que l'organisme a payé. Survolez un montant pour le nombre de demandes."
            )
        )
        note.setWordWrap(True)
        self.status = SentenceLabel()
        top = QHBoxLayout()
        top.addWidget(self.title, 1)
        top.addWidget(self.csv_button)
        top.addWidget(self.pdf_button)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.view, 1)
        layout.addWidget(note)
        layout.addWidget(self.status)
        QWidget.setTabOrder(self.csv_button, self.pdf_button)
        QWidget.setTabOrder(self.pdf_button, self.view)
        self._update_buttons()

    def refresh(self) -> None:
        if self.jobs.busy:
            self._reload = True
            return
        self._reload = False
        if self.report is None:
            self.title.setText(i18n.tr("Calcul du rapprochement…"))
        self.jobs.run(reconciliation.reconcile, self.ctx, on_done=self._loaded, on_failed=self._failed)

    def _loaded(self, report: Reconciliation) -> None:
        self.loaded_once = True
        self.report = report
        self.title.setText(i18n.tr("Rapprochement par organisme au {date}", date=format_day(report.on)))
        self.model.set_lines(report.lines, total_line(report.lines) if report.lines else None)
        if not report.lines:
            self.status.say(i18n.tr("Aucune demande enregistrée : rien à rapprocher."))
        elif not self.save_jobs.busy and self.status.text() == i18n.tr(
            "Aucune demande enregistrée : rien à rapprocher."
        ):
            self.status.say("")
        self._update_buttons()
        if self._reload:
            self.refresh()

    def _failed(self, exc: BaseException) -> None:
        self.loaded_once = True
        self.title.setText("")
        self.status.failed(exc)
        self._update_buttons()
        if self._reload:
            self.refresh()

    def _update_buttons(self) -> None:
        ready = self.allowed and self.report is not None and bool(self.report.lines) and not self.save_jobs.busy
        self.csv_button.setEnabled(ready)
        self.pdf_button.setEnabled(ready)

    # ----------------------------------------------------------------- saving

    def _ask(self, title: str, suffix: str, file_filter: str) -> Path | None:
        assert self.report is not None
        name = i18n.tr("rapprochement-{day}", day=self.report.on.isoformat()) + suffix
        path, _filter = QFileDialog.getSaveFileName(
            self, i18n.say(title), str(Path.home() / name), i18n.say(file_filter)
        )
        if not path:
            return None
        chosen = Path(path)
        return chosen if chosen.suffix.lower() == suffix else chosen.with_name(chosen.name + suffix)

    def save_csv(self) -> None:
        """The figures shown, as a CSV a French spreadsheet opens as is."""
        if self.report is None or self.save_jobs.busy:
            return
        path = self._ask("admin.recon.csv_title", ".csv", "admin.recon.csv_filter")
        if path is not None:
            self._save(write_csv, self.report, path)

    def save_pdf(self) -> None:
        """The figures shown, as an A4 PDF to print."""
        if self.report is None or self.save_jobs.busy:
            return
        path = self._ask("admin.recon.pdf_title", ".pdf", "admin.recon.pdf_filter")
        if path is not None:
            ctx = self.ctx
            self._save(lambda r, p: write_pdf(ctx, r, p), self.report, path)

    def _save(self, writer: Callable[[Reconciliation, Path], Path], report: Reconciliation, path: Path) -> None:
        self.status.say(i18n.tr("Enregistrement de {file}…", file=path.name))
        self.save_jobs.run(writer, report, path, on_done=self._saved, on_failed=self._save_failed)
        self._update_buttons()

    def _saved(self, path: Path) -> None:
        self.last_saved = path
        self.status.say(i18n.tr("Rapprochement enregistré : {file}", file=str(path)))
        self._update_buttons()

    def _save_failed(self, exc: BaseException) -> None:
        self.status.failed(exc)
        self._update_buttons()
