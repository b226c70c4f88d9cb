"""The main window shell driven through its real widgets: pages, status strip, lock, switch user."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import gc
import logging
import shutil
import sys
from decimal import Decimal
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractButton,
    QApplication,
    QDialog,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from tests.conftest import TEST_KDF
from tests.factories import PASSWORD, make_site, queued_claim
from verifier import i18n
from verifier.gui import start
from verifier.gui.actions import ActionId
from verifier.gui.counter import CounterWidget
from verifier.gui.main_window import MainWindow
from verifier.gui.sign_in import SignInDialog
from verifier.gui.status import InsurerTotalsModel, OutageDialog
from verifier.security import crypto
from verifier.services import auth, demo, outages, queue, settings
from verifier.services.context import Context
from verifier.store.engine import Location

DEMO_NAMES = [part for person in demo.PEOPLE for part in person[:2]]  # surnames and first names


@pytest.fixture(scope="module")
def demo_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One demonstration database per module (built with the cheap KDF), copied for each test."""
    crypto.set_default_kdf(TEST_KDF)
    try:
        folder = tmp_path_factory.mktemp("demo")
        demo.build(Location(sqlite_path=folder / "verifier.db"))
    finally:
        crypto.set_default_kdf(crypto.DEFAULT_KDF)
    return folder


@pytest.fixture
def demo_location(demo_dir: Path, tmp_path: Path) -> Location:
    target = tmp_path / "demo"
    shutil.copytree(demo_dir, target)
    return Location(sqlite_path=target / "verifier.db")


def open_window(qtbot, ctx: Context, **kw: object) -> MainWindow:  # type: ignore[no-untyped-def]
    window = MainWindow(ctx, **kw)  # type: ignore[arg-type]
    qtbot.addWidget(window)
    window.show()
    window.activateWindow()
    qtbot.waitUntil(lambda: window._status_task is None and window.strip.status is not None, timeout=10_000)
    return window


def visible_texts(window: QWidget) -> list[str]:
    """Every text a person could read on screen: visible widgets of every visible window."""
    texts = [window.windowTitle()]
    for top in QApplication.topLevelWidgets():
        if not top.isVisible():
            continue
        texts.append(top.windowTitle())
        for widget in [top, *top.findChildren(QWidget)]:
            if not widget.isVisible():
                continue
            if isinstance(widget, (QLabel, QAbstractButton, QLineEdit)):
                texts.append(widget.text())
    return texts


def press(
    qtbot, window: QWidget, key: Qt.Key, modifiers: Qt.KeyboardModifier = Qt.KeyboardModifier.ControlModifier
) -> None:  # type: ignore[no-untyped-def]
    target = QApplication.focusWidget() or window
    qtbot.keyClick(target, key, modifiers)


# --- pages ------------------------------------------------------------------------------


def test_admin_sees_three_pages_and_a_counter_user_two(qtbot, demo_location: Location) -> None:  # type: ignore[no-untyped-def]
    admin = open_window(qtbot, auth.sign_in(demo_location, demo.DEMO_ADMIN, demo.DEMO_PASSWORD))
    assert admin.tabs.count() == 3 and admin.admin is not None
    assert [admin.tabs.tabText(i) for i in range(3)] == ["Comptoir", "Demandes", "Administration"]
    assert admin.windowTitle() == "verifier – Pharmacie de démonstration"
    counter = open_window(qtbot, auth.sign_in(demo_location, demo.DEMO_COUNTER, demo.DEMO_PASSWORD))
    assert counter.tabs.count() == 2 and counter.admin is None
    assert not counter.registry[ActionId.PAGE_ADMIN].isVisible()
    assert "demo-comptoir (comptoir)" == counter.strip.user_label.text()


