"""The set-up assistant's first page: where the data lives, this computer or a shared server.

"This computer only" keeps the encrypted SQLite file in the user's data folder. "Shared
server" takes a PostgreSQL URL (never a password: it belongs in pgpass.conf), tests it off
the GUI thread, and either goes on to create the site there (an empty database) or, if
the server holds a site already, only saves the URL in config.json and goes to sign-in
("join").
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWizard,
    QWizardPage,
)

from verifier import i18n
from verifier.config import remember_database, server_url_problems
from verifier.domain.errors import DomainError
from verifier.gui.tasks import Task, error_sentence, error_style, run_task
from verifier.location import Location
from verifier.services import auth

i18n.register(
    {
        "setup.server_empty": i18n.N_("Connexion réussie. La base est vide : l'assistant va y créer l'officine."),
        "setup.server_has_site": i18n.N_(
            "Connexion réussie. Ce serveur contient déjà une officine : « Rejoindre » enregistre l'adresse sur ce poste, puis ouvre la connexion."
        ),
        "setup.join": i18n.N_("&Rejoindre"),
    }
)

EXAMPLE_URL = "postgresql://comptoir@serveur-officine:5432/verifier"


class PlacePage(QWizardPage):
    """This computer or a shared server; `joined(Location)` when the server holds a site already."""

    joined = Signal(object)

    def __init__(self, local: Location, server_url: str = "") -> None:
        super().__init__()
        self.local = local
        self.setTitle(i18n.tr("Où garder les données ?"))
        self.setSubTitle(
            i18n.tr(
                "Un seul poste au comptoir : cet ordinateur suffit. Plusieurs postes : un serveur PostgreSQL de l'officine."
            )
        )
        self.local_radio = QRadioButton(i18n.tr("Cet ordinateur &seulement (fichier chiffré)"))
        self.server_radio = QRadioButton(i18n.tr("Serveur &partagé (PostgreSQL), pour plusieurs postes"))
        group = QButtonGroup(self)
        group.addButton(self.local_radio)
        group.addButton(self.server_radio)
        local_note = QLabel(i18n.tr("La base chiffrée sera créée ici : {where}", where=local.describe()))
        local_note.setWordWrap(True)
        local_note.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.url_edit = QLineEdit(server_url)
        self.url_edit.setPlaceholderText(EXAMPLE_URL)
        self.url_edit.setAccessibleName(i18n.tr("Adresse du serveur PostgreSQL, sans mot de passe"))
        url_label = QLabel(i18n.tr("&Adresse du serveur :"))
        url_label.setBuddy(self.url_edit)
        self.test_button = QPushButton(i18n.tr("&Tester la connexion"))
        self.test_button.clicked.connect(self.test)
        hint = QLabel(
            i18n.tr(
                "Sans mot de passe : il va dans %APPDATA%\\postgresql\\pgpass.conf (ou ~/.pgpass). Le chiffrement TLS est utilisé dès que le serveur le propose ; ajoutez ?sslmode=require pour l'exiger."
            )
        )
        hint.setWordWrap(True)
        self.result = QLabel()
        self.result.setObjectName("server_result")
        self.result.setWordWrap(True)
        bold = self.result.font()
        bold.setBold(True)  # the answer stands out from the hint above it
        self.result.setFont(bold)
        self.result.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.result.hide()

        url_row = QHBoxLayout()
        url_row.addWidget(url_label)
        url_row.addWidget(self.url_edit, 1)
        url_row.addWidget(self.test_button)
        server_box = QVBoxLayout()
        server_box.setContentsMargins(24, 0, 0, 0)
        server_box.addLayout(url_row)
        server_box.addWidget(hint)
        server_box.addWidget(self.result)
        local_box = QVBoxLayout()
        local_box.setContentsMargins(24, 0, 0, 0)
        local_box.addWidget(local_note)
        layout = QVBoxLayout(self)
        layout.addWidget(self.local_radio)
        layout.addLayout(local_box)
        layout.addSpacing(12)
        layout.addWidget(self.server_radio)
        layout.addLayout(server_box)
        layout.addStretch(1)

        self._task: Task | None = None
        self._tested: tuple[str, bool] | None = None  # (URL, holds a site) of the last good test
        self._next_after_test = False
        (self.server_radio if server_url else self.local_radio).setChecked(True)
        self.server_radio.toggled.connect(self._mode_changed)
        self.url_edit.textChanged.connect(self._url_changed)
        self._mode_changed()

    # --- state --------------------------------------------------------------------------

    @property
    def on_server(self) -> bool:
        return self.server_radio.isChecked()

    def url(self) -> str:
        return self.url_edit.text().strip()

    def location(self) -> Location:
        return Location.parse(self.url()) if self.on_server else self.local

    @property
    def busy(self) -> bool:
        return self._task is not None

    def _mode_changed(self) -> None:
        for widget in (self.url_edit, self.test_button):
            widget.setEnabled(self.on_server and not self.busy)
        self._update_next()
        if self.on_server:
            self.url_edit.setFocus()

    def _url_changed(self) -> None:
        self._tested = None
        self.result.hide()
        self._update_next()

    def _joining(self) -> bool:
        return self.on_server and self._tested is not None and self._tested == (self.url(), True)

    def _update_next(self) -> None:
        wizard = self.wizard()
        if wizard is not None:
            self.setButtonText(
                QWizard.WizardButton.NextButton, i18n.say("setup.join" if self._joining() else "setup.next")
            )

    def _say(self, text: str, error: bool) -> None:
        self.result.setText(text)
        self.result.setStyleSheet(error_style(self) if error else "")
        self.result.setVisible(bool(text))
        self.url_edit.setAccessibleDescription(text if error else "")

    # --- testing the server ---------------------------------------------------------------

    def test(self) -> bool:
        """Check the URL, then connect off the GUI thread; False if the URL itself is refused."""
        if self.busy:
            return True
        problems = server_url_problems(self.url())
        if problems:
            self._say(" ".join(p.message() for p in problems), True)
            self.url_edit.setFocus()
            return False
        self._say(i18n.tr("Connexion au serveur…"), False)
        url = self.url()
        self._task = run_task(
            auth.server_holds_site,
            Location.parse(url),
            on_done=lambda holds: self._tested_ok(url, bool(holds)),
            on_failed=self._test_failed,
        )
        self._mode_changed()
        return True

    def _tested_ok(self, url: str, holds_site: bool) -> None:
        self._task = None
        self._mode_changed()
        if url != self.url():
            return  # changed meanwhile: that answer is about another address
        self._tested = (url, holds_site)
        self._say(i18n.say("setup.server_has_site" if holds_site else "setup.server_empty"), False)
        self._update_next()
        if self._next_after_test:
            self._next_after_test = False
            if not holds_site:  # joining an existing site waits for "Rejoindre": the user reads first
                self.wizard().next()

    def _test_failed(self, exc: BaseException) -> None:
        self._task = None
        self._next_after_test = False
        self._mode_changed()
        self._say(error_sentence(exc), True)
        self.url_edit.setFocus()

    # --- leaving the page -------------------------------------------------------------------

    def validatePage(self) -> bool:
        if not self.on_server:
            return True
        if self._tested is None or self._tested[0] != self.url():
            self._next_after_test = self.test()  # goes on by itself once the server answered
            return False
        if not self._tested[1]:
            return True  # an empty database: the site is created there
        try:
            remember_database(self.url())
        except (DomainError, OSError) as exc:
            self._say(error_sentence(exc), True)
            return False
        self.joined.emit(self.location())
        return False  # the wizard closes: sign-in follows
