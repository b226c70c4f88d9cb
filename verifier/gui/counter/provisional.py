"""An insurer missing from the directory, recorded from the card at the counter ("à confirmer").

Shown under the check when the insurer field holds a well-formed AMC number the directory
does not know. No mnemonic on purpose: the box takes the focus by itself when the clerk
leaves the insurer field, and Enter in the name records it.
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QComboBox, QGridLayout, QGroupBox, QLabel, QLineEdit, QPushButton, QWidget

from verifier import i18n
from verifier.gui.tasks import error_style
from verifier.services.directory import OperatorInfo


class ProvisionalInsurerBox(QGroupBox):
    """Name and operator of an unknown insurer, as the card shows them."""

    record_requested = Signal(str, str, str)  # AMC number, name, operator code ("" for none)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(i18n.tr("Organisme absent de l'annuaire"), parent)
        self.amc = ""
        self.explain = QLabel()
        self.explain.setWordWrap(True)
        self.name_edit = QLineEdit()
        self.name_edit.setMaxLength(200)
        self.name_edit.setAccessibleName(i18n.tr("Nom de l'organisme complémentaire imprimé sur la carte"))
        self.operator_combo = QComboBox()
        self.operator_combo.setAccessibleName(
            i18n.ptr("counter", "Opérateur de tiers payant de l'organisme (facultatif)")
        )
        self.set_operators([])
        self.record_button = QPushButton(i18n.tr("Enregistrer l'organisme à confirmer"))
        self.problem = QLabel()
        self.problem.setWordWrap(True)
        self.problem.setStyleSheet(error_style(self))
        name_label = QLabel(i18n.tr("Nom sur la carte :"))
        name_label.setBuddy(self.name_edit)
        operator_label = QLabel(i18n.tr("Opérateur :"))
        operator_label.setBuddy(self.operator_combo)
        grid = QGridLayout(self)
        grid.setVerticalSpacing(4)
        grid.addWidget(self.explain, 0, 0, 1, 4)
        grid.addWidget(name_label, 1, 0)
        grid.addWidget(self.name_edit, 1, 1)
        grid.addWidget(operator_label, 1, 2)
        grid.addWidget(self.operator_combo, 1, 3)
        grid.addWidget(self.problem, 2, 0, 1, 3)
        grid.addWidget(self.record_button, 2, 3)
        grid.setColumnStretch(1, 1)
        QWidget.setTabOrder(self.name_edit, self.operator_combo)
        QWidget.setTabOrder(self.operator_combo, self.record_button)
        self.name_edit.returnPressed.connect(self._record)
        self.record_button.clicked.connect(self._record)
        self.hide()

    def set_operators(self, operators: list[OperatorInfo]) -> None:
        chosen = self.operator_combo.currentData()
        self.operator_combo.clear()
        self.operator_combo.addItem(i18n.tr("— aucun ou inconnu —"), "")
        for op in operators:
            self.operator_combo.addItem(f"{op.name} ({op.code})", op.code)
        self.operator_combo.setCurrentIndex(max(self.operator_combo.findData(chosen), 0))

    def offer(self, amc: str | None) -> None:
        """Show the box for this unknown AMC number, or hide it (None)."""
        if amc is None:
            self.hide()
            return
        if amc != self.amc:
            self.problem.clear()
        self.amc = amc
        self.explain.setText(
            i18n.tr(
                "Le numéro AMC {amc} n'est pas dans l'annuaire. Saisissez le nom imprimé sur la carte puis Entrée : l'organisme sera enregistré « à confirmer » par un administrateur, et la demande pourra être mise en file.",
                amc=amc,
            )
        )
        self.show()

    def show_problem(self, text: str) -> None:
        self.problem.setText(text)
        self.name_edit.setFocus()

    def clear(self) -> None:
        self.name_edit.clear()
        self.operator_combo.setCurrentIndex(0)
        self.problem.clear()
        self.amc = ""
        self.hide()

    def _record(self) -> None:
        if self.isVisible() and self.amc:
            self.record_requested.emit(self.amc, self.name_edit.text(), str(self.operator_combo.currentData() or ""))
