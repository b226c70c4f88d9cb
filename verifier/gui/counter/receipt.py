"""The patient's receipt: made off the GUI thread, opened in the PDF reader or saved as a file.

The PDF names the patient (full NIR included), so it is written to the private receipts
folder (`paths.receipts_dir()`, readable by this user only, removed when the application
ends), the same one the claims page uses. The user prints from their PDF reader. `opener` and `ask_path` are
attributes so tests can replace them and no viewer or file dialog opens.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QObject, QUrl, Signal
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QFileDialog, QWidget

from verifier import i18n, paths
from verifier.gui.tasks import Task, error_sentence, run_task
from verifier.services import claim_view
from verifier.services.context import Context


def open_with_system(path: Path) -> bool:
    return QDesktopServices.openUrl(QUrl.fromLocalFile(str(path)))


def ask_save_path(parent: QWidget, suggested: str) -> str | None:
    name, _filter = QFileDialog.getSaveFileName(
        parent, i18n.tr("Enregistrer le reçu"), str(Path.home() / suggested), i18n.tr("Documents PDF (*.pdf)")
    )
    return name or None


class ReceiptActions(QObject):
    """Open or save the receipt of a claim; `said(text, error)` reports in a sentence."""

    said = Signal(str, bool)
    ready = Signal(object)  # the Path written

    def __init__(self, ctx: Context, parent: QWidget) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.parent_widget = parent
        self.opener: Callable[[Path], bool] = open_with_system
        self.ask_path: Callable[[QWidget, str], str | None] = ask_save_path
        self._task: Task | None = None

    @property
    def busy(self) -> bool:
        return self._task is not None

    def open(self, claim_id: str, number_text: str) -> None:
        path = paths.receipts_dir() / i18n.tr("recu-{number}.pdf", number=number_text)
        self._run(claim_id, path, lambda p: self._opened(p, number_text))

    def save_as(self, claim_id: str, number_text: str) -> None:
        chosen = self.ask_path(self.parent_widget, i18n.tr("recu-{number}.pdf", number=number_text))
        if not chosen:
            return
        self._run(claim_id, Path(chosen), lambda p: self.said.emit(i18n.tr("Reçu enregistré : {path}", path=p), False))

    def _run(self, claim_id: str, path: Path, then: Callable[[Path], None]) -> None:
        if self._task is not None:
            return
        self.said.emit(i18n.tr("Préparation du reçu…"), False)
        self._task = run_task(
            claim_view.save_receipt,
            self.ctx,
            claim_id,
            path,
            on_done=lambda p: self._done(p, then),
            on_failed=self._failed,
        )

    def _done(self, path: Path, then: Callable[[Path], None]) -> None:
        self._task = None
        then(path)
        self.ready.emit(path)

    def _opened(self, path: Path, number_text: str) -> None:
        if self.opener(path):
            self.said.emit(
                i18n.tr(
                    "Reçu de la demande n° {number} ouvert : imprimez-le depuis le lecteur PDF.", number=number_text
                ),
                False,
            )
        else:
            self.said.emit(
                i18n.tr(
                    "Aucun lecteur PDF n'a pu ouvrir le reçu. Utilisez « Enregistrer le reçu… » puis ouvrez le fichier."
                ),
                True,
            )

    def _failed(self, exc: BaseException) -> None:
        self._task = None
        self.said.emit(i18n.tr("Le reçu n'a pas pu être préparé. {reason}", reason=error_sentence(exc)), True)
