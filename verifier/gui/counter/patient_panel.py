"""The patient: find a known one as you type (name or NIR), or fill in a new one from the cards.

The insurer is chosen by AMC number or name from the directory; an AMC number typed or
scanned into that field selects the insurer. The inter-AMC card's DataMatrix is not read:
its content format is not public, so guessing at it could pick the wrong insurer.
"""

from __future__ import annotations

import re
from datetime import date
from functools import partial
from typing import Any, cast

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QStringListModel, Qt, QTimer, Signal
from PySide6.QtGui import QStandardItem, QStandardItemModel
from PySide6.QtWidgets import QAbstractItemView, QCompleter, QGridLayout, QGroupBox, QLabel, QLineEdit, QWidget

from verifier import i18n
from verifier.domain.errors import Problem, ValidationError
from verifier.domain.identifiers import (
    check_amc_number,
    check_amo_fund,
    check_member_number,
    check_nir,
    check_rank,
    parse_birth_date,
)
from verifier.formatting import format_day
from verifier.gui.counter.fields import FieldSet
from verifier.gui.tasks import Task, error_sentence, error_style, run_task
from verifier.services import patients
from verifier.services.context import Context
from verifier.services.directory import InsurerInfo
from verifier.services.patients import PatientInfo, PatientInput

i18n.register(
    {
        "counter.insurer_missing": i18n.N_(
            "Choisissez l'organisme complémentaire : son numéro AMC ou son nom, tel qu'imprimé sur l'attestation."
        ),
        "counter.insurer_ambiguous": i18n.N_(
            "Plusieurs organismes correspondent : précisez le numéro AMC ou choisissez dans la liste."
        ),
        "counter.date_format": i18n.N_("Cette date n'est pas au format JJ/MM/AAAA : saisissez par exemple 31/12/2025."),
    }
)

PATIENT_FIELDS = (
    "surname",
    "first_name",
    "birth_date",
    "rank",
    "nir",
    "amo_fund",
    "amc_number",
    "member_number",
    "card_valid_from",
    "card_valid_to",
)
SEARCH_DELAY_MS = 150
PATIENT_ID_ROLE = Qt.ItemDataRole.UserRole + 1
_DATE = re.compile(
    r"\s*([0-9]{1,2})\s*[/.\- ]\s*([0-9]{1,2})\s*[/.\- ]\s*([0-9]{4})\s*|\s*([0-9]{2})([0-9]{2})([0-9]{4})\s*"
)
_AMC_FIRST = re.compile(r"\s*([0-9]{1,10})\b")


def parse_day(text: str) -> date | None:
    """A calendar date typed dd/mm/yyyy (or ddmmyyyy); None when empty; ValidationError otherwise."""
    if not text.strip():
        return None
    match = _DATE.fullmatch(text)
    if match:
        day, month, year = (match[1], match[2], match[3]) if match[1] else (match[4], match[5], match[6])
        try:
            return date(int(year), int(month), int(day))
        except ValueError:
            pass
    raise ValidationError([Problem("counter.date_format")])


def _day_or_empty(value: date | None) -> str:
    return format_day(value) if value else ""


