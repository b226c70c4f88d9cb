"""The main window: the counter, the queue and (for administrators) the administration pages.

The shell only arranges things: the pages do the work (verifier.gui.counter, .queue,
.admin), the menu and keyboard actions live in actions.py, the always-visible strip in
status.py, the idle lock in lock.py. Switching user and changing the language rebuild the
pages in place on the new context or in the new language.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable

from PySide6.QtCore import QSettings, Qt, QThreadPool, QTimer, Signal
from PySide6.QtGui import QCloseEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QMainWindow,
    QMessageBox,
    QStackedWidget,
    QStatusBar,
    QTabWidget,
    QWidget,
)

from verifier import i18n, paths
from verifier import log as logsetup
from verifier.gui.actions import MENU_BAR_KEY, ActionId, ActionRegistry, help_text
from verifier.gui.admin import AdminPanel
from verifier.gui.clinic import ConsultationWidget, StayWidget
from verifier.gui.counter import CounterWidget
from verifier.gui.lock import IdleWatcher, LockPage, hide_other_windows, show_again
from verifier.gui.probe import ProbeRunner, attach
from verifier.gui.queue import QueueView
from verifier.gui.sign_in import SignInDialog
from verifier.gui.status import OutageDialog, ShellStatus, StatusStrip, load_status
from verifier.gui.tasks import Task, error_sentence, run_task
from verifier.services import auth, backups, settings
from verifier.services.context import Context
from verifier.services.settings import CENTRE, CLINIC, PHARMACY

log = logging.getLogger(__name__)

i18n.register(
    {
        "shell.title": i18n.N_("verifier – {site}"),
        "shell.title_locked": i18n.N_("verifier – {site} (poste verrouillé)"),
    }
)

REFRESH_MS = 30_000  # other counters' work shows within this time
DEFAULT_SIZE = (1280, 680)  # when not maximised and nothing remembered: fits 1366×728 with a frame
GEOMETRY_KEY = "main_window/geometry"


def window_settings() -> QSettings:
    """Where the window's place and size are remembered: a small INI file of this user's
    (the config folder, or VERIFIER_DATA_DIR), never the site's settings in the database."""
    return QSettings(str(paths.config_dir() / "window.ini"), QSettings.Format.IniFormat)