def test_shortcuts_switch_pages_and_reach_the_pages(qtbot, demo_location: Location, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    calls: list[str] = []
    monkeypatch.setattr(CounterWidget, "new_claim", lambda self: calls.append("new"))
    monkeypatch.setattr(CounterWidget, "queue_claim", lambda self: calls.append("queue"))
    monkeypatch.setattr(CounterWidget, "print_receipt", lambda self: calls.append("print"))
    window = open_window(qtbot, auth.sign_in(demo_location, demo.DEMO_ADMIN, demo.DEMO_PASSWORD))
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window, timeout=5_000)
    press(qtbot, window, Qt.Key.Key_2)
    assert window.tabs.currentWidget() is window.queue
    assert not window.registry[ActionId.QUEUE_CLAIM].isEnabled()  # queueing only from the counter
    press(qtbot, window, Qt.Key.Key_3)
    assert window.tabs.currentWidget() is window.admin
    press(qtbot, window, Qt.Key.Key_N)
    assert window.tabs.currentWidget() is window.counter
    press(qtbot, window, Qt.Key.Key_Return)
    press(qtbot, window, Qt.Key.Key_Enter, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.KeypadModifier)
    press(qtbot, window, Qt.Key.Key_P)
    assert calls == ["new", "queue", "queue", "print"]
    press(qtbot, window, Qt.Key.Key_F)
    assert window.tabs.currentWidget() is window.queue
    keys = {a.objectName(): a.shortcut().toString() for _, a in window.registry.items()}
    assert keys["lock"] == "Ctrl+L" and keys["switch_user"] == "Ctrl+Shift+U" and keys["quit"] == "Ctrl+Q"
    assert keys["refresh"] == "F5" and keys["help"] == "F1"
    press(qtbot, window, Qt.Key.Key_F1, Qt.KeyboardModifier.NoModifier)
    assert window._help is not None and window._help.isVisible()
    text = window._help.text()
    assert "0.1.0" in text and any(k in text for k in ("Ctrl+Shift+U", "Ctrl+Maj+U"))  # Qt's own key names
    window._help.close()


# --- the status strip -------------------------------------------------------------------


