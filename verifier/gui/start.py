"""GUI start-up: the set-up assistant on first run, otherwise sign-in; then the main window.

Also the crash handler: an exception nobody caught (in a slot, an event handler, a thread)
is logged and the user gets one sentence saying where the log is, never a traceback.

The sign-in window is the first thing on screen, so this module and sign_in.py import no
service at start-up: whether a database exists is asked off the GUI thread while the
sign-in window is already shown (on first run the window then gives way to the set-up
assistant), and the main window is imported once signed in.
"""

from __future__ import annotations

import gc
import logging
import os
import sys
import threading
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QSize, QThreadPool, QTimer, Signal
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget

from verifier import i18n, paths
from verifier import log as logsetup
from verifier.gui.qt_language import apply_qt_language
from verifier.gui.tasks import Task, error_sentence, run_task

if TYPE_CHECKING:
    from verifier.location import Location
    from verifier.services.context import Context

log = logging.getLogger(__name__)


# --- crash handler --------------------------------------------------------------------

_showing_crash = False


class _CrashNotifier(QObject):
    """Brings an error from another thread to the GUI thread, where the message can be shown."""

    crashed = Signal()


_notifier: _CrashNotifier | None = None


def _show_crash_message() -> None:
    global _showing_crash
    if _showing_crash or QApplication.instance() is None:
        return  # one message at a time: a second error while it is open is only logged
    _showing_crash = True
    try:
        box = QMessageBox(
            QMessageBox.Icon.Critical,
            i18n.tr("verifier – erreur inattendue"),
            i18n.tr(
                "Une erreur inattendue s'est produite ; la dernière action n'a peut-être pas été enregistrée. Vérifiez-la, puis continuez. Détails pour l'assistance dans le journal : {log}",
                log=logsetup.log_file(),
            ),
            QMessageBox.StandardButton.Ok,
        )
        box.exec()
    except Exception:
        log.exception("could not show the crash message")
    finally:
        _showing_crash = False


def excepthook(exc_type: type[BaseException], exc: BaseException, tb: TracebackType | None) -> None:
    """Log the exception and tell the user in one sentence where the details are.

    PySide calls sys.excepthook for exceptions raised in slots and in overridden event
    handlers, so this covers them; the service that was running had its own transaction,
    which was rolled back, so nothing half-done is stored.
    """
    if issubclass(exc_type, KeyboardInterrupt):
        sys.__excepthook__(exc_type, exc, tb)
        return
    log.critical("unexpected error in the interface", exc_info=(exc_type, exc, tb))
    app = QApplication.instance()
    if app is None:
        return
    if threading.current_thread() is threading.main_thread():  # the GUI thread
        _show_crash_message()
    elif _notifier is not None:  # never build a widget off the GUI thread
        _notifier.crashed.emit()


def _thread_excepthook(args: threading.ExceptHookArgs) -> None:
    if args.exc_value is not None:
        excepthook(args.exc_type, args.exc_value, args.exc_traceback)


def install_crash_handler() -> None:
    """Route uncaught exceptions (GUI thread, slots, threads) to `excepthook`."""
    global _notifier
    if _notifier is None and QApplication.instance() is not None:
        _notifier = _CrashNotifier()
        _notifier.crashed.connect(_show_crash_message)
    sys.excepthook = excepthook
    threading.excepthook = _thread_excepthook


# --- garbage collection on the GUI thread ----------------------------------------------


class GarbageCollector(QObject):
    """Python's cyclic garbage collection, run only on the GUI thread (qutebrowser's lesson).

    Left automatic, a collection starts in whichever thread allocates at the wrong moment,
    often a worker of `run_task`; if it frees a Qt object caught in a reference cycle
    (a widget whose slot refers back to it), Qt destroys that object off the GUI thread and
    the process crashes. So automatic collection is off and a timer collects, generation
    by generation, with Python's own thresholds.
    """

    def __init__(self, parent: QObject | None = None, interval_ms: int = 1_000) -> None:
        super().__init__(parent)
        self.threshold = gc.get_threshold()
        gc.disable()
        self.timer = QTimer(self)
        self.timer.setInterval(interval_ms)
        self.timer.timeout.connect(self.collect)
        self.timer.start()

    def collect(self) -> None:
        gen0, gen1, gen2 = gc.get_count()
        if gen0 > self.threshold[0]:
            gc.collect(0)
            if gen1 > self.threshold[1]:
                gc.collect(1)
                if gen2 > self.threshold[2]:
                    gc.collect(2)

    def stop(self) -> None:
        self.timer.stop()
        gc.enable()


# --- start-up -------------------------------------------------------------------------


