"""The "Lots" page: claims awaiting export per insurer, batches made from them (all ready
claims or those chosen), the claims refused at creation with their reasons, and the batches
exported, marked sent or voided."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from PySide6.QtCore import QItemSelection, QItemSelectionModel, QSortFilterProxyModel, Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QProgressBar,
    QPushButton,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from verifier import i18n
from verifier.domain.errors import NotFound, ValidationError
from verifier.domain.money import format_eur
from verifier.domain.states import LIVE_BATCH_STATUSES, BatchStatus
from verifier.formatting import format_count, local_day
from verifier.gui.admin.batch_dialogs import ChooseClaimsDialog, ExportDialog, SentDialog, VoidBatchDialog
from verifier.gui.admin.batch_models import BatchModel, BatchRow, ReadyModel, ReadyRow, RefusedModel, RefusedRow
from verifier.gui.admin.common import AdminPage, Jobs, SentenceLabel
from verifier.gui.admin.insurers import table
from verifier.gui.status import provisional_text
from verifier.gui.tasks import error_sentence
from verifier.services import batches, directory, queue
from verifier.services.batches import BatchInfo, BatchResult
from verifier.services.context import Context

i18n.register(
    {
        "admin.batch.create": i18n.N_("&Créer les lots"),
        "admin.batch.create_tip": i18n.N_(
            "Un lot par organisme sélectionné, avec toutes ses demandes prêtes (un lot commun par opérateur pour les organismes réglés « lots par opérateur ») ; les incomplètes restent en attente."
        ),
        "admin.batch.choose": i18n.N_("Choisir les &demandes…"),
        "admin.batch.choose_tip": i18n.N_(
            "Un lot avec seulement les demandes cochées (un seul organisme sélectionné)."
        ),
        "admin.batch.export": i18n.N_("&Exporter…"),
        "admin.batch.mark_sent": i18n.N_("Marquer en&voyé…"),
        "admin.batch.void": i18n.N_("A&nnuler le lot…"),
        "admin.batch.operator_back": i18n.N_(
            "{operator} répond à nouveau : ses organismes ayant des demandes en attente sont sélectionnés. Créez les lots, puis exportez-les."
        ),
        "admin.batch.operator_back_none": i18n.N_(
            "{operator} répond à nouveau ; aucune demande de ses organismes n'attend d'export."
        ),
    }
)


@dataclass(frozen=True)
class PageData:
    ready: list[ReadyRow]
    batches: list[BatchRow]
    operators: dict[str, str]  # code -> name
    provisional: int = 0  # insurers to be confirmed: their claims cannot be batched yet


def load_page(ctx: Context) -> PageData:
    """The figures per insurer and the batches (run off the GUI thread)."""
    insurers = {i.id: i for i in directory.list_insurers(ctx, include_inactive=True)}
    ready = []
    for total in queue.awaiting_export(ctx):
        if total.count:
            info = insurers.get(total.insurer_id)
            ready.append(
                ReadyRow(
                    total.insurer_id,
                    total.insurer_name,
                    info.amc_number if info else "",
                    info.operator_code if info else None,
                    total.count,
                    total.amc,
                    bool(info and info.batch_by == "operator" and info.operator_code),
                )
            )
    rows = [BatchRow(b, recipient_text(b)) for b in batches.list_batches(ctx)]
    operators = {o.code: o.name for o in directory.list_operators(ctx, include_inactive=True)}
    return PageData(ready, rows, operators, directory.count_provisional(ctx))


def recipient_text(b: BatchInfo) -> str:
    return i18n.tr("Opérateur {name}", name=b.recipient) if b.for_operator else b.recipient


@dataclass(frozen=True)
class Outcome:
    """What happened for one recipient: a batch (with the claims refused), or why there is none."""

    insurer_name: str  # the insurer's name, or "Opérateur X"
    result: BatchResult | None
    reason: str = ""


def create_batches(
    ctx: Context, insurer_ids: list[int], claim_ids: list[str] | None, progress: Callable[[str], None]
) -> list[Outcome]:
    """One batch per recipient of the selected insurers (the insurer itself, or its operator
    when its batches are made per operator), each in its own transaction; a refusal does not
    stop the others. A permission refusal does: it would be the same for every one.
    """
    done = []
    for recipient in batches.recipients_for(ctx, insurer_ids):
        name = i18n.tr("Opérateur {name}", name=recipient.name) if recipient.for_operator else recipient.name
        progress(i18n.tr("Création du lot pour {insurer}…", insurer=name))
        try:
            done.append(Outcome(name, batches.create_for(ctx, recipient, claim_ids)))
        except (ValidationError, NotFound) as exc:
            done.append(Outcome(name, None, error_sentence(exc)))
    return done


# The page's own keys (besides each button's Alt+letter), active while the page is shown.
# Ctrl+Shift+letter: the window's Ctrl+letter keys (Ctrl+N, Ctrl+P…) stay what they are.
SHORTCUTS: dict[str, str] = {
    "admin.batch.create": "Ctrl+Shift+C",
    "admin.batch.choose": "Ctrl+Shift+D",
    "admin.batch.export": "Ctrl+Shift+E",
    "admin.batch.mark_sent": "Ctrl+Shift+V",
    "admin.batch.void": "Ctrl+Shift+N",
}


def _button(code: str, slot: Callable[[], None], tip: str | None = None) -> QPushButton:
    button = QPushButton(i18n.say(code))
    button.clicked.connect(slot)
    native = QKeySequence.SequenceFormat.NativeText
    keys = QKeySequence(SHORTCUTS[code]).toString(native) if code in SHORTCUTS else ""
    parts = (i18n.say(tip) if tip else "", i18n.tr("Raccourci : {keys}.", keys=keys) if keys else "")
    text = " ".join(part for part in parts if part)
    if text:
        button.setToolTip(text)
    return button


def _page_key(page: QWidget, code: str, button: QPushButton) -> QShortcut:
    """`code`'s shortcut clicks `button` (when it is enabled) while focus is on `page`."""
    key = QShortcut(QKeySequence(SHORTCUTS[code]), page)
    key.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
    key.activated.connect(lambda: button.click() if button.isEnabled() and button.isVisible() else None)
    return key