class PatientPanel(QGroupBox):
    """The patient part of the counter form; `changed` fires on every edit."""

    changed = Signal()
    chosen = Signal()  # a known patient was picked from the search results
    insurer_changed = Signal(object)  # the InsurerInfo the insurer field names, or None

    def __init__(self, ctx: Context, parent: QWidget | None = None) -> None:
        super().__init__(i18n.tr("Patient"), parent)
        self.ctx = ctx
        self.patient_id: str | None = None
        self.insurers: list[InsurerInfo] = []
        self.insurers_loaded = False
        self._loading = False
        self._search_task: Task | None = None
        self._search_generation = 0

        self.search_edit = QLineEdit()
        self.search_edit.setPlaceholderText(
            i18n.tr("Nom ou NIR d'un patient connu ; sinon remplissez la fiche ci-dessous")
        )
        self.search_edit.setClearButtonEnabled(True)
        self.results = QStandardItemModel(self)
        self.completer = QCompleter(self.results, self)
        self.completer.setCompletionMode(QCompleter.CompletionMode.UnfilteredPopupCompletion)
        self.completer.setWidget(self.search_edit)  # not setCompleter: results come from the service
        cast(Any, self.completer.activated)[QModelIndex].connect(self._picked)  # the index overload
        self.search_timer = QTimer(self)
        self.search_timer.setSingleShot(True)
        self.search_timer.setInterval(SEARCH_DELAY_MS)
        self.search_timer.timeout.connect(self._search)
        self.search_edit.textEdited.connect(lambda _t: self.search_timer.start())
        self.search_edit.returnPressed.connect(self._search_entered)

        self.surname_edit = QLineEdit()
        self.first_edit = QLineEdit()
        self.birth_edit = QLineEdit()
        self.birth_edit.setPlaceholderText(i18n.tr("jj/mm/aaaa"))
        self.rank_edit = QLineEdit("1")
        self.rank_edit.setMaxLength(1)
        self.nir_edit = QLineEdit()
        self.nir_edit.setPlaceholderText(i18n.tr("15 caractères, clé comprise"))
        self.fund_edit = QLineEdit()
        self.fund_edit.setPlaceholderText(i18n.tr("facultatif"))
        self.insurer_edit = QLineEdit()
        self.insurer_edit.setPlaceholderText(i18n.tr("n° AMC ou nom"))
        self.insurer_names = QStringListModel(self)
        insurer_completer = QCompleter(self.insurer_names, self)
        insurer_completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        insurer_completer.setFilterMode(Qt.MatchFlag.MatchContains)
        self.insurer_edit.setCompleter(insurer_completer)
        self.insurer_label = QLabel()
        self.insurer_label.hide()
        self.member_edit = QLineEdit()
        self.from_edit = QLineEdit()
        self.from_edit.setPlaceholderText(i18n.tr("jj/mm/aaaa"))
        self.to_edit = QLineEdit()
        self.to_edit.setPlaceholderText(i18n.tr("jj/mm/aaaa"))
        self.status = QLabel(
            i18n.tr("Nouveau patient : la fiche sera créée à la mise en file.")
        )  # who the patient is, or what the search found
        self.status.setWordWrap(True)

        grid = QGridLayout(self)
        grid.setHorizontalSpacing(8)
        grid.setVerticalSpacing(4)
        grid.setColumnStretch(1, 3)
        grid.setColumnStretch(3, 2)
        self.fields = FieldSet(self)
        search_label = QLabel(i18n.ptr("counter", "&Rechercher :"))
        search_label.setBuddy(self.search_edit)
        self.search_edit.setAccessibleName(i18n.tr("Rechercher un patient connu par son nom ou son NIR"))
        grid.addWidget(search_label, 0, 0)
        grid.addWidget(self.search_edit, 0, 1, 1, 3)
        grid.addWidget(self.status, 1, 1, 1, 3)
        f = self.fields
        f.add(
            "surname",
            i18n.ptr("counter", "&Nom :"),
            self.surname_edit,
            i18n.tr("Nom de famille du patient"),
            grid,
            2,
            0,
        )
        f.add("first_name", i18n.tr("&Prénom :"), self.first_edit, i18n.tr("Prénom du patient"), grid, 2, 2)
        f.add(
            "birth_date",
            i18n.tr("Né(e) &le :"),
            self.birth_edit,
            i18n.tr("Date de naissance, jour, mois, année (00 si inconnu)"),
            grid,
            4,
            0,
        )
        f.add(
            "rank",
            i18n.tr("Ran&g :"),
            self.rank_edit,
            i18n.tr("Rang gémellaire, 1 en l'absence de jumeaux"),
            grid,
            4,
            2,
        )
        f.add(
            "nir", i18n.tr("N&IR :"), self.nir_edit, i18n.tr("NIR, numéro de sécurité sociale avec sa clé"), grid, 6, 0
        )
        f.add(
            "amo_fund",
            i18n.tr("Caisse A&MO :"),
            self.fund_edit,
            i18n.tr("Code de l'organisme d'assurance maladie, 9 chiffres (facultatif)"),
            grid,
            6,
            2,
        )
        f.add(
            "amc_number",
            i18n.ptr("counter", "&Organisme :"),
            self.insurer_edit,
            i18n.tr("Organisme complémentaire : numéro AMC ou nom"),
            grid,
            8,
            0,
            extra=self.insurer_label,
        )
        f.add(
            "member_number",
            i18n.tr("N° d'a&dhérent :"),
            self.member_edit,
            i18n.tr("Numéro d'adhérent imprimé sur l'attestation"),
            grid,
            8,
            2,
        )
        f.add(
            "card_valid_from",
            i18n.tr("Carte valable d&u :"),
            self.from_edit,
            i18n.tr("Début de validité de l'attestation (facultatif)"),
            grid,
            10,
            0,
        )
        f.add(
            "card_valid_to",
            i18n.tr("&au :"),
            self.to_edit,
            i18n.tr("Fin de validité de l'attestation (facultatif)"),
            grid,
            10,
            2,
        )
        grid.setRowStretch(12, 1)
        order = [self.search_edit, *f.tab_order()]
        for first, second in zip(order, order[1:]):
            QWidget.setTabOrder(first, second)

        self._edits: dict[str, QLineEdit] = {
            "surname": self.surname_edit,
            "first_name": self.first_edit,
            "birth_date": self.birth_edit,
            "rank": self.rank_edit,
            "nir": self.nir_edit,
            "amo_fund": self.fund_edit,
            "amc_number": self.insurer_edit,
            "member_number": self.member_edit,
            "card_valid_from": self.from_edit,
            "card_valid_to": self.to_edit,
        }
        for name, edit in self._edits.items():
            edit.textChanged.connect(lambda _t, n=name: self._typed(n))
            edit.editingFinished.connect(lambda n=name: self._left(n))
        self.insurer_edit.textChanged.connect(lambda _t: self._show_insurer())

    # --- search ---------------------------------------------------------------------------

    def _search(self) -> None:
        text = self.search_edit.text().strip()
        self._search_generation += 1
        if len(text) < 2:
            self.results.clear()
            self.popup().hide()
            self._show_status()
            return
        generation = self._search_generation
        self._search_task = run_task(
            patients.search,
            self.ctx,
            text,
            on_done=partial(self._found, generation),
            on_failed=partial(self._search_failed, generation),
        )

    def popup(self) -> QAbstractItemView:
        popup = self.completer.popup()
        assert popup is not None
        return popup

    def _found(self, generation: int, found: list[PatientInfo]) -> None:
        if generation != self._search_generation:
            return  # a newer search is on its way: this answer is stale
        self._search_task = None
        self.results.clear()
        for p in found:
            item = QStandardItem(
                i18n.tr(
                    "{name} – né(e) le {birth} – NIR {nir}",
                    name=p.display_name,
                    birth=p.birth_date.text,
                    nir=p.masked_nir,
                )
            )
            item.setData(p, PATIENT_ID_ROLE)
            item.setEditable(False)
            self.results.appendRow(item)
        if found:
            self._show_status()
            self.completer.setCompletionPrefix("")
            if self.search_edit.hasFocus():  # never pop up over a field the user has moved on to
                self.completer.complete()
        else:
            self.popup().hide()
            self._say(i18n.tr("Aucun patient connu ne correspond : remplissez la fiche."), error=False)

    def _search_failed(self, generation: int, exc: BaseException) -> None:
        if generation != self._search_generation:
            return
        self._search_task = None
        self._say(error_sentence(exc), error=True)

    def _picked(self, index: QModelIndex | QPersistentModelIndex) -> None:
        patient = index.data(PATIENT_ID_ROLE)
        if isinstance(patient, PatientInfo):
            self.select_patient(patient)
            self.chosen.emit()

    def _search_entered(self) -> None:
        """Enter in the search box with no pick: start a new patient with what was typed."""
        if self.popup().isVisible():
            return
        text = self.search_edit.text().strip()
        if not text:
            self.surname_edit.setFocus()
            return
        compact = text.replace(" ", "").upper()
        if len(compact) >= 13 and compact[:5].isdigit():
            if not self.nir_edit.text().strip():
                self.nir_edit.setText(compact)
        elif not self.surname_edit.text().strip():
            words = text.split()
            self.surname_edit.setText(words[0].upper())
            if len(words) > 1 and not self.first_edit.text().strip():
                self.first_edit.setText(" ".join(words[1:]))
        self.search_edit.clear()
        self._show_status()
        for edit in (self.surname_edit, self.first_edit, self.birth_edit, self.nir_edit):
            if not edit.text().strip():
                edit.setFocus()
                return
        self.insurer_edit.setFocus()

    def select_patient(self, p: PatientInfo) -> None:
        """Fill the form with a known patient's record."""
        self._loading = True
        try:
            self.fields.clear()
            self.patient_id = p.id
            self.surname_edit.setText(p.surname)
            self.first_edit.setText(p.first_name)
            self.birth_edit.setText(p.birth_date.text)
            self.rank_edit.setText(str(p.rank))
            self.nir_edit.setText(p.nir)
            self.fund_edit.setText(p.amo_fund or "")
            insurer = next((i for i in self.insurers if i.id == p.insurer_id), None)
            self.insurer_edit.setText(self._insurer_text(insurer) if insurer else "")
            self.member_edit.setText(p.member_number or "")
            self.from_edit.setText(_day_or_empty(p.card_valid_from))
            self.to_edit.setText(_day_or_empty(p.card_valid_to))
            self.search_edit.clear()
            self._show_status()
        finally:
            self._loading = False
        self._show_status()
        self._show_insurer()
        self.changed.emit()

    # --- insurer --------------------------------------------------------------------------

    def set_insurers(self, insurers: list[InsurerInfo]) -> None:
        self.insurers = list(insurers)
        self.insurers_loaded = True
        self.insurer_names.setStringList([self._insurer_text(i) for i in insurers])
        if not self.insurer_edit.hasFocus():
            # A new entry matching the text typed would pop the list up (on the next turn of the
            # event loop) over the field the clerk is now typing in.
            popup = self.insurer_edit.completer().popup()
            if popup is not None:
                QTimer.singleShot(0, popup.hide)
        self._show_insurer()

    @staticmethod
    def _insurer_text(insurer: InsurerInfo) -> str:
        return f"{insurer.amc_number} – {insurer.name}"

    def resolve_insurer(self) -> tuple[InsurerInfo | None, Problem | None]:
        """The insurer the field names: an AMC number (typed, scanned or picked) or a unique name."""
        text = self.insurer_edit.text().strip()
        if not text:
            return None, Problem("counter.insurer_missing", {}, "amc_number")
        number = _AMC_FIRST.match(text)
        if number:
            amc = number[1]
            found = next((i for i in self.insurers if i.amc_number == amc), None)
            if found is None and not self.insurers_loaded:
                return None, None  # the directory is still loading: the service will check the number
            if found is None:
                return None, Problem("insurer.not_found", {"amc": amc}, "amc_number")
            return found, None
        wanted = text.casefold()
        exact = [i for i in self.insurers if i.name.casefold() == wanted]
        matches = exact or [i for i in self.insurers if wanted in i.name.casefold()]
        if len(matches) == 1:
            return matches[0], None
        if not matches:
            return None, Problem("insurer.not_found", {"amc": text}, "amc_number")
        return None, Problem("counter.insurer_ambiguous", {}, "amc_number")

    def unknown_amc(self) -> str | None:
        """The AMC number the field holds when it is well formed but not in the loaded directory."""
        insurer, problem = self.resolve_insurer()
        number = _AMC_FIRST.match(self.insurer_edit.text().strip())
        if insurer is not None or problem is None or number is None or problem.code != "insurer.not_found":
            return None
        return number[1] if check_amc_number(number[1]).value else None

    def _show_insurer(self) -> None:
        insurer, _problem = self.resolve_insurer()
        self.insurer_changed.emit(insurer)
        if insurer is not None and (
            insurer.provisional or self.insurer_edit.text().strip() != self._insurer_text(insurer)
        ):
            text = i18n.tr("{name} (n° AMC {amc})", name=insurer.name, amc=insurer.amc_number)
            if insurer.provisional:
                text += " — " + i18n.tr("organisme à confirmer")
            self.insurer_label.setText(text)
            self.insurer_label.show()
        else:
            self.insurer_label.hide()

    # --- values and problems --------------------------------------------------------------

    def amc_number(self) -> str:
        insurer, problem = self.resolve_insurer()
        if insurer is None and problem is None:  # not checked yet (directory loading): as typed
            number = _AMC_FIRST.match(self.insurer_edit.text())
            return number[1] if number else ""
        return insurer.amc_number if insurer else ""

    def patient_input(self) -> PatientInput:
        """What the form says; unreadable card dates count as empty (problems() reports them)."""

        def day(edit: QLineEdit) -> date | None:
            try:
                return parse_day(edit.text())
            except ValidationError:
                return None

        return PatientInput(
            surname=self.surname_edit.text().strip(),
            first_name=self.first_edit.text().strip(),
            birth_date=self.birth_edit.text().strip(),
            nir=self.nir_edit.text().strip(),
            rank=self.rank_edit.text().strip() or "1",
            amo_fund=self.fund_edit.text().strip(),
            amc_number=self.amc_number(),
            member_number=self.member_edit.text().strip(),
            card_valid_from=day(self.from_edit),
            card_valid_to=day(self.to_edit),
        )

    def problems(self) -> tuple[list[Problem], list[Problem]]:
        """(problems that keep the claim from being queued, warnings that do not)."""
        problems: list[Problem] = []
        data = self.patient_input()
        try:
            warnings = list(patients.validate(data).warnings)
        except ValidationError as exc:
            problems += exc.problems
            warnings = self._nir_warnings()
        for name, edit in (("card_valid_from", self.from_edit), ("card_valid_to", self.to_edit)):
            try:
                parse_day(edit.text())
            except ValidationError as exc:
                problems += [Problem(p.code, p.params, name) for p in exc.problems]
        _insurer, problem = self.resolve_insurer()
        if problem is not None:
            problems.append(problem)
        if not data.member_number:
            problems.append(Problem("claim.member_missing", {}, "member_number"))
        return problems, warnings

    def _nir_warnings(self) -> list[Problem]:
        birth = parse_birth_date(self.birth_edit.text())
        nir = check_nir(self.nir_edit.text(), birth.value)
        return [Problem(p.code, p.params, "nir") for p in nir.warnings] if nir.ok and birth.ok else []

    def _field_problems(self, name: str) -> list[Problem]:
        """The problems of one filled-in field, checked as soon as the user leaves it."""
        text = self._edits[name].text()
        if not text.strip():
            return []
        checked: list[Problem] = []
        if name == "birth_date":
            checked = list(parse_birth_date(text).problems)
        elif name == "nir":
            checked = list(check_nir(text).problems) + self._nir_warnings()
        elif name == "rank":
            checked = list(check_rank(text).problems)
        elif name == "amo_fund":
            checked = list(check_amo_fund(text).problems)
        elif name == "member_number":
            checked = list(check_member_number(text).problems)
        elif name in ("card_valid_from", "card_valid_to"):
            try:
                parse_day(text)
            except ValidationError as exc:
                checked = list(exc.problems)
        elif name == "amc_number":
            _insurer, problem = self.resolve_insurer()
            checked = [problem] if problem else []
        return [Problem(p.code, p.params, name) for p in checked]

    def _left(self, name: str) -> None:
        """Leaving a filled-in field shows its sentence; leaving an empty one is not yet a mistake."""
        if self._loading:
            return
        found = self._field_problems(name)
        errors = [p for p in found if p.code != "nir.birth_mismatch"]
        self.fields.show(errors, [name], [p for p in found if p.code == "nir.birth_mismatch"])
        if name == "birth_date" and self.nir_edit.text().strip():
            self._left("nir")

    def _typed(self, name: str) -> None:
        if self._loading:
            return
        if self.fields.fields[name].message.isVisible():  # once shown, a sentence follows the typing
            self._left(name)
        if name in ("surname", "first_name", "birth_date", "nir", "rank") and self.patient_id is not None:
            self.patient_id = None  # another identity: saving finds or creates the right record
            self._show_status()
        self.changed.emit()

    def _show_status(self) -> None:
        """Say who the patient is (new, or known)."""
        if self.patient_id is None:
            self._say(i18n.tr("Nouveau patient : la fiche sera créée à la mise en file."), error=False)
        else:
            name = f"{self.surname_edit.text().strip()} {self.first_edit.text().strip()}"
            self._say(
                i18n.tr("Patient connu : {name}. Vérifiez la carte ; la fiche sera mise à jour.", name=name),
                error=False,
            )

    def _say(self, text: str, error: bool) -> None:
        self.status.setText(text)
        self.status.setStyleSheet(error_style(self) if error else "")

    # --- state ----------------------------------------------------------------------------

    def is_empty(self) -> bool:
        return all(not e.text().strip() or (n == "rank" and e.text().strip() == "1") for n, e in self._edits.items())

    def state(self) -> dict[str, Any]:
        data: dict[str, Any] = {name: edit.text() for name, edit in self._edits.items()}
        data["patient_id"] = self.patient_id
        return data

    def restore(self, data: dict[str, Any]) -> None:
        self._loading = True
        try:
            for name, edit in self._edits.items():
                value = data.get(name)
                edit.setText(value if isinstance(value, str) else ("1" if name == "rank" else ""))
            patient_id = data.get("patient_id")
            self.patient_id = patient_id if isinstance(patient_id, str) else None
        finally:
            self._loading = False
        self._show_status()
        self._show_insurer()

    def clear(self) -> None:
        self.restore({})
        self.fields.clear()
        self.search_edit.clear()
        self._show_status()
        self.results.clear()
        self._search_generation += 1

    def focus_search(self) -> None:
        self.search_edit.setFocus(Qt.FocusReason.OtherFocusReason)


__all__ = ["PATIENT_FIELDS", "PatientPanel", "format_day", "parse_day"]
