"""The "Organismes et opérateurs" page: insurers and operators, added, edited, deactivated,
and a whole directory imported from CSV."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QItemSelectionModel, QModelIndex, QPersistentModelIndex, QSortFilterProxyModel, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from verifier import i18n
from verifier.gui.admin.common import AdminPage, SentenceLabel
from verifier.gui.admin.csv_import import CsvImportBox
from verifier.gui.admin.directory_dialogs import InsurerDialog, OperatorDialog
from verifier.gui.admin.models import InsurerModel, OperatorModel
from verifier.gui.rows import RowsModel
from verifier.services import directory
from verifier.services.context import Context
from verifier.services.directory import ImportReport, InsurerInfo, OperatorInfo

i18n.register(
    {
        "admin.insurer_add": i18n.N_("&Ajouter…"),
        "admin.insurer_edit": i18n.N_("&Modifier…"),
        "admin.insurer_deactivate": i18n.N_("&Désactiver"),
        "admin.insurer_reactivate": i18n.N_("Réacti&ver"),
        "admin.operator_add": i18n.N_("Ajouter un o&pérateur…"),
        "admin.operator_edit": i18n.N_("Modifier l'opéra&teur…"),
        "admin.operator_deactivate": i18n.N_("Désactiver l'opérate&ur"),
        "admin.operator_reactivate": i18n.N_("Réactiver l'opérate&ur"),
        "admin.insurer_off": i18n.N_(
            "Organisme {amc} « {name} » désactivé : le comptoir ne le propose plus ; ses demandes restent."
        ),
        "admin.insurer_on": i18n.N_("Organisme {amc} « {name} » réactivé."),
        "admin.operator_off": i18n.N_("Opérateur {code} désactivé ; ses organismes le gardent."),
        "admin.operator_on": i18n.N_("Opérateur {code} réactivé."),
        "admin.insurer_confirm": i18n.N_("Con&firmer"),
        "admin.insurer_merge": i18n.N_("Fusio&nner…"),
    }
)


def load_directory(ctx: Context) -> tuple[list[InsurerInfo], list[OperatorInfo]]:
    """Everything the page lists, inactive entries included (run off the GUI thread)."""
    return directory.list_insurers(ctx, include_inactive=True), directory.list_operators(ctx, include_inactive=True)


class ActiveFilter(QSortFilterProxyModel):
    """Text filter over every column, hiding deactivated rows unless asked; sorts on UserRole."""

    def __init__(self, source: RowsModel) -> None:
        super().__init__()
        self.source = source
        self.show_inactive = False
        self.setSourceModel(source)
        self.setSortRole(Qt.ItemDataRole.UserRole)
        self.setFilterKeyColumn(-1)
        self.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)

    def set_show_inactive(self, show: bool) -> None:
        if hasattr(self, "endFilterChange"):  # Qt 6.10 and later
            self.beginFilterChange()
            self.show_inactive = show
            self.endFilterChange(QSortFilterProxyModel.Direction.Rows)
        else:
            self.show_inactive = show
            self.invalidateFilter()

    def filterAcceptsRow(self, source_row: int, source_parent: QModelIndex | QPersistentModelIndex) -> bool:
        if not self.show_inactive and not self.source.row(source_row).active:
            return False
        return super().filterAcceptsRow(source_row, source_parent)


def table(model: QSortFilterProxyModel, a11y: str, stretch: int, sort: int = 0) -> QTableView:
    """A read-only, sortable table of whole rows; column `stretch` takes the spare width."""
    view = QTableView()
    view.setModel(model)
    view.setAccessibleName(a11y)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.setSortingEnabled(True)
    view.sortByColumn(sort, Qt.SortOrder.AscendingOrder)
    view.setAlternatingRowColors(True)
    view.setTabKeyNavigation(False)  # Tab leaves the table, arrows move inside it
    view.setWordWrap(False)
    rows = view.verticalHeader()
    rows.hide()
    rows.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
    rows.setDefaultSectionSize(int(view.fontMetrics().lineSpacing() * 1.6))
    header = view.horizontalHeader()
    header.setStretchLastSection(False)
    header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    header.setSectionResizeMode(stretch, QHeaderView.ResizeMode.Stretch)
    return view


class TableSection(QGroupBox):
    """A table of one kind of row with its buttons; keeps the selection across reloads."""

    def __init__(self, title: str, model: RowsModel, a11y: str, stretch: int, sort: int = 0) -> None:
        super().__init__(title)
        self.model = model
        self.proxy = ActiveFilter(model)
        self.view = table(self.proxy, a11y, stretch, sort)
        self.buttons = QHBoxLayout()

    def selected(self) -> Any:
        rows = self.view.selectionModel().selectedRows()
        if not rows:
            return None
        return self.model.row(self.proxy.mapToSource(rows[0]).row())

    def set_rows(self, rows: list[Any]) -> None:
        current = self.selected()
        self.model.set_rows(rows)
        if current is not None:
            self.select(current.id)

    def select(self, row_id: int) -> None:
        for r, item in enumerate(self.model.rows()):
            if item.id == row_id:
                index = self.proxy.mapFromSource(self.model.index(r, 0))
                if index.isValid():
                    self.view.selectionModel().select(
                        index, QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows
                    )
                    self.view.setCurrentIndex(index)
                    self.view.scrollTo(index)
                return


class MergeDialog(QDialog):
    """Which directory entry a provisional insurer really is; `chosen` gives its id."""

    chosen = Signal(int)

    def __init__(self, insurer: InsurerInfo, targets: list[InsurerInfo], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(i18n.tr("Fusionner un organisme à confirmer"))
        self.combo = QComboBox()
        self.combo.setAccessibleName(i18n.tr("Organisme de l'annuaire avec lequel fusionner"))
        for t in sorted(targets, key=lambda t: t.name.casefold()):
            self.combo.addItem(f"{t.amc_number} – {t.name}", t.id)
        label = QLabel(
            i18n.tr("L'organisme à confirmer {amc} « {name} » est en fait :", amc=insurer.amc_number, name=insurer.name)
        )
        label.setWordWrap(True)
        label.setBuddy(self.combo)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(bool(targets))
        buttons.accepted.connect(self._accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(label)
        layout.addWidget(self.combo)
        layout.addWidget(buttons)
        self.combo.setFocus()

    def _accept(self) -> None:
        if self.combo.currentIndex() >= 0:
            self.chosen.emit(int(self.combo.currentData()))
            self.accept()


def _button(code: str, slot: Callable[[], None]) -> QPushButton:
    button = QPushButton(i18n.say(code))
    button.clicked.connect(slot)
    return button


class DirectoryPage(AdminPage):
    """Insurers (top), operators and the CSV import (below); `changed` after any change."""

    changed = Signal()

    def __init__(self, ctx: Context, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self.dialog: QDialog | None = None
        self._reload = False
        self.operators: list[OperatorInfo] = []

        self.insurer_model = InsurerModel(self)
        self.insurers = TableSection(
            i18n.tr("Organismes complémentaires (AMC)"),
            self.insurer_model,
            i18n.tr("Liste des organismes complémentaires"),
            stretch=1,
            sort=1,
        )
        self.search_edit = QLineEdit()
        self.search_edit.setPlaceholderText(i18n.tr("n° AMC, nom ou opérateur"))
        self.search_edit.setClearButtonEnabled(True)
        self.search_edit.setAccessibleName(i18n.tr("Rechercher un organisme par numéro AMC, nom ou opérateur"))
        self.search_edit.textChanged.connect(self._filter)
        search_label = QLabel(i18n.tr("Re&chercher :"))
        search_label.setBuddy(self.search_edit)
        self.inactive_box = QCheckBox(i18n.tr("Afficher les désacti&vés"))
        self.inactive_box.setAccessibleName(i18n.tr("Afficher les désacti&vés").replace("&", ""))
        self.inactive_box.toggled.connect(self._show_inactive)
        self.add_insurer_button = _button("admin.insurer_add", self.add_insurer)
        self.edit_insurer_button = _button("admin.insurer_edit", self.edit_insurer)
        self.toggle_insurer_button = _button("admin.insurer_deactivate", self.toggle_insurer)
        self.confirm_insurer_button = _button("admin.insurer_confirm", self.confirm_insurer)
        self.merge_insurer_button = _button("admin.insurer_merge", self.merge_insurer)
        self.count_label = QLabel()
        top = QHBoxLayout()
        top.addWidget(search_label)
        top.addWidget(self.search_edit, 1)
        top.addWidget(self.inactive_box)
        top.addSpacing(16)
        for b in (
            self.add_insurer_button,
            self.edit_insurer_button,
            self.toggle_insurer_button,
            self.confirm_insurer_button,
            self.merge_insurer_button,
        ):
            top.addWidget(b)
        box = QVBoxLayout(self.insurers)
        box.addLayout(top)
        box.addWidget(self.insurers.view, 1)
        box.addWidget(self.count_label)

        self.operator_model = OperatorModel(self)
        self.operators_box = TableSection(
            i18n.tr("Opérateurs de tiers payant"),
            self.operator_model,
            i18n.tr("Liste des opérateurs de tiers payant"),
            stretch=2,
        )
        self.operators_box.proxy.set_show_inactive(True)
        self.add_operator_button = _button("admin.operator_add", self.add_operator)
        self.edit_operator_button = _button("admin.operator_edit", self.edit_operator)
        self.toggle_operator_button = _button("admin.operator_deactivate", self.toggle_operator)
        row = QHBoxLayout()
        for b in (self.add_operator_button, self.edit_operator_button, self.toggle_operator_button):
            row.addWidget(b)
        row.addStretch(1)
        box = QVBoxLayout(self.operators_box)
        box.addLayout(row)
        box.addWidget(self.operators_box.view, 1)

        self.csv_box = CsvImportBox(ctx)
        self.csv_box.imported.connect(self._imported)
        self.status = SentenceLabel()

        bottom = QWidget()
        lower = QHBoxLayout(bottom)
        lower.setContentsMargins(0, 0, 0, 0)
        lower.addWidget(self.operators_box, 3)
        lower.addWidget(self.csv_box, 2)
        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.setChildrenCollapsible(False)
        splitter.addWidget(self.insurers)
        splitter.addWidget(bottom)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        layout = QVBoxLayout(self)
        layout.addWidget(splitter, 1)
        layout.addWidget(self.status)

        self.insurers.view.activated.connect(lambda _i: self.edit_insurer())
        self.operators_box.view.activated.connect(lambda _i: self.edit_operator())
        self.insurers.view.selectionModel().selectionChanged.connect(lambda *_: self._update_buttons())
        self.operators_box.view.selectionModel().selectionChanged.connect(lambda *_: self._update_buttons())
        for w in (search_label, self.search_edit):
            w.setToolTip(i18n.tr("Rechercher un organisme par numéro AMC, nom ou opérateur"))
        QWidget.setTabOrder(self.search_edit, self.inactive_box)
        QWidget.setTabOrder(self.inactive_box, self.add_insurer_button)
        QWidget.setTabOrder(self.add_insurer_button, self.edit_insurer_button)
        QWidget.setTabOrder(self.edit_insurer_button, self.toggle_insurer_button)
        QWidget.setTabOrder(self.toggle_insurer_button, self.confirm_insurer_button)
        QWidget.setTabOrder(self.confirm_insurer_button, self.merge_insurer_button)
        QWidget.setTabOrder(self.merge_insurer_button, self.insurers.view)
        QWidget.setTabOrder(self.insurers.view, self.add_operator_button)
        QWidget.setTabOrder(self.add_operator_button, self.edit_operator_button)
        QWidget.setTabOrder(self.edit_operator_button, self.toggle_operator_button)
        QWidget.setTabOrder(self.toggle_operator_button, self.operators_box.view)
        QWidget.setTabOrder(self.operators_box.view, self.csv_box.button)
        self._update_buttons()

    # ----------------------------------------------------------------- loading

    def refresh(self) -> None:
        if self.jobs.busy:
            self._reload = True
            return
        self.jobs.run(load_directory, self.ctx, on_done=self._loaded, on_failed=self.status.failed)

    def _loaded(self, data: tuple[list[InsurerInfo], list[OperatorInfo]]) -> None:
        insurers, self.operators = data
        self.insurers.set_rows(insurers)
        self.operators_box.set_rows(self.operators)
        self._update_buttons()
        if self._reload:
            self._reload = False
            self.refresh()

    def _filter(self, text: str) -> None:
        self.insurers.proxy.setFilterFixedString(text.strip())
        self._update_buttons()

    def _show_inactive(self, show: bool) -> None:
        self.insurers.proxy.set_show_inactive(show)
        self._update_buttons()

    def _update_buttons(self) -> None:
        insurer: InsurerInfo | None = self.insurers.selected()
        operator: OperatorInfo | None = self.operators_box.selected()
        self.add_insurer_button.setEnabled(self.allowed)
        self.edit_insurer_button.setEnabled(self.allowed and insurer is not None)
        self.toggle_insurer_button.setEnabled(self.allowed and insurer is not None)
        self.toggle_insurer_button.setText(
            i18n.say(
                "admin.insurer_reactivate" if insurer is not None and not insurer.active else "admin.insurer_deactivate"
            )
        )
        provisional = self.allowed and insurer is not None and insurer.provisional
        self.confirm_insurer_button.setEnabled(provisional)
        self.merge_insurer_button.setEnabled(provisional)
        self.add_operator_button.setEnabled(self.allowed)
        self.edit_operator_button.setEnabled(self.allowed and operator is not None)
        self.toggle_operator_button.setEnabled(self.allowed and operator is not None)
        self.toggle_operator_button.setText(
            i18n.say(
                "admin.operator_reactivate"
                if operator is not None and not operator.active
                else "admin.operator_deactivate"
            )
        )
        self.csv_box.set_allowed(self.allowed)
        waiting = sum(1 for i in range(self.insurer_model.rowCount()) if self.insurer_model.insurer(i).provisional)
        self.count_label.setText(
            i18n.tr(
                "Organismes affichés : {shown} sur {total}.",
                shown=self.insurers.proxy.rowCount(),
                total=self.insurer_model.rowCount(),
            )
            + (
                " "
                + i18n.ntr(
                    "{n} organisme à confirmer : sélectionnez-le pour le confirmer, le modifier ou le fusionner.",
                    "{n} organismes à confirmer : sélectionnez-les pour les confirmer, les modifier ou les fusionner.",
                    waiting,
                    n=waiting,
                )
                if waiting
                else ""
            )
        )

    # ----------------------------------------------------------------- changes

    def _open(self, dialog: QDialog) -> None:
        if self.dialog is not None:
            self.dialog.deleteLater()
        self.dialog = dialog
        dialog.open()

    def add_insurer(self) -> None:
        if self.allowed:
            dialog = InsurerDialog(self.ctx, self.operators, None, self)
            dialog.insurer_saved.connect(self._insurer_saved)
            self._open(dialog)

    def edit_insurer(self) -> None:
        insurer = self.insurers.selected()
        if self.allowed and insurer is not None:
            dialog = InsurerDialog(self.ctx, self.operators, insurer, self)
            dialog.insurer_saved.connect(self._insurer_saved)
            self._open(dialog)

    def _insurer_saved(self, info: InsurerInfo) -> None:
        self.status.say(i18n.tr("Organisme {amc} « {name} » enregistré.", amc=info.amc_number, name=info.name))
        self._changed(lambda: self.insurers.select(info.id))

    def toggle_insurer(self) -> None:
        insurer: InsurerInfo | None = self.insurers.selected()
        if insurer is None:
            return
        self.jobs.run(
            directory.set_insurer_active,
            self.ctx,
            insurer.id,
            not insurer.active,
            on_done=self._insurer_toggled,
            on_failed=self.status.failed,
        )

    def _insurer_toggled(self, info: InsurerInfo) -> None:
        code = "admin.insurer_on" if info.active else "admin.insurer_off"
        self.status.say(i18n.say(code, amc=info.amc_number, name=info.name))
        self._changed()

    def confirm_insurer(self) -> None:
        insurer: InsurerInfo | None = self.insurers.selected()
        if self.allowed and insurer is not None and insurer.provisional:
            self.jobs.run(
                directory.confirm_insurer,
                self.ctx,
                insurer.id,
                on_done=self._insurer_confirmed,
                on_failed=self.status.failed,
            )

    def _insurer_confirmed(self, info: InsurerInfo) -> None:
        self.status.say(
            i18n.tr(
                "Organisme {amc} « {name} » confirmé : ses demandes peuvent être mises en lot.",
                amc=info.amc_number,
                name=info.name,
            )
        )
        self._changed(lambda: self.insurers.select(info.id))

    def merge_insurer(self) -> None:
        insurer: InsurerInfo | None = self.insurers.selected()
        if not (self.allowed and insurer is not None and insurer.provisional):
            return
        targets = [self.insurer_model.insurer(i) for i in range(self.insurer_model.rowCount())]
        dialog = MergeDialog(insurer, [t for t in targets if not t.provisional and t.id != insurer.id], self)
        dialog.chosen.connect(
            lambda into: self.jobs.run(
                directory.merge_insurer,
                self.ctx,
                insurer.id,
                into,
                on_done=self._insurer_merged,
                on_failed=self.status.failed,
            )
        )
        self._open(dialog)

    def _insurer_merged(self, info: InsurerInfo) -> None:
        self.status.say(
            i18n.tr(
                "Organisme à confirmer fusionné avec {amc} « {name} » : ses demandes, vérifications et patients y sont passés.",
                amc=info.amc_number,
                name=info.name,
            )
        )
        self._changed(lambda: self.insurers.select(info.id))

    def add_operator(self) -> None:
        if self.allowed:
            dialog = OperatorDialog(self.ctx, None, self)
            dialog.operator_saved.connect(self._operator_saved)
            self._open(dialog)

    def edit_operator(self) -> None:
        operator = self.operators_box.selected()
        if self.allowed and operator is not None:
            dialog = OperatorDialog(self.ctx, operator, self)
            dialog.operator_saved.connect(self._operator_saved)
            self._open(dialog)

    def _operator_saved(self, info: OperatorInfo) -> None:
        self.status.say(i18n.tr("Opérateur {code} enregistré.", code=info.code))
        self._changed(lambda: self.operators_box.select(info.id))

    def toggle_operator(self) -> None:
        operator: OperatorInfo | None = self.operators_box.selected()
        if operator is None:
            return
        self.jobs.run(
            directory.set_operator_active,
            self.ctx,
            operator.id,
            not operator.active,
            on_done=self._operator_toggled,
            on_failed=self.status.failed,
        )

    def _operator_toggled(self, info: OperatorInfo) -> None:
        self.status.say(i18n.say("admin.operator_on" if info.active else "admin.operator_off", code=info.code))
        self._changed()

    def _imported(self, _report: ImportReport) -> None:
        self.status.say("")
        self._changed()

    def _changed(self, then: Callable[[], None] | None = None) -> None:
        """Reload the lists (then select what was saved) and tell the window."""

        def loaded(data: tuple[list[InsurerInfo], list[OperatorInfo]]) -> None:
            self._loaded(data)
            if then is not None:
                then()

        self.jobs.run(load_directory, self.ctx, on_done=loaded, on_failed=self.status.failed)
        self.changed.emit()
