"""The lines: scan boxes (EAN-13, CIP7, GS1 DataMatrix) or enter them by hand; live totals.

A scanner is a keyboard: it types the code then Enter. The scan field takes it; when the
table has the focus, typed characters are sent to the scan field, so a box scanned while
the cursor sits in the table is not lost in a cell (cells are edited with Enter or F2).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal
from typing import Any

from PySide6.QtCore import QDate, QEvent, QItemSelectionModel, QObject, QSize, Qt, Signal
from PySide6.QtGui import QFont, QKeyEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QCheckBox,
    QComboBox,
    QDateEdit,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QLineEdit,
    QPushButton,
    QStyle,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from verifier import i18n
from verifier.domain.claims import ClaimTotals
from verifier.domain.coverage import line_kind, prestation_for_rate
from verifier.domain.errors import DomainError, Problem, ValidationError
from verifier.domain.identifiers import check_rpps
from verifier.domain.money import format_eur, parse_amount, parse_rate
from verifier.domain.pharmacy_fees import ON_CALL_CODES, OnCall, PrescriptionForm, box_fee_code
from verifier.formatting import format_day, with_colon
from verifier.gui.boxes import describe_boxes
from verifier.gui.counter.fields import FieldSet, keep_room_for_messages
from verifier.gui.counter.lines_model import (
    AMOUNT_COLUMNS,
    COL,
    COLUMNS,
    FIELD_COLUMN,
    LinesModel,
    line_from_dict,
    line_to_dict,
)
from verifier.gui.counter.patient_panel import parse_day
from verifier.gui.counter.scan_edit import ScanEdit, is_group_separator
from verifier.gui.tasks import error_sentence, error_style
from verifier.services import claims, drugs, prescription_fees, settings
from verifier.services.claims import LineDraft
from verifier.services.context import Context

i18n.register(
    {
        "counter.manual_label_missing": i18n.N_("Indiquez le libellé du produit."),
        "counter.prescribed_on_format": i18n.N_(
            "La date de l'ordonnance n'est pas au format JJ/MM/AAAA : saisissez par exemple 28/11/2026, ou laissez-la vide."
        ),
        "counter.total.price": i18n.N_("Total"),
        "counter.total.br": i18n.N_("BR"),
        "counter.total.amo": i18n.N_("AMO"),
        "counter.total.tm": i18n.N_("TM"),
        "counter.total.amc": i18n.N_("AMC (demandé)"),
        "counter.total.patient": i18n.NP_("counter.total", "Part patient"),
    }
)

RATE_CHOICES = ("65", "30", "15", "100", "0")
TOTALS = ("price", "br", "amo", "tm", "amc", "patient")
LINE_FIELDS = ("scan", "dispensed_on", "prescriber_rpps", "manual_label", "manual_price", "manual_rate", "lines")


class _TableKeys(QObject):
    """Keys in the table: Delete removes a line, Enter edits a cell, anything typed goes to the scan field."""

    def __init__(self, panel: LinesPanel) -> None:
        super().__init__(panel)
        self.panel = panel

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() != QEvent.Type.KeyPress or not isinstance(event, QKeyEvent):
            return False
        table = self.panel.table
        if table.state() == QAbstractItemView.State.EditingState:
            return False
        key = event.key()
        if key in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace):
            self.panel.remove_current()
            return True
        index = table.currentIndex()
        if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and index.isValid():
            if index.flags() & Qt.ItemFlag.ItemIsEditable:
                table.edit(index)
                return True
            return False
        if is_group_separator(event):  # a scanner's separator, typed while the table has the focus
            self.panel.scan_edit.setFocus()
            self.panel.scan_edit.insert_separator()
            return True
        text = event.text()
        mods = event.modifiers() & ~Qt.KeyboardModifier.ShiftModifier & ~Qt.KeyboardModifier.KeypadModifier
        if text and text.isprintable() and mods == Qt.KeyboardModifier.NoModifier:
            self.panel.scan_edit.setFocus()
            self.panel.scan_edit.insert(text)
            return True
        return False


class LinesTable(QTableView):
    """A table that asks for three rows only; the layout's stretch gives it the rest.

    The panel around it has word-wrapped sentences, so its layout works height-for-width,
    where a size hint counts as a minimum: QTableView's large default would squeeze the
    patient and check sentences above it.
    """

    def sizeHint(self) -> QSize:
        hint = super().sizeHint()
        rows = self.verticalHeader().defaultSectionSize()
        return QSize(hint.width(), self.horizontalHeader().sizeHint().height() + rows * 3 + 2 * self.frameWidth())

    def minimumSizeHint(self) -> QSize:
        hint = super().minimumSizeHint()
        rows = self.verticalHeader().defaultSectionSize()
        return QSize(hint.width(), self.horizontalHeader().sizeHint().height() + rows * 2 + 2 * self.frameWidth())


class LinesPanel(QGroupBox):
    """Scan field, manual entry, the lines table and the totals."""

    changed = Signal()
    fees_wanted = Signal()  # the prescription's fees asked for (F7): the counter computes them

    def __init__(self, ctx: Context, parent: QWidget | None = None) -> None:
        super().__init__(i18n.tr("Lignes"), parent)
        self.ctx = ctx
        self.pending_code = ""  # a valid code not in the reference, waiting for a label, price, rate
        self.pending_act: prescription_fees.ActOffer | None = None  # an act typed in the scan field
        self.model = LinesModel(self)

        self.scan_edit = ScanEdit()
        self.scan_edit.setPlaceholderText(i18n.tr("scannez la boîte, ou tapez le code CIP puis Entrée"))
        self.scan_edit.returnPressed.connect(self.scan)
        self.scan_feedback = QLabel()
        self.scan_feedback.setWordWrap(True)
        self.scan_feedback.hide()
        self.date_edit = QDateEdit(QDate.currentDate())
        self.date_edit.setDisplayFormat("dd/MM/yyyy")
        self.date_edit.setCalendarPopup(True)
        self.date_edit.setMaximumDate(QDate.currentDate())
        self.rpps_edit = QLineEdit()
        self.rpps_edit.setPlaceholderText(i18n.tr("facultatif"))
        self.rpps_edit.setMaxLength(20)
        self.label_edit = QLineEdit()
        self.label_edit.setPlaceholderText(i18n.tr("produit absent de la base : libellé"))
        self.label_edit.setMaxLength(300)
        self.code_label = QLabel()
        self.code_label.hide()
        self.price_edit = QLineEdit()
        self.price_edit.setPlaceholderText("0,00")
        self.rate_combo = QComboBox()
        self.rate_combo.setEditable(True)
        self.rate_combo.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        for rate in RATE_CHOICES:
            self.rate_combo.addItem(f"{rate} %", rate)
        self.add_button = QPushButton(i18n.tr("A&jouter"))
        self.add_button.setAccessibleName(i18n.tr("Ajouter la ligne saisie à la main"))
        self.add_button.clicked.connect(self.add_manual)
        for edit in (self.label_edit, self.price_edit):
            edit.returnPressed.connect(self.add_manual)
        rate_line = self.rate_combo.lineEdit()
        assert rate_line is not None
        rate_line.returnPressed.connect(self.add_manual)

        self.table = LinesTable()
        self.table.setModel(self.model)
        self.table.setAccessibleName(i18n.ptr("counter", "Lignes de la demande"))
        self.table.setAlternatingRowColors(True)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectItems)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(
            QAbstractItemView.EditTrigger.DoubleClicked
            | QAbstractItemView.EditTrigger.EditKeyPressed
            | QAbstractItemView.EditTrigger.SelectedClicked
        )
        self.table.setTabKeyNavigation(False)  # Tab leaves the table: the form is keyboard-first
        self.table.setWordWrap(False)
        # One line per row (no word wrap): a fixed height from the font. ResizeToContents
        # measured every cell of every row again at each scan (bench_counter, cProfile).
        rows = self.table.verticalHeader()
        rows.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        rows.setDefaultSectionSize(max(rows.minimumSectionSize(), self.table.fontMetrics().height() + 4))
        header = self.table.horizontalHeader()
        # Sized by _size_columns on every change: ResizeToContents was not always redone in
        # time and left "12,1…" in an amount column. The product's name gives way instead.
        header.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        header.setSectionResizeMode(COL["label"], QHeaderView.ResizeMode.Stretch)
        self.table.setTextElideMode(Qt.TextElideMode.ElideRight)
        for signal in (
            self.model.rowsInserted,
            self.model.rowsRemoved,
            self.model.dataChanged,
            self.model.modelReset,
            self.model.layoutChanged,
        ):
            signal.connect(self._size_columns)
        self._size_columns()
        self.table.installEventFilter(_TableKeys(self))
        self.remove_button = QPushButton(i18n.tr("Supprimer la ligne (Suppr)"))
        self.remove_button.setAccessibleName(i18n.tr("Supprimer la ligne sélectionnée"))
        self.remove_button.clicked.connect(self.remove_current)
        self.fees_button = QPushButton(i18n.tr("Honoraires (F7)"))
        self.fees_button.setAccessibleName(
            i18n.tr("Ajouter les honoraires de l'ordonnance : dispensation, âge, ordonnance complexe, garde")
        )
        self.fees_button.setToolTip(self.fees_button.accessibleName())
        self.fees_button.setAutoDefault(False)
        self.fees_button.clicked.connect(self.fees_wanted)
        # On-call fees only when the pharmacy is on the rota (a pharmacy open on Sundays by
        # choice may not bill them): said by the clerk, the night/Sunday/holiday by the clock.
        self.on_call_box = QCheckBox(i18n.tr("de garde"))
        self.on_call_box.setAccessibleName(
            i18n.tr("La pharmacie est de garde : ajouter l'honoraire de garde (nuit, dimanche, jour férié)")
        )
        self.on_call_box.setToolTip(self.on_call_box.accessibleName())
        self.on_call_box.toggled.connect(lambda _on: self.changed.emit())
        # A two-part ALD form is one prescription: one set of fees (recorded with the claim).
        self.ald_box = QCheckBox(i18n.tr("ALD bizone"))
        self.ald_box.setAccessibleName(
            i18n.tr("Ordonnance bizone (ALD) : une seule ordonnance, un seul jeu d'honoraires")
        )
        self.ald_box.setToolTip(self.ald_box.accessibleName())
        self.ald_box.toggled.connect(lambda _on: self.changed.emit())
        # A generic refused without "non substituable" on the prescription: no tiers payant.
        self.generic_box = QCheckBox(i18n.tr("refus du générique"))
        self.generic_box.setAccessibleName(
            i18n.tr("Le patient refuse le générique sans mention « non substituable » : pas de tiers payant")
        )
        self.generic_box.setToolTip(self.generic_box.accessibleName())
        self.generic_box.toggled.connect(self._generic_toggled)
        self.removed_fees: list[tuple[str, str]] = []  # (code, reason) of the fees the clerk took off
        # The prescription's date (optional): recorded with the claim and exported.
        self.prescribed_edit = QLineEdit()
        self.prescribed_edit.setPlaceholderText(i18n.tr("jj/mm/aaaa"))
        self.prescribed_edit.setMaxLength(10)
        self.prescribed_edit.setFixedWidth(self.prescribed_edit.fontMetrics().horizontalAdvance("00/00/00000") + 16)
        self.prescribed_edit.setAccessibleName(i18n.tr("Date de l'ordonnance (facultative)"))
        self.prescribed_label = QLabel(i18n.tr("Ordonnance du :"))
        self.prescribed_label.setBuddy(self.prescribed_edit)
        self.prescribed_edit.textChanged.connect(lambda _t: self.changed.emit())
        self.notes = QLabel()
        self.notes.setWordWrap(True)
        self.notes.hide()
        # The boxes of the current line (lot, expiry, serial, how read): follows the cursor in
        # the table, so the keyboard reaches them; the table's description reads it out too.
        self.box_detail = QLabel()
        self.box_detail.setObjectName("box_detail")
        self.box_detail.setWordWrap(True)
        self.box_detail.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.box_detail.hide()

        grid = QGridLayout()
        grid.setHorizontalSpacing(8)
        grid.setVerticalSpacing(4)
        grid.setColumnStretch(1, 1)
        self.fields = FieldSet(self)
        f = self.fields
        f.add(
            "scan",
            i18n.tr("S&canner / code :"),
            self.scan_edit,
            i18n.tr("Scanner une boîte ou taper son code CIP7 ou CIP13, puis Entrée"),
            grid,
            0,
            0,
            extra=self.scan_feedback,
        )
        f.add(
            "dispensed_on",
            i18n.tr("Délivré le :"),
            self.date_edit,
            i18n.tr("Date de délivrance"),
            grid,
            0,
            2,
        )
        f.add(
            "prescriber_rpps",
            i18n.ptr("counter", "Prescripteur (RPPS) :"),
            self.rpps_edit,
            i18n.tr("Numéro RPPS du prescripteur, 11 chiffres (facultatif)"),
            grid,
            0,
            4,
            span=2,
        )
        f.add(
            "manual_label",
            i18n.tr("À la main – li&bellé :"),
            self.label_edit,
            i18n.tr("Libellé du produit saisi à la main"),
            grid,
            2,
            0,
            extra=self.code_label,
        )
        f.add(
            "manual_price",
            i18n.tr("Pri&x unit. :"),
            self.price_edit,
            i18n.tr("Prix public unitaire TTC du produit saisi à la main"),
            grid,
            2,
            2,
        )
        f.add(
            "manual_rate",
            i18n.tr("Taux AMO :"),
            self.rate_combo,
            i18n.tr("Taux de remboursement AMO : 65, 30, 15, 100 ou 0 %"),
            grid,
            2,
            4,
        )
        grid.addWidget(self.add_button, 2, 6, Qt.AlignmentFlag.AlignTop)

        self.total_values: dict[str, QLabel] = {}
        # The line actions and the prescription's boxes on a row of their own, the totals under
        # them: on one row, amounts of a few hundred euros pushed the window past a 1366 px screen.
        actions = QHBoxLayout()
        actions.setSpacing(6)
        for w in (
            self.remove_button,
            self.fees_button,
            self.on_call_box,
            self.ald_box,
            self.generic_box,
            self.prescribed_label,
            self.prescribed_edit,
        ):
            actions.addWidget(w)
        actions.addStretch(1)
        totals = QHBoxLayout()
        totals.setSpacing(6)
        bold = QFont(self.font())
        bold.setWeight(QFont.Weight.Bold)
        totals.addStretch(1)
        for name in TOTALS:
            caption = QLabel(with_colon(i18n.say(f"counter.total.{name}")))
            value = QLabel(format_eur(Decimal("0.00")))
            value.setFont(bold)
            value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            caption.setBuddy(value)
            totals.addWidget(caption)
            totals.addWidget(value)
            totals.addSpacing(10)
            self.total_values[name] = value

        lines_message = QLabel()
        lines_message.setWordWrap(True)
        lines_message.hide()
        layout = QVBoxLayout(self)
        layout.setSpacing(4)
        # The scan and manual-entry rows in an area that keeps room for their sentences: the
        # table under them stays put when one shows (issue 9, point 10).
        self.form_area = QWidget()
        grid.setContentsMargins(0, 0, 0, 0)
        self.form_area.setLayout(grid)
        keep_room_for_messages(self.form_area)
        layout.addWidget(self.form_area)
        table_grid = QGridLayout()
        table_grid.setContentsMargins(0, 0, 0, 0)
        f.add("lines", "", self.table, i18n.ptr("counter", "Lignes de la demande"), table_grid, 0, 0)
        f.fields["lines"].label.hide()
        table_grid.setColumnStretch(1, 1)
        layout.addLayout(table_grid, 1)
        layout.addWidget(self.box_detail)
        layout.addWidget(self.notes)
        layout.addLayout(actions)
        layout.addLayout(totals)

        order: list[QWidget] = [
            self.scan_edit,
            self.date_edit,
            self.rpps_edit,
            self.label_edit,
            self.price_edit,
            self.rate_combo,
            self.add_button,
            self.table,
            self.remove_button,
            self.fees_button,
            self.on_call_box,
            self.ald_box,
            self.generic_box,
            self.prescribed_edit,
        ]
        for first, second in zip(order, order[1:]):
            QWidget.setTabOrder(first, second)

        # Ctrl+Down: from the scan field to the quantity of the last line (no 9 Tabs); Ctrl+Up:
        # back to the scan field, from the table or the cell being edited.
        to_table = QShortcut(QKeySequence("Ctrl+Down"), self.scan_edit, self.to_last_quantity)
        to_table.setContext(Qt.ShortcutContext.WidgetShortcut)
        to_scan = QShortcut(QKeySequence("Ctrl+Up"), self.table, self.to_scan)
        to_scan.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)

        self.model.changed.connect(self._model_changed)
        self.model.dataChanged.connect(lambda *_a: self._show_boxes())
        selection = self.table.selectionModel()
        assert selection is not None
        selection.currentChanged.connect(lambda *_a: self._show_boxes())
        self.date_edit.dateChanged.connect(
            lambda _d: self.model.set_expiry_rule(self.dispensed_on(), self.model.warning_days())
        )
        self.model.edit_refused.connect(lambda text: self.fields.say("lines", text))
        self.date_edit.dateChanged.connect(lambda _d: self.changed.emit())
        self.rpps_edit.textChanged.connect(lambda _t: self._typed("prescriber_rpps"))
        self.rpps_edit.editingFinished.connect(self._rpps_left)
        for name, edit in (("manual_label", self.label_edit), ("manual_price", self.price_edit)):
            edit.textChanged.connect(lambda _t, n=name: self._typed(n))
        self.rate_combo.currentTextChanged.connect(lambda _t: self._typed("manual_rate"))
        self.scan_edit.textEdited.connect(lambda _t: self.fields.say("scan", ""))
        self._show_totals()

    # --- scanning and manual entry --------------------------------------------------------

    def scan(self) -> None:
        """Look up what the scanner (or the user) typed and add the box as a line."""
        text = self.scan_edit.scanned_text()
        if not text.strip():
            return
        self.fields.say("scan", "")
        if text.strip().isalnum() and not text.strip().isdigit():
            offer = prescription_fees.act_offer(self.ctx, text, self.dispensed_on())
            if offer is not None:
                self._offer_act(offer)
                return
        if self.pending_act is not None:  # a box scanned instead: the act offered is dropped
            self.pending_act = None
            self.code_label.hide()
            self.label_edit.clear()
            self.price_edit.clear()
            self.rate_combo.setCurrentIndex(0)
        try:
            # Two reads by key (the site's settings, the drug): fine on the GUI thread.
            site = settings.load(self.ctx)
            found = drugs.lookup(self.ctx, text, site.scan_separator)
        except DomainError as exc:
            self._feedback("", error=False)
            self.fields.say("scan", error_sentence(exc))
            self.scan_edit.selectAll()
            return
        scanned = found.scan
        dispensed = self.dispensed_on()
        self.model.set_expiry_rule(dispensed, site.expiry_warning_days)
        if scanned is not None and scanned.expiry is not None and scanned.expiry < dispensed:
            self.scan_edit.clear()  # the next box can be scanned at once; nothing was added
            self._feedback(
                i18n.tr(
                    "Boîte périmée le {date} (délivrance le {dispensed}) : elle n'est pas ajoutée. Mettez-la de côté et scannez une autre boîte.",
                    date=format_day(scanned.expiry),
                    dispensed=format_day(dispensed),
                ),
                error=True,
            )
            QApplication.beep()
            return
        self.scan_edit.clear()
        existing = self.model.row_of(found.cip13)
        if found.drug is None and existing is None:
            self.pending_code = found.cip13
            self.code_label.setText(i18n.tr("Code {code}", code=found.cip13))
            self.code_label.show()
            self._feedback(
                i18n.tr(
                    "Le code {code} n'est pas dans la base des médicaments : saisissez la ligne à la main (libellé, prix, taux).",
                    code=found.cip13,
                ),
                error=True,
            )
            self.label_edit.setFocus()
            return
        if found.drug is None:
            assert existing is not None
            line = self.model.line(existing)
            draft = replace(
                line,
                quantity=1,
                expiry=found.scan.expiry if found.scan else None,
                lot=found.scan.lot if found.scan else None,
                serial=found.scan.serial if found.scan else None,
                boxes=(claims.box_of(found.scan),),
            )
        else:
            draft = claims.line_from_drug(found.drug, 1, found.scan)
        notes = []
        if found.drug is not None and found.drug.price is None:
            notes.append(
                i18n.tr(
                    "Pas de prix dans la base pour ce produit : saisissez-le dans le tableau (Entrée sur la cellule)."
                )
            )
        if found.drug is not None and not found.drug.marketed:
            notes.append(i18n.tr("Attention : ce produit n'est plus commercialisé selon la base."))
        self._add(draft, by_hand=False, notes=notes)

    def _offer_act(self, offer: prescription_fees.ActOffer) -> None:
        """An act's code typed in the scan field: its label, usual amount and rate fill the
        manual entry; Enter adds it (another amount can be typed first)."""
        self.scan_edit.clear()
        self.pending_code = ""
        self.pending_act = offer
        self.code_label.setText(i18n.tr("Acte {code}", code=offer.code))
        self.code_label.show()
        self.label_edit.setText(offer.label)
        self.price_edit.setText(format_eur(offer.amounts[0]) if offer.amounts else "")
        self.rate_combo.setEditText(f"{offer.amo_rate.normalize():f}")
        if len(offer.amounts) > 1:
            choices = " ; ".join(format_eur(a) for a in offer.amounts)
            text = i18n.tr(
                "Acte {code} : {label}. Montants possibles : {choices}. Corrigez le prix si besoin, puis Entrée.",
                code=offer.code,
                label=offer.label,
                choices=choices,
            )
        elif offer.amounts:
            text = i18n.tr("Acte {code} : {label}. Entrée pour l'ajouter.", code=offer.code, label=offer.label)
        else:
            text = i18n.tr(
                "Acte {code} : {label}. Saisissez son montant (pas de tarif connu à cette date), puis Entrée.",
                code=offer.code,
                label=offer.label,
            )
        self._feedback(text, error=False)
        self.price_edit.setFocus()
        self.price_edit.selectAll()

    def _add(self, draft: LineDraft, by_hand: bool, notes: list[str]) -> None:
        try:
            row, merged = self.model.add_line(draft, by_hand=by_hand)
        except ValidationError as exc:
            self._feedback(" ".join(p.message() for p in exc.problems), error=True)
            return
        line = self.model.line(row)
        text = (
            i18n.tr("Quantité portée à {quantity} : {label}", quantity=line.quantity, label=line.label)
            if merged
            else i18n.tr("Ajouté : {label}", label=line.label)
        )
        self._feedback(" ".join([text, *notes]), error=False)
        self.table.setCurrentIndex(self.model.index(row, COL["quantity"]))
        self.table.scrollTo(self.model.index(row, 0))
        self.fields.say("lines", "")

    def add_manual(self) -> None:
        """Add the line typed by hand: label, unit price, AMO rate (which gives the prestation code)."""
        problems: list[Problem] = []
        label = self.label_edit.text().strip()
        if not label:
            problems.append(Problem("counter.manual_label_missing", {}, "manual_label"))
        price = Decimal("0.00")
        try:
            price = parse_amount(self.price_edit.text())
        except ValidationError as exc:
            problems += [Problem(p.code, p.params, "manual_price") for p in exc.problems]
        rate, code = Decimal(0), ""
        try:
            rate = parse_rate(self.rate_combo.currentText())
            code = self.pending_act.code if self.pending_act is not None else prestation_for_rate(rate)
        except ValidationError as exc:
            problems += [Problem(p.code, p.params, "manual_rate") for p in exc.problems]
        names = ["manual_label", "manual_price", "manual_rate"]
        self.fields.show(problems, names)
        if problems:
            self.fields.focus_first(p.field or "" for p in problems)
            return
        draft = LineDraft(
            label[:300],
            code,
            1,
            price,
            rate,
            code=self.pending_act.code if self.pending_act is not None else self.pending_code,
            code_kind="cip13" if self.pending_code else "manual",
        )
        self._add(draft, by_hand=True, notes=[])
        self.pending_code = ""
        self.pending_act = None
        self.code_label.hide()
        self.label_edit.clear()
        self.price_edit.clear()
        self.rate_combo.setCurrentIndex(0)
        self.fields.show([], names)
        self.scan_edit.setFocus()

    def to_last_quantity(self) -> None:
        """Put the cursor on the quantity of the last line (Ctrl+Down from the scan field)."""
        if not self.model.rowCount():
            return
        self.table.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.table.setCurrentIndex(self.model.index(self.model.rowCount() - 1, COL["quantity"]))

    def to_scan(self) -> None:
        """Back to the scan field (Ctrl+Up from the table); a cell being edited keeps its value."""
        self.scan_edit.setFocus(Qt.FocusReason.ShortcutFocusReason)

    def with_fees(self, lines: list[LineDraft]) -> None:
        """The lines again, with the prescription's fee lines (computed by the service) after
        the items; each item keeps whether it was typed by hand."""
        by_hand = [
            self.model.by_hand(row)
            for row in range(self.model.rowCount())
            if not prescription_fees.is_fee(self.model.line(row))
        ]
        self.model.set_lines(lines, by_hand + [False] * (len(lines) - len(by_hand)))

    def remove_current(self) -> None:
        """Remove the current line; a fee line only with a reason, kept with the claim (the
        removal itself is audited, without the reason; issue 13): F7 then does not add it again."""
        index = self.table.currentIndex()
        if not index.isValid():
            return
        row = index.row()
        line = self.model.line(row)
        if prescription_fees.is_fee(line):
            reason, ok = QInputDialog.getText(
                self,
                i18n.tr("Retirer un honoraire"),
                i18n.tr("Pourquoi retirer l'honoraire {code} ? (conservé avec la demande)", code=line.prestation_code),
            )
            if not ok:
                return
            if len(reason.strip()) < 3:
                self.fields.say(
                    "lines",
                    i18n.tr("L'honoraire {code} n'a pas été retiré : indiquez un motif.", code=line.prestation_code),
                )
                return
            self.removed_fees = [r for r in self.removed_fees if r[0] != line.prestation_code]
            self.removed_fees.append((line.prestation_code, reason.strip()[:200]))
            self._feedback(
                i18n.tr("Honoraire {code} retiré ; le motif est conservé avec la demande.", code=line.prestation_code),
                error=False,
            )
        self.model.remove_row(row)
        if self.model.rowCount():
            self.table.setCurrentIndex(self.model.index(min(row, self.model.rowCount() - 1), index.column()))

    def _generic_toggled(self, on: bool) -> None:
        self.fields.say(
            "lines",
            i18n.tr(
                "Refus du générique sans mention « non substituable » : pas de tiers payant. Encaissez la totalité et remettez une feuille de soins."
            )
            if on
            else "",
        )
        self.changed.emit()

    def prescription(self) -> PrescriptionForm:
        """What the claim records of the prescription (issue 13)."""
        return PrescriptionForm(
            prescribed_on=self.prescribed_on(),
            ald_two_part=self.ald_box.isChecked(),
            on_call=self.on_call_of_lines(),
            generic_refused=self.generic_box.isChecked(),
            removed_fees=tuple(self.removed_fees),
        )

    def _feedback(self, text: str, error: bool) -> None:
        self.scan_feedback.setText(text)
        self.scan_feedback.setStyleSheet(error_style(self) if error and text else "")
        self.scan_feedback.setVisible(bool(text))

    # --- validation -----------------------------------------------------------------------

    def _typed(self, name: str) -> None:
        if self.fields.fields[name].message.isVisible():
            if name == "prescriber_rpps":
                self._rpps_left()
            else:
                self.fields.say(name, "")
        self.changed.emit()

    def _rpps_left(self) -> None:
        self.fields.show(self._rpps_problems(), ["prescriber_rpps"])

    def _rpps_problems(self) -> list[Problem]:
        text = self.rpps_edit.text().strip()
        if not text:
            return []
        return [Problem(p.code, p.params, "prescriber_rpps") for p in check_rpps(text).problems]

    def on_call_of_lines(self) -> OnCall | None:
        """The on-call context of the on-call fee among the lines (none: no such fee), so that
        what the claim records always agrees with what it bills."""
        codes = {line.prestation_code for line in self.model.lines()}
        return next((when for when, code in ON_CALL_CODES.items() if code in codes), None)

    def prescribed_on(self) -> date | None:
        """The prescription's date as typed; None when empty or unreadable (problems() says so)."""
        try:
            return parse_day(self.prescribed_edit.text())
        except ValidationError:
            return None

    def problems(self) -> list[Problem]:
        problems = self._rpps_problems()
        try:
            parse_day(self.prescribed_edit.text())
        except ValidationError:
            problems.append(Problem("counter.prescribed_on_format", {}, "lines"))
        if not self.model.rowCount():
            problems.append(Problem("claim.no_lines", {}, "lines"))
        problems += self.model.problems()
        return problems

    def show_problems(self, problems: list[Problem]) -> None:
        """Sentences under their fields; every line problem under the table, "Ligne N : …"."""
        self.fields.show(problems, ["scan", "dispensed_on", "prescriber_rpps"])
        texts = []
        for p in problems:
            if p.line is not None:
                message = p.message()
                texts.append(
                    message
                    if message.startswith(("Ligne", "Line"))
                    else i18n.tr("Ligne {line} : {text}", line=p.line, text=message)
                )
            elif p.field == "lines":
                texts.append(p.message())
        self.fields.say("lines", " ".join(texts))

    def focus_problem(self, problem: Problem) -> bool:
        field = problem.field or ""
        if problem.line is not None:
            if 0 < problem.line <= self.model.rowCount():
                index = self.model.index(problem.line - 1, FIELD_COLUMN.get(field, COL["quantity"]))
                self.table.setFocus()
                self.table.selectionModel().setCurrentIndex(index, QItemSelectionModel.SelectionFlag.ClearAndSelect)
                return True
            return False
        if field == "lines":
            self.scan_edit.setFocus()
            return True
        return self.fields.focus_first([field])

    def _size_columns(self, *_args: object) -> None:
        """Every column but the product's as wide as its widest text, amounts at least as
        wide as 99 999,99 €: figures are never elided, the product's name is."""
        # The texts are measured here rather than by QTableView.sizeHintForColumn, which asks
        # the model for every role of every cell, column after column: on a 40-line sale that
        # was most of a scan's time (bench_counter, cProfile).
        table, header = self.table, self.table.horizontalHeader()
        fm = table.fontMetrics()
        pad = 2 * (table.style().pixelMetric(QStyle.PixelMetric.PM_FocusFrameHMargin, None, table) + 1)
        grid = 1 if table.showGrid() else 0
        amount = fm.horizontalAdvance(format_eur(Decimal("99999.99"))) + pad + fm.averageCharWidth()
        for col, name in enumerate(COLUMNS):
            if name == "label":
                continue
            # The widest text's cell, then what the delegate wants for it (its margins).
            texts = self.model.column_texts(col)
            width = header.sectionSizeHint(col)
            if texts:
                row = max(range(len(texts)), key=lambda r: fm.horizontalAdvance(texts[r]))
                width = max(width, table.sizeHintForIndex(self.model.index(row, col)).width() + grid)
            if name in AMOUNT_COLUMNS or name == "unit_price":
                width = max(width, amount)
            if header.sectionSize(col) != width:
                header.resizeSection(col, width)

    # --- totals ---------------------------------------------------------------------------

    def _show_boxes(self) -> None:
        """Describe the boxes of the line under the cursor, with its expiry warning."""
        index = self.table.currentIndex()
        if not index.isValid() or index.row() >= self.model.rowCount():
            self.box_detail.hide()
            self.table.setAccessibleDescription("")
            return
        row = index.row()
        # A fee or an act has no box: its line says nothing of lots and serials.
        item = line_kind(self.model.line(row).prestation_code) == "item"
        text = describe_boxes(row + 1, self.model.boxes(row)) if item else ""
        note = self.model.expiry_note(row)
        parts = (text, fee_note(self.model.line(row)), note)
        self.box_detail.setText(" ".join(t if t.endswith((".", "!", "?")) else t + "." for t in parts if t))
        self.box_detail.setStyleSheet("background: #ffe08a; color: #3d2e00;" if note else "")
        self.box_detail.show()
        self.table.setAccessibleDescription(self.box_detail.text())

    def _model_changed(self) -> None:
        self._show_boxes()
        self._show_totals()
        notes = [
            i18n.tr("Ligne {line} : {text}", line=row + 1, text=p.message()) for row, p in self.model.coverage_notes()
        ]
        self.notes.setText(" ".join(notes))
        self.notes.setVisible(bool(notes))
        self.changed.emit()

    def totals(self) -> ClaimTotals:
        return self.model.totals()

    def _show_totals(self) -> None:
        t = self.model.totals()
        for name, label in self.total_values.items():
            amount = format_eur(getattr(t, name))
            label.setText(amount)
            label.setAccessibleName(
                i18n.tr("{caption} : {amount}", caption=i18n.say(f"counter.total.{name}"), amount=amount)
            )

    # --- state ----------------------------------------------------------------------------

    def dispensed_on(self) -> date:
        value = self.date_edit.date().toPython()
        assert isinstance(value, date)
        return value

    def prescriber(self) -> str | None:
        text = self.rpps_edit.text().strip()
        checked = check_rpps(text) if text else None
        return checked.value if checked is not None and checked.ok else (text or None)

    def is_empty(self) -> bool:
        return (
            not self.model.rowCount()
            and not self.rpps_edit.text().strip()
            and not self.label_edit.text().strip()
            and not self.price_edit.text().strip()
        )

    def state(self) -> dict[str, Any]:
        return {
            "dispensed_on": self.dispensed_on().isoformat(),
            "prescriber_rpps": self.rpps_edit.text(),
            "lines": [
                dict(line_to_dict(self.model.line(r)), by_hand=self.model.by_hand(r))
                for r in range(self.model.rowCount())
            ],
            "prescription": {
                "on_call_box": self.on_call_box.isChecked(),
                "ald": self.ald_box.isChecked(),
                "generic_refused": self.generic_box.isChecked(),
                "removed_fees": [list(r) for r in self.removed_fees],
                "prescribed_on": self.prescribed_edit.text(),
            },
            "manual": {
                "act": None if self.pending_act is None else self.pending_act.code,
                "code": self.pending_code,
                "label": self.label_edit.text(),
                "price": self.price_edit.text(),
                "rate": self.rate_combo.currentText(),
            },
        }

    def restore(self, data: dict[str, Any]) -> None:
        day = data.get("dispensed_on")
        try:
            when = date.fromisoformat(day) if isinstance(day, str) else date.today()
        except ValueError:
            when = date.today()
        self.date_edit.setDate(QDate(when.year, when.month, when.day))
        self.rpps_edit.setText(str(data.get("prescriber_rpps", "")))
        rows = data.get("lines")
        lines, by_hand = [], []
        for row in rows if isinstance(rows, list) else []:
            line = line_from_dict(row) if isinstance(row, dict) else None
            if line is not None:
                lines.append(line)
                by_hand.append(bool(row.get("by_hand", False)))
        self.model.set_lines(lines, by_hand)
        self._restore_prescription(data.get("prescription"))
        manual = data.get("manual") if isinstance(data.get("manual"), dict) else {}
        assert isinstance(manual, dict)
        self.pending_code = str(manual.get("code", ""))
        act = manual.get("act")
        self.pending_act = (
            prescription_fees.act_offer(self.ctx, act, self.dispensed_on()) if isinstance(act, str) and act else None
        )
        self.code_label.setText(
            i18n.tr("Acte {code}", code=self.pending_act.code)
            if self.pending_act is not None
            else i18n.tr("Code {code}", code=self.pending_code)
        )
        self.code_label.setVisible(bool(self.pending_code) or self.pending_act is not None)
        self.label_edit.setText(str(manual.get("label", "")))
        self.price_edit.setText(str(manual.get("price", "")))
        self.rate_combo.setCurrentIndex(0)
        if manual.get("rate"):
            self.rate_combo.setEditText(str(manual["rate"]))
        self.scan_edit.clear()
        self._feedback("", error=False)
        self.fields.clear()
        if self.generic_box.isChecked():  # a draft read back says it again
            self._generic_toggled(True)

    def _restore_prescription(self, data: object) -> None:
        p = data if isinstance(data, dict) else {}
        self.on_call_box.setChecked(bool(p.get("on_call_box", False)))
        self.ald_box.setChecked(bool(p.get("ald", False)))
        self.prescribed_edit.setText(str(p.get("prescribed_on", ""))[:10])
        self.generic_box.blockSignals(True)
        self.generic_box.setChecked(bool(p.get("generic_refused", False)))
        self.generic_box.blockSignals(False)
        removed = p.get("removed_fees")
        self.removed_fees = [
            (str(r[0]), str(r[1]))
            for r in (removed if isinstance(removed, list) else [])
            if isinstance(r, list) and len(r) == 2
        ]

    def clear(self) -> None:
        self.restore({})


def fee_note(line: LineDraft) -> str:
    """The per-box dispensing fee inside a box's price, as the invoice splits it (issue 13):
    "PH7 2,18 € dont honoraire de dispensation HD7 1,02 € par boîte"."""
    fee = line.fee_unit
    if fee is None or not 0 < fee < line.unit_price:
        return ""
    code = box_fee_code(line.prestation_code, fee)
    if code is None:
        return ""
    return i18n.tr(
        "Prix par boîte {price} : produit {product_code} {product}, honoraire de dispensation {fee_code} {fee}.",
        price=format_eur(line.unit_price),
        product_code=line.prestation_code,
        product=format_eur(line.unit_price - fee),
        fee_code=code,
        fee=format_eur(fee),
    )