def test_status_shows_an_outage_and_the_queue_per_insurer(qtbot, qtmodeltester, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    ctx = make_site(Location(sqlite_path=tmp_path / "v.db"))
    outages.declare_down(ctx, "VIAMEDIS", "serveur injoignable")
    window = open_window(qtbot, ctx)
    text = window.strip.outage_button.text()
    assert text.startswith("VIAMEDIS en panne depuis ")
    assert "Viamedis (VIAMEDIS)" in window.strip.outage_button.toolTip()
    assert "serveur injoignable" in window.strip.outage_button.toolTip()
    assert window.strip.queue_button.text() == "En attente d'export : 0 demande, 0,00\u00a0€"

    claim = queued_claim(ctx)
    window.counter.queued.emit(claim.id)  # what the counter says after queueing
    qtbot.waitUntil(lambda: "1 demande" in window.strip.queue_button.text(), timeout=10_000)
    amc = sum((t.amc for t in queue.awaiting_export(ctx)), Decimal("0.00"))
    tip = window.strip.queue_button.toolTip()
    assert tip.startswith("Mutuelle Test : 1 demande, ")
    assert (
        i18n.tr(
            "{insurer} : {claims}, {amount}",
            insurer="Mutuelle Test",
            claims="1 demande",
            amount=window.strip.queue_button.text().rsplit(", ", 1)[1],
        )
        in tip
    )
    assert amc > 0

    qtbot.mouseClick(window.strip.queue_button, Qt.MouseButton.LeftButton)  # the list per insurer
    popup = window.strip.popup
    assert popup.isVisible() and popup.model.rowCount() == 2  # the insurer and the total
    qtmodeltester.check(popup.model)
    index = popup.model.index(0, 0)
    assert popup.model.data(index) == "Mutuelle Test"
    assert popup.model.data(popup.model.index(1, 1)) == "1"
    popup.close()


def test_totals_model_passes_the_model_tester(qtmodeltester, demo_location: Location) -> None:  # type: ignore[no-untyped-def]
    ctx = auth.sign_in(demo_location, demo.DEMO_ADMIN, demo.DEMO_PASSWORD)
    try:
        model = InsurerTotalsModel()
        qtmodeltester.check(model)
        model.set_totals(queue.awaiting_export(ctx))
        qtmodeltester.check(model)
        assert model.rowCount() == len(queue.awaiting_export(ctx)) + 1
    finally:
        ctx.close()


def test_declare_down_and_up_through_the_dialogs(qtbot, demo_location: Location) -> None:  # type: ignore[no-untyped-def]
    window = open_window(qtbot, auth.sign_in(demo_location, demo.DEMO_COUNTER, demo.DEMO_PASSWORD))
    assert window.strip.outage_button.text() == "Aucun opérateur déclaré en panne"
    window.registry[ActionId.DECLARE_DOWN].trigger()
    dialog = window._dialog
    assert isinstance(dialog, OutageDialog) and dialog.isVisible()
    assert dialog.operator_combo.count() == 2  # Almerys and Viamedis
    dialog.operator_combo.setCurrentIndex(dialog.operator_combo.findData("ALMERYS"))
    dialog.reason_edit.setText("portail en maintenance")
    dialog.accept()
    qtbot.waitUntil(lambda: window.strip.outage_button.text().startswith("ALMERYS en panne depuis"), timeout=10_000)
    assert window._dialog is None  # closed once declared

    window.registry[ActionId.DECLARE_UP].trigger()
    up = window._dialog
    assert isinstance(up, OutageDialog) and up.operator_combo.count() == 1
    up.accept()
    qtbot.waitUntil(lambda: window.strip.outage_button.text() == "Aucun opérateur déclaré en panne", timeout=10_000)


def test_the_figures_follow_other_counters_on_a_timer(qtbot, demo_location: Location) -> None:  # type: ignore[no-untyped-def]
    window = open_window(qtbot, auth.sign_in(demo_location, demo.DEMO_ADMIN, demo.DEMO_PASSWORD), refresh_ms=50)
    other = auth.sign_in(demo_location, demo.DEMO_COUNTER, demo.DEMO_PASSWORD)  # another counter
    try:
        outages.declare_down(other, "VIAMEDIS")
    finally:
        auth.sign_out(other)
    qtbot.waitUntil(lambda: "VIAMEDIS en panne depuis" in window.strip.outage_button.text(), timeout=10_000)


# --- locking ----------------------------------------------------------------------------


def test_idle_lock_hides_every_patient_name_and_unlocks_with_the_password(qtbot, demo_location: Location) -> None:  # type: ignore[no-untyped-def]
    saved: list[str] = []
    ctx = auth.sign_in(demo_location, demo.DEMO_ADMIN, demo.DEMO_PASSWORD)
    window = open_window(qtbot, ctx, idle_ms=60_000)
    window.counter.save_draft_now = lambda: saved.append("draft")  # type: ignore[method-assign]
    # patient data on screen: in the page, and in a dialog opened from the page
    name = QLabel("MARTINVAL Claire, née le 14/03/1968", window.counter)
    name.show()
    dialog = QDialog(window.queue)
    QVBoxLayout(dialog).addWidget(QLabel("DUBOCAGE Henri"))
    dialog.open()
    assert name.isVisible() and dialog.isVisible()
    assert any("MARTINVAL" in t for t in visible_texts(window))

    window.idle.set_interval(30)  # the idle delay, injected in milliseconds
    qtbot.waitUntil(lambda: window.locked, timeout=5_000)
    window.idle.set_interval(60_000)
    assert saved == ["draft"]  # the claim being entered was saved first
    assert window.stack.currentWidget() is window.lock_page and not window.tabs.isVisible()
    assert not window.statusBar().isVisible() and not dialog.isVisible()
    texts = " | ".join(visible_texts(window))
    for part in DEMO_NAMES:
        assert part not in texts
    assert "verrouillé" in window.windowTitle()
    assert not window.registry[ActionId.NEW_CLAIM].isEnabled() and not window.registry[ActionId.SEARCH].isEnabled()

    page = window.lock_page
    page.password_edit.setText("pas le bon mot de passe")
    qtbot.keyClick(page.password_edit, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: not page.busy, timeout=10_000)
    assert page.message.text() == i18n.tr(
        "Identifiant ou mot de passe incorrect. Vérifiez la saisie (majuscules, clavier) et réessayez."
    )
    assert window.locked and page.password_edit.text() == ""

    page.password_edit.setText(demo.DEMO_PASSWORD)
    with qtbot.waitSignal(page.unlocked, timeout=10_000):
        qtbot.mouseClick(page.unlock_button, Qt.MouseButton.LeftButton)
    assert not window.locked and window.stack.currentWidget() is window.tabs
    assert name.isVisible() and dialog.isVisible() and window.statusBar().isVisible()
    assert window.windowTitle() == "verifier – Pharmacie de démonstration"
    assert window.idle.is_running() and window.ctx is ctx
    dialog.close()


def test_ctrl_l_locks_and_another_users_password_does_not_unlock(qtbot, demo_location: Location) -> None:  # type: ignore[no-untyped-def]
    window = open_window(qtbot, auth.sign_in(demo_location, demo.DEMO_COUNTER, demo.DEMO_PASSWORD))
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window, timeout=5_000)
    press(qtbot, window, Qt.Key.Key_L)
    assert window.locked and not window.idle.is_running()
    assert window.lock_page.password_edit.hasFocus()
    assert "demo-comptoir" in window.lock_page.explain.text()
    window.lock_page.password_edit.setText(PASSWORD)  # not this user's password
    window.lock_page.submit()
    qtbot.waitUntil(lambda: not window.lock_page.busy, timeout=10_000)
    assert window.locked and window.lock_page.message.text() == i18n.tr(
        "Identifiant ou mot de passe incorrect. Vérifiez la saisie (majuscules, clavier) et réessayez."
    )


