"""The queue screen: every claim, filtered, searched and sorted, read page by page."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QModelIndex, Qt, QUrl, Signal
from PySide6.QtGui import QDesktopServices, QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QLabel,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from verifier import i18n
from verifier.domain.money import format_eur
from verifier.formatting import format_count
from verifier.gui.queue.claim_dialog import ClaimDialog
from verifier.gui.queue.filters import FilterBar
from verifier.gui.queue.model import (
    AMC,
    CLAIM_ID_ROLE,
    DATE,
    FLAGS,
    INSURER,
    NIR,
    NUMBER,
    PATIENT,
    SORT_OF,
    STATUS,
    QueueModel,
    TotalsModel,
)
from verifier.gui.tasks import error_style
from verifier.services import directory
from verifier.services.context import Context
from verifier.services.queue import QueueSummary, Search

i18n.register({})

UrlOpener = Callable[[QUrl], bool]


class _ClaimTable(QTableView):
    """The claims; Enter opens the current one (Qt only does so on some platforms)."""

    open_requested = Signal(QModelIndex)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self.currentIndex().isValid():
            self.open_requested.emit(self.currentIndex())
            return
        super().keyPressEvent(event)


class QueueView(QWidget):
    """The table of claims with its filters and search, and the claim dialog.

    Contract with the main window:
    - `changed()` is emitted when a claim was corrected, voided or rectified;
    - `focus_search()` (Ctrl+F) puts the cursor in the search field; `refresh()` reloads.
    `open_url` opens a receipt's file (QDesktopServices.openUrl; tests pass their own).
    """

    changed = Signal()

    def __init__(self, ctx: Context, parent: QWidget | None = None, *, open_url: UrlOpener | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.open_url: UrlOpener = open_url or QDesktopServices.openUrl
        self.dialog: ClaimDialog | None = None

        self.filters = FilterBar(directory.list_insurers(ctx, include_inactive=True))
        self.model = QueueModel(ctx, self)
        self.table = _ClaimTable()
        self.table.setModel(self.model)
        self.table.setAccessibleName(i18n.tr("Demandes de remboursement"))
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        self.table.setTabKeyNavigation(False)
        self.table.verticalHeader().hide()
        rows = self.table.verticalHeader()
        rows.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)  # no per-row measuring
        rows.setDefaultSectionSize(self.fontMetrics().height() + self.fontMetrics().height() // 2)
        self._size_columns()
        header = self.table.horizontalHeader()
        header.setSortIndicator(NUMBER, Qt.SortOrder.DescendingOrder)
        header.setSortIndicatorShown(True)
        self.table.setSortingEnabled(True)
        self._sorted = (NUMBER, Qt.SortOrder.DescendingOrder)
        header.sortIndicatorChanged.connect(self._sort_changed)

        self.totals_model = TotalsModel(self)
        self.totals = QTableView()
        self.totals.setModel(self.totals_model)
        self.totals.setAccessibleName(i18n.tr("Totaux par organisme"))
        self.totals.verticalHeader().hide()
        self.totals.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.totals.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.totals.setTabKeyNavigation(False)
        self.totals.setAlternatingRowColors(True)
        self.totals.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self.totals.verticalHeader().setDefaultSectionSize(rows.defaultSectionSize())
        totals_header = self.totals.horizontalHeader()
        totals_header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        totals_header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        totals_header.setSectionResizeMode(2, QHeaderView.ResizeMode.ResizeToContents)

        self.summary_label = QLabel(i18n.tr("Recherche…"))
        self.summary_label.setAccessibleName(i18n.tr("Résultat de la recherche"))
        self.summary_label.setTextInteractionFlags(
            Qt.TextInteractionFlag.TextSelectableByKeyboard | Qt.TextInteractionFlag.TextSelectableByMouse
        )
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setStyleSheet(error_style(self))
        self.message.hide()
        help_label = QLabel(i18n.tr("Entrée ou double-clic : ouvrir la demande. Ctrl+F : rechercher."))
        help_label.setEnabled(False)  # secondary text, in the palette's own dimmed colour

        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(self.table)
        splitter.addWidget(self.totals)
        splitter.setStretchFactor(0, 4)
        splitter.setStretchFactor(1, 1)
        splitter.setChildrenCollapsible(False)
        # Room for about five insurers under the claims; the splitter handle gives more.
        header_height = self.totals.horizontalHeader().sizeHint().height()
        self.totals.setMinimumHeight(header_height + rows.defaultSectionSize() * 2)
        totals_height = header_height + rows.defaultSectionSize() * 5
        splitter.setSizes([4 * totals_height, totals_height])
        layout = QVBoxLayout(self)
        layout.addWidget(self.filters)
        layout.addWidget(self.message)
        layout.addWidget(splitter, 1)
        layout.addWidget(self.summary_label)
        layout.addWidget(help_label)
        QWidget.setTabOrder(self.filters.to_edit, self.table)
        QWidget.setTabOrder(self.table, self.totals)

        self.filters.changed.connect(self._search_changed)
        self.filters.search_edit.down.connect(self._into_table)
        self.table.open_requested.connect(self._open_index)
        self.table.doubleClicked.connect(self._open_index)
        self.model.page_loaded.connect(self._page_loaded)
        self.model.summary_ready.connect(self._show_summary)
        self.model.failed.connect(self._failed)
        self.model.set_search(self.filters.search())

    # --- contract -------------------------------------------------------------------------

    def focus_search(self) -> None:
        self.filters.search_edit.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.filters.search_edit.selectAll()

    def refresh(self) -> None:
        self.model.reload()

    # --- the table --------------------------------------------------------------------------

    def _size_columns(self) -> None:
        """Widths from the font (high-DPI friendly); the patient's name takes what is left."""
        fm = self.fontMetrics()
        pad = fm.averageCharWidth() * 6  # margins and the sort arrow
        samples = {
            NUMBER: "0000000",
            DATE: "00/00/0000",
            NIR: "2 00 00 •• ••• ••• ••",
            INSURER: "Mutuelle Familiale du Sud-Est",
            AMC: "00 000,00 €",
            STATUS: i18n.tr("séjour en cours"),  # the longest status said
            FLAGS: "panne opérateur · version 2",
        }
        header = self.table.horizontalHeader()
        for col, sample in samples.items():
            title = str(self.model.headerData(col, Qt.Orientation.Horizontal))
            header.resizeSection(col, max(fm.horizontalAdvance(sample), fm.horizontalAdvance(title)) + pad)
        header.setSectionResizeMode(PATIENT, QHeaderView.ResizeMode.Stretch)
        header.setMinimumSectionSize(fm.averageCharWidth() * 6)

    def _sort_changed(self, column: int, order: Qt.SortOrder) -> None:
        if SORT_OF.get(column) is None:  # encrypted column: put the indicator back
            header = self.table.horizontalHeader()
            header.blockSignals(True)
            header.setSortIndicator(*self._sorted)
            header.blockSignals(False)
            return
        self._sorted = (column, order)

    def _search_changed(self, search: Search) -> None:
        self.summary_label.setText(i18n.tr("Recherche…"))
        self.model.set_search(search)

    def _into_table(self) -> None:
        self.table.setFocus(Qt.FocusReason.OtherFocusReason)
        if not self.table.currentIndex().isValid() and self.model.rowCount() > 0:
            self.table.setCurrentIndex(self.model.index(0, NUMBER))

    def _page_loaded(self, generation: int) -> None:
        self.message.hide()
        if self.model.summary is not None:
            self._show_summary(self.model.summary)
        elif not self.model.rows:
            self.summary_label.setText(i18n.tr("Aucune demande ne correspond à la recherche."))
        else:
            self.summary_label.setText(
                i18n.tr("{shown} affichées ; décompte en cours…", shown=format_count(len(self.model.rows)))
            )

    def _show_summary(self, summary: QueueSummary) -> None:
        self.totals_model.set_totals(summary.totals)
        if summary.total_count == 0:
            self.summary_label.setText(i18n.tr("Aucune demande ne correspond à la recherche."))
            return
        text = i18n.ntr(
            "{count} demande, part complémentaire {amc}",
            "{count} demandes, part complémentaire {amc}",
            summary.total_count,
            count=format_count(summary.total_count),
            amc=format_eur(summary.total_amc),
        )
        shown = len(self.model.rows)
        if shown < summary.total_count:
            text += " " + i18n.tr("({shown} affichées, les suivantes en descendant)", shown=format_count(shown))
        self.summary_label.setText(text)

    def _failed(self, sentence: str) -> None:
        self.message.setText(sentence)
        self.message.show()

    # --- opening a claim ----------------------------------------------------------------------

    def _open_index(self, index: QModelIndex) -> None:
        if index.isValid():
            self.open_claim(str(self.model.data(index, CLAIM_ID_ROLE)))

    def open_claim(self, claim_id: str) -> ClaimDialog:
        """Open the claim's dialog (window-modal, not blocking); returns it."""
        if self.dialog is not None:
            self.dialog.close()
        dialog = ClaimDialog(self.ctx, claim_id, self, open_url=self.open_url)
        dialog.changed.connect(self._claim_changed)
        dialog.finished.connect(self._dialog_closed)
        self.dialog = dialog
        dialog.open()
        return dialog

    def _dialog_closed(self, _result: int = 0) -> None:
        if self.sender() is self.dialog:
            self.dialog = None
            self.table.setFocus()

    def _claim_changed(self) -> None:
        self.model.reload()
        self.changed.emit()
