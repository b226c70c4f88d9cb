"""The queue's item models: claims read page by page off the GUI thread, totals per insurer.

`QueueModel` never holds more than the pages the user scrolled through: the first page of
a search is read on the thread pool and replaces the rows when it arrives (the old rows
stay on screen meanwhile, no flicker); Qt asks for more (`canFetchMore`/`fetchMore`) when
the user scrolls near the end, and the next page, read after the last row shown, is
appended. One read at a time: a search typed while a page is being read waits for it and
only the latest search is then read (stale results are dropped by generation number).
The count and the totals per insurer, which read every matching claim, come separately
and later (`summary_ready`).
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    QTimer,
    Signal,
)

from verifier import i18n
from verifier.domain.money import format_eur
from verifier.domain.states import ClaimKind, ClaimStatus
from verifier.formatting import format_count, format_day
from verifier.gui.rows import Column, RowsModel
from verifier.gui.tasks import Task, error_sentence, run_task
from verifier.services import queue
from verifier.services.claims import format_number
from verifier.services.context import Context
from verifier.services.queue import Cursor, InsurerTotal, QueueRow, QueueSlice, QueueSummary, Search

i18n.register(
    {
        "queue.col.number": i18n.N_("N°"),
        "queue.col.date": i18n.NP_("queue.col", "Délivrée le"),
        "queue.col.patient": i18n.N_("Patient"),
        "queue.col.nir": i18n.N_("NIR"),
        "queue.col.insurer": i18n.N_("Organisme"),
        "queue.col.amc": i18n.N_("Part AMC"),
        "queue.col.status": i18n.N_("Statut"),
        "queue.col.flags": i18n.N_("Signalements"),
        "queue.tip.patient_unsorted": i18n.N_(
            "Les noms des patients sont chiffrés dans la base : ils ne peuvent pas servir au tri. Tapez un nom dans la recherche pour n'afficher que ses demandes."
        ),
        "queue.tip.nir_unsorted": i18n.N_(
            "Les NIR sont chiffrés dans la base : ils ne peuvent pas servir au tri. Tapez un NIR complet dans la recherche pour trouver ses demandes."
        ),
        "queue.tip.flags_sort": i18n.N_("Trier ici range à part les demandes faites pendant une panne de l'opérateur."),
        "queue.tip.status_sort": i18n.N_(
            "Tri dans l'ordre de la vie d'une demande : brouillon, en attente, exportée, acceptée, rejetée, payée, annulée."
        ),
        "queue.totals.insurer": i18n.N_("Organisme"),
        "queue.totals.count": i18n.N_("Demandes"),
        "queue.totals.amc": i18n.N_("Part AMC"),
    }
)

NUMBER, DATE, PATIENT, NIR, INSURER, AMC, STATUS, FLAGS = range(8)
_HEADERS = (
    "queue.col.number",
    "queue.col.date",
    "queue.col.patient",
    "queue.col.nir",
    "queue.col.insurer",
    "queue.col.amc",
    "queue.col.status",
    "queue.col.flags",
)
# The service's order for each column; None: the column cannot be sorted (encrypted).
SORT_OF: dict[int, str | None] = {
    NUMBER: "number",
    DATE: "dispensed_on",
    PATIENT: None,
    NIR: None,
    INSURER: "insurer",
    AMC: "amc",
    STATUS: "status",
    FLAGS: "operator_down",
}
_HEADER_TIPS = {
    PATIENT: "queue.tip.patient_unsorted",
    NIR: "queue.tip.nir_unsorted",
    FLAGS: "queue.tip.flags_sort",
    STATUS: "queue.tip.status_sort",
}
CLAIM_ID_ROLE = Qt.ItemDataRole.UserRole + 1
SUMMARY_DELAY_MS = 300
_RIGHT = int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
_LEFT = int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)

Index = QModelIndex | QPersistentModelIndex


def status_text(status: ClaimStatus) -> str:
    label = status.label()
    return label[:1].upper() + label[1:]


def row_status_text(row: QueueRow) -> str:
    """A row's status, "Séjour en cours" for a stay not invoiced yet."""
    label = row.status_label()
    return label[:1].upper() + label[1:]


