"""The "Retours et rejets" page: import an insurer's return file (all or nothing, every
problem listed), type one answer from a letter or a portal, and work through the rejected
claims (rectify as a new version, or void with a reason)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal
from pathlib import Path

from PySide6.QtCore import QDate, QSortFilterProxyModel, Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QDialog,
    QFileDialog,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from verifier import i18n
from verifier.domain.errors import Problem, ValidationError
from verifier.domain.money import parse_amount
from verifier.domain.states import ClaimStatus
from verifier.formatting import format_count
from verifier.gui.admin.batch_models import RejectionModel
from verifier.gui.admin.common import AdminPage, FileImportArea, Form, Jobs, SentenceLabel, problems_of
from verifier.gui.admin.form_dialog import line_edit
from verifier.gui.admin.insurers import table
from verifier.gui.queue.void_dialog import VoidDialog
from verifier.services import claims, queue, returns
from verifier.services.claims import ClaimInfo, format_number
from verifier.services.context import Context
from verifier.services.returns import ImportReport, Rejection, ReturnLine

i18n.register(
    {
        "admin.returns.status.accepted": i18n.N_("acceptée"),
        "admin.returns.status.rejected": i18n.N_("rejetée (code motif obligatoire)"),
        "admin.returns.status.paid": i18n.N_("payée (montant et date)"),
        "admin.returns.number_invalid": i18n.N_("Saisissez le numéro de la demande (des chiffres)."),
    }
)

STATUSES = (ClaimStatus.ACCEPTED, ClaimStatus.REJECTED, ClaimStatus.PAID)


def _stripped(problem: Problem) -> str:
    """A service problem about the single typed answer, without its "Ligne 1 :" prefix."""
    if problem.code == "returns.line" and "problem" in problem.params:
        text = str(problem.params["problem"])
        return text[:1].upper() + text[1:]
    return problem.message()


class ReturnsPage(AdminPage):
    """Return files, typed answers and the rejection worklist; `changed` after any change."""

    changed = Signal()
    refresh_on_show = True

    def __init__(self, ctx: Context, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self.list_jobs = Jobs(self)
        self.dialog: QDialog | None = None
        self._reload = False
        self.last_report: ImportReport | None = None

        # -- return file
        file_box = QGroupBox(i18n.tr("Importer un fichier de retour"))
        area = FileImportArea(
            QVBoxLayout(file_box),
            i18n.tr(
                "Fichier CSV de l'organisme (claim_number;status;reason_code;reason_text;paid_amount;payment_date, statut accepted, rejected ou paid) ou JSON. Tout ou rien : au moindre problème, rien n'est enregistré et chaque problème est listé."
            ),
            i18n.tr("&Importer un fichier de retour…"),
            i18n.tr("Problèmes du fichier de retour"),
            self.choose_file,
        )
        self.file_button, self.file_result, self.file_details = area.button, area.result, area.details

        # -- one typed answer
        manual_box = QGroupBox(i18n.tr("Saisir une réponse (courrier, portail)"))
        self.number_edit = line_edit(12, "0000042")
        self.status_box = QComboBox()
        for status in STATUSES:
            self.status_box.addItem(i18n.say(f"admin.returns.status.{status.value}"), status.value)
        self.code_edit = line_edit(20, i18n.tr("Par exemple ADH, DROITS"))
        self.text_edit = line_edit(500)
        self.amount_edit = line_edit(20, "12,50")
        self.day_edit = QDateEdit(QDate.currentDate())
        self.day_edit.setDisplayFormat("dd/MM/yyyy")
        self.day_edit.setCalendarPopup(True)
        self.day_edit.setMaximumDate(QDate.currentDate())
        self.form = Form(self)
        f = self.form
        f.add(
            "claim_number",
            i18n.tr("N° de &demande :"),
            self.number_edit,
            i18n.tr("Numéro de la demande concernée par la réponse"),
            compact=True,
        )
        f.add(
            "status",
            i18n.tr("&Réponse :"),
            self.status_box,
            i18n.tr("Réponse de l'organisme"),
            compact=True,
        )
        f.add(
            "reason_code",
            i18n.tr("C&ode motif :"),
            self.code_edit,
            i18n.tr("Code du motif de rejet"),
            compact=True,
        )
        f.add(
            "reason_text", i18n.ptr("admin.returns.f", "&Motif :"), self.text_edit, i18n.tr("Libellé du motif de rejet")
        )
        f.add(
            "paid_amount",
            i18n.tr("Montant &payé :"),
            self.amount_edit,
            i18n.tr("Montant payé par l'organisme, en euros"),
            compact=True,
        )
        f.add(
            "payment_date",
            i18n.tr("Da&te de paiement :"),
            self.day_edit,
            i18n.tr("Date du paiement de l'organisme"),
            compact=True,
        )
        chars = self.fontMetrics().averageCharWidth()
        for edit in (self.number_edit, self.code_edit, self.amount_edit):
            edit.setMinimumWidth(chars * 16)
        self.record_button = QPushButton(i18n.tr("&Enregistrer la réponse"))
        self.record_button.clicked.connect(self.record)
        self.manual_result = SentenceLabel()
        row = QHBoxLayout()
        row.addWidget(self.record_button)
        row.addStretch(1)
        box = QVBoxLayout(manual_box)
        box.addLayout(f.layout)
        box.addLayout(row)
        box.addWidget(self.manual_result)
        box.addStretch(1)
        self.status_box.currentIndexChanged.connect(lambda _i: self._status_fields())
        for edit in (self.number_edit, self.code_edit, self.text_edit, self.amount_edit):
            edit.returnPressed.connect(self.record)

        # -- rejection worklist
        work_box = QGroupBox(i18n.tr("Rejets à traiter"))
        self.model = RejectionModel(self)
        self.proxy = QSortFilterProxyModel(self)
        self.proxy.setSourceModel(self.model)
        self.proxy.setSortRole(Qt.ItemDataRole.UserRole)
        self.view = table(self.proxy, i18n.tr("Demandes rejetées à rectifier ou annuler"), stretch=4, sort=0)
        self.rectify_button = QPushButton(i18n.tr("Recti&fier (nouvelle version)"))
        self.rectify_button.setToolTip(
            i18n.tr(
                "Crée une nouvelle version en brouillon, à corriger puis remettre en attente depuis la page Demandes ; la version rejetée reste consultable."
            )
        )
        self.rectify_button.clicked.connect(self.rectify)
        self.void_button = QPushButton(i18n.tr("Ann&uler la demande…"))
        self.void_button.clicked.connect(self.void)
        self.work_count = QLabel()
        self.status = SentenceLabel()
        row = QHBoxLayout()
        row.addWidget(self.rectify_button)
        row.addWidget(self.void_button)
        row.addStretch(1)
        box = QVBoxLayout(work_box)
        box.addLayout(row)
        box.addWidget(self.view, 1)
        box.addWidget(self.work_count)
        box.addWidget(self.status)

        left = QWidget()
        self.column = QVBoxLayout(left)
        self.column.setContentsMargins(0, 0, 0, 0)
        self.column.addWidget(file_box)
        self.column.addWidget(manual_box)
        self.column.addStretch(1)
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.setChildrenCollapsible(False)
        splitter.addWidget(left)
        splitter.addWidget(work_box)
        splitter.setStretchFactor(0, 2)
        splitter.setStretchFactor(1, 3)
        layout = QVBoxLayout(self)
        layout.addWidget(splitter, 1)

        self.view.selectionModel().selectionChanged.connect(lambda *_: self._update_buttons())
        order = [
            self.file_button,
            self.file_details,
            self.number_edit,
            self.status_box,
            self.code_edit,
            self.text_edit,
            self.amount_edit,
            self.day_edit,
            self.record_button,
            self.rectify_button,
            self.void_button,
            self.view,
        ]
        for first, second in zip(order, order[1:]):
            QWidget.setTabOrder(first, second)
        self._status_fields()
        self._update_buttons()

    # ----------------------------------------------------------------- worklist

    def refresh(self) -> None:
        if self.list_jobs.busy:
            self._reload = True
            return
        self._reload = False
        self.list_jobs.run(returns.worklist, self.ctx, on_done=self._loaded, on_failed=self._load_failed)

    def _loaded(self, rows: list[Rejection]) -> None:
        self.loaded_once = True
        current = self.selected()
        self.model.set_rows(rows)
        if current is not None:
            self.select(current.claim_id)
        if self.selected() is None and rows:  # ready for the keyboard: the first row
            self.view.selectRow(0)
        self.work_count.setText(
            i18n.ntr(
                "{count} demande rejetée à traiter.",
                "{count} demandes rejetées à traiter.",
                len(rows),
                count=format_count(len(rows)),
            )
            if rows
            else i18n.tr("Aucun rejet à traiter.")
        )
        self._update_buttons()
        if self._reload:
            self.refresh()

    def _load_failed(self, exc: BaseException) -> None:
        self.status.failed(exc)
        if self._reload:
            self.refresh()

    def selected(self) -> Rejection | None:
        rows = self.view.selectionModel().selectedRows()
        return self.model.rejection(self.proxy.mapToSource(rows[0]).row()) if rows else None

    def select(self, claim_id: str) -> None:
        for r, item in enumerate(self.model.rows()):
            if item.claim_id == claim_id:
                self.view.selectRow(self.proxy.mapFromSource(self.model.index(r, 0)).row())
                return

    def _update_buttons(self) -> None:
        idle = self.allowed and not self.jobs.busy
        chosen = self.selected() is not None
        self.rectify_button.setEnabled(idle and chosen)
        self.void_button.setEnabled(idle and chosen)
        self.file_button.setEnabled(idle)
        self.record_button.setEnabled(idle)

    def _run(
        self,
        fn: Callable[..., object],
        *args: object,
        on_done: Callable[[object], None],
        on_failed: Callable[[BaseException], None],
    ) -> None:
        """A change, one at a time; the buttons wait for its answer."""
        if self.jobs.busy:
            return

        def done(result: object) -> None:
            self._update_buttons()
            on_done(result)

        def failed(exc: BaseException) -> None:
            self._update_buttons()
            on_failed(exc)

        self.jobs.run(fn, *args, on_done=done, on_failed=failed)
        self._update_buttons()

    def _changed(self) -> None:
        self.refresh()
        self.changed.emit()

    def rectify(self) -> None:
        rejection = self.selected()
        if self.allowed and rejection is not None:  # claims.rectify does not check the role itself
            self._run(
                claims.rectify,
                self.ctx,
                rejection.claim_id,
                on_done=lambda info: self._rectified(rejection, info),  # type: ignore[arg-type]
                on_failed=self.status.failed,
            )

    def _rectified(self, old: Rejection, new: ClaimInfo) -> None:
        self.status.say(
            i18n.tr(
                "Demande n° {old} rectifiée : la version {version} porte le n° {number}, en brouillon. Corrigez-la puis mettez-la en attente depuis la page Demandes.",
                old=format_number(old.claim_number),
                version=new.version,
                number=new.number_text,
            )
        )
        self._changed()

    def void(self) -> None:
        rejection = self.selected()
        if not self.allowed or rejection is None:
            return
        dialog = VoidDialog(self.ctx, rejection.claim_id, rejection.claim_number, self)
        dialog.voided.connect(lambda info: self._voided(info))
        if self.dialog is not None:
            self.dialog.deleteLater()
        self.dialog = dialog
        dialog.open()

    def _voided(self, info: ClaimInfo) -> None:
        self.status.say(i18n.tr("Demande n° {number} annulée.", number=info.number_text))
        self._changed()

    # ----------------------------------------------------------------- return file

    def choose_file(self) -> None:
        path, _filter = QFileDialog.getOpenFileName(
            self,
            i18n.tr("Choisir le fichier de retour de l'organisme"),
            str(Path.home()),
            i18n.tr("Retours (*.csv *.txt *.json);;Tous les fichiers (*)"),
        )
        if path:
            self.import_file(Path(path))

    def import_file(self, path: Path) -> None:
        if self.jobs.busy:
            return
        self._details([])
        self.file_result.say(i18n.tr("Import de {file} en cours…", file=path.name))
        self._run(
            returns.import_file,
            self.ctx,
            path,
            on_done=lambda report: self._imported(path, report),  # type: ignore[arg-type]
            on_failed=lambda exc: self._import_failed(path, exc),
        )

    def _imported(self, path: Path, report: ImportReport) -> None:
        self.last_report = report
        self.file_result.say(i18n.tr("{file} : {summary}", file=path.name, summary=report.summary()))
        self._changed()

    def _import_failed(self, path: Path, exc: BaseException) -> None:
        problems = problems_of(exc)
        if not problems:
            self.file_result.failed(exc)
            return
        self.file_result.refuse(
            i18n.tr(
                "{file} est refusé ; rien n'a été enregistré. Corrigez ces lignes (ou demandez un fichier corrigé à l'organisme) puis importez-le à nouveau :",
                file=path.name,
            )
        )
        self._details([p.message() for p in problems])

    def _details(self, lines: list[str]) -> None:
        """The report of every problem; the box grows to hold it, and shrinks back without it."""
        self.file_details.setPlainText("\n".join(lines))
        self.file_details.setVisible(bool(lines))
        self.column.setStretch(0, 1 if lines else 0)
        self.column.setStretch(2, 0 if lines else 1)

    # ----------------------------------------------------------------- typed answer

    def _status_fields(self) -> None:
        status = str(self.status_box.currentData())
        self.code_edit.setEnabled(status == ClaimStatus.REJECTED)
        self.text_edit.setEnabled(status == ClaimStatus.REJECTED)
        self.amount_edit.setEnabled(status == ClaimStatus.PAID)
        self.day_edit.setEnabled(status == ClaimStatus.PAID)

    def typed_line(self) -> ReturnLine:
        """The answer as typed, or a ValidationError naming the fields that cannot be read."""
        problems: list[Problem] = []
        number = queue.number_in(self.number_edit.text())
        if number is None:
            problems.append(Problem("admin.returns.number_invalid", {}, "claim_number"))
        status = str(self.status_box.currentData())
        amount: Decimal | None = None
        day: date | None = None
        if status == ClaimStatus.PAID:
            try:
                amount = parse_amount(self.amount_edit.text())
            except ValidationError as exc:
                problems += [Problem(p.code, p.params, "paid_amount") for p in exc.problems]
            day = self.day_edit.date().toPython()  # type: ignore[assignment]
        if problems:
            raise ValidationError(problems)
        assert number is not None
        rejected = status == ClaimStatus.REJECTED
        code = (self.code_edit.text().strip() or None) if rejected else None
        text = (self.text_edit.text().strip() or None) if rejected else None
        return ReturnLine(number, status, code, text, amount, day)

    def record(self) -> None:
        """Record the typed answer (the service refuses it to counter staff, in a sentence)."""
        if self.jobs.busy:
            return
        try:
            line = self.typed_line()
        except ValidationError as exc:
            self.form.show(list(exc.problems))
            self.manual_result.say("")
            return
        self.form.clear()
        self.manual_result.say(i18n.tr("Enregistrement de la réponse…"))
        self._run(
            returns.record, self.ctx, line, on_done=lambda _r: self._recorded(line), on_failed=self._record_failed
        )

    def _recorded(self, line: ReturnLine) -> None:
        self.manual_result.say(
            i18n.tr(
                "Réponse enregistrée pour la demande n° {number} : {status}.",
                number=format_number(line.claim_number),
                status=i18n.say(f"claim_status.{line.status}"),
            )
        )
        for edit in (self.number_edit, self.code_edit, self.text_edit, self.amount_edit):
            edit.clear()
        self.number_edit.setFocus()
        self._changed()

    def _record_failed(self, exc: BaseException) -> None:
        problems = problems_of(exc)
        if problems:
            self.manual_result.refuse(" ".join(_stripped(p) for p in problems))
        else:
            self.manual_result.failed(exc)
        self.number_edit.setFocus()