class MainWindow(QMainWindow):
    signed_out = Signal()  # the user signed out: show the sign-in window again
    closed = Signal()  # the window was closed: quit

    def __init__(
        self,
        ctx: Context,
        site: str | None = None,
        parent: QWidget | None = None,
        *,
        idle_ms: int | None = None,
        refresh_ms: int = REFRESH_MS,
    ) -> None:
        """`idle_ms` overrides the site's idle-lock setting (tests use a few milliseconds)."""
        super().__init__(parent)
        self.ctx: Context | None = ctx
        self.site_name = site
        self.locked = False
        self.admin: AdminPanel | None = None
        self.stays: StayWidget | None = None  # a clinic's stays ("clinic" among the site's activities)
        self.consultations: ConsultationWidget | None = None  # a centre de santé's ("centre")
        self.prober: ProbeRunner | None = None
        self._idle_override = idle_ms
        self._leaving = False  # signing out (back to the sign-in window) rather than quitting
        # Asked when closing while what is typed could not be kept (tests replace it).
        self.confirm_close_unsaved: Callable[[], bool] = self._ask_close_unsaved
        self._closed = False
        self._status_task: Task | None = None
        self._status_again = False
        self._hidden: list[QWidget] = []  # windows hidden while locked
        self._focus_before: QWidget | None = None
        self._dialog: QDialog | None = None  # the switch-user or outage dialog, while open
        self._help: QMessageBox | None = None

        self.registry = ActionRegistry(self)
        self._connect_actions()
        self.idle = IdleWatcher(idle_ms or 5 * 60_000, self)
        self.idle.idle.connect(self.lock)
        self.refresh_timer = QTimer(self)
        self.refresh_timer.setInterval(refresh_ms)
        self.refresh_timer.timeout.connect(self.refresh_status)
        # While claims are queued, a backup every AUTO_MINUTES (services.backups).
        self.backup_timer = QTimer(self)
        self.backup_timer.setInterval(backups.AUTO_MINUTES * 60_000)
        self.backup_timer.timeout.connect(self.automatic_backup)
        self._backup_task: Task | None = None
        self._restore_geometry()
        # F10 opens the menu bar (as on Windows and GNOME): every menu without the mouse,
        # and the menus need no Alt+letter of their own to clash with the pages' fields.
        self.menu_key = QShortcut(QKeySequence(MENU_BAR_KEY), self)
        self.menu_key.activated.connect(self.open_menu_bar)
        self._build()
        self._load_idle_setting()
        self.idle.start()
        self.refresh_timer.start()
        self.backup_timer.start()

    # --- place and size --------------------------------------------------------------

    def _restore_geometry(self) -> None:
        """The place and size of the last session; on first run, maximised."""
        self.resize(*DEFAULT_SIZE)
        saved = window_settings().value(GEOMETRY_KEY)
        if isinstance(saved, (bytes, bytearray)) or (saved is not None and hasattr(saved, "size")):
            if self.restoreGeometry(saved):
                return
        self.setWindowState(self.windowState() | Qt.WindowState.WindowMaximized)

    def save_geometry(self) -> None:
        store = window_settings()
        store.setValue(GEOMETRY_KEY, self.saveGeometry())
        store.sync()

    def open_menu_bar(self) -> None:
        bar = self.menuBar()
        actions = [a for a in bar.actions() if a.isVisible() and a.isEnabled()]
        if actions:
            bar.setFocus(Qt.FocusReason.ShortcutFocusReason)
            bar.setActiveAction(actions[0])

    # --- building -------------------------------------------------------------------

    def _connect_actions(self) -> None:
        r = self.registry
        r[ActionId.NEW_CLAIM].triggered.connect(self.new_claim)
        r[ActionId.QUEUE_CLAIM].triggered.connect(self.queue_claim)
        r[ActionId.PRINT_RECEIPT].triggered.connect(self.print_receipt)
        r[ActionId.SEARCH].triggered.connect(self.search)
        r[ActionId.PAGE_COUNTER].triggered.connect(lambda: self.show_page(self.home_page()))
        r[ActionId.PAGE_QUEUE].triggered.connect(lambda: self.show_page(self.queue))
        r[ActionId.PAGE_ADMIN].triggered.connect(self._show_admin)
        r[ActionId.REFRESH].triggered.connect(self.refresh)
        r[ActionId.DECLARE_DOWN].triggered.connect(lambda: self.declare_outage(down=True))
        r[ActionId.DECLARE_UP].triggered.connect(lambda: self.declare_outage(down=False))
        r[ActionId.LOCK].triggered.connect(self.lock)
        r[ActionId.SWITCH_USER].triggered.connect(self.switch_user)
        r[ActionId.SIGN_OUT].triggered.connect(self.sign_out)
        r[ActionId.QUIT].triggered.connect(self.close)
        r[ActionId.HELP].triggered.connect(self.show_help)

    def _build(self) -> None:
        """(Re)create the pages, the lock page, the menus and the status strip for `self.ctx`."""
        ctx = self.ctx
        assert ctx is not None
        activities = self._activities()
        self.counter = CounterWidget(ctx)
        self.queue = QueueView(ctx)
        self.admin = AdminPanel(ctx) if ctx.actor.is_admin else None
        self.stays = StayWidget(ctx, own_shortcuts=False) if CLINIC in activities else None
        self.consultations = ConsultationWidget(ctx, own_shortcuts=False) if CENTRE in activities else None
        self.tabs = QTabWidget()
        self.tabs.setDocumentMode(True)
        # The pharmacy counter is a tab only for a pharmacy; it is kept (hidden) otherwise, as
        # the shell's drafts and closing go through it.
        if PHARMACY in activities:
            self.tabs.addTab(self.counter, i18n.tr("Comptoir"))
        if self.stays is not None:
            self.tabs.addTab(self.stays, i18n.tr("Séjours"))
        if self.consultations is not None:
            self.tabs.addTab(self.consultations, i18n.tr("Consultations"))
        self.tabs.addTab(self.queue, i18n.tr("Demandes"))
        for page in self.form_pages():
            page.queued.connect(self.refresh_status)
            page.changed.connect(self.refresh_status)
        if self.stays is not None:
            self.queue.changed.connect(self.stays.open_stays.refresh)
        self.queue.changed.connect(self.refresh_status)
        if self.admin is not None:
            self.tabs.addTab(self.admin, i18n.tr("Administration"))
            self.admin.changed.connect(self.refresh_status)
            self.admin.changed.connect(self.queue.refresh)
            self.admin.settings_changed.connect(self._load_idle_setting)
            self.admin.language_changed.connect(self.set_language)
        self.tabs.currentChanged.connect(self._update_actions)
        self.lock_page = LockPage(ctx)
        self.lock_page.unlocked.connect(self.unlock)
        self.lock_page.switch_requested.connect(self.switch_user)
        self.stack = QStackedWidget()
        self.stack.addWidget(self.tabs)
        self.stack.addWidget(self.lock_page)
        self.setCentralWidget(self.stack)  # the previous one, if any, is deleted
        self.stack.show()  # at once: a child added to a shown window is otherwise shown later

        self.registry.retranslate()
        self.registry[ActionId.PAGE_ADMIN].setVisible(self.admin is not None)
        self.registry.fill_menus(self.menuBar())
        self.strip = StatusStrip(ctx, [self.registry[ActionId.DECLARE_DOWN], self.registry[ActionId.DECLARE_UP]])
        bar = QStatusBar()
        bar.addWidget(self.strip, 1)
        self.setStatusBar(bar)
        bar.show()
        self._stop_prober()
        self.prober = ProbeRunner(ctx, parent=self.strip)  # operators' health pages, with back-off
        attach(self.prober, self.strip)
        self.strip.declared_up.connect(self.refresh_status)
        self.strip.export_requested.connect(self._export_for_operator)
        self.prober.start()
        self.locked = False
        self._update_actions()
        self._update_title()
        self.refresh_status()

    def _stop_prober(self) -> None:
        if self.prober is not None:
            self.prober.stop()
            self.prober = None

    def _export_for_operator(self, operator_code: str) -> None:
        """An operator answers again: administrators go straight to its batches."""
        if self.admin is None:
            return
        self.tabs.setCurrentWidget(self.admin)
        self.admin.show_export_for_operator(operator_code)

    def _update_title(self) -> None:
        """The site's name only: never a patient's."""
        site = self.site_name or ""
        if not site:
            self.setWindowTitle("verifier")
        else:
            self.setWindowTitle(i18n.say("shell.title_locked" if self.locked else "shell.title", site=site))

    def _activities(self) -> tuple[str, ...]:
        """What the site does (the pages follow it); a pharmacy if it cannot be read."""
        assert self.ctx is not None
        try:
            return settings.load(self.ctx).activity_set() or (PHARMACY,)
        except Exception as exc:  # noqa: BLE001 - the counter at least; the cause is logged
            error_sentence(exc)
            return (PHARMACY,)

    def form_pages(self) -> list[CounterWidget | StayWidget | ConsultationWidget]:
        """The pages that queue a claim (Ctrl+N, Ctrl+Entrée)."""
        pages: list[CounterWidget | StayWidget | ConsultationWidget] = []
        if self.tabs.indexOf(self.counter) >= 0:
            pages.append(self.counter)
        pages += [p for p in (self.stays, self.consultations) if p is not None]
        return pages

    def draft_pages(self) -> list[CounterWidget | StayWidget | ConsultationWidget]:
        """The pages whose typing is kept as a draft: the form pages, and the pharmacy counter even
        when it is not shown (its draft is kept for the day it is)."""
        pages = self.form_pages()
        return pages if self.counter in pages else [self.counter, *pages]

    def home_page(self) -> QWidget:
        """The first page that queues a claim (Ctrl+1)."""
        pages = self.form_pages()
        return pages[0] if pages else self.counter

    def _update_actions(self) -> None:
        self.registry.set_locked(self.locked)
        current = self.tabs.currentWidget()
        on_form = not self.locked and any(current is page for page in self.form_pages())
        self.registry[ActionId.QUEUE_CLAIM].setEnabled(on_form)
        self.registry[ActionId.PRINT_RECEIPT].setEnabled(not self.locked and current is self.counter)

    def _load_idle_setting(self) -> None:
        """The site's idle-lock delay (a single read by key); reloaded when the settings change."""
        if self._idle_override is not None or self.ctx is None:
            return
        try:
            minutes = settings.load(self.ctx).idle_lock_minutes
        except Exception as exc:  # noqa: BLE001 - keep the current delay; the cause is logged
            error_sentence(exc)
            return
        self.idle.set_interval(minutes * 60_000)

    # --- pages and their actions ----------------------------------------------------

    def show_page(self, page: QWidget) -> None:
        if self.locked:
            return
        self.tabs.setCurrentWidget(page)
        focus = QApplication.focusWidget()
        if focus is not None and page.isAncestorOf(focus):
            return
        widget = page.nextInFocusChain()  # the page's first field, in tab order
        while widget is not None and widget is not page and page.isAncestorOf(widget):
            if widget.isVisible() and widget.isEnabled() and widget.focusPolicy() & Qt.FocusPolicy.TabFocus:
                widget.setFocus(Qt.FocusReason.ShortcutFocusReason)
                return
            widget = widget.nextInFocusChain()

    def _show_admin(self) -> None:
        if self.admin is not None:
            self.show_page(self.admin)

    def new_claim(self) -> None:
        current = self.tabs.currentWidget()
        page = next((p for p in self.form_pages() if p is current), None) or self.home_page()
        self.show_page(page)
        if isinstance(page, (CounterWidget, StayWidget, ConsultationWidget)):
            page.new_claim()

    def queue_claim(self) -> None:
        current = self.tabs.currentWidget()
        for page in self.form_pages():
            if page is current:
                page.queue_claim()

    def print_receipt(self) -> None:
        if self.tabs.currentWidget() is self.counter:
            self.counter.print_receipt()

    def search(self) -> None:
        self.show_page(self.queue)
        self.queue.focus_search()

    def refresh(self) -> None:
        self.refresh_status()
        page = self.tabs.currentWidget()
        if page is self.queue:
            self.queue.refresh()
        elif self.admin is not None and page is self.admin:
            self.admin.refresh()

    # --- the status strip -----------------------------------------------------------

    def refresh_status(self) -> None:
        """Read the outages and queue figures off the GUI thread (one read at a time)."""
        if self.ctx is None or self.locked:
            return
        if self._status_task is not None:
            self._status_again = True
            return
        self._status_task = run_task(load_status, self.ctx, on_done=self._status_loaded, on_failed=self._status_failed)

    def automatic_backup(self) -> None:
        """The hourly backup, off the GUI thread, when claims wait for export."""
        status = self.strip.status
        if self.ctx is None or self._backup_task is not None or status is None or status.count == 0:
            return

        def done(_result: object) -> None:
            self._backup_task = None
            self.refresh_status()

        self._backup_task = run_task(
            backups.automatic, self.ctx, "auto", backups.second_folder(), on_done=done, on_failed=done
        )

    def _status_loaded(self, result: tuple[Context, ShellStatus]) -> None:
        self._status_task = None
        ctx, status = result
        if ctx is self.ctx:  # not a read started before switching user
            self.site_name = status.site_name
            self.strip.apply(status)
            self._update_title()
        self._status_next()

    def _status_failed(self, exc: BaseException) -> None:
        self._status_task = None
        self.strip.failed(error_sentence(exc))
        self._status_next()

    def _status_next(self) -> None:
        if self._status_again:
            self._status_again = False
            self.refresh_status()

    def declare_outage(self, down: bool) -> None:
        if self.ctx is None or self.locked:
            return
        dialog = OutageDialog(self.ctx, self.strip.status, down, self)
        dialog.declared.connect(self.refresh_status)
        dialog.declared.connect(self.queue.refresh)
        self._open_dialog(dialog)

    def _open_dialog(self, dialog: QDialog) -> None:
        """Open `dialog` (non-blocking, so a lock does not cancel it); forget it once closed."""
        self._dialog = dialog
        dialog.finished.connect(functools.partial(self._dialog_finished, dialog))
        dialog.open()

    def _dialog_finished(self, dialog: QDialog, _result: int = 0) -> None:
        if self._dialog is dialog:
            self._dialog = None
        dialog.deleteLater()

    # --- locking --------------------------------------------------------------------

    def _save_draft(self) -> str:
        """Save the claims being entered (every form page); returns a sentence if that failed (locking goes on)."""
        note = ""
        for page in self.draft_pages():
            try:
                page.save_draft_now()
            except Exception as exc:  # noqa: BLE001 - privacy first: lock or switch even so
                note = i18n.tr(
                    "Le brouillon en cours n'a pas pu être enregistré : {reason}", reason=error_sentence(exc)
                )
        return note

    def lock(self) -> None:
        """Show the lock page instead of the pages: nothing on screen names a patient."""
        if self.locked or self.ctx is None:
            return
        note = self._save_draft()
        focus = QApplication.focusWidget()
        self._focus_before = focus if focus is not None and self.tabs.isAncestorOf(focus) else None
        self.locked = True
        self.idle.stop()
        switching = self._dialog if isinstance(self._dialog, SignInDialog) else None  # shows no data
        self._hidden = hide_other_windows(keep=[self, switching])
        self.lock_page.prepare(note)
        self.stack.setCurrentWidget(self.lock_page)
        self.statusBar().hide()
        self._update_actions()
        self._update_title()
        self.lock_page.password_edit.setFocus()
        log.info("workstation locked (%s)", self.ctx.actor.login)

    def unlock(self) -> None:
        if not self.locked:
            return
        self.locked = False
        self.stack.setCurrentWidget(self.tabs)
        self.statusBar().show()
        show_again(self._hidden)
        self._hidden = []
        self._update_actions()
        self._update_title()
        if self._focus_before is not None:
            try:
                self._focus_before.setFocus()
            except RuntimeError:
                pass
        self._focus_before = None
        self.idle.start()
        self.refresh_status()

    # --- switching user, language ---------------------------------------------------

    def switch_user(self) -> None:
        """Ask for another user's name and password; on success the pages re-open for them."""
        if self.ctx is None:
            return
        if isinstance(self._dialog, SignInDialog) and self._dialog.isVisible():
            self._dialog.activateWindow()
            return
        if not self.locked:
            self._save_draft()
        dialog = SignInDialog(self.ctx.store.location, self, switching=True)
        dialog.signed_in.connect(self._switched)
        self._open_dialog(dialog)

    def _switched(self, new_ctx: Context) -> None:
        old, self.ctx = self.ctx, new_ctx
        show_again(self._hidden, close=True)  # the previous user's windows do not come back
        self._hidden = []
        self._focus_before = None
        self._build()
        self._load_idle_setting()
        self.idle.start()
        if old is not None:
            log.info("user switched from %s to %s", old.actor.login, new_ctx.actor.login)
            self._end_session(old)

    def set_language(self, language: str) -> None:
        """Rebuild the shell in `language` (after the signal's sender has returned)."""
        QTimer.singleShot(0, self, functools.partial(self._apply_language, language))

    def _apply_language(self, language: str) -> None:
        if self.ctx is None:
            return
        from verifier.gui.qt_language import apply_qt_language

        self._save_draft()
        index = self.tabs.currentIndex()
        i18n.set_language(language)
        app = QApplication.instance()
        if isinstance(app, QApplication):
            apply_qt_language(app)
        self._build()
        self.tabs.setCurrentIndex(index)
        if self._help is not None:
            self._help.deleteLater()
            self._help = None

    # --- help, signing out, closing -------------------------------------------------

    def show_help(self) -> None:
        where = self.ctx.store.location.describe() if self.ctx is not None else ""
        if self._help is None:
            self._help = QMessageBox(
                QMessageBox.Icon.Information, i18n.tr("À propos de verifier"), "", QMessageBox.StandardButton.Ok, self
            )
            self._help.setTextFormat(Qt.TextFormat.RichText)
        self._help.setText(help_text(self.registry, where, str(logsetup.log_file())))
        self._help.open()

    def _end_session(self, ctx: Context | None = None) -> None:
        if ctx is None:
            ctx, self.ctx = self.ctx, None
        if ctx is None:
            return
        self._stop_prober()
        # reads still running on this context (figures, pages) finish before the store closes
        QThreadPool.globalInstance().waitForDone(5_000)
        backups.automatic(ctx, "close", backups.second_folder())  # never raises: logged
        try:
            auth.sign_out(ctx)
        except Exception as exc:  # noqa: BLE001 - signing out must always close the store
            error_sentence(exc)  # logs it
            ctx.close()

    def _ask_close_unsaved(self) -> bool:
        box = QMessageBox(
            QMessageBox.Icon.Warning,
            i18n.tr("Saisie non enregistrée"),
            i18n.tr(
                "Le serveur de données ne répond pas : la saisie en cours n'a pas pu être gardée. Si vous fermez, elle sera perdue. Laissez la fenêtre ouverte : la saisie reste à l'écran et pourra être mise en file quand le serveur répondra."
            ),
            QMessageBox.StandardButton.NoButton,
            self,
        )
        keep = box.addButton(i18n.tr("&Laisser ouvert"), QMessageBox.ButtonRole.RejectRole)
        box.addButton(i18n.tr("&Fermer et perdre la saisie"), QMessageBox.ButtonRole.DestructiveRole)
        box.setDefaultButton(keep)
        box.exec()
        return box.clickedButton() is not keep

    def sign_out(self) -> None:
        self._leaving = True
        self.close()

    def _unsaved_pages(self) -> list[CounterWidget | StayWidget | ConsultationWidget]:
        """Save every page's draft; the pages with something typed whose draft could not be saved."""
        return [page for page in self.draft_pages() if not page.save_draft_now() and not page.is_empty()]

    def closeEvent(self, event: QCloseEvent) -> None:
        if (
            not self._closed
            and self.ctx is not None
            and not self.locked
            and self._unsaved_pages()
            and not self.confirm_close_unsaved()
        ):
            event.ignore()  # the form stays on screen, to be queued when the server is back
            return
        event.accept()
        if self._closed:
            return
        self._closed = True
        self.save_geometry()
        self.idle.stop()
        self.refresh_timer.stop()
        self.backup_timer.stop()
        if self._dialog is not None:
            self._dialog.reject()
        self._end_session()
        (self.signed_out if self._leaving else self.closed).emit()