class Flow(QObject):
    """Which window is on screen: set-up or sign-in, then the main window, until the user quits."""

    def __init__(self, app: QApplication, location: Location) -> None:
        super().__init__()
        self.app = app
        self.location = location
        self.window: QWidget | None = None
        self._check: Task | None = None

    def start(self) -> QWidget:
        """Show the sign-in window at once; ask off the GUI thread whether there is a database.

        With none (first run), the set-up assistant replaces the sign-in window.
        """
        dialog = self.sign_in()
        self._check = run_task(_database_exists, self.location, on_done=self._checked, on_failed=self._check_failed)
        return dialog

    def _checked(self, exists: bool) -> None:
        self._check = None
        from verifier.gui.sign_in import SignInDialog

        if not exists and isinstance(self.window, SignInDialog) and not self.window.busy:
            self.setup()

    def _check_failed(self, exc: BaseException) -> None:
        self._check = None  # e.g. the database server does not answer: say so under the fields
        from verifier.gui.sign_in import SignInDialog

        if isinstance(self.window, SignInDialog):
            self.window.say(error_sentence(exc), error=True)

    def setup(self) -> QWidget:
        from verifier.gui.setup_wizard import SetupWizard

        wizard = SetupWizard(self.location)
        wizard.location_chosen.connect(self._use_location)  # a shared server: sign-out comes back to it
        wizard.joined.connect(self.sign_in)  # the server held a site already
        wizard.signed_in.connect(lambda ctx: self.show_main(ctx, wizard.site_page.site().name))
        wizard.rejected.connect(self.app.quit)
        return self._show(wizard)

    def _use_location(self, location: Location) -> None:
        self.location = location

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
            previous.hide()
            previous.deleteLater()
        return widget


def _database_exists(location: Location) -> bool:
    from verifier.services import auth

    return auth.database_exists(location)


ICON_SIZES = (16, 32, 48, 64, 128, 256)
# The desktop entry's id (packaging/linux): Wayland compositors match windows to it by name.
DESKTOP_ID = "fr.verifier.Verifier"


def app_icon() -> QIcon:
    """The shield icon at each rendered size, from the package data (works frozen too).

    The folder is the one importlib.resources would give for `verifier.resources` (a plain
    package on disk in a wheel and in the PyInstaller bundle alike), found from the package
    itself because importing importlib.resources costs the first window a few milliseconds.
    """
    import verifier.resources

    folder = Path(verifier.resources.__file__).parent / "icons"
    icon = QIcon()
    for size in ICON_SIZES:
        icon.addFile(str(folder / f"verifier-{size}.png"), QSize(size, size))
    return icon


def make_app() -> QApplication:
    existing = QApplication.instance()
    app = existing if isinstance(existing, QApplication) else QApplication(sys.argv[:1])
    app.setApplicationName("verifier")
    app.setOrganizationName("verifier")
    app.setDesktopFileName(DESKTOP_ID)
    app.setWindowIcon(app_icon())
    hints = app.styleHints()
    # No palette or style sheet of our own: the platform's palette, light or dark, and
    # (Qt >= 6.8) its colour scheme even if something asked for another one.
    if hasattr(hints, "unsetColorScheme"):
        hints.unsetColorScheme()
    app.setQuitOnLastWindowClosed(False)  # the Flow quits: windows follow one another
    apply_qt_language(app)
    # Receipts a crashed run left in the temp folder name patients: removed before anything else.
    paths.sweep_receipts()
    return app


def run(location: Location) -> int:
    logsetup.setup()
    app = make_app()
    previous_hook, previous_thread_hook = sys.excepthook, threading.excepthook
    install_crash_handler()
    collector = GarbageCollector(app)
    try:
        flow = Flow(app, location)
        flow.start()
        _quit_for_smoke_test(app, flow)
        code = app.exec()
        QThreadPool.globalInstance().waitForDone(10_000)
        return int(code)
    finally:
        collector.stop()
        sys.excepthook, threading.excepthook = previous_hook, previous_thread_hook


def _quit_for_smoke_test(app: QApplication, flow: Flow) -> None:
    """VERIFIER_SMOKE_QUIT_AFTER_MS=N: quit N ms after the first window is shown.

    Used by packaging/build.py to start the frozen GUI (offscreen) and check that it comes
    up. It waits for the start-up question "is there a database?" to be answered (so the
    window on screen is the one a user would get: set-up or sign-in), then says which, and
    in how many sizes the window icon was found.
    """
    delay = os.environ.get("VERIFIER_SMOKE_QUIT_AFTER_MS", "")
    if not delay.isdigit():
        return
    timer = QTimer(app)
    timer.setInterval(max(int(delay), 1))

    def quit_when_settled() -> None:
        if flow._check is not None:
            return  # still asking: look again at the next tick
        timer.stop()
        shown = type(flow.window).__name__ if flow.window is not None and flow.window.isVisible() else "none"
        icons = len(app.windowIcon().availableSizes())  # 0 if the icon files were not found
        log.info("smoke test: quitting with %s on screen, window icon in %d sizes", shown, icons)
        if sys.stdout is not None:  # None in a windowed Windows build
            print(f"smoke test: {shown} shown, window icon in {icons} sizes", flush=True)
        app.quit()

    timer.timeout.connect(quit_when_settled)
    timer.start()


def main(db: str | None) -> int:
    from verifier.config import database_location

    return run(database_location(db))