def flags_text(row: QueueRow) -> str:
    parts = []
    if row.kind is not ClaimKind.PHARMACY:
        parts.append(row.kind.label())
    if row.operator_down:
        parts.append(i18n.tr("panne opérateur"))
    if row.version > 1:
        parts.append(i18n.tr("version {version}", version=row.version))
    return " · ".join(parts)


def flags_tip(row: QueueRow) -> str:
    parts = []
    if row.operator_down:
        parts.append(
            i18n.tr("Demande faite pendant une panne de l'opérateur de tiers payant (droits vérifiés à la main).")
        )
    if row.version > 1:
        parts.append(
            i18n.tr(
                "Version {version} : correction d'une demande rejetée (ouvrez-la pour voir les versions).",
                version=row.version,
            )
        )
    return "\n".join(parts)


class QueueModel(QAbstractTableModel):
    """Claims matching a `Search`, in a chosen order, read a page at a time."""

    page_loaded = Signal(int)  # the generation whose page (first or further) is now in the model
    summary_ready = Signal(object)  # QueueSummary of the current search
    failed = Signal(str)  # a sentence for the user
    loading_changed = Signal(bool)

    def __init__(self, ctx: Context, parent: QObject | None = None, page_size: int = 100) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.page_size = page_size
        self.search = Search()
        self.sort_key = "number"
        self.descending = True
        self.rows: list[QueueRow] = []
        self.summary: QueueSummary | None = None
        self.generation = 0  # bumped by every new search, order or refresh
        self.shown_generation = -1  # the generation the rows belong to
        self._next: Cursor | None = None
        self._want_more = False
        self._summary_due = -1  # the generation whose summary is wanted
        self._summary_delay_ms = 0
        self._summary_timer = QTimer(self)
        self._summary_timer.setSingleShot(True)
        self._summary_timer.timeout.connect(self._pump_summary)
        self._summary_started = -1  # the generation of the summary read last started
        self._page_task: Task | None = None
        self._page_gen, self._page_append = -1, False  # what the running page read is for
        self._summary_task: Task | None = None

    # --- what is asked for ---------------------------------------------------------------

    def set_search(self, search: Search) -> None:
        """Show the claims matching `search` (the current rows stay until the new ones come).

        The totals wait until the search has stayed the same for SUMMARY_DELAY_MS, so that
        a name typed letter by letter does not add up a million claims for every letter.
        """
        if search == self.search and self.shown_generation >= 0:
            return
        self.search = search
        self.reload(summary_delay_ms=SUMMARY_DELAY_MS if self.shown_generation >= 0 else 0)

    def reload(self, rows_only: bool = False, summary_delay_ms: int = 0) -> None:
        """Read the first page again, then the summary (unless `rows_only`: same claims)."""
        self.generation += 1
        self._want_more = False
        if not rows_only:
            self.summary = None
            self._summary_due = self.generation
            self._summary_delay_ms = summary_delay_ms
        self._pump_pages()

    @property
    def loading(self) -> bool:
        return self.shown_generation != self.generation or self._page_task is not None

    def row_at(self, row: int) -> QueueRow:
        return self.rows[row]

    # --- Qt model --------------------------------------------------------------------------

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(_HEADERS)

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemNeverHasChildren

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or index.row() >= len(self.rows):
            return None
        row, col = self.rows[index.row()], index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return self._text(row, col)
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return _RIGHT if col in (NUMBER, AMC) else _LEFT
        if role == Qt.ItemDataRole.ToolTipRole and col == FLAGS:
            return flags_tip(row) or None
        if role == CLAIM_ID_ROLE:
            return row.id
        return None

    @staticmethod
    def _text(row: QueueRow, col: int) -> str:
        if col == NUMBER:
            return format_number(row.number)
        if col == DATE:
            return format_day(row.dispensed_on)
        if col == PATIENT:
            return row.patient_name
        if col == NIR:
            return row.masked_nir
        if col == INSURER:
            return row.insurer_name
        if col == AMC:
            return format_eur(row.amc)
        if col == STATUS:
            return row_status_text(row)
        return flags_text(row)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < len(_HEADERS):
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return i18n.say(_HEADERS[section])
        if role == Qt.ItemDataRole.ToolTipRole and section in _HEADER_TIPS:
            return i18n.say(_HEADER_TIPS[section])
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return _RIGHT if section in (NUMBER, AMC) else _LEFT
        return None

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        key = SORT_OF.get(column)
        if key is None:
            return  # encrypted: the view puts its sort indicator back
        descending = order == Qt.SortOrder.DescendingOrder
        if (key, descending) == (self.sort_key, self.descending) and self.shown_generation >= 0:
            return
        self.sort_key, self.descending = key, descending
        self.reload(rows_only=True)  # same claims, same totals

    def canFetchMore(self, parent: Index = QModelIndex()) -> bool:  # noqa: B008
        return not parent.isValid() and self.shown_generation == self.generation and self._next is not None

    def fetchMore(self, parent: Index = QModelIndex()) -> None:  # noqa: B008
        if self.canFetchMore(parent):
            self._want_more = True
            self._pump_pages()

    # --- background reads ------------------------------------------------------------------

    def _pump_pages(self) -> None:
        """Start the read that is due, if none is running (it calls back here when done)."""
        if self._page_task is not None:
            return
        if self.shown_generation != self.generation:
            gen, after = self.generation, None
        elif self._want_more and self._next is not None:
            gen, after = self.generation, self._next
        else:
            return
        self._want_more = False
        # Bound methods (not partials): Qt drops the connection if the model is deleted first.
        self._page_gen, self._page_append = gen, after is not None
        self._page_task = run_task(
            queue.read_page,
            self.ctx,
            self.search,
            self.sort_key,
            self.descending,
            after,
            self.page_size,
            on_done=self._page_done,
            on_failed=self._page_failed,
        )
        self.loading_changed.emit(True)

    def _page_done(self, result: QueueSlice) -> None:
        gen, append = self._page_gen, self._page_append
        self._page_task = None
        if gen == self.generation:
            if append:
                if result.rows:
                    first = len(self.rows)
                    self.beginInsertRows(QModelIndex(), first, first + len(result.rows) - 1)
                    self.rows.extend(result.rows)
                    self._next = result.next
                    self.endInsertRows()
                else:
                    self._next = None
            else:
                self.beginResetModel()
                self.rows = list(result.rows)
                self._next = result.next
                self.shown_generation = gen
                self.endResetModel()
                # The totals read every matching claim: they start once the rows are shown,
                # so that they never compete with the page the user is waiting for.
                self._start_summary()
            self.page_loaded.emit(gen)
        self._pump_pages()
        if self._page_task is None:
            self.loading_changed.emit(False)

    def _page_failed(self, exc: BaseException) -> None:
        gen = self._page_gen
        self._page_task = None
        if gen == self.generation:
            self.beginResetModel()
            self.rows, self._next, self.shown_generation = [], None, gen
            self.endResetModel()
            self.failed.emit(error_sentence(exc))
            self._start_summary()
        self._pump_pages()
        if self._page_task is None:
            self.loading_changed.emit(False)

    def _start_summary(self) -> None:
        if self._summary_delay_ms > 0:
            self._summary_timer.start(self._summary_delay_ms)
        else:
            self._pump_summary()

    def _pump_summary(self) -> None:
        busy = self._summary_task is not None or self.shown_generation != self.generation
        if busy or self._summary_started == self._summary_due:
            return  # called again when the running read or the awaited page reports
        self._summary_started = self._summary_due
        self._summary_task = run_task(
            queue.summary, self.ctx, self.search, on_done=self._summary_done, on_failed=self._summary_failed
        )

    def _summary_done(self, result: QueueSummary) -> None:
        self._summary_task = None
        if self._summary_started == self._summary_due:
            self.summary = result
            self.summary_ready.emit(result)
        elif self.shown_generation == self.generation:
            self._pump_summary()

    def _summary_failed(self, exc: BaseException) -> None:
        self._summary_task = None
        if self._summary_started == self._summary_due:
            self.failed.emit(error_sentence(exc))
        elif self.shown_generation == self.generation:
            self._pump_summary()


class TotalsModel(RowsModel):
    """Count and AMC total per insurer, for the claims the queue's search matches."""

    COLUMNS = (
        Column("queue.totals.insurer", lambda t: t.insurer_name),
        Column("queue.totals.count", lambda t: format_count(t.count), lambda t: t.count, right=True),
        Column("queue.totals.amc", lambda t: format_eur(t.amc), lambda t: t.amc, right=True),
    )

    @property
    def totals(self) -> list[InsurerTotal]:
        return self.rows()

    def set_totals(self, totals: list[InsurerTotal]) -> None:
        self.set_rows(totals)
