"""The "Réglages" page: the site's ceilings and idle lock (shared by every counter), and the
interface language of this workstation."""

from __future__ import annotations

from decimal import Decimal

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from verifier import i18n
from verifier.config import Config
from verifier.domain.errors import Problem, ValidationError
from verifier.domain.money import format_eur, parse_amount
from verifier.gui.activities import ActivitiesBox
from verifier.gui.admin.common import AdminPage, Form, SentenceLabel, problems_of
from verifier.services import settings
from verifier.services.context import Context
from verifier.services.settings import SiteSettings

i18n.register(
    {
        "admin.s.sep.auto": i18n.N_("Automatique (GS, ~, |, ^, #, @, <GS>…)"),
        "admin.s.sep.gs": i18n.N_("GS (ASCII 29, Ctrl+]) seulement"),
        "admin.s.sep.other": i18n.N_("GS ou « {char} »"),
    }
)

LANGUAGE_NAMES = {"fr": "Français", "en": "English"}


class SettingsPage(AdminPage):
    """`settings_changed` after the site settings were saved; `language_changed(lang)` after
    this workstation's language was saved."""

    settings_changed = Signal()
    language_changed = Signal(str)

    def __init__(self, ctx: Context, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self.shown = SiteSettings()

        site = QGroupBox(i18n.tr("Réglages du site (tous les postes)"))
        self.activities = ActivitiesBox()
        self.claim_edit = QLineEdit()
        self.stay_edit = QLineEdit()
        self.outstanding_edit = QLineEdit()
        self.same_day_box = QCheckBox(i18n.tr("Exiger une vérification faite le jour même de la délivrance"))
        self.reuse_spin = QSpinBox()
        self.reuse_spin.setRange(0, 90)
        self.reuse_spin.setSuffix(i18n.tr(" jours au plus"))
        self.idle_spin = QSpinBox()
        self.idle_spin.setRange(1, 120)
        self.idle_spin.setSuffix(i18n.tr(" min d'inactivité"))
        self.expiry_spin = QSpinBox()
        self.expiry_spin.setRange(0, 365)
        self.expiry_spin.setSuffix(i18n.tr(" jours avant la date"))
        self.separator_combo = QComboBox()
        for choice in settings.SCAN_SEPARATORS:
            text = (
                i18n.say(f"admin.s.sep.{choice}")
                if choice in ("auto", "gs")
                else i18n.tr("GS ou « {char} »", char=choice)
            )
            self.separator_combo.addItem(text, choice)
        self.form = Form(self)
        f = self.form
        f.add(
            "activities",
            i18n.tr("&Activités du site :"),
            self.activities,
            i18n.tr("Ce que fait le site : officine, établissement de santé, centre de santé"),
            compact=True,
        )
        f.add(
            "claim_amc_ceiling",
            i18n.tr("Plafond de part &complémentaire par demande :"),
            self.claim_edit,
            i18n.tr("Plafond de part complémentaire par demande, en euros"),
            i18n.tr("Au-delà d'un plafond, la demande ou le séjour exige l'accord d'un administrateur."),
            compact=True,
        )
        f.add(
            "stay_amc_ceiling",
            i18n.tr("Plafond de part complémentaire par séjo&ur :"),
            self.stay_edit,
            i18n.tr("Plafond de part complémentaire par séjour en établissement de santé, en euros"),
            compact=True,
        )
        f.add(
            "insurer_outstanding_ceiling",
            i18n.tr("Plafond d'encours (non payé) par &organisme :"),
            self.outstanding_edit,
            i18n.tr("Plafond d'encours par organisme, en euros : total des parts complémentaires pas encore payées"),
            compact=True,
        )
        f.add(
            "check_same_day",
            i18n.tr("Vérification des &droits :"),
            self.same_day_box,
            i18n.tr("Exiger une vérification des droits faite le jour même de la délivrance"),
            i18n.tr("Sinon, une vérification plus ancienne exige l'accord d'un administrateur."),
        )
        f.add(
            "idle_lock_minutes",
            i18n.tr("&Verrouillage après :"),
            self.idle_spin,
            i18n.tr("Verrouillage automatique du poste après inactivité, en minutes"),
            compact=True,
        )
        f.add(
            "expiry_warning_days",
            i18n.tr("Alerte &boîte proche de péremption :"),
            self.expiry_spin,
            i18n.tr("Nombre de jours avant la péremption d'une boîte où la ligne est signalée"),
            i18n.tr("Une boîte déjà périmée est toujours refusée au scan."),
            compact=True,
        )
        f.add(
            "scan_separator",
            i18n.tr("Séparateur envoyé par les lec&teurs :"),
            self.separator_combo,
            i18n.tr("Ce que les lecteurs de codes envoient pour le séparateur de groupe (GS) des DataMatrix"),
            i18n.tr(
                "« Automatique » reconnaît le GS et tout caractère qu'un lot ne peut pas contenir. Sans séparateur, un DataMatrix dont le lot ou le n° de série n'est pas en dernier est refusé."
            ),
            compact=True,
        )
        f.add(
            "check_reuse_days",
            i18n.tr("Reprise d'une vérification :"),
            self.reuse_spin,
            i18n.tr(
                "Âge maximal, en jours, d'une vérification que le comptoir propose de reprendre (F6) ; 0 pour jamais"
            ),
            compact=True,
        )
        self.save_button = QPushButton(i18n.tr("&Enregistrer les réglages"))
        self.save_button.clicked.connect(self.save)
        self.status = SentenceLabel()
        row = QHBoxLayout()
        row.addWidget(self.save_button)
        row.addStretch(1)
        box = QVBoxLayout(site)
        box.addLayout(f.layout)
        box.addLayout(row)
        box.addWidget(self.status)

        lang = QGroupBox(i18n.tr("Langue de ce poste"))
        self.language_box = QComboBox()
        for code, name in LANGUAGE_NAMES.items():
            self.language_box.addItem(name, code)
        self.language_box.setAccessibleName(i18n.tr("Langue de l'interface sur ce poste"))
        language_label = QLabel(i18n.tr("&Langue de l'interface :"))
        language_label.setBuddy(self.language_box)
        self.language_button = QPushButton(i18n.tr("A&ppliquer la langue"))
        self.language_button.clicked.connect(self.apply_language)
        note = QLabel(i18n.tr("Propre à ce poste : les autres postes gardent leur langue."))
        note.setWordWrap(True)
        self.language_status = SentenceLabel()
        row = QHBoxLayout()
        row.addWidget(language_label)
        row.addWidget(self.language_box)
        row.addWidget(self.language_button)
        row.addStretch(1)
        box = QVBoxLayout(lang)
        box.addLayout(row)
        box.addWidget(note)
        box.addWidget(self.language_status)

        layout = QVBoxLayout(self)
        layout.addWidget(site)
        layout.addWidget(lang)
        layout.addStretch(1)
        f.set_tab_order(self.save_button, self.language_box, self.language_button)
        for edit in (self.claim_edit, self.outstanding_edit):
            edit.setReadOnly(not self.allowed)
        for widget in (
            self.same_day_box,
            self.idle_spin,
            self.expiry_spin,
            self.separator_combo,
            self.reuse_spin,
            self.save_button,
            self.activities,
        ):
            widget.setEnabled(self.allowed)

    def refresh(self) -> None:
        """Show the saved settings (one row read by key: on the GUI thread) and this workstation's language."""
        try:
            self.show_settings(settings.load(self.ctx))
            if settings.tampered(self.ctx):
                self.status.refuse(
                    i18n.tr(
                        "Les réglages enregistrés ont été modifiés en dehors de verifier : les valeurs par défaut, affichées ici, s'appliquent à tous les postes. Vérifiez-les et enregistrez."
                    )
                )
        except Exception as exc:  # noqa: BLE001 - said as a sentence, logged by error_sentence
            self.status.failed(exc)
        self.language_box.setCurrentIndex(max(0, self.language_box.findData(i18n.language())))

    def show_settings(self, values: SiteSettings) -> None:
        self.shown = values  # what the page does not show (the identity retention) is saved as it was
        self.claim_edit.setText(format_eur(values.claim_amc_ceiling))
        self.stay_edit.setText(format_eur(values.stay_amc_ceiling))
        self.outstanding_edit.setText(format_eur(values.insurer_outstanding_ceiling))
        self.same_day_box.setChecked(values.check_same_day)
        self.idle_spin.setValue(values.idle_lock_minutes)
        self.expiry_spin.setValue(values.expiry_warning_days)
        self.separator_combo.setCurrentIndex(max(0, self.separator_combo.findData(values.scan_separator)))
        self.reuse_spin.setValue(values.check_reuse_days)
        self.activities.set_chosen(values.activity_set())
        self.form.clear()

    def _amount(self, field: str, edit: QLineEdit, problems: list[Problem]) -> Decimal:
        try:
            return parse_amount(edit.text())
        except ValidationError as exc:
            problems += [Problem(p.code, p.params, field) for p in exc.problems]
            return Decimal("0")

    def save(self) -> None:
        """Check the amounts as typed, then save through the service (which checks the rest)."""
        if self.jobs.busy:
            return
        problems: list[Problem] = []
        claim = self._amount("claim_amc_ceiling", self.claim_edit, problems)
        stay = self._amount("stay_amc_ceiling", self.stay_edit, problems)
        outstanding = self._amount("insurer_outstanding_ceiling", self.outstanding_edit, problems)
        if problems:
            self._refused(ValidationError(problems))
            return
        new = SiteSettings(
            claim_amc_ceiling=claim,
            stay_amc_ceiling=stay,
            insurer_outstanding_ceiling=outstanding,
            check_same_day=self.same_day_box.isChecked(),
            idle_lock_minutes=self.idle_spin.value(),
            expiry_warning_days=self.expiry_spin.value(),
            scan_separator=str(self.separator_combo.currentData()),
            check_reuse_days=self.reuse_spin.value(),
            activities=",".join(self.activities.chosen()),
            identity_retention_months=self.shown.identity_retention_months,
        )
        self.save_button.setEnabled(False)
        self.status.say(i18n.tr("Enregistrement des réglages…"))
        self.jobs.run(settings.save, self.ctx, new, on_done=self._saved, on_failed=self._refused)

    def _saved(self, values: SiteSettings) -> None:
        self.save_button.setEnabled(self.allowed)
        self.show_settings(values)
        self.status.say(i18n.tr("Réglages enregistrés ; ils s'appliquent à tous les postes."))
        self.settings_changed.emit()

    def _refused(self, exc: BaseException) -> None:
        self.save_button.setEnabled(self.allowed)
        problems = problems_of(exc)
        unplaced = self.form.show(problems)
        if not problems:
            self.status.failed(exc)
        elif unplaced:
            self.status.refuse(" ".join(p.message() for p in unplaced))
        else:
            self.status.refuse(i18n.tr("Les réglages n'ont pas été enregistrés : corrigez les champs signalés."))

    def apply_language(self) -> None:
        """Save this workstation's language, switch to it, then tell the window (last)."""
        language = str(self.language_box.currentData())
        try:
            config = Config.load()
            config.language = language
            config.save()
        except (OSError, ValueError, TypeError) as exc:
            self.language_status.refuse(
                i18n.tr("La langue n'a pas pu être enregistrée dans {path} ({error}).", path=Config.path(), error=exc)
            )
            return
        i18n.set_language(language)
        self.language_status.say("")
        self.language_changed.emit(language)