def _proxy(model: ReadyModel | BatchModel | RefusedModel) -> QSortFilterProxyModel:
    proxy = QSortFilterProxyModel()
    proxy.setSourceModel(model)
    proxy.setSortRole(Qt.ItemDataRole.UserRole)
    return proxy


class BatchesPage(AdminPage):
    """Make batches from the queue, then export, mark sent or void them; `changed` after each."""

    changed = Signal()
    refresh_on_show = True  # the counters may have queued claims since: read the figures again

    def __init__(self, ctx: Context, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)  # self.jobs: changes, one at a time, the buttons wait
        self.list_jobs = Jobs(self)  # reading the figures and the batches
        self.dialog: QDialog | None = None
        self._reload = False
        self._then: list[Callable[[], None]] = []  # to run once the load in hand is shown
        self._waiting: list[Callable[[], None]] = []  # to run once the next load is shown
        self.operators: dict[str, str] = {}
        self.last_export: Path | None = None

        # -- claims awaiting export, per insurer
        self.ready_model = ReadyModel(self)
        self.ready_proxy = _proxy(self.ready_model)
        self.ready_view = table(
            self.ready_proxy, i18n.tr("Organismes ayant des demandes en attente d'export"), stretch=0, sort=0
        )
        self.ready_view.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.ready_label = QLabel()
        self.ready_label.setWordWrap(True)
        self.create_button = _button("admin.batch.create", self.create_selected, "admin.batch.create_tip")
        self.choose_button = _button("admin.batch.choose", self.choose_claims, "admin.batch.choose_tip")
        self.busy_bar = QProgressBar()
        self.busy_bar.setRange(0, 0)
        self.busy_bar.setAccessibleName(i18n.tr("Travail en cours"))
        self.busy_bar.setMaximumHeight(self.fontMetrics().height())
        self.busy_bar.setTextVisible(False)
        self.busy_label = QLabel()
        self.busy_bar.hide()
        self.busy_label.hide()
        ready_box = QGroupBox(i18n.tr("Demandes en attente d'export, par organisme"))
        buttons = QHBoxLayout()
        buttons.addWidget(self.create_button)
        buttons.addWidget(self.choose_button)
        buttons.addSpacing(16)
        buttons.addWidget(self.busy_label)
        buttons.addWidget(self.busy_bar, 1)
        buttons.addStretch(0)
        box = QVBoxLayout(ready_box)
        box.addLayout(buttons)
        box.addWidget(self.ready_view, 1)
        box.addWidget(self.ready_label)

        # -- claims refused at creation
        self.refused_model = RefusedModel(self)
        self.refused_view = QTableView()
        self.refused_view.setModel(self.refused_model)
        self.refused_view.setAccessibleName(i18n.tr("Demandes refusées et leurs motifs"))
        self.refused_view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.refused_view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.refused_view.setTabKeyNavigation(False)
        self.refused_view.setWordWrap(True)
        self.refused_view.verticalHeader().hide()
        header = self.refused_view.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        self.refused_view.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.refused_box = QGroupBox(i18n.tr("Demandes refusées au contrôle (restent en attente)"))
        refused_note = QLabel(i18n.tr("Corrigez-les depuis la page Demandes, puis créez un nouveau lot."))
        refused_note.setWordWrap(True)
        box = QVBoxLayout(self.refused_box)
        box.addWidget(self.refused_view, 1)
        box.addWidget(refused_note)
        self.refused_box.hide()

        top = QWidget()
        upper = QHBoxLayout(top)
        upper.setContentsMargins(0, 0, 0, 0)
        upper.addWidget(ready_box, 1)
        upper.addWidget(self.refused_box, 1)

        # -- batches
        self.batch_model = BatchModel(self)
        self.batch_proxy = _proxy(self.batch_model)
        self.batch_view = table(
            self.batch_proxy, i18n.tr("Lots d'export, du plus récent au plus ancien"), stretch=1, sort=5
        )
        self.batch_view.sortByColumn(5, Qt.SortOrder.DescendingOrder)  # newest first (numbers are per insurer)
        self.export_button = _button("admin.batch.export", self.export_batch)
        self.sent_button = _button("admin.batch.mark_sent", self.mark_sent)
        self.void_button = _button("admin.batch.void", self.void_batch)
        list_box = QGroupBox(i18n.tr("Lots"))
        row = QHBoxLayout()
        for b in (self.export_button, self.sent_button, self.void_button):
            row.addWidget(b)
        row.addStretch(1)
        box = QVBoxLayout(list_box)
        box.addLayout(row)
        box.addWidget(self.batch_view, 1)

        self.status = SentenceLabel()
        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.setChildrenCollapsible(False)
        splitter.addWidget(top)
        splitter.addWidget(list_box)
        splitter.setStretchFactor(0, 1)
        splitter.setStretchFactor(1, 1)
        layout = QVBoxLayout(self)
        layout.addWidget(splitter, 1)
        layout.addWidget(self.status)

        self.ready_view.selectionModel().selectionChanged.connect(lambda *_: self._update_buttons())
        self.batch_view.selectionModel().selectionChanged.connect(lambda *_: self._update_buttons())
        order = [
            self.create_button,
            self.choose_button,
            self.ready_view,
            self.refused_view,
            self.export_button,
            self.sent_button,
            self.void_button,
            self.batch_view,
        ]
        for first, second in zip(order, order[1:]):
            QWidget.setTabOrder(first, second)
        self.keys = [
            _page_key(self, code, button)
            for code, button in (
                ("admin.batch.create", self.create_button),
                ("admin.batch.choose", self.choose_button),
                ("admin.batch.export", self.export_button),
                ("admin.batch.mark_sent", self.sent_button),
                ("admin.batch.void", self.void_button),
            )
        ]
        self._update_buttons()

    # ----------------------------------------------------------------- loading

    def refresh(self, then: Callable[[], None] | None = None) -> None:
        """Read the figures and the batches again, off the GUI thread; `then` once shown."""
        if then is not None:
            self._waiting.append(then)
        if self.list_jobs.busy:
            self._reload = True  # after the work in hand (whose result may predate the change)
            return
        self._reload = False
        self._then, self._waiting = self._waiting, []
        self.list_jobs.run(load_page, self.ctx, on_done=self._loaded, on_failed=self._load_failed)
        self._update_buttons()

    def _reload_if_asked(self) -> None:
        if self._reload and not self.list_jobs.busy:
            self.refresh()

    def _loaded(self, data: PageData) -> None:
        self.loaded_once = True
        self.operators = data.operators
        chosen = {r.id for r in self.selected_ready()}
        current = self.selected_batch()
        self.ready_model.set_rows(data.ready)
        self.batch_model.set_rows(data.batches)
        self.select_insurers(chosen)
        if current is not None:
            self.select_batch(current.id)
        if data.ready:
            total = sum((r.amc for r in data.ready), Decimal("0.00"))
            self.ready_label.setText(
                i18n.ntr(
                    "{count} demande en attente, {amount} de part complémentaire.",
                    "{count} demandes en attente, {amount} de part complémentaire.",
                    sum(r.count for r in data.ready),
                    count=format_count(sum(r.count for r in data.ready)),
                    amount=format_eur(total),
                )
            )
        else:
            self.ready_label.setText(i18n.tr("Aucune demande n'attend d'export."))
        if data.provisional:
            self.ready_label.setText(
                self.ready_label.text()
                + " "
                + i18n.tr(
                    "{insurers} : leurs demandes restent en attente tant qu'un administrateur ne les a pas confirmés, corrigés ou fusionnés (onglet Organismes et opérateurs).",
                    insurers=provisional_text(data.provisional),
                )
            )
        self._update_buttons()
        then, self._then = self._then, []
        for step in then:
            step()
        self._reload_if_asked()

    def _load_failed(self, exc: BaseException) -> None:
        self._then = []
        self.status.failed(exc)
        self._update_buttons()
        self._reload_if_asked()

    # ----------------------------------------------------------------- selection

    def selected_ready(self) -> list[ReadyRow]:
        rows = self.ready_view.selectionModel().selectedRows()
        return [self.ready_model.ready(self.ready_proxy.mapToSource(i).row()) for i in rows]

    def selected_batch(self) -> BatchRow | None:
        rows = self.batch_view.selectionModel().selectedRows()
        return self.batch_model.batch(self.batch_proxy.mapToSource(rows[0]).row()) if rows else None

    def select_insurers(self, insurer_ids: set[int]) -> int:
        """Select these insurers' rows (those with claims awaiting export); returns how many."""
        selection = QItemSelection()
        first = None
        for r, item in enumerate(self.ready_model.rows()):
            if item.id in insurer_ids:
                index = self.ready_proxy.mapFromSource(self.ready_model.index(r, 0))
                last = self.ready_proxy.index(index.row(), self.ready_proxy.columnCount() - 1)
                selection.select(index, last)
                first = index if first is None or index.row() < first.row() else first
        model = self.ready_view.selectionModel()
        model.select(selection, QItemSelectionModel.SelectionFlag.ClearAndSelect)
        if first is not None:
            model.setCurrentIndex(first, QItemSelectionModel.SelectionFlag.NoUpdate)
            self.ready_view.scrollTo(first)
        return len(selection.indexes()) // max(1, self.ready_proxy.columnCount())

    def select_batch(self, batch_id: int) -> None:
        for r, item in enumerate(self.batch_model.rows()):
            if item.id == batch_id:
                index = self.batch_proxy.mapFromSource(self.batch_model.index(r, 0))
                self.batch_view.selectionModel().select(
                    index, QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows
                )
                self.batch_view.setCurrentIndex(index)
                self.batch_view.scrollTo(index)
                return

    def preselect_operator(self, operator_code: str) -> None:
        """Select the insurers of `operator_code` that have claims awaiting export (fresh figures)."""

        def select() -> None:
            name = self.operators.get(operator_code, operator_code)
            ids = {r.id for r in self.ready_model.rows() if (r.operator_code or "").upper() == operator_code.upper()}
            found = self.select_insurers(ids)
            self.status.say(
                i18n.say("admin.batch.operator_back" if found else "admin.batch.operator_back_none", operator=name)
            )
            (self.create_button if found and self.allowed else self.ready_view).setFocus()
            self._update_buttons()

        self.refresh(select)

    def _update_buttons(self) -> None:
        idle = self.allowed and not self.jobs.busy
        ready = self.selected_ready()
        batch = self.selected_batch()
        status = batch.info.status if batch else None
        self.create_button.setEnabled(idle and bool(ready))
        self.choose_button.setEnabled(idle and len(ready) == 1)
        self.export_button.setEnabled(idle and status in LIVE_BATCH_STATUSES)
        self.sent_button.setEnabled(idle and status is BatchStatus.EXPORTED)
        self.void_button.setEnabled(idle and status is BatchStatus.EXPORTED)

    # ----------------------------------------------------------------- creating

    def create_selected(self) -> None:
        """A batch for each selected insurer with all its ready claims."""
        ready = self.selected_ready()
        if ready:
            self._create([r.id for r in ready], ready[0].name, None)

    def choose_claims(self) -> None:
        ready = self.selected_ready()
        if not self.allowed or len(ready) != 1:
            return
        dialog = ChooseClaimsDialog(self.ctx, ready[0], self)
        dialog.chosen.connect(lambda ids: self._create([ready[0].id], ready[0].name, ids))
        self._open(dialog)

    def _create(self, insurer_ids: list[int], first_name: str, claim_ids: list[str] | None) -> None:
        if self.jobs.busy:
            return
        self.status.say("")
        self._busy(i18n.tr("Création du lot pour {insurer}…", insurer=first_name))
        self.jobs.run(
            create_batches,
            self.ctx,
            insurer_ids,
            claim_ids,
            on_done=self._created,
            on_failed=self._create_failed,
            on_progress=self._busy,
        )
        self._update_buttons()

    def _busy(self, text: str) -> None:
        self.busy_label.setText(text)
        self.busy_label.setVisible(bool(text))
        self.busy_bar.setVisible(bool(text))

    def _created(self, outcomes: list[Outcome]) -> None:
        self._busy("")
        lines, refused = [], []
        made = [o for o in outcomes if o.result is not None]
        for o in outcomes:
            if o.result is None:
                lines.append(i18n.tr("{insurer} : {reason}", insurer=o.insurer_name, reason=o.reason))
                continue
            b = o.result.batch
            text = i18n.ntr(
                "Lot n° {number} créé pour {insurer} : {count} demande, {amount}.",
                "Lot n° {number} créé pour {insurer} : {count} demandes, {amount}.",
                b.claim_count,
                number=b.number_text,
                insurer=o.insurer_name,
                count=format_count(b.claim_count),
                amount=format_eur(b.total_amc),
            )
            if o.result.refused:
                text += " " + i18n.ntr(
                    "{count} demande incomplète reste en attente (voir la liste).",
                    "{count} demandes incomplètes restent en attente (voir la liste).",
                    len(o.result.refused),
                    count=format_count(len(o.result.refused)),
                )
            lines.append(text)
            refused += [
                RefusedRow(o.insurer_name, r.claim_number, " ".join(p.message() for p in r.problems))
                for r in o.result.refused
            ]
        if len(made) == 1:
            lines.append(i18n.tr("Exportez-le maintenant : « Exporter… »."))
        self.refused_model.set_rows(refused)
        self.refused_box.setVisible(bool(refused))
        (self.status.say if made else self.status.refuse)("\n".join(lines))
        if made:
            newest = made[-1].result
            assert newest is not None
            self.ready_view.clearSelection()  # the next step is exporting, not another batch
            self.refresh(lambda: self._focus_batch(newest.batch.id))
            self.changed.emit()
        else:
            self._update_buttons()

    def _focus_batch(self, batch_id: int) -> None:
        self.select_batch(batch_id)
        (self.export_button if self.export_button.isEnabled() else self.batch_view).setFocus()

    def _create_failed(self, exc: BaseException) -> None:
        self._busy("")
        self.status.failed(exc)
        self._update_buttons()

    # ----------------------------------------------------------------- batch steps

    def _open(self, dialog: QDialog) -> None:
        if self.dialog is not None:
            self.dialog.deleteLater()
        self.dialog = dialog
        dialog.open()

    def export_batch(self) -> None:
        batch = self.selected_batch()
        if self.allowed and batch is not None:
            dialog = ExportDialog(self.ctx, batch, self)
            dialog.exported.connect(lambda path: self._exported(batch, path))
            self._open(dialog)

    def _exported(self, batch: BatchRow, path: Path) -> None:
        self.last_export = path
        self.status.say(
            i18n.tr(
                "Lot n° {number} exporté : {file}. Transmettez-le à l'organisme, puis marquez-le envoyé.",
                number=batch.info.number_text,
                file=str(path),
            )
        )
        self.refresh()

    def mark_sent(self) -> None:
        batch = self.selected_batch()
        if self.allowed and batch is not None:
            dialog = SentDialog(self.ctx, batch, self)
            dialog.sent.connect(self._sent)
            self._open(dialog)

    def _sent(self, info: BatchInfo) -> None:
        day = local_day(info.sent_at) if info.sent_at else ""
        self.status.say(
            i18n.tr(
                "Lot n° {number} marqué envoyé ({channel}, le {day}).",
                number=info.number_text,
                channel=i18n.say(f"admin.batch.channel.{info.channel}"),
                day=day,
            )
        )
        self.refresh(lambda: self.select_batch(info.id))
        self.changed.emit()

    def void_batch(self) -> None:
        batch = self.selected_batch()
        if self.allowed and batch is not None:
            dialog = VoidBatchDialog(self.ctx, batch, self)
            dialog.voided.connect(self._voided)
            self._open(dialog)

    def _voided(self, info: BatchInfo) -> None:
        self.status.say(
            i18n.ntr(
                "Lot n° {number} annulé : sa demande est de nouveau en attente.",
                "Lot n° {number} annulé : ses {count} demandes sont de nouveau en attente.",
                info.claim_count,
                number=info.number_text,
                count=format_count(info.claim_count),
            )
        )
        self.refresh(lambda: self.select_batch(info.id))
        self.changed.emit()
