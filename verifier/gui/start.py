"""GUI start-up: the set-up assistant on first run, otherwise sign-in; then the main window.

Also the small pieces every window shares: running service calls off the GUI thread
(`run_task`), turning an exception into a sentence for the user (`error_sentence`), the
colour of inline error sentences, and the crash handler.
"""

from __future__ import annotations

import logging
import sys
from types import TracebackType

from PySide6.QtCore import (
    QLibraryInfo,
    QLocale,
    QObject,
    QThreadPool,
    QTranslator,
)
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget

from verifier import i18n
from verifier import log as logsetup
from verifier.config import database_location
from verifier.services import auth
from verifier.services.context import Context
from verifier.store.engine import Location

log = logging.getLogger(__name__)

i18n.register(
    {
        "gui.crash_title": ("verifier – erreur inattendue", "verifier – unexpected error"),
        "gui.crash": (
            ("Une erreur inattendue s'est produite ; la dernière action n'a peut-être pas été enregistrée. "
            "Vérifiez-la, puis continuez. Détails pour l'assistance dans le journal : {log}"),
            ("An unexpected error occurred; the last action may not have been saved. "
            "Check it, then carry on. Details for support are in the log: {log}"),
        ),
    }
)


# --- crash handler --------------------------------------------------------------------

_showing_crash = False


def excepthook(exc_type: type[BaseException], exc: BaseException, tb: TracebackType | None) -> None:
    """Log the exception and tell the user in one sentence where the details are."""
    global _showing_crash
    if issubclass(exc_type, KeyboardInterrupt):
        sys.__excepthook__(exc_type, exc, tb)
        return
    log.critical("unexpected error in the interface", exc_info=(exc_type, exc, tb))
    if _showing_crash or QApplication.instance() is None:
        return
    _showing_crash = True
    try:
        box = QMessageBox(QMessageBox.Icon.Critical, i18n.tr("gui.crash_title"),
                          i18n.tr("gui.crash", log=logsetup.log_file()), QMessageBox.StandardButton.Ok)
        box.exec()
    except Exception:
        log.exception("could not show the crash message")
    finally:
        _showing_crash = False


# --- start-up -------------------------------------------------------------------------


class Flow(QObject):
    """Which window is on screen: set-up or sign-in, then the main window, until the user quits."""

    def __init__(self, app: QApplication, location: Location) -> None:
        super().__init__()
        self.app = app
        self.location = location
        self.window: QWidget | None = None

    def start(self) -> QWidget:
        if not auth.database_exists(self.location):
            from verifier.gui.setup_wizard import SetupWizard

            wizard = SetupWizard(self.location)
            wizard.signed_in.connect(lambda ctx: self.show_main(ctx, wizard.site_page.site().name))
            wizard.rejected.connect(self.app.quit)
            return self._show(wizard)
        return self.sign_in()

    def sign_in(self) -> QWidget:
        from verifier.gui.sign_in import SignInDialog

        dialog = SignInDialog(self.location)
        dialog.signed_in.connect(self.show_main)
        dialog.rejected.connect(self.app.quit)
        return self._show(dialog)

    def show_main(self, ctx: Context, site_name: str | None = None) -> QWidget:
        from verifier.gui.main_window import MainWindow

        window = MainWindow(ctx, site_name)
        window.signed_out.connect(self.sign_in)
        window.closed.connect(self.app.quit)
        return self._show(window)

    def _show(self, widget: QWidget) -> QWidget:
        previous, self.window = self.window, widget
        widget.show()
        widget.raise_()
        widget.activateWindow()
        if previous is not None:
            previous.deleteLater()
        return widget


def _install_translations(app: QApplication) -> None:
    """Qt's own texts (context menus, standard buttons) in the user's language."""
    if i18n.language() != "fr":
        return
    QLocale.setDefault(QLocale(QLocale.Language.French, QLocale.Country.France))
    translator = QTranslator(app)
    if translator.load("qtbase_fr", QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)):
        app.installTranslator(translator)


def make_app() -> QApplication:
    existing = QApplication.instance()
    app = existing if isinstance(existing, QApplication) else QApplication(sys.argv[:1])
    app.setApplicationName("verifier")
    app.setOrganizationName("verifier")
    app.setDesktopFileName("verifier")
    hints = app.styleHints()
    # No palette or style sheet of our own: the platform's palette, light or dark, and
    # (Qt >= 6.8) its colour scheme even if something asked for another one.
    if hasattr(hints, "unsetColorScheme"):
        hints.unsetColorScheme()
    app.setQuitOnLastWindowClosed(False)  # the Flow quits: windows follow one another
    _install_translations(app)
    return app


def run(location: Location) -> int:
    logsetup.setup()
    app = make_app()
    previous_hook = sys.excepthook
    sys.excepthook = excepthook
    try:
        flow = Flow(app, location)
        flow.start()
        code = app.exec()
        QThreadPool.globalInstance().waitForDone(10_000)
        return int(code)
    finally:
        sys.excepthook = previous_hook


def main(db: str | None) -> int:
    return run(database_location(db))
