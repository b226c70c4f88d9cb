"""The administrators' reference screens in one panel: four tabs over the admin pages."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QLabel, QTabWidget, QVBoxLayout, QWidget

from verifier import i18n
from verifier.gui.admin.drugs import DrugsPage
from verifier.gui.admin.insurers import DirectoryPage
from verifier.gui.admin.settings_page import SettingsPage
from verifier.gui.admin.users import UsersPage
from verifier.services.context import Context

i18n.register(
    {
        "admin.tab.directory": ("Organismes et opérateurs", "Insurers and operators"),
        "admin.tab.users": ("Utilisateurs", "Users"),
        "admin.tab.drugs": ("Médicaments", "Drugs"),
        "admin.tab.settings": ("Réglages", "Settings"),
        "admin.tabs_a11y": ("Écrans d'administration", "Administration screens"),
    }
)


class AdminPanel(QWidget):
    """Insurers and operators, users and roles, drug reference, settings (administrators).

    Contract with the main window:
    - `settings_changed()` after the site settings (ceilings, idle lock) were saved;
    - `language_changed(str)` with "fr" or "en" after the user picked a language (the
      shell rebuilds its widgets in that language);
    - `changed()` when directory data changed (the counter's insurer list, operators down)
      or a new drug reference was imported.

    Counter staff see the pages read-only (the services refuse them anyway); the language
    of the workstation is theirs to choose too.
    """

    settings_changed = Signal()
    language_changed = Signal(str)
    changed = Signal()

    def __init__(self, ctx: Context, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.banner = QLabel(i18n.tr("admin.counter_banner"))
        self.banner.setWordWrap(True)
        self.banner.setVisible(not ctx.actor.is_admin)
        self.directory_page = DirectoryPage(ctx)
        self.users_page = UsersPage(ctx)
        self.drugs_page = DrugsPage(ctx)
        self.settings_page = SettingsPage(ctx)
        self.tabs = QTabWidget()
        self.tabs.setAccessibleName(i18n.tr("admin.tabs_a11y"))
        self.tabs.setDocumentMode(True)
        for page, code in ((self.directory_page, "admin.tab.directory"), (self.users_page, "admin.tab.users"),
                           (self.drugs_page, "admin.tab.drugs"), (self.settings_page, "admin.tab.settings")):
            self.tabs.addTab(page, i18n.tr(code))
        layout = QVBoxLayout(self)
        layout.addWidget(self.banner)
        layout.addWidget(self.tabs, 1)
        self.directory_page.changed.connect(self.changed)
        self.drugs_page.changed.connect(self.changed)
        self.settings_page.settings_changed.connect(self.settings_changed)
        self.settings_page.language_changed.connect(self.language_changed)
        self.refresh()

    def refresh(self) -> None:
        """Read everything the pages show again (lists off the GUI thread)."""
        self.directory_page.refresh()
        self.users_page.refresh()
        self.drugs_page.refresh()
        self.settings_page.refresh()
