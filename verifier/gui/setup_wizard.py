"""First run: the set-up assistant creates the site, its first administrator and the database.

Pages: where the data lives (this computer or a shared PostgreSQL server, see
setup_place.py; offered when no place was given), the site, the first administrator,
creating the database (off the GUI thread), the recovery code shown once, the insurers
(import the directory, add the main ones, or later: setup_insurers.py). The assistant
ends signed in: `signed_in` carries the Context. With a server that holds a site already
it ends early: the URL is saved in config.json and `joined` asks for the sign-in window.
`location_chosen(Location)` tells where the data went whenever that is not where it started.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QFont, QFontDatabase, QGuiApplication, QTextDocument
from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
    QWizard,
    QWizardPage,
)

from verifier import i18n, paths
from verifier.config import remember_database
from verifier.domain.errors import DomainError, Problem
from verifier.domain.identifiers import check_finess
from verifier.formatting import format_count
from verifier.gui.activities import ActivitiesBox
from verifier.gui.setup_insurers import InsurersPage
from verifier.gui.setup_place import PlacePage
from verifier.gui.tasks import Task, error_sentence, error_style, run_task
from verifier.location import Location
from verifier.services import auth, drugs
from verifier.services.context import Context
from verifier.services.settings import activity_problems

i18n.register(
    {
        "setup.back": i18n.N_("< &Précédent"),
        "setup.next": i18n.N_("&Suivant >"),
        "setup.finish": i18n.N_("&Terminer"),
        "setup.cancel": i18n.N_("Annuler"),
        "setup.where": i18n.N_("La base chiffrée sera créée ici : {where}"),
        "setup.where_server": i18n.N_("L'officine sera créée sur le serveur : {where}"),
        "setup.too_long": i18n.N_("Ce champ accepte {maximum} caractères au plus ; {count} ont été saisis."),
        "setup.mismatch": i18n.N_("La confirmation ne correspond pas au mot de passe. Saisissez-le à nouveau."),
        "setup.recovery_printed": i18n.N_("Code envoyé à l'imprimante. Rangez la feuille en lieu sûr."),
        "setup.recovery_print_failed": i18n.N_(
            "L'impression n'a pas abouti : vérifiez l'imprimante, ou recopiez le code à la main."
        ),
        "setup.recovery_sheet_title": i18n.N_("Code de secours verifier"),
        "setup.recovery_sheet_site": i18n.N_("Officine : {site}"),
        "setup.recovery_sheet_text": i18n.N_(
            "Ce code rouvre la base si tous les mots de passe administrateur sont perdus. Rangez cette feuille en lieu sûr, hors de l'ordinateur ; ne la photographiez pas."
        ),
    }
)

NAME_MAX, FINESS_MAX, AM_MAX, LOGIN_MAX, DISPLAY_MAX = 200, 9, 20, 64, 200


def _too_long(text: str, maximum: int, field: str) -> list[Problem]:
    if len(text) > maximum:
        return [Problem("setup.too_long", {"maximum": maximum, "count": len(text)}, field)]
    return []


class _Form:
    """A form where each input has a label buddy, an accessible name and an inline sentence."""

    def __init__(self, page: QWizardPage) -> None:
        self.page = page
        self.layout = QFormLayout()
        self.layout.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.layout.setRowWrapPolicy(QFormLayout.RowWrapPolicy.DontWrapRows)
        self.messages: dict[str, QLabel] = {}
        self.inputs: dict[str, QWidget] = {}
        self.order: list[QWidget] = []

    def add(self, field: str, label: str, widget: QWidget, a11y: str, hint: str | None = None) -> None:
        buddy = QLabel(label)
        buddy.setBuddy(widget)
        widget.setAccessibleName(a11y)
        column = QVBoxLayout()
        column.setSpacing(2)
        column.addWidget(widget)
        message = QLabel()
        message.setObjectName(f"{field}_message")
        message.setWordWrap(True)
        message.setStyleSheet(error_style(self.page))
        message.hide()
        column.addWidget(message)
        if hint:
            note = QLabel(hint)
            note.setWordWrap(True)
            column.addWidget(note)
        self.layout.addRow(buddy, column)
        self.messages[field] = message
        self.inputs[field] = widget
        self.order.append(widget)

    def set_tab_order(self) -> None:
        """Tab follows the form (call once the form is laid out on its page)."""
        for first, second in zip(self.order, self.order[1:]):
            QWidget.setTabOrder(first, second)

    def show(self, problems: list[Problem], fields: list[str] | None = None) -> None:
        """Put each problem under its field (all at once); clear the others among `fields`."""
        by_field: dict[str, list[str]] = {}
        for p in problems:
            by_field.setdefault(p.field or "", []).append(p.message())
        for field in fields if fields is not None else list(self.messages):
            text = " ".join(by_field.get(field, []))
            self.messages[field].setText(text)
            self.messages[field].setVisible(bool(text))
            self.inputs[field].setAccessibleDescription(text)

    def focus_first(self, problems: list[Problem]) -> None:
        bad = {p.field for p in problems}
        for field, widget in self.inputs.items():
            if field in bad:
                widget.setFocus()
                return


class SitePage(QWizardPage):
    def __init__(self, location: Location) -> None:
        super().__init__()
        self.setTitle(i18n.tr("Votre site : officine, établissement ou centre de santé"))
        self.setSubTitle(
            i18n.tr(
                "Ces informations figurent sur les demandes de remboursement. Seul le nom est obligatoire ; le reste peut être complété plus tard."
            )
        )
        self.name_edit = QLineEdit()
        self.finess_edit = QLineEdit()
        self.finess_edit.setPlaceholderText(i18n.tr("Facultatif"))
        self.am_edit = QLineEdit()
        self.am_edit.setPlaceholderText(i18n.tr("Facultatif"))
        self.address_edit = QPlainTextEdit()
        self.address_edit.setTabChangesFocus(True)
        self.address_edit.setPlaceholderText(i18n.tr("Facultatif"))
        self.address_edit.setFixedHeight(self.address_edit.fontMetrics().lineSpacing() * 4 + 12)
        self.form = _Form(self)
        self.form.add(
            "site_name",
            i18n.tr("&Nom du site :"),
            self.name_edit,
            i18n.tr("Nom de l'officine ou de l'établissement (obligatoire)"),
            i18n.tr("Obligatoire. Par exemple : Pharmacie du Marché, Clinique du Lac"),
        )
        self.form.add(
            "finess", i18n.tr("N° &FINESS :"), self.finess_edit, i18n.tr("Numéro FINESS, 9 caractères (facultatif)")
        )
        self.form.add(
            "am_number",
            i18n.tr("N° d'&assurance maladie :"),
            self.am_edit,
            i18n.tr("Numéro d'assurance maladie du site (facultatif)"),
        )
        self.form.add(
            "address", i18n.tr("A&dresse :"), self.address_edit, i18n.tr("Adresse postale du site (facultatif)")
        )
        self.activities = ActivitiesBox()
        self.form.add(
            "activities",
            i18n.tr("Acti&vités :"),
            self.activities,
            i18n.tr("Ce que fait le site : officine, établissement de santé, centre de santé"),
            i18n.tr("Modifiable ensuite dans Administration › Réglages."),
        )
        self.where = QLabel()
        self.where.setWordWrap(True)
        self.where.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.set_location(location)
        outer = QVBoxLayout(self)
        outer.addLayout(self.form.layout)
        outer.addStretch(1)
        outer.addWidget(self.where)
        self.form.set_tab_order()
        for edit, field in ((self.name_edit, "site_name"), (self.finess_edit, "finess"), (self.am_edit, "am_number")):
            edit.editingFinished.connect(lambda f=field, e=edit: self._left(f, e))
            edit.textChanged.connect(lambda _t, f=field: self._typed(f))

    def set_location(self, location: Location) -> None:
        code = "setup.where" if location.is_sqlite else "setup.where_server"
        self.where.setText(i18n.say(code, where=location.describe()))

    def problems(self) -> tuple[list[Problem], list[Problem]]:
        """(problems that block, warnings that do not)."""
        problems: list[Problem] = []
        warnings: list[Problem] = []
        name = self.name_edit.text().strip()
        if not name:
            problems.append(Problem("site.name_missing", {}, "site_name"))
        problems += _too_long(name, NAME_MAX, "site_name")
        finess = self.finess_edit.text().strip()
        if finess:
            checked = check_finess(finess)
            problems += [Problem(p.code, p.params, "finess") for p in checked.problems]
            warnings += [Problem(p.code, p.params, "finess") for p in checked.warnings]
        problems += _too_long(self.am_edit.text().strip(), AM_MAX, "am_number")
        problems += activity_problems(self.activities.chosen())
        return problems, warnings

    def _show(self, fields: list[str]) -> None:
        problems, warnings = self.problems()
        self.form.show(problems + warnings, fields)

    def _left(self, field: str, edit: QLineEdit) -> None:
        """Leaving a filled-in field shows its sentence (leaving an empty one is not yet a mistake)."""
        if edit.text().strip():
            self._show([field])

    def _typed(self, field: str) -> None:
        """Once a sentence is shown under a field, it follows what is typed."""
        if self.form.messages[field].isVisible():
            self._show([field])

    def validatePage(self) -> bool:
        problems, warnings = self.problems()
        self.form.show(problems + warnings)
        self.form.focus_first(problems)
        return not problems

    def site(self) -> auth.SiteInput:
        def opt(text: str) -> str | None:
            return text.strip() or None

        finess = self.finess_edit.text().strip()
        return auth.SiteInput(
            self.name_edit.text().strip(),
            check_finess(finess).value if finess else None,
            opt(self.am_edit.text()),
            opt(self.address_edit.toPlainText()),
            self.activities.chosen(),
        )


class AdminPage(QWizardPage):
    def __init__(self) -> None:
        super().__init__()
        self.setTitle(i18n.tr("Premier administrateur"))
        self.setSubTitle(
            i18n.tr(
                "Ce compte gère les utilisateurs et les organismes. Choisissez un mot de passe long : il protège les données des patients."
            )
        )
        self.setCommitPage(True)  # once the database is created there is no going back
        self.setButtonText(QWizard.WizardButton.CommitButton, i18n.tr("&Créer la base"))
        self.login_edit = QLineEdit()
        self.login_edit.setPlaceholderText(i18n.tr("par exemple : mdupont"))
        self.display_edit = QLineEdit()
        self.display_edit.setPlaceholderText(i18n.tr("par exemple : Marie Dupont"))
        self.password_edit = QLineEdit()
        self.password_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.confirm_edit = QLineEdit()
        self.confirm_edit.setEchoMode(QLineEdit.EchoMode.Password)
        minimum = auth.MIN_PASSWORD
        self.form = _Form(self)
        self.form.add(
            "login", i18n.tr("&Identifiant :"), self.login_edit, i18n.tr("Identifiant de connexion de l'administrateur")
        )
        self.form.add(
            "display_name",
            i18n.tr("Nom &affiché :"),
            self.display_edit,
            i18n.tr("Nom affiché de l'administrateur (facultatif)"),
        )
        self.form.add(
            "password",
            i18n.tr("&Mot de passe :"),
            self.password_edit,
            i18n.tr("Mot de passe, {minimum} caractères au moins", minimum=minimum),
            i18n.tr(
                "{minimum} caractères au moins. Une phrase de plusieurs mots est plus facile à retenir.",
                minimum=minimum,
            ),
        )
        self.form.add("confirm", i18n.tr("&Confirmation :"), self.confirm_edit, i18n.tr("Confirmation du mot de passe"))
        outer = QVBoxLayout(self)
        outer.addLayout(self.form.layout)
        outer.addStretch(1)
        self.form.set_tab_order()
        checks: dict[QLineEdit, Callable[[], list[Problem]]] = {
            self.login_edit: lambda: auth.login_problems(self.login_edit.text().strip()),
            self.display_edit: lambda: _too_long(self.display_edit.text().strip(), DISPLAY_MAX, "display_name"),
            self.password_edit: lambda: auth.password_problems(self.password_edit.text()),
            self.confirm_edit: self._mismatch,
        }
        fields = {
            self.login_edit: "login",
            self.display_edit: "display_name",
            self.password_edit: "password",
            self.confirm_edit: "confirm",
        }
        for edit, check in checks.items():
            field = fields[edit]
            edit.editingFinished.connect(lambda f=field, c=check, e=edit: self._left(f, c, e))
            edit.textChanged.connect(lambda _t, f=field, c=check: self._recheck(f, c))
        self.password_edit.textChanged.connect(lambda _t: self._recheck("confirm", self._mismatch))

    def _left(self, field: str, check: Callable[[], list[Problem]], edit: QLineEdit) -> None:
        """Leaving a filled-in field shows its sentence (leaving an empty one is not yet a mistake)."""
        if edit.text():
            self.form.show(check(), [field])

    def _recheck(self, field: str, check: Callable[[], list[Problem]]) -> None:
        """Once a sentence is shown under a field, it follows what is typed."""
        if self.form.messages[field].isVisible():
            self.form.show(check(), [field])

    def _mismatch(self) -> list[Problem]:
        if self.confirm_edit.text() != self.password_edit.text():
            return [Problem("setup.mismatch", {}, "confirm")]
        return []

    def problems(self) -> list[Problem]:
        return (
            auth.login_problems(self.login_edit.text().strip())
            + _too_long(self.display_edit.text().strip(), DISPLAY_MAX, "display_name")
            + auth.password_problems(self.password_edit.text())
            + self._mismatch()
        )

    def validatePage(self) -> bool:
        problems = self.problems()
        self.form.show(problems)
        self.form.focus_first(problems)
        return not problems


@dataclass
class SetupResult:
    context: Context
    recovery_code: str
    drug_count: int | None
    drug_error: str | None
    config_error: str | None = None


def create_site(
    location: Location,
    site: auth.SiteInput,
    login: str,
    display_name: str,
    password: str,
    progress: Callable[[str], None],
) -> SetupResult:
    """The work of the progress page, run off the GUI thread."""
    progress(i18n.tr("Chiffrement et création de la base…"))
    ctx, code = auth.initialise(location, site, login, display_name, password)
    progress(i18n.tr("Chargement de la base des médicaments (environ 20 000 présentations)…"))
    try:
        count = drugs.load_shipped_snapshot(ctx.store, ctx.actor.login, ctx.actor.user_id)
    except Exception as exc:  # noqa: BLE001 - the code must still be shown; the drugs can come later
        return SetupResult(ctx, code, None, error_sentence(exc))
    return SetupResult(ctx, code, count, None)


class ProgressPage(QWizardPage):
    def __init__(self) -> None:
        super().__init__()
        self.setTitle(i18n.tr("Création de la base"))
        self.setSubTitle(i18n.tr("Quelques secondes : la base est chiffrée et la liste des médicaments y est chargée."))
        self.setCommitPage(True)  # the recovery page cannot come back here
        self.setButtonText(QWizard.WizardButton.CommitButton, i18n.tr("&Suivant >"))
        self.bar = QProgressBar()
        self.bar.setRange(0, 0)
        self.bar.setTextVisible(False)
        self.bar.setAccessibleName(i18n.tr("Création de la base en cours"))
        self.step = QLabel()
        self.step.setWordWrap(True)
        self.error = QLabel()
        self.error.setWordWrap(True)
        self.error.setStyleSheet(error_style(self))
        self.error.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.error.hide()
        self.back_button = QPushButton(i18n.tr("&Revenir à la saisie"))
        self.back_button.hide()
        self.back_button.clicked.connect(lambda: self.wizard().back())
        layout = QVBoxLayout(self)
        layout.addStretch(1)
        layout.addWidget(self.step)
        layout.addWidget(self.bar)
        layout.addWidget(self.error)
        layout.addWidget(self.back_button, 0, Qt.AlignmentFlag.AlignLeft)
        layout.addStretch(2)
        self.result: SetupResult | None = None
        self.busy = False
        self._task: Task | None = None

    def initializePage(self) -> None:
        wizard = self.wizard()
        assert isinstance(wizard, SetupWizard)
        self.error.hide()
        self.back_button.hide()
        self.bar.show()
        self.step.setText(i18n.tr("Préparation…"))
        self.busy = True
        admin = wizard.admin_page
        self._task = run_task(
            create_site,
            wizard.location,
            wizard.site_page.site(),
            admin.login_edit.text().strip(),
            admin.display_edit.text().strip(),
            admin.password_edit.text(),
            on_done=self._done,
            on_failed=self._failed,
            on_progress=self.step.setText,
        )

    def _done(self, result: SetupResult) -> None:
        self.busy, self._task, self.result = False, None, result
        wizard = self.wizard()
        assert isinstance(wizard, SetupWizard)
        if wizard.location.url is not None and wizard.place_page is not None:
            try:  # so that this computer opens the server from now on
                remember_database(wizard.place_page.url())
            except (DomainError, OSError) as exc:
                result.config_error = i18n.tr(
                    "L'adresse du serveur n'a pas pu être enregistrée sur ce poste ({reason}) : indiquez-la avec VERIFIER_DATABASE_URL.",
                    reason=error_sentence(exc),
                )
        self.completeChanged.emit()
        self.wizard().next()

    def _failed(self, exc: BaseException) -> None:
        self.busy, self._task = False, None
        self.bar.hide()
        self.step.setText("")
        self.error.setText(i18n.tr("La base n'a pas été créée. {reason}", reason=error_sentence(exc)))
        self.error.show()
        self.back_button.show()
        self.back_button.setFocus()

    def isComplete(self) -> bool:
        return self.result is not None


class RecoveryPage(QWizardPage):
    def __init__(self) -> None:
        super().__init__()
        self.setTitle(i18n.tr("Code de secours"))
        self.setSubTitle(i18n.tr("La base est prête. Ce code ne sera plus jamais affiché."))
        text = QLabel(
            i18n.tr(
                "Si tous les mots de passe administrateur sont perdus, ce code est le seul moyen de rouvrir la base. Imprimez-le ou recopiez-le, puis rangez-le en lieu sûr, hors de l'ordinateur."
            )
        )
        text.setWordWrap(True)
        self.code_label = QLabel()
        font = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
        font.setPointSizeF(max(font.pointSizeF(), 10) * 1.8)
        font.setWeight(QFont.Weight.Bold)
        self.code_label.setFont(font)
        self.code_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.code_label.setTextInteractionFlags(
            Qt.TextInteractionFlag.TextSelectableByMouse | Qt.TextInteractionFlag.TextSelectableByKeyboard
        )
        self.code_label.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.code_label.setAccessibleName(i18n.tr("Code de secours"))
        self.code_label.setFrameShape(QLabel.Shape.StyledPanel)
        self.code_label.setMargin(12)
        self.drugs_label = QLabel()
        self.drugs_label.setWordWrap(True)
        # Once past this page the code is never shown again: no way back to it.
        self.setCommitPage(True)
        self.setButtonText(QWizard.WizardButton.CommitButton, i18n.tr("&Suivant >"))
        self.confirm_box = QCheckBox(i18n.tr("J'ai imprimé ou recopié ce &code"))
        self.confirm_box.toggled.connect(lambda _on: self.completeChanged.emit())
        self.print_button = QPushButton(i18n.tr("&Imprimer le code…"))
        self.print_button.clicked.connect(self.print_code)
        self.copy_button = QPushButton(i18n.tr("C&opier le code"))
        self.copy_button.clicked.connect(self.copy_code)
        self.said = QLabel()
        self.said.setWordWrap(True)
        # Tests print to a PDF file they choose; people choose a printer (or a file) here.
        self.ask_printer: Callable[[QPrinter], bool] = self._ask_printer
        self.site_name = ""
        buttons = QHBoxLayout()
        buttons.addWidget(self.print_button)
        buttons.addWidget(self.copy_button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(text)
        layout.addSpacing(8)
        layout.addWidget(self.code_label)
        layout.addLayout(buttons)
        layout.addWidget(self.said)
        layout.addSpacing(8)
        layout.addWidget(self.confirm_box)
        layout.addStretch(1)
        layout.addWidget(self.drugs_label)
        # The tick comes first: Space on arrival confirms; Tab reaches print, copy, the code.
        for first, second in (
            (self.confirm_box, self.print_button),
            (self.print_button, self.copy_button),
            (self.copy_button, self.code_label),
        ):
            QWidget.setTabOrder(first, second)

    def _ask_printer(self, printer: QPrinter) -> bool:
        dialog = QPrintDialog(printer, self)
        return dialog.exec() == QDialog.DialogCode.Accepted.value

    def sheet(self) -> QTextDocument:
        """The printed page: title, site, the code in large type, what it is for."""
        doc = QTextDocument()
        esc = html.escape
        site = f"<p>{esc(i18n.say('setup.recovery_sheet_site', site=self.site_name))}</p>" if self.site_name else ""
        doc.setHtml(
            f"<h2>{esc(i18n.say('setup.recovery_sheet_title'))}</h2>{site}"
            f"<p style='font-family: monospace; font-size: 20pt; font-weight: bold'>{esc(self.code_label.text())}</p>"
            f"<p>{esc(i18n.say('setup.recovery_sheet_text'))}</p>"
        )
        return doc

    def print_code(self) -> None:
        """Print the code on paper (the system's print dialog); nothing is written to disk
        unless the user picks "print to file" there."""
        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        if not self.ask_printer(printer):
            return
        self.sheet().print_(printer)
        ok = printer.printerState() != QPrinter.PrinterState.Error
        self.said.setText(i18n.say("setup.recovery_printed" if ok else "setup.recovery_print_failed"))
        self.said.setStyleSheet("" if ok else error_style(self))
        self.confirm_box.setFocus()

    def copy_code(self) -> None:
        clipboard = QGuiApplication.clipboard()
        clipboard.setText(self.code_label.text())
        self.said.setText(
            i18n.tr(
                "Code copié : collez-le dans votre coffre-fort de mots de passe. Le presse-papiers sera vidé à la fin."
            )
        )
        self.said.setStyleSheet("")
        self.confirm_box.setFocus()

    def forget_clipboard(self) -> None:
        """Clear the clipboard if it still holds the code (when the assistant ends)."""
        code = self.code_label.text()
        clipboard = QGuiApplication.clipboard()
        if code and clipboard.text() == code:
            clipboard.clear()

    def initializePage(self) -> None:
        wizard = self.wizard()
        assert isinstance(wizard, SetupWizard)
        result = wizard.progress_page.result
        assert result is not None
        self.code_label.setText(result.recovery_code)
        self.site_name = wizard.site_page.name_edit.text().strip()
        if result.drug_count is not None:
            self.drugs_label.setText(
                i18n.tr("Base des médicaments : {count} présentations chargées.", count=format_count(result.drug_count))
            )
            self.drugs_label.setStyleSheet("")
        else:
            self.drugs_label.setText(
                i18n.tr(
                    "La base des médicaments n'a pas pu être chargée ({reason}). Un administrateur pourra l'importer ensuite.",
                    reason=result.drug_error,
                )
            )
            self.drugs_label.setStyleSheet(error_style(self))
        if result.config_error:
            self.drugs_label.setText(f"{self.drugs_label.text()}\n{result.config_error}")
            self.drugs_label.setStyleSheet(error_style(self))
        self.confirm_box.setFocus()
        # QWizard focuses its own button once the page is shown: take the focus back then.
        QTimer.singleShot(0, self.confirm_box, lambda: self.confirm_box.setFocus())

    def isComplete(self) -> bool:
        return self.confirm_box.isChecked()


class SetupWizard(QWizard):
    """The first-run assistant; `signed_in` gives the administrator's Context at the end."""

    signed_in = Signal(object)
    location_chosen = Signal(object)
    joined = Signal()

    def __init__(self, location: Location, parent: QWidget | None = None, choose_place: bool | None = None) -> None:
        """`choose_place`: offer "this computer or a shared server" first; by default only when
        `location` is the default one (no --db, VERIFIER_DATABASE_URL or config.json)."""
        super().__init__(parent)
        self.location = location
        self.initial_location = location
        self.context: Context | None = None
        self.setWindowTitle(i18n.tr("verifier – première mise en service"))
        self.setWizardStyle(QWizard.WizardStyle.ModernStyle)
        self.setOption(QWizard.WizardOption.NoBackButtonOnStartPage, True)
        for button, code in (
            (QWizard.WizardButton.BackButton, "setup.back"),
            (QWizard.WizardButton.NextButton, "setup.next"),
            (QWizard.WizardButton.CommitButton, "setup.next"),
            (QWizard.WizardButton.FinishButton, "setup.finish"),
            (QWizard.WizardButton.CancelButton, "setup.cancel"),
        ):
            self.setButtonText(button, i18n.say(code))
        if choose_place is None:
            choose_place = location.sqlite_path == paths.default_database()
        self.place_page: PlacePage | None = None
        if choose_place:
            self.place_page = PlacePage(
                location if location.is_sqlite else Location(sqlite_path=paths.default_database())
            )
            self.place_page.joined.connect(self._join)
            self.addPage(self.place_page)
        self.site_page = SitePage(location)
        self.admin_page = AdminPage()
        self.progress_page = ProgressPage()
        self.recovery_page = RecoveryPage()
        self.insurers_page = InsurersPage()
        for page in (self.site_page, self.admin_page, self.progress_page, self.recovery_page, self.insurers_page):
            self.addPage(page)
        self.currentIdChanged.connect(self._page_changed)
        self.setMinimumSize(720, 560)

    def _page_changed(self, _id: int) -> None:
        created = self.currentPage() in (self.recovery_page, self.insurers_page)
        self.setOption(QWizard.WizardOption.NoCancelButton, created)  # the site exists: nothing to cancel
        if self.currentPage() is self.site_page and self.place_page is not None:
            self.location = self.place_page.location()  # where the site will be created
            self.site_page.set_location(self.location)

    def _join(self, location: Location) -> None:
        """The server holds a site already and its URL is saved: sign-in comes next."""
        self.location = location
        self.location_chosen.emit(location)
        # Once the page's validatePage (which asked for this) has returned: closing from
        # inside it would validate the page again.
        QTimer.singleShot(0, self._joined)

    def _joined(self) -> None:
        QDialog.done(self, QDialog.DialogCode.Accepted.value)
        self.joined.emit()

    def accept(self) -> None:
        result = self.progress_page.result
        if result is None or not self.recovery_page.confirm_box.isChecked():
            return
        self.context = result.context
        self.recovery_page.forget_clipboard()
        super().accept()
        if self.location != self.initial_location:
            self.location_chosen.emit(self.location)
        self.signed_in.emit(self.context)

    def reject(self) -> None:
        """Cancel is refused while the database is being created and once it exists."""
        if self.progress_page.busy:
            return
        if self.progress_page.result is not None:
            if self.recovery_page.confirm_box.isChecked():
                self.accept()
            return
        super().reject()
