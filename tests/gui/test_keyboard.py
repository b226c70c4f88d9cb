"""Keyboard: no Alt+letter used twice in one window, the menus and the batches page reachable
without the mouse (issue 9, point 9). Driven by key events on the real windows."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QCoreApplication, Qt, QThreadPool
from PySide6.QtWidgets import QApplication, QMenu

from tests.gui.mnemonics import mnemonic, mnemonic_clashes
from tests.gui.test_shell import demo_dir, demo_location, open_window  # noqa: F401 - fixtures
from verifier import i18n
from verifier.domain.states import ClaimStatus
from verifier.gui.admin.batch_dialogs import ExportDialog
from verifier.gui.main_window import MainWindow
from verifier.gui.setup_wizard import SetupWizard
from verifier.gui.sign_in import SignInDialog
from verifier.services import auth, demo, directory, queue
from verifier.store.engine import Location

ALT = Qt.KeyboardModifier.AltModifier
CTRL_SHIFT = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier


@pytest.fixture
def french() -> Iterator[None]:
    yield
    i18n.set_language("fr")


def settle() -> None:
    for _ in range(5):
        QThreadPool.globalInstance().waitForDone(30_000)
        QCoreApplication.processEvents()


def key(qtbot, window, k: Qt.Key, modifiers: Qt.KeyboardModifier) -> None:  # type: ignore[no-untyped-def]
    qtbot.keyClick(QApplication.focusWidget() or window, k, modifiers)


def test_mnemonic_reads_the_letter_after_a_single_ampersand() -> None:
    assert mnemonic("&Créer les lots") == "c"
    assert mnemonic("Affic&hage") == "h"
    assert mnemonic("Dupont && fils") is None
    assert mnemonic("Session") is None


@pytest.mark.parametrize("language", ["fr", "en"])
def test_no_mnemonic_is_used_twice_in_any_window(
    qtbot,
    demo_location: Location,
    tmp_path: Path,  # type: ignore[no-untyped-def]
    language: str,
    french: None,
) -> None:
    """Every page of the main window (admin and counter user) with the menus and the always
    visible parts, the claim window, the sign-in window and the set-up assistant."""
    i18n.set_language(language)
    problems: list[str] = []
    for login in (demo.DEMO_ADMIN, demo.DEMO_COUNTER):
        window = open_window(qtbot, auth.sign_in(demo_location, login, demo.DEMO_PASSWORD))
        problems += [f"{login}: {p}" for p in mnemonic_clashes(window)]
        assert window.ctx is not None
        row = queue.read_page(
            window.ctx, queue.Search(statuses=(ClaimStatus.QUEUED,)), sort="number", descending=False
        ).rows[0]
        dialog = window.queue.open_claim(row.id)
        qtbot.waitUntil(lambda: dialog.isVisible())
        problems += [f"claim window: {p}" for p in mnemonic_clashes(dialog)]
        dialog.close()
        settle()
    sign_in = SignInDialog(demo_location)
    qtbot.addWidget(sign_in)
    problems += mnemonic_clashes(sign_in)
    wizard = SetupWizard(Location(sqlite_path=tmp_path / "new.db"))
    qtbot.addWidget(wizard)
    problems += mnemonic_clashes(wizard)
    assert problems == []


def test_the_known_clashes_are_gone(qtbot, demo_location: Location) -> None:  # type: ignore[no-untyped-def]
    """Alt+A went to the Affichage menu and Alt+O to Organisme before the Opérateurs menu."""
    window = open_window(qtbot, auth.sign_in(demo_location, demo.DEMO_COUNTER, demo.DEMO_PASSWORD))
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    titles = {mnemonic(a.text()) for a in window.menuBar().actions()} - {None}
    assert not titles & {"a", "o"}
    # Alt+O at the counter goes to the insurer's field, at once
    window.counter.setFocus()
    key(qtbot, window, Qt.Key.Key_O, ALT)
    focus = QApplication.focusWidget()
    assert focus is not None and window.counter.isAncestorOf(focus)
    labels = [label for label in window.counter.findChildren(type(window.strip.user_label)) if label.buddy() is focus]
    assert [label.text() for label in labels] == ["&Organisme :"]


def test_f10_opens_the_menu_bar_and_alt_h_the_view_menu(qtbot, demo_location: Location) -> None:  # type: ignore[no-untyped-def]
    window = open_window(qtbot, auth.sign_in(demo_location, demo.DEMO_ADMIN, demo.DEMO_PASSWORD))
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    key(qtbot, window, Qt.Key.Key_F10, Qt.KeyboardModifier.NoModifier)
    bar = window.menuBar()
    assert bar.activeAction() is bar.actions()[0]
    assert "Ouvrir la barre de menus" in window.registry.shortcut_rows()[-1][0]  # and F1 says so
    # the arrows lead to the Opérateurs menu and Enter opens its first action's dialog
    key(qtbot, window, Qt.Key.Key_Escape, Qt.KeyboardModifier.NoModifier)
    key(qtbot, window, Qt.Key.Key_Escape, Qt.KeyboardModifier.NoModifier)
    key(qtbot, window, Qt.Key.Key_Alt, Qt.KeyboardModifier.NoModifier)  # nothing sticks from Alt alone
    window.tabs.setFocus()
    key(qtbot, window, Qt.Key.Key_H, ALT)
    qtbot.waitUntil(lambda: isinstance(QApplication.activePopupWidget(), QMenu))
    popup = QApplication.activePopupWidget()
    assert isinstance(popup, QMenu) and popup.title() == "Affic&hage"
    popup.close()


@pytest.fixture
def batches_window(qtbot, demo_location: Location) -> Iterator[MainWindow]:  # type: ignore[no-untyped-def]
    window = open_window(qtbot, auth.sign_in(demo_location, demo.DEMO_ADMIN, demo.DEMO_PASSWORD))
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    assert window.admin is not None
    key(qtbot, window, Qt.Key.Key_3, Qt.KeyboardModifier.ControlModifier)
    page = window.admin.batches_page
    window.admin.tabs.setCurrentWidget(page)
    qtbot.waitUntil(lambda: page.loaded_once and not page.list_jobs.busy)
    yield window
    settle()


def test_batches_page_creates_and_exports_from_the_keyboard(qtbot, batches_window: MainWindow) -> None:  # type: ignore[no-untyped-def]
    window = batches_window
    assert window.admin is not None and window.ctx is not None
    page = window.admin.batches_page
    nord = directory.get_insurer(window.ctx, "80123456").id
    assert page.select_insurers({nord}) == 1
    page.ready_view.setFocus()
    with qtbot.waitSignal(page.changed, timeout=30_000):
        key(qtbot, window, Qt.Key.Key_C, CTRL_SHIFT)
    qtbot.waitUntil(lambda: not page.jobs.busy and page.selected_batch() is not None)
    assert page.status.text().startswith("Lot n° 000001 créé pour Prévoyance Fictive du Nord")
    key(qtbot, window, Qt.Key.Key_E, CTRL_SHIFT)
    qtbot.waitUntil(lambda: isinstance(page.dialog, ExportDialog) and page.dialog.isVisible())
    assert page.dialog is not None
    page.dialog.reject()


def test_batches_page_keys_are_in_the_tooltips_and_the_readme(batches_window: MainWindow) -> None:
    assert batches_window.admin is not None
    page = batches_window.admin.batches_page
    assert "Ctrl+Maj+C" in page.create_button.toolTip() or "Ctrl+Shift+C" in page.create_button.toolTip()
    readme = (Path(__file__).parents[2] / "README.md").read_text(encoding="utf-8")
    for keys in ("Ctrl+Maj+C", "Ctrl+Maj+D", "Ctrl+Maj+E", "Ctrl+Maj+V", "Ctrl+Maj+N", "F10"):
        assert f"| {keys} |" in readme


@pytest.mark.parametrize("language", ["fr", "en"])
def test_no_mnemonic_is_used_twice_in_any_dialog(
    qtbot,
    batches_window: MainWindow,
    language: str,  # type: ignore[no-untyped-def]
    french: None,
) -> None:
    from verifier.gui.admin.batch_dialogs import ChooseClaimsDialog, SentDialog, VoidBatchDialog
    from verifier.gui.admin.directory_dialogs import InsurerDialog, OperatorDialog
    from verifier.gui.admin.users import AddUserDialog
    from verifier.gui.counter.override_dialog import OverrideDialog
    from verifier.gui.queue.void_dialog import VoidDialog
    from verifier.gui.status import OutageDialog

    i18n.set_language(language)
    window, ctx = batches_window, batches_window.ctx
    assert window.admin is not None and ctx is not None
    page = window.admin.batches_page
    ready, batch = page.ready_model.rows()[0], page.batch_model.rows()[0]
    row = queue.read_page(ctx, queue.Search(statuses=(ClaimStatus.QUEUED,)), sort="number", descending=False).rows[0]
    dialogs = [
        ExportDialog(ctx, batch, window),
        SentDialog(ctx, batch, window),
        VoidBatchDialog(ctx, batch, window),
        ChooseClaimsDialog(ctx, ready, window),
        InsurerDialog(ctx, directory.list_operators(ctx), parent=window),
        OperatorDialog(ctx, parent=window),
        AddUserDialog(ctx, window),
        VoidDialog(ctx, row.id, 1, window),
        OutageDialog(ctx, window.strip.status, True, window),
        OverrideDialog([], window),
    ]
    problems = [p for dialog in dialogs for p in mnemonic_clashes(dialog)]
    for dialog in dialogs:
        dialog.deleteLater()
    settle()
    assert problems == []
