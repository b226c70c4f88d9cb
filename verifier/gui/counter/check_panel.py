"""The coverage check: how rights were checked, the reference, the outcome, the guarantees."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from verifier import i18n
from verifier.domain.coverage import GUARANTEE_MAX_RATE, PHAR, Guarantee
from verifier.domain.errors import Problem, ValidationError
from verifier.domain.money import parse_rate
from verifier.domain.states import CheckMethod, outcome_label
from verifier.formatting import local_day
from verifier.gui.counter.fields import FieldSet
from verifier.gui.counter.provisional import ProvisionalInsurerBox
from verifier.services.checks import COVERING, METHODS, OUTCOMES, CheckInfo
from verifier.services.directory import InsurerInfo

i18n.register(
    {
        "counter.method.card": i18n.N_("Carte papier vue"),
        "counter.method.hotline": i18n.N_("Appel à la plateforme"),
        "counter.method.portal": i18n.NP_("counter.method", "Portail de l'organisme"),
        "counter.method.fax": i18n.N_("Fax"),
        "counter.guarantee_problem": i18n.N_("Garantie {n} : {text}"),
    }
)

MAX_GUARANTEES = 4
CHECK_FIELDS = ("method", "reference", "outcome", "guarantees", "note")


class GuaranteeRow(QWidget):
    """One guarantee read from the card: domain, rate in % of the BR, whether it covers PH2."""

    def __init__(self, number: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.number_label = QLabel(i18n.tr("{n}.", n=number))
        self.domain_edit = QLineEdit(PHAR if number == 1 else "")
        self.domain_edit.setMaxLength(10)
        self.rate_edit = QLineEdit("100" if number == 1 else "")
        self.rate_label = QLabel(i18n.tr("% BR"))
        self.ph2_box = QCheckBox(i18n.tr("couvre les médicaments à 15 %"))
        self.remove_button = QPushButton(i18n.tr("Retirer"))
        self.remove_button.setVisible(number > 1)
        self.number_label.setBuddy(self.domain_edit)
        self.rate_label.setBuddy(self.rate_edit)
        width = self.fontMetrics().horizontalAdvance("PHARMAX") + 16
        self.domain_edit.setMinimumWidth(width)
        self.domain_edit.setMaximumWidth(width * 2)
        self.rate_edit.setMinimumWidth(self.fontMetrics().horizontalAdvance("1000,00") + 16)
        self.rate_edit.setMaximumWidth(width * 2)
        self.renumber(number)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(6)
        row.addWidget(self.number_label)
        row.addWidget(self.domain_edit)
        row.addWidget(self.rate_edit)
        row.addWidget(self.rate_label)
        row.addWidget(self.ph2_box)
        row.addStretch(1)
        row.addWidget(self.remove_button)

    def renumber(self, number: int) -> None:
        self.number = number
        self.number_label.setText(i18n.tr("{n}.", n=number))
        self.domain_edit.setAccessibleName(i18n.tr("Domaine de la garantie {n} (par exemple PHAR)", n=number))
        self.rate_edit.setAccessibleName(i18n.tr("Taux de la garantie {n}, en pourcentage de la BR", n=number))
        self.ph2_box.setAccessibleName(
            i18n.tr("La garantie {n} couvre aussi les médicaments remboursés à 15 %", n=number)
        )
        self.remove_button.setAccessibleName(i18n.tr("Retirer la garantie {n}", n=number))

    def is_blank(self) -> bool:
        return not self.domain_edit.text().strip() and not self.rate_edit.text().strip()

    def guarantee(self) -> Guarantee:
        """The guarantee typed on this row, or ValidationError with every reason."""
        problems: list[Problem] = []
        rate = Decimal(0)
        try:
            rate = parse_rate(self.rate_edit.text(), GUARANTEE_MAX_RATE)
        except ValidationError as exc:
            problems += exc.problems
        try:
            guarantee = Guarantee(self.domain_edit.text(), rate, self.ph2_box.isChecked())
        except ValidationError as exc:
            problems += exc.problems
            raise ValidationError(problems) from None
        if problems:
            raise ValidationError(problems)
        return guarantee

    def state(self) -> dict[str, Any]:
        return {
            "domain": self.domain_edit.text(),
            "rate": self.rate_edit.text(),
            "covers_ph2": self.ph2_box.isChecked(),
        }

    def restore(self, data: dict[str, Any]) -> None:
        self.domain_edit.setText(str(data.get("domain", "")))
        self.rate_edit.setText(str(data.get("rate", "")))
        self.ph2_box.setChecked(bool(data.get("covers_ph2", False)))


class GuaranteeList(QWidget):
    """A small editable list of guarantees; PHAR 100 % BR to start with."""

    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.rows: list[GuaranteeRow] = []
        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)
        self._layout.setSpacing(2)
        self.add_button = QPushButton(i18n.tr("+ garantie"))
        self.add_button.setAccessibleName(i18n.tr("Ajouter une garantie (autre domaine)"))
        self.add_button.clicked.connect(lambda: self.add_row(focus=True))
        self.add_row()

    def add_row(self, focus: bool = False) -> GuaranteeRow | None:
        if len(self.rows) >= MAX_GUARANTEES:
            return None
        row = GuaranteeRow(len(self.rows) + 1)
        row.domain_edit.textChanged.connect(lambda _t: self.changed.emit())
        row.rate_edit.textChanged.connect(lambda _t: self.changed.emit())
        row.ph2_box.toggled.connect(lambda _b: self.changed.emit())
        row.remove_button.clicked.connect(lambda _c=False, r=row: self.remove_row(r))
        self.rows.append(row)
        self._layout.addWidget(row)
        # The add button sits at the end of the first row, so the list takes one line as a rule.
        first = self.rows[0].layout()
        assert isinstance(first, QHBoxLayout)
        first.addWidget(self.add_button)
        self.add_button.setEnabled(len(self.rows) < MAX_GUARANTEES)
        self._chain_tabs()
        if focus:
            row.domain_edit.setFocus()
        self.changed.emit()
        return row

    def remove_row(self, row: GuaranteeRow) -> None:
        if row not in self.rows or len(self.rows) == 1:
            return
        index = self.rows.index(row)
        self.rows.remove(row)
        row.hide()
        row.deleteLater()
        for number, other in enumerate(self.rows, start=1):
            other.renumber(number)
        self.add_button.setEnabled(True)
        self._chain_tabs()
        self.rows[min(index, len(self.rows) - 1)].domain_edit.setFocus()
        self.changed.emit()

    def _chain_tabs(self) -> None:
        order: list[QWidget] = []
        for row in self.rows:
            order += [row.domain_edit, row.rate_edit, row.ph2_box]
            if row.remove_button.isVisibleTo(row) or row.number > 1:
                order.append(row.remove_button)
        order.append(self.add_button)
        for first, second in zip(order, order[1:]):
            QWidget.setTabOrder(first, second)

    def first_input(self) -> QLineEdit:
        return self.rows[0].domain_edit

    def last_input(self) -> QWidget:
        return self.add_button

    def guarantees(self) -> tuple[list[Guarantee], list[Problem]]:
        """The guarantees typed (blank rows skipped) and the problems of the others."""
        found: list[Guarantee] = []
        problems: list[Problem] = []
        for row in self.rows:
            if row.is_blank():
                continue
            try:
                found.append(row.guarantee())
            except ValidationError as exc:
                text = " ".join(p.message() for p in exc.problems)
                problems.append(Problem("counter.guarantee_problem", {"n": row.number, "text": text}, "guarantees"))
        return found, problems

    def state(self) -> list[dict[str, Any]]:
        return [row.state() for row in self.rows]

    def restore(self, rows: list[dict[str, Any]]) -> None:
        while len(self.rows) > 1:
            self.remove_row(self.rows[-1])
        for i, data in enumerate(rows[:MAX_GUARANTEES]):
            row = self.rows[0] if i == 0 else self.add_row()
            if row is not None:
                row.restore(data)
        if not rows:
            self.rows[0].restore({"domain": PHAR, "rate": "100", "covers_ph2": False})


class CheckPanel(QGroupBox):
    """The check part of the counter form."""

    changed = Signal()
    guarantees_changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(i18n.tr("Vérification des droits"), parent)
        self.method_combo = QComboBox()
        for method in METHODS:
            self.method_combo.addItem(i18n.say(f"counter.method.{method}"), method)
        self.reference_edit = QLineEdit()
        self.reference_edit.setMaxLength(100)
        self.reference_edit.setPlaceholderText(i18n.tr("obligatoire sauf carte papier"))
        self.outcome_combo = QComboBox()
        self.outcome_combo.addItem(i18n.tr("— choisir —"), "")
        for outcome in OUTCOMES:
            self.outcome_combo.addItem(outcome_label(outcome), outcome)
        self.guarantee_list = GuaranteeList()
        self.note_edit = QLineEdit()
        self.note_edit.setPlaceholderText(i18n.tr("facultatif"))

        grid = QGridLayout(self)
        grid.setHorizontalSpacing(8)
        grid.setVerticalSpacing(4)
        grid.setColumnStretch(1, 1)
        grid.setColumnStretch(3, 1)
        self.fields = FieldSet(self)
        f = self.fields
        f.add(
            "method",
            i18n.tr("&Vérifié par :"),
            self.method_combo,
            i18n.tr("Comment les droits ont été vérifiés"),
            grid,
            0,
            0,
        )
        f.add(
            "reference",
            i18n.tr("Ré&férence :"),
            self.reference_edit,
            i18n.tr("Référence donnée par la plateforme, le portail ou le fax"),
            grid,
            0,
            2,
        )
        f.add("outcome", i18n.tr("Résul&tat :"), self.outcome_combo, i18n.tr("Résultat de la vérification"), grid, 2, 0)
        f.add(
            "note",
            i18n.tr("Note :"),
            self.note_edit,
            i18n.tr("Note libre sur la vérification (facultatif)"),
            grid,
            2,
            2,
        )
        f.add(
            "guarantees",
            i18n.tr("Garantie&s :"),
            self.guarantee_list,
            i18n.tr("Domaine de la garantie {n} (par exemple PHAR)", n=1),
            grid,
            4,
            0,
            span=3,
            focus=self.guarantee_list.first_input(),
        )
        self.contact = QLabel()
        self.contact.setWordWrap(True)
        self.contact.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.contact.hide()
        grid.addWidget(self.contact, 6, 0, 1, 4)
        self.provisional = ProvisionalInsurerBox()
        grid.addWidget(self.provisional, 7, 0, 1, 4)
        self.offered: CheckInfo | None = None
        self._taken: dict[str, Any] | None = None  # the fields as the reuse set them
        self.reuse_label = QLabel()
        self.reuse_label.setWordWrap(True)
        self.reuse_label.hide()
        grid.addWidget(self.reuse_label, 8, 0, 1, 4)
        grid.setRowStretch(9, 1)
        order: list[QWidget] = [
            self.method_combo,
            self.reference_edit,
            self.outcome_combo,
            self.note_edit,
            self.guarantee_list.first_input(),
        ]
        for first, second in zip(order, order[1:]):
            QWidget.setTabOrder(first, second)

        self.method_combo.currentIndexChanged.connect(lambda _i: self._edited("reference"))
        self.outcome_combo.currentIndexChanged.connect(lambda _i: self._edited("outcome"))
        self.reference_edit.textChanged.connect(lambda _t: self._edited("reference"))
        self.note_edit.textChanged.connect(lambda _t: self.changed.emit())
        self.guarantee_list.changed.connect(self._guarantees_edited)

    def first_input(self) -> QWidget:
        return self.method_combo

    def set_insurer(self, insurer: InsurerInfo | None) -> None:
        """Show how to reach the patient's insurer (from the directory), to check by phone or portal."""
        if insurer is None:
            self.contact.hide()
            return
        ways = []
        if insurer.hotline:
            ways.append(i18n.tr("plateforme {hotline}", hotline=insurer.hotline))
        if insurer.portal:
            ways.append(i18n.tr("portail {portal}", portal=insurer.portal))
        text = (
            i18n.tr("Pour vérifier auprès de {name} : {ways}.", name=insurer.name, ways=", ".join(ways))
            if ways
            else i18n.tr("Aucun contact enregistré pour {name} : voyez l'attestation.", name=insurer.name)
        )
        if insurer.provisional:
            text = (
                i18n.tr(
                    "{name} (n° AMC {amc}) est un organisme à confirmer : la demande sera mise en file, mais pas en lot avant qu'un administrateur le confirme.",
                    name=insurer.name,
                    amc=insurer.amc_number,
                )
                + " "
                + text
            )
        self.contact.setText(text)
        self.contact.show()

    def last_input(self) -> QWidget:
        return self.guarantee_list.last_input()

    # --- the last check, offered again ---------------------------------------------------

    def offer(self, check: CheckInfo | None) -> None:
        """Show the patient's last check with this insurer (or nothing), to take with F6."""
        self.offered, self._taken = check, None
        if check is None:
            self.reuse_label.hide()
            return
        reference = i18n.tr(", réf. {reference}", reference=check.reference) if check.reference else ""
        self.reuse_label.setText(
            i18n.tr(
                "Dernière vérification : {method}{reference}, {outcome}, le {day} par {who} — F6 pour la reprendre.",
                method=i18n.say(f"counter.method.{check.method}"),
                reference=reference,
                outcome=outcome_label(check.outcome, in_sentence=True),
                day=local_day(check.checked_at),
                who=check.checked_by_name,
            )
        )
        self.reuse_label.show()

    def take_offer(self) -> bool:
        """Fill the check with the offered one (F6); False when nothing is offered."""
        check = self.offered
        if check is None:
            return False
        self.restore(
            {
                "method": check.method,
                "reference": check.reference or "",
                "outcome": check.outcome,
                "note": check.note or "",
                "guarantees": [
                    {"domain": g.domain, "rate": str(g.rate).replace(".", ","), "covers_ph2": g.covers_ph2}
                    for g in check.guarantees
                ],
            }
        )
        self._taken = self.state()
        self.reuse_label.setText(
            i18n.tr(
                "Vérification du {day} reprise : elle sera enregistrée comme une nouvelle vérification qui la cite.",
                day=local_day(check.checked_at),
            )
        )
        self.changed.emit()
        return True

    def reused_check_id(self) -> str | None:
        """The check reused, while the fields still say what it said."""
        if self.offered is not None and self._taken is not None and self.state() == self._taken:
            return self.offered.id
        return None

    def _edited(self, name: str) -> None:
        if self.fields.fields[name].message.isVisible():  # once shown, a sentence follows the input
            problems = self.problems()
            self.fields.show(problems, [name, "outcome", "reference"])
        self.changed.emit()

    def _guarantees_edited(self) -> None:
        if self.fields.fields["guarantees"].message.isVisible():
            self.fields.show(self.problems(), ["guarantees"])
        self.guarantees_changed.emit()
        self.changed.emit()

    def method(self) -> str:
        return str(self.method_combo.currentData())

    def outcome(self) -> str:
        return str(self.outcome_combo.currentData() or "")

    def guarantees(self) -> list[Guarantee]:
        return self.guarantee_list.guarantees()[0]

    def problems(self) -> list[Problem]:
        """What keeps the check from being recorded with a claim (the service has the last word)."""
        problems: list[Problem] = []
        outcome = self.outcome()
        if outcome not in OUTCOMES:
            problems.append(Problem("check.outcome_invalid", {}, "outcome"))
        elif outcome not in COVERING:
            problems.append(Problem("claim.check_not_covering", {}, "outcome"))
        if (
            self.method() in METHODS
            and CheckMethod(self.method()).needs_reference
            and not self.reference_edit.text().strip()
        ):
            problems.append(Problem("check.reference_missing", {}, "reference"))
        guarantees, bad = self.guarantee_list.guarantees()
        problems += bad
        if not guarantees and not bad and outcome in COVERING:
            problems.append(Problem("check.guarantee_missing", {}, "guarantees"))
        return problems

    def state(self) -> dict[str, Any]:
        return {
            "method": self.method(),
            "reference": self.reference_edit.text(),
            "outcome": self.outcome(),
            "guarantees": self.guarantee_list.state(),
            "note": self.note_edit.text(),
        }

    def restore(self, data: dict[str, Any]) -> None:
        method = self.method_combo.findData(data.get("method", METHODS[0]))
        self.method_combo.setCurrentIndex(max(method, 0))
        outcome = self.outcome_combo.findData(data.get("outcome", ""))
        self.outcome_combo.setCurrentIndex(max(outcome, 0))
        self.reference_edit.setText(str(data.get("reference", "")))
        self.note_edit.setText(str(data.get("note", "")))
        rows = data.get("guarantees")
        self.guarantee_list.restore([r for r in rows if isinstance(r, dict)] if isinstance(rows, list) else [])
        self.fields.clear()

    def is_default(self) -> bool:
        return self.state() == {
            "method": METHODS[0],
            "reference": "",
            "outcome": "",
            "note": "",
            "guarantees": [{"domain": PHAR, "rate": "100", "covers_ph2": False}],
        }

    def clear(self) -> None:
        self.restore({})
        self.offer(None)


__all__ = ["CHECK_FIELDS", "CheckPanel", "GuaranteeList", "GuaranteeRow"]
