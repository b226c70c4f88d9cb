"""What the stay and consultation screens share: reading typed dates and amounts, the PEC or
check panel, and queueing through a service off the GUI thread with the ceiling override."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import date
from decimal import Decimal

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QComboBox, QGridLayout, QGroupBox, QLabel, QLineEdit, QPlainTextEdit, QSizePolicy, QWidget

from verifier import i18n
from verifier.domain.errors import Problem, ValidationError
from verifier.domain.money import parse_amount
from verifier.gui.counter.fields import FieldSet
from verifier.gui.counter.patient_panel import parse_day
from verifier.services.stays import PecFields

i18n.register({})

# The PEC's methods as the service names them, with what the screen says.
METHODS: tuple[tuple[str, str], ...] = (
    ("portal", i18n.N_("Portail")),
    ("fax", i18n.N_("Fax")),
    ("phone", i18n.N_("Téléphone")),
    ("paper", i18n.N_("Papier")),
)
PEC_FIELDS = ("pec_method", "pec_number", "obtained_on", "valid_until", "guarantees")


def day_of(text: str, name: str, problems: list[Problem], required: bool = False) -> date | None:
    """The date typed in field `name` (dd/mm/yyyy), or None; its problem added to `problems`."""
    try:
        value = parse_day(text)
    except ValidationError as exc:
        problems += [replace(p, field=name) for p in exc.problems]
        return None
    if value is None and required:
        problems.append(Problem("clinic.date_missing", {}, name))
    return value


def amount_of(text: str, name: str, problems: list[Problem], line: int | None = None) -> Decimal | None:
    try:
        return parse_amount(text)
    except ValidationError as exc:
        problems += [replace(p, field=name, line=line) for p in exc.problems]
        return None


def guarantee_lines(text: str) -> tuple[str, ...]:
    return tuple(line.strip() for line in text.splitlines() if line.strip())


class GuaranteesEdit(QPlainTextEdit):
    """The guarantees, one a line; Tab leaves the field (Enter starts a new line)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setTabChangesFocus(True)


class PecPanel(QGroupBox):
    """The PEC of a stay (method, number, dates, guarantees) or the check of a consultation."""

    changed = Signal()

    def __init__(self, title: str, consultation: bool = False, parent: QWidget | None = None) -> None:
        super().__init__(title, parent)
        self.consultation = consultation
        self.method_box = QComboBox()
        for value, text in METHODS:
            self.method_box.addItem(i18n.tr(text), value)
        self.number_edit = QLineEdit()
        self.number_edit.setMaxLength(60)
        self.obtained_edit = QLineEdit()
        self.obtained_edit.setPlaceholderText(i18n.tr("jj/mm/aaaa"))
        self.valid_edit = QLineEdit()
        self.valid_edit.setPlaceholderText(i18n.tr("jj/mm/aaaa"))
        self.guarantees_edit = GuaranteesEdit()
        wide = self.fontMetrics().horizontalAdvance("00/00/00000") + 16
        for edit in (self.obtained_edit, self.valid_edit):
            edit.setMinimumWidth(wide)
        self.number_edit.setMinimumWidth(wide + 30)
        self.guarantees_edit.setPlaceholderText(
            i18n.tr("CONS 100 % BR")
            if consultation
            else i18n.tr("une garantie par ligne : SEJOUR 100 % BR, FJ 100 % FR…")
        )
        lines = 2 if consultation else 4
        self.guarantees_edit.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.guarantees_edit.setFixedHeight(self.guarantees_edit.fontMetrics().lineSpacing() * lines + 12)
        grid = QGridLayout(self)
        grid.setHorizontalSpacing(8)
        grid.setVerticalSpacing(2)
        grid.setColumnStretch(1, 1)
        grid.setColumnStretch(3, 1)
        self.fields = FieldSet(self)
        f = self.fields
        f.add(
            "pec_method",
            i18n.tr("Mo&yen :"),
            self.method_box,
            i18n.tr("Comment la prise en charge a été obtenue"),
            grid,
            0,
            0,
        )
        f.add(
            "pec_number",
            i18n.tr("Référen&ce :") if consultation else i18n.tr("N° de PE&C :"),
            self.number_edit,
            i18n.tr("Référence de la vérification") if consultation else i18n.tr("Numéro de la prise en charge"),
            grid,
            0,
            2,
        )
        if not consultation:
            f.add(
                "obtained_on",
                i18n.tr("Obtenue le :"),
                self.obtained_edit,
                i18n.tr("Date d'obtention de la prise en charge"),
                grid,
                2,
                0,
            )
            f.add(
                "valid_until",
                i18n.tr("Valable jusqu'au :"),
                self.valid_edit,
                i18n.tr("Fin de validité de la prise en charge"),
                grid,
                2,
                2,
            )
        else:
            self.obtained_edit.hide()
            self.valid_edit.hide()
        f.add(
            "guarantees",
            i18n.tr("Garan&ties :"),
            self.guarantees_edit,
            i18n.tr("Garanties de la complémentaire, une par ligne, telles qu'imprimées"),
            grid,
            4,
            0,
            span=3,
        )
        f.fields["guarantees"].label.setMinimumHeight(0)  # as tall as its first line, not the box
        grid.setRowStretch(6, 1)
        for first, second in zip(f.tab_order(), f.tab_order()[1:]):
            QWidget.setTabOrder(first, second)
        self.method_box.currentIndexChanged.connect(lambda _i: self.changed.emit())
        for edit in (self.number_edit, self.obtained_edit, self.valid_edit):
            edit.textChanged.connect(lambda _t: self.changed.emit())
        self.guarantees_edit.textChanged.connect(self.changed.emit)

    def guarantees(self) -> tuple[str, ...]:
        return guarantee_lines(self.guarantees_edit.toPlainText())

    def method(self) -> str:
        return str(self.method_box.currentData())

    def fields_of(self, problems: list[Problem], today: date) -> PecFields:
        obtained = today
        valid = None
        if not self.consultation:
            obtained = day_of(self.obtained_edit.text(), "obtained_on", problems, required=True) or today
            valid = day_of(self.valid_edit.text(), "valid_until", problems)
        return PecFields(self.method(), self.number_edit.text().strip(), obtained, valid, self.guarantees())

    def first_input(self) -> QWidget:
        return self.method_box

    def last_input(self) -> QWidget:
        return self.guarantees_edit

    def clear(self) -> None:
        self.method_box.setCurrentIndex(0)
        for edit in (self.number_edit, self.obtained_edit, self.valid_edit):
            edit.clear()
        self.guarantees_edit.clear()
        self.fields.clear()

    def is_default(self) -> bool:
        return (
            self.method_box.currentIndex() == 0
            and not any(e.text().strip() for e in (self.number_edit, self.obtained_edit, self.valid_edit))
            and not self.guarantees()
        )


def message_label(name: str) -> QLabel:
    label = QLabel()
    label.setWordWrap(True)
    label.setAccessibleName(name)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return label


Callback = Callable[[], None]

i18n.register(
    {
        "clinic.date_missing": i18n.N_("Saisissez cette date au format JJ/MM/AAAA, par exemple 02/03/2026."),
        "clinic.line_missing": i18n.N_("Ajoutez au moins une ligne : frais de séjour, honoraires ou acte."),
    }
)
