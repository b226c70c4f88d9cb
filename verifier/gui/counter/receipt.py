"""The patient's receipt: made off the GUI thread, opened in the PDF reader or saved as a file.

The PDF names the patient (full NIR included), so it is written to a private folder
(created by `tempfile.mkdtemp`, readable by this user only) that is removed when the
application quits. The user prints from their PDF reader. `opener` and `ask_path` are
attributes so tests can replace them and no viewer or file dialog opens.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QObject, QUrl, Signal
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QFileDialog, QWidget

from verifier import i18n
from verifier.gui.tasks import Task, error_sentence, run_task
from verifier.services import claim_view
from verifier.services.context import Context

i18n.register(
    {
        "counter.receipt_file": ("recu-{number}.pdf", "receipt-{number}.pdf"),
        "counter.receipt_save_title": ("Enregistrer le reçu", "Save the receipt"),
        "counter.receipt_filter": ("Documents PDF (*.pdf)", "PDF documents (*.pdf)"),
        "counter.receipt_opened": ("Reçu de la demande n° {number} ouvert : imprimez-le depuis le lecteur PDF.",
                                   "Receipt of claim no. {number} opened: print it from the PDF reader."),
        "counter.receipt_saved": ("Reçu enregistré : {path}", "Receipt saved: {path}"),
        "counter.receipt_no_viewer": (
            "Aucun lecteur PDF n'a pu ouvrir le reçu. Utilisez « Enregistrer le reçu… » puis ouvrez le fichier.",
            "No PDF reader could open the receipt. Use “Save the receipt…” and open the file.",
        ),
        "counter.receipt_failed": ("Le reçu n'a pas pu être préparé. {reason}", "The receipt could not be made. {reason}"),
        "counter.receipt_busy": ("Préparation du reçu…", "Preparing the receipt…"),
    }
)

_private_dir: Path | None = None


def private_dir() -> Path:
    """A folder only this user can read, removed when the application quits."""
    global _private_dir
    if _private_dir is None or not _private_dir.is_dir():
        _private_dir = Path(tempfile.mkdtemp(prefix="verifier-recus-"))
        app = QCoreApplication.instance()
        if app is not None:
            folder = _private_dir
            app.aboutToQuit.connect(lambda: shutil.rmtree(folder, ignore_errors=True))
    return _private_dir


def write_private(path: Path, data: bytes) -> Path:
    """Write `data` to `path`, readable by this user only."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as out:
        out.write(data)
    return path


def open_with_system(path: Path) -> bool:
    return QDesktopServices.openUrl(QUrl.fromLocalFile(str(path)))


def ask_save_path(parent: QWidget, suggested: str) -> str | None:
    name, _filter = QFileDialog.getSaveFileName(
        parent, i18n.tr("counter.receipt_save_title"), str(Path.home() / suggested), i18n.tr("counter.receipt_filter"))
    return name or None


def make_receipt(ctx: Context, claim_id: str, path: Path) -> Path:
    """Render the receipt and write it (run off the GUI thread)."""
    return write_private(path, claim_view.receipt_pdf(ctx, claim_id))


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
        path = private_dir() / i18n.tr("counter.receipt_file", number=number_text)
        self._run(claim_id, path, lambda p: self._opened(p, number_text))

    def save_as(self, claim_id: str, number_text: str) -> None:
        chosen = self.ask_path(self.parent_widget, i18n.tr("counter.receipt_file", number=number_text))
        if not chosen:
            return
        self._run(claim_id, Path(chosen), lambda p: self.said.emit(i18n.tr("counter.receipt_saved", path=p), False))

    def _run(self, claim_id: str, path: Path, then: Callable[[Path], None]) -> None:
        if self._task is not None:
            return
        self.said.emit(i18n.tr("counter.receipt_busy"), False)
        self._task = run_task(make_receipt, self.ctx, claim_id, path,
                              on_done=lambda p: self._done(p, then), on_failed=self._failed)

    def _done(self, path: Path, then: Callable[[Path], None]) -> None:
        self._task = None
        then(path)
        self.ready.emit(path)

    def _opened(self, path: Path, number_text: str) -> None:
        if self.opener(path):
            self.said.emit(i18n.tr("counter.receipt_opened", number=number_text), False)
        else:
            self.said.emit(i18n.tr("counter.receipt_no_viewer"), True)

    def _failed(self, exc: BaseException) -> None:
        self._task = None
        self.said.emit(i18n.tr("counter.receipt_failed", reason=error_sentence(exc)), True)
