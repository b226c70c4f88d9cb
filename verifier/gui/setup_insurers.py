"""The set-up assistant's last page: the site's insurers, now or later (issue 9, point 1).

A new site starts with an empty directory. This page offers the three ways an administrator
on a first day would take: import the directory file the group or the software vendor
provides (the administrators' own CSV import, services.directory.import_insurers_csv), type
the few insurers the pharmacy sees every day (AMC number, name, operator), or skip: the
counter can still queue a claim for an insurer missing from the directory, recorded "to be
confirmed" (services.directory.record_provisional_insurer).
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtWidgets import (
    QComboBox,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QPushButton,
    QVBoxLayout,
    QWizardPage,
)

from verifier import i18n
from verifier.domain.errors import Problem
from verifier.gui.admin.common import Form, Jobs, SentenceLabel, problems_of
from verifier.gui.admin.csv_import import CsvImportBox
from verifier.services import directory
from verifier.services.context import Context
from verifier.services.directory import InsurerInfo

i18n.register({})


def insurer_line(info: InsurerInfo) -> str:
    operator = f" – {info.operator_code}" if info.operator_code else ""
    return f"{info.amc_number}  {info.name}{operator}"


class _EnterAdds(QObject):
    """Enter in the add form adds the insurer; it must not reach the wizard's Finish button."""

    def __init__(self, page: InsurersPage) -> None:
        super().__init__(page)
        self.page = page

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
        if event.type() == QEvent.Type.KeyPress and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):  # type: ignore[attr-defined]
            self.page.add_insurer()
            return True
        return False


