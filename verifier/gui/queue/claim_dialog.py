"""An opened claim: patient (full NIR), check, insurer, lines, history, versions, and actions.

Everything is read and written through the services, off the GUI thread; the buttons
offer only what the claim's status allows (correct a draft or queued claim, void it,
rectify a rejected one, print its receipt).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QModelIndex, Qt, QUrl, Signal
from PySide6.QtGui import QDesktopServices, QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from verifier import i18n, paths
from verifier.domain.errors import ValidationError
from verifier.domain.money import format_eur
from verifier.domain.states import ClaimStatus, can_rectify, can_transition, editable
from verifier.formatting import format_day, local_datetime
from verifier.gui.boxes import boxes_of, describe_boxes
from verifier.gui.queue.claim_models import HistoryModel, LinesModel, QuantityDelegate, VersionsModel
from verifier.gui.queue.model import status_text
from verifier.gui.queue.texts import guarantees_text, method_text, outcome_text, spaced_nir
from verifier.gui.queue.void_dialog import VoidDialog
from verifier.gui.tasks import Task, error_sentence, error_style, run_task
from verifier.services import claim_view, claims
from verifier.services.claim_view import ClaimDetail
from verifier.services.claims import ClaimInfo, format_number
from verifier.services.context import Context

i18n.register(
    {
        "queue.claim.title": i18n.N_("Demande n° {number}"),
        "queue.claim.heading": i18n.N_("Demande n° {number} – version {version} – {status}"),
        "queue.claim.loading": i18n.N_("Chargement de la demande…"),
        "queue.claim.patient": i18n.N_("Patient"),
        "queue.claim.check": i18n.N_("Vérification des droits"),
        "queue.claim.claim": i18n.N_("Organisme et montants"),
        "queue.claim.name": i18n.N_("Nom :"),
        "queue.claim.nir": i18n.N_("NIR :"),
        "queue.claim.birth": i18n.N_("Né(e) le :"),
        "queue.claim.rank": i18n.N_("Rang :"),
        "queue.claim.fund": i18n.N_("Caisse AMO :"),
        "queue.claim.member": i18n.N_("N° d'adhérent :"),
        "queue.claim.method": i18n.N_("Méthode :"),
        "queue.claim.reference": i18n.N_("Référence :"),
        "queue.claim.outcome": i18n.N_("Résultat :"),
        "queue.claim.guarantees": i18n.N_("Garanties :"),
        "queue.claim.checked": i18n.N_("Vérifiée par :"),
        "queue.claim.checked_value": i18n.N_("{who}, le {when}"),
        "queue.claim.operator": i18n.N_("Opérateur :"),
        "queue.claim.operator_down": i18n.N_("en panne lors de la vérification"),
        "queue.claim.operator_up": i18n.N_("disponible"),
        "queue.claim.insurer": i18n.N_("Organisme :"),
        "queue.claim.insurer_value": i18n.N_("{name} (AMC {amc})"),
        "queue.claim.dispensed": i18n.N_("Délivrée le :"),
        "queue.claim.prescriber": i18n.NP_("queue.claim", "Prescripteur (RPPS) :"),
        "queue.claim.price": i18n.N_("Montant total :"),
        "queue.claim.amo": i18n.N_("Part AMO :"),
        "queue.claim.amc": i18n.N_("Part AMC :"),
        "queue.claim.patient_share": i18n.N_("Reste patient :"),
        "queue.claim.created": i18n.N_("Créée le :"),
        "queue.claim.none": i18n.N_("—"),
        "queue.claim.rejection": i18n.N_("Rejet de l'organisme : {code} – {text}"),
        "queue.claim.override": i18n.N_("Plafond dépassé, autorisé : {reason}"),
        "queue.claim.void_reason": i18n.N_("Annulée : {reason}"),
        "queue.claim.rectified_by": i18n.N_("Une version plus récente existe : ouvrez-la dans l'onglet Versions."),
        "queue.claim.tab_lines": i18n.N_("&Lignes ({n})"),
        "queue.claim.tab_history": i18n.N_("&Historique ({n})"),
        "queue.claim.tab_versions": i18n.N_("&Versions ({n})"),
        "queue.claim.lines_a11y": i18n.NP_("queue.claim", "Lignes de la demande"),
        "queue.claim.history_a11y": i18n.N_("Historique de la demande"),
        "queue.claim.versions_a11y": i18n.N_("Versions de la demande"),
        "queue.claim.totals": i18n.N_("Total : {price} dont AMO {amo}, AMC {amc}, reste patient {patient}"),
        "queue.claim.editing": i18n.N_(
            "Correction : changez les quantités et les prix unitaires (F2 ou tapez sur la cellule), puis enregistrez."
        ),
        "queue.claim.open_version": i18n.N_("&Ouvrir cette version"),
        "queue.claim.correct": i18n.N_("&Corriger les lignes"),
        "queue.claim.save": i18n.N_("&Enregistrer la correction"),
        "queue.claim.cancel_edit": i18n.N_("A&bandonner la correction"),
        "queue.claim.void": i18n.N_("A&nnuler la demande…"),
        "queue.claim.rectify": i18n.N_("&Rectifier (nouvelle version)"),
        "queue.claim.receipt": i18n.N_("Reçu &PDF"),
        "queue.claim.close": i18n.N_("&Fermer"),
        "queue.claim.busy": i18n.N_("Enregistrement…"),
        "queue.claim.receipt_busy": i18n.N_("Préparation du reçu…"),
        "queue.claim.receipt_not_opened": i18n.N_(
            "Le reçu est prêt dans {path}, mais aucun lecteur PDF ne l'a ouvert : ouvrez ce fichier vous-même."
        ),
        "queue.claim.rectified": i18n.N_("Nouvelle version créée : corrigez-la puis mettez-la en attente."),
        "queue.claim.saved": i18n.N_("Correction enregistrée."),
        "queue.claim.voided": i18n.N_("Demande annulée."),
        "queue.claim.not_editable_tip": i18n.N_(
            "Seule une demande en brouillon ou en attente se corrige ; une demande rejetée se rectifie."
        ),
        "queue.claim.not_voidable_tip": i18n.N_(
            "Une demande exportée, acceptée, payée ou déjà annulée ne peut pas être annulée."
        ),
        "queue.claim.not_rectifiable_tip": i18n.N_("Seule la dernière version d'une demande rejetée se rectifie."),
    }
)

UrlOpener = Callable[[QUrl], bool]
# While correcting: F2, typing, double-click or a click on the selected cell edits it;
# moving with the arrows does not (keyboard users move first, then type).
EDIT_TRIGGERS = (
    QAbstractItemView.EditTrigger.DoubleClicked
    | QAbstractItemView.EditTrigger.EditKeyPressed
    | QAbstractItemView.EditTrigger.AnyKeyPressed
    | QAbstractItemView.EditTrigger.SelectedClicked
)


def problems_text(exc: BaseException) -> str:
    """The service's sentences; a line's problems say which line ("Ligne 2 : ...")."""
    if not isinstance(exc, ValidationError):
        return error_sentence(exc)
    out = []
    for p in exc.problems:
        if p.line is not None:
            out.append(i18n.tr("Ligne {line} : {message}", line=p.line, message=p.message()))
        else:
            out.append(p.message())
    return " ".join(out)


def _table(a11y: str) -> QTableView:
    table = QTableView()
    table.setAccessibleName(i18n.say(a11y))
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setTabKeyNavigation(False)
    table.setWordWrap(False)
    table.verticalHeader().hide()
    table.setAlternatingRowColors(True)
    return table


class ClaimDialog(QDialog):
    """One claim in full; `changed()` after it was corrected, voided or rectified."""

    changed = Signal()
    loaded = Signal(str)  # the id of the claim now shown

    def __init__(
        self, ctx: Context, claim_id: str, parent: QWidget | None = None, *, open_url: UrlOpener | None = None
    ) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.claim_id = claim_id
        self.detail: ClaimDetail | None = None
        self.editing = False
        self.open_url: UrlOpener = open_url or QDesktopServices.openUrl
        self.receipt_path: Path | None = None
        self._task: Task | None = None
        self.void_dialog: VoidDialog | None = None
        self._busy = True
        self.setWindowTitle(i18n.tr("Chargement de la demande…"))
        self.fields: dict[str, QLabel] = {}

        self.heading = QLabel(i18n.tr("Chargement de la demande…"))
        self.heading.setTextFormat(Qt.TextFormat.PlainText)
        font = self.heading.font()
        font.setPointSizeF(font.pointSizeF() * 1.3)
        font.setWeight(QFont.Weight.Bold)
        self.heading.setFont(font)
        self.notes = QLabel()
        # An insurer's rejection text, a reason typed by someone: shown as written, never as
        # HTML (a QLabel's automatic format would interpret "<img …>" or "<a href=…>").
        self.notes.setTextFormat(Qt.TextFormat.PlainText)
        self.notes.setWordWrap(True)
        self.notes.hide()
        boxes = QHBoxLayout()
        boxes.addWidget(self._box("queue.claim.patient", ["name", "nir", "birth", "rank", "fund", "member"]), 1)
        boxes.addWidget(
            self._box("queue.claim.check", ["method", "reference", "outcome", "guarantees", "checked", "operator"]), 1
        )
        boxes.addWidget(
            self._box(
                "queue.claim.claim",
                ["insurer", "dispensed", "prescriber", "price", "amo", "amc", "patient_share", "created"],
            ),
            1,
        )

        self.lines_model = LinesModel(self)
        self.lines = _table("queue.claim.lines_a11y")
        self.lines.setModel(self.lines_model)
        self.lines.setItemDelegate(QuantityDelegate(self.lines))
        header = self.lines.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.lines_totals = QLabel()
        # The boxes of the line under the cursor (lot, expiry, serial): reached with the arrows.
        self.box_detail = QLabel()
        self.box_detail.setObjectName("box_detail")
        self.box_detail.setWordWrap(True)
        self.box_detail.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.box_detail.hide()
        self.edit_hint = QLabel(
            i18n.tr(
                "Correction : changez les quantités et les prix unitaires (F2 ou tapez sur la cellule), puis enregistrez."
            )
        )
        self.edit_hint.setWordWrap(True)
        self.edit_hint.hide()
        lines_page = QWidget()
        lines_layout = QVBoxLayout(lines_page)
        lines_layout.addWidget(self.edit_hint)
        lines_layout.addWidget(self.lines)
        lines_layout.addWidget(self.box_detail)
        lines_layout.addWidget(self.lines_totals)

        self.history_model = HistoryModel(self)
        self.history = _table("queue.claim.history_a11y")
        self.history.setModel(self.history_model)
        self.history.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.history.horizontalHeader().setStretchLastSection(True)

        self.versions_model = VersionsModel(self)
        self.versions = _table("queue.claim.versions_a11y")
        self.versions.setModel(self.versions_model)
        self.versions.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.versions.horizontalHeader().setStretchLastSection(True)
        self.open_version_button = QPushButton(i18n.tr("&Ouvrir cette version"))
        versions_page = QWidget()
        versions_layout = QVBoxLayout(versions_page)
        versions_layout.addWidget(self.versions)
        row = QHBoxLayout()
        row.addWidget(self.open_version_button)
        row.addStretch(1)
        versions_layout.addLayout(row)

        self.tabs = QTabWidget()
        self.tabs.addTab(lines_page, "")
        self.tabs.addTab(self.history, "")
        self.tabs.addTab(versions_page, "")

        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.hide()

        self.correct_button = self._button("queue.claim.correct", self.start_correction)
        self.save_button = self._button("queue.claim.save", self.save_correction)
        self.cancel_edit_button = self._button("queue.claim.cancel_edit", self.cancel_correction)
        self.void_button = self._button("queue.claim.void", self.void_claim)
        self.rectify_button = self._button("queue.claim.rectify", self.rectify)
        self.receipt_button = self._button("queue.claim.receipt", self.open_receipt)
        self.close_button = self._button("queue.claim.close", self.reject)
        buttons = QHBoxLayout()
        for b in (
            self.correct_button,
            self.save_button,
            self.cancel_edit_button,
            self.void_button,
            self.rectify_button,
            self.receipt_button,
        ):
            buttons.addWidget(b)
        buttons.addStretch(1)
        buttons.addWidget(self.close_button)

        layout = QVBoxLayout(self)
        layout.addWidget(self.heading)
        layout.addWidget(self.notes)
        layout.addLayout(boxes)
        layout.addWidget(self.tabs, 1)
        layout.addWidget(self.message)
        layout.addLayout(buttons)

        lines_selection = self.lines.selectionModel()
        assert lines_selection is not None
        lines_selection.currentChanged.connect(lambda *_a: self._show_boxes())
        self.lines_model.modelReset.connect(self._show_boxes)
        self.lines_model.problem.connect(self._show_error)
        self.lines_model.edited.connect(self._show_totals)
        self.versions.doubleClicked.connect(self._open_version_index)
        self.versions.activated.connect(self._open_version_index)
        self.open_version_button.clicked.connect(self._open_selected_version)
        self._size_to_screen()
        self._update_buttons()
        self.load(claim_id)

    # --- building -------------------------------------------------------------------------

    def _box(self, title: str, keys: list[str]) -> QGroupBox:
        box = QGroupBox(i18n.say(title))
        form = QFormLayout(box)
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        for key in keys:
            value = QLabel()
            value.setTextFormat(Qt.TextFormat.PlainText)  # names and references as typed, never markup
            value.setWordWrap(True)
            value.setTextInteractionFlags(
                Qt.TextInteractionFlag.TextSelectableByMouse | Qt.TextInteractionFlag.TextSelectableByKeyboard
            )
            label_text = i18n.say(f"queue.claim.{key}")
            value.setAccessibleName(label_text.rstrip(" :"))
            label = QLabel(label_text)
            label.setBuddy(value)
            form.addRow(label, value)
            self.fields[key] = value
        return box

    def _button(self, key: str, slot: Callable[[], Any]) -> QPushButton:
        button = QPushButton(i18n.say(key))
        button.setAutoDefault(False)  # Enter belongs to the tables (open a version, end an edit)
        button.clicked.connect(slot)
        return button

    def _size_to_screen(self) -> None:
        fm = self.fontMetrics()
        width, height = fm.averageCharWidth() * 200, fm.height() * 50
        screen = self.screen()
        if screen is not None:
            area = screen.availableGeometry()
            width, height = min(width, int(area.width() * 0.92)), min(height, int(area.height() * 0.92))
        self.resize(width, height)

    # --- showing ----------------------------------------------------------------------------

    def load(self, claim_id: str) -> None:
        """Read the claim (off the GUI thread) and show it."""
        self.claim_id = claim_id
        self._set_busy(True)
        self._task = run_task(claim_view.detail, self.ctx, claim_id, on_done=self._show, on_failed=self._failed)

    def _show(self, d: ClaimDetail) -> None:
        self._task = None
        self.detail = d
        self.claim_id = d.claim.id
        self.editing = False
        c, p, ck, ins = d.claim, d.patient, d.check, d.insurer
        number = format_number(c.number)
        self.setWindowTitle(i18n.tr("Demande n° {number}", number=number))
        self.heading.setText(
            i18n.tr(
                "Demande n° {number} – version {version} – {status}",
                number=number,
                version=c.version,
                status=status_text(c.status),
            )
        )
        none = i18n.tr("—")
        member = ck.member_number or p.member_number
        values = {
            "name": p.display_name,
            "nir": spaced_nir(p.nir),
            "birth": p.birth_date.text,
            "rank": str(p.rank),
            "fund": p.amo_fund or none,
            "member": member or none,
            "method": method_text(ck.method),
            "reference": ck.reference or none,
            "outcome": outcome_text(ck.outcome),
            "guarantees": guarantees_text(ck.guarantees) or none,
            "checked": i18n.tr("{who}, le {when}", who=d.checked_by, when=local_datetime(ck.checked_at)),
            "operator": i18n.say("queue.claim.operator_down" if ck.operator_down else "queue.claim.operator_up"),
            "insurer": i18n.tr("{name} (AMC {amc})", name=ins.name, amc=ins.amc_number),
            "dispensed": format_day(c.dispensed_on),
            "prescriber": c.prescriber_rpps or none,
            "price": format_eur(c.price),
            "amo": format_eur(c.amo),
            "amc": format_eur(c.amc),
            "patient_share": format_eur(c.patient_share),
            "created": local_datetime(c.created_at),
        }
        for key, text in values.items():
            self.fields[key].setText(text)
        notes = []
        if d.stay is not None:
            notes.append(claim_view.stay_summary(d.stay))
        if c.prescription is not None:
            notes.append(claim_view.prescription_summary(c.prescription))
        if d.rejection_code or d.rejection_text:
            notes.append(
                i18n.tr(
                    "Rejet de l'organisme : {code} – {text}", code=d.rejection_code or none, text=d.rejection_text or ""
                )
            )
        if d.override_reason:
            notes.append(i18n.tr("Plafond dépassé, autorisé : {reason}", reason=d.override_reason))
        if c.void_reason:
            notes.append(i18n.tr("Annulée : {reason}", reason=c.void_reason))
        if not self._is_latest():
            notes.append(i18n.tr("Une version plus récente existe : ouvrez-la dans l'onglet Versions."))
        self.notes.setText("\n".join(notes))
        self.notes.setVisible(bool(notes))
        self.lines_model.set_lines(c.lines, ck.guarantees)
        self.lines_model.set_editable(False)
        self.lines.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.edit_hint.hide()
        self.history_model.set_entries(d.history)
        self.versions_model.set_versions(d.versions, c.id)
        self.tabs.setTabText(0, i18n.tr("&Lignes ({n})", n=len(c.lines)))
        self.tabs.setTabText(1, i18n.tr("&Historique ({n})", n=len(d.history)))
        self.tabs.setTabText(2, i18n.tr("&Versions ({n})", n=len(d.versions)))
        current = next(i for i, v in enumerate(d.versions) if v.id == c.id)
        self.versions.selectRow(current)
        self._show_totals()
        self._set_busy(False)
        self.loaded.emit(c.id)

    def _show_boxes(self) -> None:
        index = self.lines.currentIndex()
        if not index.isValid() or index.row() >= len(self.lines_model.drafts):
            self.box_detail.hide()
            self.lines.setAccessibleDescription("")
            return
        text = describe_boxes(index.row() + 1, boxes_of(self.lines_model.drafts[index.row()]))
        self.box_detail.setText(text)
        self.box_detail.show()
        self.lines.setAccessibleDescription(text)

    def _show_totals(self) -> None:
        totals = self.lines_model.totals()
        if totals is None:
            self.lines_totals.clear()
            return
        price, amo, amc, patient = (format_eur(v) for v in totals)
        self.lines_totals.setText(
            i18n.tr(
                "Total : {price} dont AMO {amo}, AMC {amc}, reste patient {patient}",
                price=price,
                amo=amo,
                amc=amc,
                patient=patient,
            )
        )

    def _is_latest(self) -> bool:
        return self.detail is None or self.detail.versions[-1].id == self.detail.claim.id

    def _set_busy(self, busy: bool) -> None:
        self._busy = busy
        self._update_buttons()

    def _update_buttons(self) -> None:
        d = self.detail
        idle = not self._busy and d is not None
        status = d.claim.status if d is not None else ClaimStatus.VOID
        self.correct_button.setVisible(not self.editing)
        self.save_button.setVisible(self.editing)
        self.cancel_edit_button.setVisible(self.editing)
        pharmacy = d is None or d.stay is None
        self.correct_button.setEnabled(idle and editable(status) and pharmacy)
        self.save_button.setEnabled(idle and self.editing)
        self.cancel_edit_button.setEnabled(idle and self.editing)
        self.void_button.setEnabled(idle and not self.editing and can_transition(status, ClaimStatus.VOID))
        self.rectify_button.setEnabled(idle and not self.editing and can_rectify(status) and self._is_latest())
        self.receipt_button.setEnabled(idle and not self.editing)
        self.open_version_button.setEnabled(idle and not self.editing)
        self.correct_button.setToolTip(
            i18n.tr("Les lignes d'un séjour se calculent depuis ses dates : annulez-le et saisissez-le à nouveau.")
            if not pharmacy
            else ""
            if editable(status)
            else i18n.tr("Seule une demande en brouillon ou en attente se corrige ; une demande rejetée se rectifie.")
        )
        can_void = can_transition(status, ClaimStatus.VOID)
        self.void_button.setToolTip(
            ""
            if can_void
            else i18n.tr("Une demande exportée, acceptée, payée ou déjà annulée ne peut pas être annulée.")
        )
        rectifiable = can_rectify(status) and self._is_latest()
        self.rectify_button.setToolTip(
            "" if rectifiable else i18n.tr("Seule la dernière version d'une demande rejetée se rectifie.")
        )

    def _show_error(self, sentence: str) -> None:
        self.message.setStyleSheet(error_style(self))
        self.message.setText(sentence)
        self.message.show()

    def _show_info(self, sentence: str) -> None:
        self.message.setStyleSheet("")
        self.message.setText(sentence)
        self.message.show()

    def _failed(self, exc: BaseException) -> None:
        self._task = None
        self._show_error(problems_text(exc))
        self._set_busy(False)

    # --- actions ----------------------------------------------------------------------------

    def start_correction(self) -> None:
        if self.detail is None or not editable(self.detail.claim.status):
            return
        self.editing = True
        self.lines_model.set_editable(True)
        self.edit_hint.show()
        self.message.hide()
        self.tabs.setCurrentIndex(0)
        self._update_buttons()
        self.lines.setEditTriggers(EDIT_TRIGGERS)
        self.lines.setFocus()
        self.lines.setCurrentIndex(self.lines_model.index(0, 3))

    def cancel_correction(self) -> None:
        self.message.hide()
        if self.detail is not None:
            self._show(self.detail)

    def save_correction(self) -> None:
        if self.detail is None or not self.editing or self._task is not None:
            return
        self.lines.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self._show_info(i18n.tr("Enregistrement…"))
        self._set_busy(True)
        self._task = run_task(
            claims.update_lines,
            self.ctx,
            self.claim_id,
            list(self.lines_model.drafts),
            on_done=self._saved,
            on_failed=self._save_failed,
        )

    def _saved(self, info: ClaimInfo) -> None:
        self._task = None
        self.edit_hint.hide()
        self._show_info(i18n.tr("Correction enregistrée."))
        self.changed.emit()
        self.load(info.id)

    def _save_failed(self, exc: BaseException) -> None:
        self._task = None
        self._show_error(problems_text(exc))
        self._set_busy(False)
        self.lines.setEditTriggers(EDIT_TRIGGERS)  # still correcting

    def void_claim(self) -> VoidDialog | None:
        """Ask for the reason in a small dialog (window-modal); returns it."""
        if self.detail is None:
            return None
        dialog = VoidDialog(self.ctx, self.claim_id, self.detail.claim.number, self)
        dialog.voided.connect(self._voided)
        self.void_dialog = dialog
        dialog.open()
        return dialog

    def _voided(self, info: ClaimInfo) -> None:
        self._show_info(i18n.tr("Demande annulée."))
        self.changed.emit()
        self.load(info.id)

    def rectify(self) -> None:
        if self.detail is None or self._task is not None:
            return
        self._set_busy(True)
        self._task = run_task(claims.rectify, self.ctx, self.claim_id, on_done=self._rectified, on_failed=self._failed)

    def _rectified(self, info: ClaimInfo) -> None:
        self._task = None
        self._show_info(i18n.tr("Nouvelle version créée : corrigez-la puis mettez-la en attente."))
        self.changed.emit()
        self.load(info.id)  # the new version, a draft to correct

    def open_receipt(self) -> None:
        if self.detail is None or self._task is not None:
            return
        c = self.detail.claim
        self._show_info(i18n.tr("Préparation du reçu…"))
        self._set_busy(True)
        path = paths.receipts_dir() / f"recu-{format_number(c.number)}-v{c.version}.pdf"
        self._task = run_task(
            claim_view.save_receipt, self.ctx, c.id, path, on_done=self._receipt_ready, on_failed=self._failed
        )

    def _receipt_ready(self, path: Path) -> None:
        self._task = None
        self._set_busy(False)
        self.receipt_path = path
        self.message.hide()
        if not self.open_url(QUrl.fromLocalFile(str(path))):
            self._show_error(
                i18n.tr(
                    "Le reçu est prêt dans {path}, mais aucun lecteur PDF ne l'a ouvert : ouvrez ce fichier vous-même.",
                    path=path,
                )
            )

    def open_version(self, claim_id: str) -> None:
        if claim_id != self.claim_id and self._task is None and not self.editing:
            self.message.hide()
            self.load(claim_id)

    def _open_version_index(self, index: QModelIndex) -> None:
        if index.isValid():
            self.open_version(str(self.versions_model.data(index, Qt.ItemDataRole.UserRole)))

    def _open_selected_version(self) -> None:
        self._open_version_index(self.versions.currentIndex())
