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
from verifier.gui.admin.common import AdminPage, Form, SentenceLabel, problems_of
from verifier.services import settings
from verifier.services.context import Context
from verifier.services.settings import SiteSettings

i18n.register(
    {
        "admin.settings_site_title": ("Réglages de l'officine (tous les postes)", "Site settings (every workstation)"),
        "admin.s.claim_ceiling": (
            "Plafond de part &complémentaire par demande :",
            "Insurer's share &ceiling per claim:",
        ),
        "admin.s.claim_ceiling_a11y": (
            "Plafond de part complémentaire par demande, en euros",
            "Insurer's share ceiling per claim, in euros",
        ),
        "admin.s.claim_ceiling_hint": (
            "Au-delà, la demande exige l'accord d'un administrateur (par exemple 300,00 €).",
            "Above it, the claim needs an administrator's approval (for example €300.00).",
        ),
        "admin.s.outstanding_ceiling": ("Plafond d'encours par &organisme :", "Outstanding ceiling per &insurer:"),
        "admin.s.outstanding_ceiling_a11y": (
            "Plafond d'encours par organisme, en euros",
            "Outstanding ceiling per insurer, in euros",
        ),
        "admin.s.outstanding_ceiling_hint": (
            "Total des parts complémentaires pas encore payées par un même organisme.",
            "Total of the insurer's shares not yet paid by one insurer.",
        ),
        "admin.s.same_day": ("Vérification des &droits :", "Rights c&heck:"),
        "admin.s.same_day_box": (
            "Exiger une vérification faite le jour même de la délivrance",
            "Require a check made on the day of dispensing",
        ),
        "admin.s.same_day_a11y": (
            "Exiger une vérification des droits faite le jour même de la délivrance",
            "Require a rights check made on the day of dispensing",
        ),
        "admin.s.same_day_hint": (
            "Sinon, une vérification plus ancienne exige l'accord d'un administrateur.",
            "Otherwise an older check needs an administrator's approval.",
        ),
        "admin.s.idle": ("&Verrouillage après :", "Loc&k after:"),
        "admin.s.idle_a11y": (
            "Verrouillage automatique du poste après inactivité, en minutes",
            "Automatic lock of an idle workstation, in minutes",
        ),
        "admin.s.reuse": ("Reprise d'une vérification :", "Reuse a check:"),
        "admin.s.reuse_a11y": (
            "Âge maximal, en jours, d'une vérification que le comptoir propose de reprendre (F6) ; 0 pour jamais",
            "Greatest age, in days, of a check the counter offers to reuse (F6); 0 for never",
        ),
        "admin.s.reuse_suffix": (" jours au plus", " days at most"),
        "admin.s.idle_suffix": (" min d'inactivité", " min idle"),
        "admin.s.expiry": ("Alerte &boîte proche de péremption :", "Near-e&xpiry warning:"),
        "admin.s.expiry_a11y": (
            "Nombre de jours avant la péremption d'une boîte où la ligne est signalée",
            "Days before a box's expiry when its line is flagged",
        ),
        "admin.s.expiry_suffix": (" jours avant la date", " days before the date"),
        "admin.s.expiry_hint": (
            "Une boîte déjà périmée est toujours refusée au scan.",
            "A box already expired is always refused at the scan.",
        ),
        "admin.s.separator": ("Séparateur envoyé par les lec&teurs :", "Separa&tor the scanners send:"),
        "admin.s.separator_a11y": (
            "Ce que les lecteurs de codes envoient pour le séparateur de groupe (GS) des DataMatrix",
            "What the barcode scanners send for the DataMatrix group separator (GS)",
        ),
        "admin.s.separator_hint": (
            "« Automatique » reconnaît le GS et tout caractère qu'un lot ne peut pas contenir. Sans "
            "séparateur, un DataMatrix dont le lot ou le n° de série n'est pas en dernier est refusé.",
            '"Automatic" takes the GS and any character a lot cannot hold. Without a separator, a '
            "DataMatrix whose lot or serial is not last is refused.",
        ),
        "admin.s.sep.auto": ("Automatique (GS, ~, |, ^, #, @, <GS>…)", "Automatic (GS, ~, |, ^, #, @, <GS>…)"),
        "admin.s.sep.gs": ("GS (ASCII 29, Ctrl+]) seulement", "GS (ASCII 29, Ctrl+]) only"),
        "admin.s.sep.other": ("GS ou « {char} »", 'GS or "{char}"'),
        "admin.s.save": ("&Enregistrer les réglages", "Sa&ve the settings"),
        "admin.s.saved": (
            "Réglages enregistrés ; ils s'appliquent à tous les postes.",
            "Settings saved; they apply to every workstation.",
        ),
        "admin.s.saving": ("Enregistrement des réglages…", "Saving the settings…"),
        "admin.s.not_fixed": (
            "Les réglages n'ont pas été enregistrés : corrigez les champs signalés.",
            "The settings were not saved: correct the fields shown.",
        ),
        "admin.language_title": ("Langue de ce poste", "Language of this workstation"),
        "admin.language": ("&Langue de l'interface :", "Interface &language:"),
        "admin.language_a11y": ("Langue de l'interface sur ce poste", "Interface language on this workstation"),
        "admin.language_apply": ("A&ppliquer la langue", "A&pply the language"),
        "admin.language_note": (
            "Propre à ce poste : les autres postes gardent leur langue.",
            "For this workstation only: other workstations keep theirs.",
        ),
        "admin.language_not_saved": (
            "La langue n'a pas pu être enregistrée dans {path} ({error}).",
            "The language could not be saved in {path} ({error}).",
        ),
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

        site = QGroupBox(i18n.tr("admin.settings_site_title"))
        self.claim_edit = QLineEdit()
        self.outstanding_edit = QLineEdit()
        self.same_day_box = QCheckBox(i18n.tr("admin.s.same_day_box"))
        self.reuse_spin = QSpinBox()
        self.reuse_spin.setRange(0, 90)
        self.reuse_spin.setSuffix(i18n.tr("admin.s.reuse_suffix"))
        self.idle_spin = QSpinBox()
        self.idle_spin.setRange(1, 120)
        self.idle_spin.setSuffix(i18n.tr("admin.s.idle_suffix"))
        self.expiry_spin = QSpinBox()
        self.expiry_spin.setRange(0, 365)
        self.expiry_spin.setSuffix(i18n.tr("admin.s.expiry_suffix"))
        self.separator_combo = QComboBox()
        for choice in settings.SCAN_SEPARATORS:
            text = (
                i18n.tr(f"admin.s.sep.{choice}")
                if choice in ("auto", "gs")
                else i18n.tr("admin.s.sep.other", char=choice)
            )
            self.separator_combo.addItem(text, choice)
        self.form = Form(self)
        f = self.form
        f.add(
            "claim_amc_ceiling",
            i18n.tr("admin.s.claim_ceiling"),
            self.claim_edit,
            i18n.tr("admin.s.claim_ceiling_a11y"),
            i18n.tr("admin.s.claim_ceiling_hint"),
            compact=True,
        )
        f.add(
            "insurer_outstanding_ceiling",
            i18n.tr("admin.s.outstanding_ceiling"),
            self.outstanding_edit,
            i18n.tr("admin.s.outstanding_ceiling_a11y"),
            i18n.tr("admin.s.outstanding_ceiling_hint"),
            compact=True,
        )
        f.add(
            "check_same_day",
            i18n.tr("admin.s.same_day"),
            self.same_day_box,
            i18n.tr("admin.s.same_day_a11y"),
            i18n.tr("admin.s.same_day_hint"),
        )
        f.add("idle_lock_minutes", i18n.tr("admin.s.idle"), self.idle_spin, i18n.tr("admin.s.idle_a11y"), compact=True)
        f.add(
            "expiry_warning_days",
            i18n.tr("admin.s.expiry"),
            self.expiry_spin,
            i18n.tr("admin.s.expiry_a11y"),
            i18n.tr("admin.s.expiry_hint"),
            compact=True,
        )
        f.add(
            "scan_separator",
            i18n.tr("admin.s.separator"),
            self.separator_combo,
            i18n.tr("admin.s.separator_a11y"),
            i18n.tr("admin.s.separator_hint"),
            compact=True,
        )
        f.add(
            "check_reuse_days", i18n.tr("admin.s.reuse"), self.reuse_spin, i18n.tr("admin.s.reuse_a11y"), compact=True
        )
        self.save_button = QPushButton(i18n.tr("admin.s.save"))
        self.save_button.clicked.connect(self.save)
        self.status = SentenceLabel()
        row = QHBoxLayout()
        row.addWidget(self.save_button)
        row.addStretch(1)
        box = QVBoxLayout(site)
        box.addLayout(f.layout)
        box.addLayout(row)
        box.addWidget(self.status)

        lang = QGroupBox(i18n.tr("admin.language_title"))
        self.language_box = QComboBox()
        for code, name in LANGUAGE_NAMES.items():
            self.language_box.addItem(name, code)
        self.language_box.setAccessibleName(i18n.tr("admin.language_a11y"))
        language_label = QLabel(i18n.tr("admin.language"))
        language_label.setBuddy(self.language_box)
        self.language_button = QPushButton(i18n.tr("admin.language_apply"))
        self.language_button.clicked.connect(self.apply_language)
        note = QLabel(i18n.tr("admin.language_note"))
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
        ):
            widget.setEnabled(self.allowed)

    def refresh(self) -> None:
        """Show the saved settings (one row read by key: on the GUI thread) and this workstation's language."""
        try:
            self.show_settings(settings.load(self.ctx))
        except Exception as exc:  # noqa: BLE001 - said as a sentence, logged by error_sentence
            self.status.failed(exc)
        self.language_box.setCurrentIndex(max(0, self.language_box.findData(i18n.language())))

    def show_settings(self, values: SiteSettings) -> None:
        self.claim_edit.setText(format_eur(values.claim_amc_ceiling))
        self.outstanding_edit.setText(format_eur(values.insurer_outstanding_ceiling))
        self.same_day_box.setChecked(values.check_same_day)
        self.idle_spin.setValue(values.idle_lock_minutes)
        self.expiry_spin.setValue(values.expiry_warning_days)
        self.separator_combo.setCurrentIndex(max(0, self.separator_combo.findData(values.scan_separator)))
        self.reuse_spin.setValue(values.check_reuse_days)
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
        outstanding = self._amount("insurer_outstanding_ceiling", self.outstanding_edit, problems)
        if problems:
            self._refused(ValidationError(problems))
            return
        new = SiteSettings(
            claim,
            outstanding,
            self.same_day_box.isChecked(),
            self.idle_spin.value(),
            self.expiry_spin.value(),
            str(self.separator_combo.currentData()),
            self.reuse_spin.value(),
        )
        self.save_button.setEnabled(False)
        self.status.say(i18n.tr("admin.s.saving"))
        self.jobs.run(settings.save, self.ctx, new, on_done=self._saved, on_failed=self._refused)

    def _saved(self, values: SiteSettings) -> None:
        self.save_button.setEnabled(self.allowed)
        self.show_settings(values)
        self.status.say(i18n.tr("admin.s.saved"))
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
            self.status.refuse(i18n.tr("admin.s.not_fixed"))

    def apply_language(self) -> None:
        """Save this workstation's language, switch to it, then tell the window (last)."""
        language = str(self.language_box.currentData())
        try:
            config = Config.load()
            config.language = language
            config.save()
        except (OSError, ValueError, TypeError) as exc:
            self.language_status.refuse(i18n.tr("admin.language_not_saved", path=Config.path(), error=exc))
            return
        i18n.set_language(language)
        self.language_status.say("")
        self.language_changed.emit(language)
