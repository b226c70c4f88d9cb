"""The administrators' screens in one panel: reference data, users, drugs and settings, and
the "when service returns" pages (batches, returns and rejections, reconciliation)."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QLabel, QTabWidget, QVBoxLayout, QWidget

from verifier import i18n
from verifier.gui.admin.batches import BatchesPage
from verifier.gui.admin.drugs import DrugsPage
from verifier.gui.admin.insurers import DirectoryPage
from verifier.gui.admin.reconciliation import ReconciliationPage
from verifier.gui.admin.returns import ReturnsPage
from verifier.gui.admin.settings_page import SettingsPage
from verifier.gui.admin.users import UsersPage
from verifier.services.context import Context

i18n.register(
    {
        "admin.tab.directory": i18n.N_("Organismes et opérateurs"),
        "admin.tab.batches": i18n.N_("Lots"),
        "admin.tab.returns": i18n.N_("Retours et rejets"),
        "admin.tab.reconciliation": i18n.N_("Rapprochement"),
        "admin.tab.users": i18n.N_("Utilisateurs"),
        "admin.tab.drugs": i18n.N_("Médicaments"),
        "admin.tab.settings": i18n.N_("Réglages"),
    }
)


class AdminPanel(QWidget):
    """Insurers and operators, batches, returns and rejections, reconciliation, users and roles,
    drug reference, settings (administrators).

    Contract with the main window:
    - `settings_changed()` after the site settings (ceilings, idle lock) were saved;
    - `language_changed(str)` with "fr" or "en" after the user picked a language (the
      shell rebuilds its widgets in that language);
    - `changed()` when directory data changed (the counter's insurer list, operators down),
      a new drug reference was imported, or claims changed (batch made, voided or sent,
      return recorded, rejection rectified or voided): the queue figures are read again.

    `show_export_for_operator(code)` opens the batches page with that operator's insurers
    selected (the shell calls it when the operator answers again).

    Counter staff see the pages read-only (the services refuse them anyway); the language
    of the workstation is theirs to choose too.
    """

    settings_changed = Signal()
    language_changed = Signal(str)
    changed = Signal()

    def __init__(self, ctx: Context, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.banner = QLabel(
            i18n.tr("Ces écrans sont réservés aux administrateurs : vous pouvez les consulter, pas les modifier.")
        )
        self.banner.setWordWrap(True)
        self.banner.setVisible(not ctx.actor.is_admin)
        self.directory_page = DirectoryPage(ctx)
        self.users_page = UsersPage(ctx)
        self.drugs_page = DrugsPage(ctx)
        self.settings_page = SettingsPage(ctx)
        self.batches_page = BatchesPage(ctx)
        self.returns_page = ReturnsPage(ctx)
        self.reconciliation_page = ReconciliationPage(ctx)
        self.tabs = QTabWidget()
        self.tabs.setAccessibleName(i18n.tr("Écrans d'administration"))
        self.tabs.setDocumentMode(True)
        for page, code in (
            (self.directory_page, "admin.tab.directory"),
            (self.batches_page, "admin.tab.batches"),
            (self.returns_page, "admin.tab.returns"),
            (self.reconciliation_page, "admin.tab.reconciliation"),
            (self.users_page, "admin.tab.users"),
            (self.drugs_page, "admin.tab.drugs"),
            (self.settings_page, "admin.tab.settings"),
        ):
            self.tabs.addTab(page, i18n.say(code))
        layout = QVBoxLayout(self)
        layout.addWidget(self.banner)
        layout.addWidget(self.tabs, 1)
        self.directory_page.changed.connect(self.changed)
        self.drugs_page.changed.connect(self.changed)
        self.settings_page.settings_changed.connect(self.settings_changed)
        self.settings_page.language_changed.connect(self.language_changed)
        self.batches_page.changed.connect(self._claims_changed)
        self.returns_page.changed.connect(self._claims_changed)
        self.refresh()

    def refresh(self) -> None:
        """Read everything the pages show again (lists off the GUI thread)."""
        self.directory_page.refresh()
        self.users_page.refresh()
        self.drugs_page.refresh()
        self.settings_page.refresh()
        self.batches_page.refresh()
        self.returns_page.refresh()
        self.reconciliation_page.refresh()

    def show_export_for_operator(self, operator_code: str) -> None:
        """Show the batches page with the insurers of `operator_code` that have queued claims selected."""
        self.tabs.setCurrentWidget(self.batches_page)
        self.batches_page.preselect_operator(operator_code)

    def _claims_changed(self) -> None:
        """Claims moved: the other "service returns" pages read again, and the shell is told."""
        sender = self.sender()
        for page in (self.batches_page, self.returns_page, self.reconciliation_page):
            if page is not sender:
                page.refresh()
        self.changed.emit()