class InsurersPage(QWizardPage):
    """Import the directory, add the main insurers, or finish; the site is created by now."""

    def __init__(self) -> None:
        super().__init__()
        self.setTitle(i18n.tr("Organismes complémentaires"))
        self.setSubTitle(
            i18n.tr(
                "Facultatif. Au comptoir, l'organisme est reconnu par son numéro AMC. Importez l'annuaire, ajoutez les organismes que vous voyez le plus souvent, ou terminez : tout se complète plus tard."
            )
        )
        self.ctx: Context | None = None
        self.jobs = Jobs(self)  # the insurer being added
        self.list_jobs = Jobs(self)  # what the directory holds
        self.csv_box = CsvImportBox(None, self)
        self.csv_box.imported.connect(lambda _report: self.refresh())

        add_box = QGroupBox(i18n.tr("Ajouter un organisme"))
        self.amc_edit = QLineEdit()
        self.amc_edit.setMaxLength(20)
        self.name_edit = QLineEdit()
        self.name_edit.setMaxLength(200)
        self.operator_combo = QComboBox()
        self.operator_combo.addItem(i18n.tr("(aucun ou inconnu)"), "")
        for code, name in directory.KNOWN_OPERATORS.items():
            self.operator_combo.addItem(name, code)
        self.form = Form(self)
        self.form.add(
            "amc_number",
            i18n.tr("N° &AMC :"),
            self.amc_edit,
            i18n.tr("Numéro AMC de l'organisme, 8 chiffres en général"),
            i18n.tr("Tel qu'imprimé sur l'attestation du patient."),
        )
        self.form.add(
            "name", i18n.ptr("setup", "&Nom :"), self.name_edit, i18n.ptr("setup", "Nom de l'organisme complémentaire")
        )
        self.form.add(
            "operator",
            i18n.tr("&Opérateur :"),
            self.operator_combo,
            i18n.ptr("setup", "Opérateur de tiers payant de l'organisme (facultatif)"),
            compact=True,
        )
        self.add_button = QPushButton(i18n.tr("A&jouter l'organisme"))
        self.add_button.setAutoDefault(False)
        self.add_button.clicked.connect(self.add_insurer)
        self.said = SentenceLabel(self)
        enter = _EnterAdds(self)
        for widget in (self.amc_edit, self.name_edit, self.operator_combo):
            widget.installEventFilter(enter)
        row = QHBoxLayout()
        row.addWidget(self.add_button)
        row.addWidget(self.said, 1)
        add_layout = QVBoxLayout(add_box)
        add_layout.addLayout(self.form.layout)
        add_layout.addLayout(row)

        self.count_label = QLabel()
        self.list = QListWidget()
        self.list.setAccessibleName(i18n.tr("Organismes de l'annuaire"))
        self.list.setMinimumHeight(self.list.fontMetrics().lineSpacing() * 3 + 8)
        later = QLabel(
            i18n.tr(
                "Plus tard : menu Administration, page Organismes. Au comptoir, un organisme absent de l'annuaire peut être saisi « à confirmer » ; la demande est mise en file normalement."
            )
        )
        later.setWordWrap(True)

        columns = QHBoxLayout()
        left = QVBoxLayout()
        left.addWidget(add_box)
        left.addWidget(self.count_label)
        left.addWidget(self.list, 1)
        columns.addLayout(left, 3)
        columns.addWidget(self.csv_box, 2)
        layout = QVBoxLayout(self)
        layout.addLayout(columns, 1)
        layout.addWidget(later)
        self.form.set_tab_order(self.operator_combo, self.add_button)
        self._show_count(0)

    def initializePage(self) -> None:
        # The set-up wizard's progress page holds the site just made (read by attribute: the
        # wizard imports this page, so importing the wizard back would be a cycle).
        progress = getattr(self.wizard(), "progress_page", None)
        result = getattr(progress, "result", None)
        self.ctx = result.context if result is not None else None
        self.csv_box.ctx = self.ctx
        self.csv_box.set_allowed(self.ctx is not None)
        self.add_button.setEnabled(self.ctx is not None)
        self.amc_edit.setFocus()
        self.refresh()

    # --- adding one insurer ------------------------------------------------------------

    def add_insurer(self) -> None:
        if self.ctx is None or self.jobs.busy:
            return
        self.add_button.setEnabled(False)
        self.jobs.run(
            directory.add_insurer,
            self.ctx,
            self.amc_edit.text().strip(),
            self.name_edit.text().strip(),
            self.operator_combo.currentData() or None,
            on_done=self._added,
            on_failed=self._refused,
        )

    def _added(self, info: InsurerInfo) -> None:
        self.add_button.setEnabled(True)
        self.form.clear()
        self.said.say(i18n.tr("{name} ({amc}) ajouté à l'annuaire.", name=info.name, amc=info.amc_number))
        self.amc_edit.clear()
        self.name_edit.clear()
        self.operator_combo.setCurrentIndex(0)
        self.amc_edit.setFocus()
        self.refresh()

    def _refused(self, exc: BaseException) -> None:
        self.add_button.setEnabled(True)
        problems: list[Problem] = problems_of(exc)
        if not problems:
            self.form.clear()
            self.said.failed(exc)
            return
        unplaced = self.form.show(problems)  # each under its field, the first one focused
        if unplaced:
            self.said.refuse(" ".join(p.message() for p in unplaced))
        else:
            self.said.say("")

    # --- what the directory holds -----------------------------------------------------------

    def refresh(self) -> None:
        if self.ctx is None:
            return
        self.list_jobs.run(directory.list_insurers, self.ctx, on_done=self._listed, on_failed=self.said.failed)

    def _listed(self, insurers: list[InsurerInfo]) -> None:
        self.list.clear()
        self.list.addItems([insurer_line(info) for info in insurers])
        self._show_count(len(insurers))

    def _show_count(self, count: int) -> None:
        if count == 0:
            self.count_label.setText(i18n.tr("L'annuaire est vide."))
        else:
            self.count_label.setText(
                i18n.ntr(
                    "L'annuaire compte {count} organisme :",
                    "L'annuaire compte {count} organismes :",
                    count,
                    count=count,
                )
            )