def test_idle_delay_comes_from_the_site_settings_and_follows_them(qtbot, demo_location: Location) -> None:  # type: ignore[no-untyped-def]
    ctx = auth.sign_in(demo_location, demo.DEMO_ADMIN, demo.DEMO_PASSWORD)
    window = open_window(qtbot, ctx)
    assert window.idle.interval_ms == 5 * 60_000
    settings.save(ctx, settings.SiteSettings(idle_lock_minutes=2))
    assert window.admin is not None
    window.admin.settings_changed.emit()
    assert window.idle.interval_ms == 2 * 60_000


# --- switching user, language -----------------------------------------------------------


def test_switch_user_reopens_the_shell_for_the_new_user(qtbot, demo_location: Location, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    signed_out: list[str] = []
    real_sign_out = auth.sign_out
    monkeypatch.setattr(auth, "sign_out", lambda c: signed_out.append(c.actor.login) or real_sign_out(c))
    ctx = auth.sign_in(demo_location, demo.DEMO_ADMIN, demo.DEMO_PASSWORD)
    window = open_window(qtbot, ctx)
    saved: list[str] = []
    window.counter.save_draft_now = lambda: saved.append("draft")  # type: ignore[method-assign]
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window, timeout=5_000)
    press(qtbot, window, Qt.Key.Key_U, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    dialog = window._dialog
    assert isinstance(dialog, SignInDialog) and dialog.isVisible()
    assert saved == ["draft"]
    assert dialog.windowTitle() == "verifier – changer d'utilisateur"
    dialog.login_edit.setText(demo.DEMO_COUNTER)
    dialog.password_edit.setText(demo.DEMO_PASSWORD)
    dialog.accept()
    qtbot.waitUntil(lambda: window.ctx is not ctx, timeout=10_000)
    assert window.ctx is not None and window.ctx.actor.login == demo.DEMO_COUNTER
    assert window.tabs.count() == 2 and window.admin is None
    assert window.strip.user_label.text() == "demo-comptoir (comptoir)"
    assert window.counter.ctx is window.ctx
    assert signed_out == [demo.DEMO_ADMIN]  # the previous context was signed out


def test_switch_user_from_the_lock_page(qtbot, demo_location: Location) -> None:  # type: ignore[no-untyped-def]
    window = open_window(qtbot, auth.sign_in(demo_location, demo.DEMO_COUNTER, demo.DEMO_PASSWORD))
    window.lock()
    qtbot.mouseClick(window.lock_page.switch_button, Qt.MouseButton.LeftButton)
    dialog = window._dialog
    assert isinstance(dialog, SignInDialog) and dialog.isVisible()
    dialog.login_edit.setText(demo.DEMO_ADMIN)
    dialog.password_edit.setText(demo.DEMO_PASSWORD)
    dialog.accept()
    qtbot.waitUntil(lambda: window.ctx is not None and window.ctx.actor.login == demo.DEMO_ADMIN, timeout=10_000)
    assert not window.locked and window.tabs.count() == 3 and window.statusBar().isVisible()
    assert window.registry[ActionId.NEW_CLAIM].isEnabled()


def test_language_switch_rebuilds_the_shell_in_english(qtbot, demo_location: Location) -> None:  # type: ignore[no-untyped-def]
    ctx = auth.sign_in(demo_location, demo.DEMO_ADMIN, demo.DEMO_PASSWORD)
    window = open_window(qtbot, ctx)
    old_counter = window.counter
    assert window.admin is not None
    window.tabs.setCurrentWidget(window.admin)
    window.admin.language_changed.emit("en")
    qtbot.waitUntil(lambda: window.tabs.tabText(0) == "Counter", timeout=5_000)
    assert i18n.language() == "en" and window.ctx is ctx and window.counter is not old_counter
    assert [m.title() for m in (a.menu() for a in window.menuBar().actions()) if m] == [
        "Session",
        "Claim",
        "View",
        "Operators",
        "Help",
    ]  # F10 opens them (issue 9)
    assert window.tabs.currentWidget() is window.admin  # still where the user was
    qtbot.waitUntil(lambda: window.strip.queue_button.text().startswith("Awaiting export: "), timeout=10_000)
    assert window.lock_page.unlock_button.text() == "&Unlock"


# --- errors -----------------------------------------------------------------------------


@pytest.mark.qt_no_exception_capture
def test_an_exception_in_a_slot_is_logged_and_shown_in_one_sentence(
    qtbot, demo_location: Location, monkeypatch, caplog
) -> None:  # type: ignore[no-untyped-def]
    shown: list[str] = []
    monkeypatch.setattr(start.QMessageBox, "exec", lambda self: shown.append(self.text()) or 0)
    monkeypatch.setattr(sys, "excepthook", start.excepthook)

    def broken(self: CounterWidget) -> None:
        raise RuntimeError("boom in a slot")

    monkeypatch.setattr(CounterWidget, "queue_claim", broken)
    ctx = auth.sign_in(demo_location, demo.DEMO_ADMIN, demo.DEMO_PASSWORD)
    window = open_window(qtbot, ctx)
    before = queue.awaiting_export(ctx)
    with caplog.at_level(logging.CRITICAL, logger="verifier.gui.start"):
        window.registry[ActionId.QUEUE_CLAIM].trigger()  # Ctrl+Enter
    assert len(shown) == 1
    assert str(start.logsetup.log_file()) in shown[0] and "boom" not in shown[0]
    assert any("unexpected error" in r.message and r.exc_info and "boom" in str(r.exc_info[1]) for r in caplog.records)
    assert queue.awaiting_export(ctx) == before  # nothing half-done in the queue
    window.lock()  # the window carries on
    assert window.locked


def test_since_is_the_time_today_and_the_date_on_other_days() -> None:
    from datetime import UTC, datetime, timedelta

    from verifier.gui.status import since_text

    now = datetime.now(UTC)
    assert len(since_text(now, now)) == 5 and ":" in since_text(now, now)  # 14:32
    earlier = since_text(now - timedelta(days=3), now)
    assert earlier.count("/") == 2 and len(earlier) == 16  # 12/03/2025 14:32
    assert since_text((now - timedelta(days=3)).replace(tzinfo=None), now) == earlier  # stored naive UTC


def test_a_dialog_left_open_when_locking_comes_back_and_switching_user_closes_it(
    qtbot, demo_location: Location
) -> None:  # type: ignore[no-untyped-def]
    window = open_window(qtbot, auth.sign_in(demo_location, demo.DEMO_ADMIN, demo.DEMO_PASSWORD))
    window.registry[ActionId.DECLARE_DOWN].trigger()
    outage = window._dialog
    assert isinstance(outage, OutageDialog) and outage.isVisible()
    window.lock()
    assert not outage.isVisible()
    window.lock_page.password_edit.setText(demo.DEMO_PASSWORD)
    with qtbot.waitSignal(window.lock_page.unlocked, timeout=10_000):
        window.lock_page.submit()
    assert outage.isVisible() and window._dialog is outage  # still there, as it was left

    window.lock()
    window.lock_page.switch_button.click()
    switch = window._dialog
    assert isinstance(switch, SignInDialog) and switch.isVisible()
    switch.login_edit.setText(demo.DEMO_COUNTER)
    switch.password_edit.setText(demo.DEMO_PASSWORD)
    switch.accept()
    qtbot.waitUntil(lambda: window.ctx is not None and window.ctx.actor.login == demo.DEMO_COUNTER, timeout=10_000)
    qtbot.waitUntil(lambda: window._dialog is None, timeout=5_000)  # the admin's dialog is gone for good
    assert not window.locked


def test_garbage_is_collected_on_the_gui_thread_only(qtbot) -> None:  # type: ignore[no-untyped-def]
    was_enabled = gc.isenabled()
    gc.enable()
    collector = start.GarbageCollector(interval_ms=10)
    try:
        assert not gc.isenabled()  # no collection started by a worker thread
        for _ in range(5):
            cycle: list[object] = []
            cycle.append(cycle)
            del cycle
        _ = [[] for _ in range(collector.threshold[0] + 10)]
        qtbot.waitUntil(lambda: gc.get_count()[0] < collector.threshold[0], timeout=5_000)
        collector.stop()
        assert gc.isenabled()  # back as it was when the application ends
    finally:
        if not was_enabled:
            gc.disable()


@pytest.mark.qt_no_exception_capture
def test_an_exception_in_another_thread_is_shown_from_the_gui_thread(qtbot, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import threading

    shown: list[str] = []
    monkeypatch.setattr(start.QMessageBox, "exec", lambda self: shown.append(self.text()) or 0)
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)
    monkeypatch.setattr(threading, "excepthook", threading.excepthook)
    start.install_crash_handler()

    def fail() -> None:
        raise RuntimeError("boom in a thread")

    worker = threading.Thread(target=fail)
    worker.start()
    worker.join()
    qtbot.waitUntil(lambda: len(shown) == 1, timeout=5_000)  # the message box is built on the GUI thread
    assert str(start.logsetup.log_file()) in shown[0]


def test_the_strip_counts_the_insurers_to_confirm_and_follows(qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from verifier.services import directory

    ctx = make_site(Location(sqlite_path=tmp_path / "v.db"))
    window = open_window(qtbot, ctx)
    qtbot.waitUntil(lambda: "demande" in window.strip.queue_button.text(), timeout=10_000)
    assert not window.strip.provisional_label.isVisible()
    directory.record_provisional_insurer(ctx, "31234567", "Mutuelle du Coin")
    directory.record_provisional_insurer(ctx, "31234568", "Mutuelle d'à Côté")
    window.counter.queued.emit("")  # what the counter says after queueing: the figures are read again
    qtbot.waitUntil(lambda: window.strip.provisional_label.text() == "2 organismes à confirmer", timeout=10_000)
    assert window.strip.provisional_label.isVisible()


def test_the_strip_asks_for_a_backup_and_closing_takes_one(qtbot, demo_location: Location) -> None:  # type: ignore[no-untyped-def]
    """Issue 12: backups. No backup yet: the strip says one is due; closing the window takes
    one (and the hourly one runs while claims wait); the strip is quiet again afterwards."""
    from verifier.services import backups

    ctx = auth.sign_in(demo_location, demo.DEMO_ADMIN, demo.DEMO_PASSWORD)
    window = open_window(qtbot, ctx)
    assert window.strip.backup_label.isVisible() and window.strip.backup_label.text() == "Sauvegarde à faire"
    window.automatic_backup()  # what the hourly timer does: demo claims are queued
    qtbot.waitUntil(lambda: window._backup_task is None and len(backups.listed(demo_location)) == 1, timeout=10_000)
    qtbot.waitUntil(lambda: window._status_task is None and not window.strip.backup_label.isVisible(), timeout=10_000)
    window.close()
    kinds = sorted(b.kind for b in backups.listed(demo_location))
    assert kinds == ["close"]  # the same hour: the newer one replaces the hourly one
