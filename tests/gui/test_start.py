"""The GUI start-up driven through its real widgets: set-up, sign-in, main window."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import itertools
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt, QThreadPool
from PySide6.QtWidgets import QApplication, QDialog, QWizard

from verifier import i18n
from verifier.gui import start
from verifier.gui.actions import ActionId
from verifier.gui.main_window import MainWindow
from verifier.gui.setup_wizard import SetupWizard
from verifier.gui.sign_in import SignInDialog
from verifier.gui.status import claims_text
from verifier.services import auth, settings
from verifier.services.context import Context
from verifier.store import database
from verifier.store.engine import Location

PASSWORD = "correct horse battery"
LOGIN = "titulaire"
SITE = "Pharmacie du Marché"


@pytest.fixture
def location(tmp_path: Path) -> Location:
    return Location(sqlite_path=tmp_path / "v.db")


@pytest.fixture(autouse=True)
def _drain_pool() -> Iterator[None]:
    yield
    QThreadPool.globalInstance().waitForDone(10_000)


def fill_site(wizard: SetupWizard, name: str = SITE) -> None:
    page = wizard.site_page
    page.name_edit.setText(name)
    page.finess_edit.setText("")
    page.am_edit.setText("7512345")
    page.address_edit.setPlainText("1 place du Marché\n75000 Paris")


def fill_admin(wizard: SetupWizard, password: str = PASSWORD, confirm: str | None = None) -> None:
    page = wizard.admin_page
    page.login_edit.setText(LOGIN)
    page.display_edit.setText("Marie Dupont")
    page.password_edit.setText(password)
    page.confirm_edit.setText(password if confirm is None else confirm)


def run_setup(qtbot, location: Location) -> tuple[SetupWizard, Context]:  # type: ignore[no-untyped-def]
    wizard = SetupWizard(location)
    qtbot.addWidget(wizard)
    wizard.show()
    fill_site(wizard)
    wizard.next()
    assert wizard.currentPage() is wizard.admin_page
    fill_admin(wizard)
    wizard.next()
    assert wizard.currentPage() is wizard.progress_page
    qtbot.waitUntil(lambda: wizard.currentPage() is wizard.recovery_page, timeout=60_000)
    code = wizard.recovery_page.code_label.text()
    assert len(code) == 35 and code.count("-") == 5
    onward = wizard.button(QWizard.WizardButton.CommitButton)
    assert not onward.isEnabled()
    assert not wizard.button(QWizard.WizardButton.BackButton).isEnabled()
    wizard.reject()  # Escape or the window's close box: refused, the code is not confirmed
    assert wizard.isVisible()
    wizard.recovery_page.confirm_box.setChecked(True)
    assert onward.isEnabled()
    qtbot.mouseClick(onward, Qt.MouseButton.LeftButton)
    assert wizard.currentPage() is wizard.insurers_page  # the insurers, now or later
    assert not wizard.button(QWizard.WizardButton.BackButton).isEnabled()  # the code is not shown again
    finish = wizard.button(QWizard.WizardButton.FinishButton)
    with qtbot.waitSignal(wizard.signed_in, timeout=5_000) as got:
        qtbot.mouseClick(finish, Qt.MouseButton.LeftButton)
    ctx = got.args[0]
    assert isinstance(ctx, Context)
    assert wizard.context is ctx and not wizard.isVisible()
    return wizard, ctx


def test_setup_then_sign_in_then_main_window(qtbot, location: Location) -> None:  # type: ignore[no-untyped-def]
    wizard, ctx = run_setup(qtbot, location)
    assert ctx.actor.login == LOGIN and ctx.actor.is_admin
    assert "20" in wizard.recovery_page.drugs_label.text()  # "20 7xx présentations chargées"
    auth.sign_out(ctx)
    assert database.exists(location)

    dialog = SignInDialog(location)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.login_edit.setText(LOGIN)
    dialog.password_edit.setText("not the password")
    qtbot.mouseClick(dialog.submit_button, Qt.MouseButton.LeftButton)
    expected = i18n.tr("Identifiant ou mot de passe incorrect. Vérifiez la saisie (majuscules, clavier) et réessayez.")
    qtbot.waitUntil(lambda: dialog.message.text() == expected, timeout=10_000)
    assert dialog.isVisible() and dialog.context is None and dialog.result() != QDialog.DialogCode.Accepted
    assert dialog.password_edit.text() == ""

    dialog.password_edit.setText(PASSWORD)
    with qtbot.waitSignal(dialog.signed_in, timeout=10_000) as got:
        qtbot.keyClick(dialog.password_edit, Qt.Key.Key_Return)
    ctx = got.args[0]
    assert dialog.context is ctx and ctx.actor.login == LOGIN
    assert dialog.result() == QDialog.DialogCode.Accepted and not dialog.isVisible()

    window = MainWindow(ctx)  # after signing in, the site's name comes from the services
    qtbot.addWidget(window)
    window.show()
    qtbot.waitUntil(lambda: "0 demande" in window.strip.queue_button.text(), timeout=10_000)
    assert window.windowTitle() == f"verifier – {SITE}"
    assert "0,00\u00a0€" in window.strip.queue_button.text()
    with qtbot.waitSignal(window.signed_out, timeout=5_000):
        window.registry[ActionId.SIGN_OUT].trigger()
    assert window.ctx is None and not window.isVisible()


def test_password_too_short_is_shown_inline_with_every_problem(qtbot, location: Location) -> None:  # type: ignore[no-untyped-def]
    wizard = SetupWizard(location)
    qtbot.addWidget(wizard)
    wizard.show()
    wizard.next()  # no site name: refused, the sentence is under the field
    assert wizard.currentPage() is wizard.site_page
    name_message = wizard.site_page.form.messages["site_name"]
    assert name_message.isVisible() and name_message.text() == i18n.tr(
        "Indiquez le nom de l'officine ou de l'établissement."
    )
    fill_site(wizard)
    assert not name_message.isVisible()  # the sentence follows what is typed
    wizard.next()

    page = wizard.admin_page
    page.login_edit.setText("bad login!")
    page.password_edit.setText("short")
    page.confirm_edit.setText("shorter")
    wizard.next()  # refused, and every problem is shown at once
    assert wizard.currentPage() is page
    short = i18n.tr(
        "Le mot de passe doit compter au moins {minimum} caractères. Choisissez une phrase plus longue.",
        minimum=auth.MIN_PASSWORD,
    )
    assert page.form.messages["password"].isVisible()
    assert page.form.messages["password"].text() == short
    assert page.password_edit.accessibleDescription() == short
    assert page.form.messages["login"].text() == i18n.tr(
        "L'identifiant doit compter 1 à 64 lettres, chiffres, points, tirets ou soulignés."
    )
    assert page.form.messages["confirm"].text() == i18n.tr(
        "La confirmation ne correspond pas au mot de passe. Saisissez-le à nouveau."
    )
    assert not database.exists(location)

    page.password_edit.setText(PASSWORD)  # fixing the password clears its sentence at once
    assert not page.form.messages["password"].isVisible()
    assert page.form.messages["confirm"].isVisible()


def test_leaving_a_short_password_field_shows_the_sentence(qtbot, location: Location) -> None:  # type: ignore[no-untyped-def]
    wizard = SetupWizard(location)
    qtbot.addWidget(wizard)
    wizard.show()
    fill_site(wizard)
    wizard.next()
    page = wizard.admin_page
    page.password_edit.setText("abc")
    page.password_edit.editingFinished.emit()
    assert page.form.messages["password"].text() == i18n.tr(
        "Le mot de passe doit compter au moins {minimum} caractères. Choisissez une phrase plus longue.",
        minimum=auth.MIN_PASSWORD,
    )


def test_every_input_has_a_buddy_and_an_accessible_name(qtbot, location: Location) -> None:  # type: ignore[no-untyped-def]
    wizard = SetupWizard(location)
    qtbot.addWidget(wizard)
    for page in (wizard.site_page, wizard.admin_page):
        buddies = {label.buddy() for label in page.findChildren(type(wizard.recovery_page.drugs_label))}
        for widget in page.form.inputs.values():
            assert widget in buddies
            assert widget.accessibleName()
        order = page.form.order
        for a, b in itertools.pairwise(order):
            assert _next_tab_stop(a) is (b.focusProxy() or b)  # a group of boxes: its first box


def _next_tab_stop(widget):  # type: ignore[no-untyped-def]
    w = widget.nextInFocusChain()
    while not (w.focusPolicy() & Qt.FocusPolicy.TabFocus) or w.focusProxy() is not None:
        w = w.nextInFocusChain()
    return w


def test_setup_refuses_an_existing_database_and_can_go_back(qtbot, location: Location) -> None:  # type: ignore[no-untyped-def]
    wizard = SetupWizard(location)
    qtbot.addWidget(wizard)
    wizard.show()
    fill_site(wizard)
    wizard.next()
    fill_admin(wizard)
    ctx, _code = auth.initialise(location, auth.SiteInput("Autre"), "autre", "Autre", PASSWORD)  # someone was quicker
    ctx.close()
    wizard.next()
    page = wizard.progress_page
    qtbot.waitUntil(lambda: page.error.isVisible(), timeout=30_000)
    assert "existe déjà" in page.error.text()
    assert wizard.currentPage() is page and page.result is None
    qtbot.mouseClick(page.back_button, Qt.MouseButton.LeftButton)
    assert wizard.currentPage() is wizard.admin_page


def test_flow_shows_sign_in_at_once_then_setup_when_there_is_no_database(qtbot, location: Location) -> None:  # type: ignore[no-untyped-def]
    app = _App()
    flow = start.Flow(app, location)  # type: ignore[arg-type]
    first = flow.start()  # the sign-in window comes first; the database is looked for off the GUI thread
    assert isinstance(first, SignInDialog) and first.isVisible()
    qtbot.waitUntil(lambda: isinstance(flow.window, SetupWizard), timeout=10_000)
    wizard = flow.window
    assert wizard is not None and wizard.isVisible() and app.quits == 0
    wizard.close()
    ctx, _code = auth.initialise(location, auth.SiteInput(SITE), LOGIN, "", PASSWORD)
    ctx.close()
    second_flow = start.Flow(app, location)  # type: ignore[arg-type]
    second = second_flow.start()
    qtbot.addWidget(second)
    assert isinstance(second, SignInDialog) and second.isVisible()
    qtbot.waitUntil(lambda: second_flow._check is None, timeout=10_000)
    assert second_flow.window is second  # a database is there: the sign-in window stays


def test_flow_says_so_when_the_database_cannot_be_reached(qtbot, monkeypatch, location: Location) -> None:  # type: ignore[no-untyped-def]
    def unreachable(_location: Location) -> bool:
        raise auth.AuthFailed("auth.failed")  # any service error: its sentence is shown under the fields

    monkeypatch.setattr(start, "_database_exists", unreachable)
    flow = start.Flow(_App(), location)  # type: ignore[arg-type]
    dialog = flow.start()
    qtbot.addWidget(dialog)
    assert isinstance(dialog, SignInDialog)
    qtbot.waitUntil(
        lambda: (
            dialog.message.text()
            == i18n.tr("Identifiant ou mot de passe incorrect. Vérifiez la saisie (majuscules, clavier) et réessayez.")
        ),
        timeout=10_000,
    )
    assert flow.window is dialog


class _App:
    """Stands in for the QApplication: records that the flow asked to quit."""

    def __init__(self) -> None:
        self.quits = 0

    def quit(self) -> None:
        self.quits += 1


def test_flow_from_set_up_to_sign_out_and_back(qtbot, location: Location) -> None:  # type: ignore[no-untyped-def]
    app = _App()
    flow = start.Flow(app, location)  # type: ignore[arg-type]
    flow.start()
    qtbot.waitUntil(lambda: isinstance(flow.window, SetupWizard), timeout=10_000)
    wizard = flow.window
    assert isinstance(wizard, SetupWizard)
    fill_site(wizard)
    wizard.next()
    fill_admin(wizard)
    wizard.next()
    qtbot.waitUntil(lambda: wizard.currentPage() is wizard.recovery_page, timeout=60_000)
    wizard.recovery_page.confirm_box.setChecked(True)
    wizard.accept()
    window = flow.window
    assert isinstance(window, MainWindow) and window.isVisible()
    assert window.windowTitle() == f"verifier – {SITE}"  # the wizard knows the site's name
    qtbot.waitUntil(lambda: window._status_task is None, timeout=10_000)

    window.registry[ActionId.SIGN_OUT].trigger()  # back to the sign-in window, the application stays
    dialog = flow.window
    assert isinstance(dialog, SignInDialog) and dialog.isVisible() and app.quits == 0
    dialog.login_edit.setText(LOGIN)
    dialog.password_edit.setText(PASSWORD)
    dialog.accept()
    qtbot.waitUntil(lambda: isinstance(flow.window, MainWindow), timeout=10_000)
    second = flow.window
    assert isinstance(second, MainWindow)
    qtbot.waitUntil(lambda: second._status_task is None and second.strip.status is not None, timeout=10_000)
    assert second.windowTitle() == f"verifier – {SITE}"
    second.close()  # closing the main window signs out and quits
    assert app.quits == 1 and second.ctx is None


def test_english_claims_count_and_french_singular() -> None:
    assert claims_text(0) == "0 demande"
    assert claims_text(1) == "1 demande"
    assert claims_text(3) == "3 demandes"
    i18n.set_language("en")
    assert claims_text(0) == "0 claims"
    assert claims_text(1) == "1 claim"


def test_crash_handler_logs_and_shows_one_sentence(qtbot, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    shown: list[str] = []
    monkeypatch.setattr(start.QMessageBox, "exec", lambda self: shown.append(self.text()) or 0)
    try:
        raise RuntimeError("boom")
    except RuntimeError as exc:
        start.excepthook(RuntimeError, exc, exc.__traceback__)
    assert len(shown) == 1
    assert "boom" not in shown[0] and "Traceback" not in shown[0]
    assert str(start.logsetup.log_file()) in shown[0]


def test_the_site_s_activities_are_chosen_at_set_up(qtbot, location: Location) -> None:  # type: ignore[no-untyped-def]
    """A clinic ticks what it does on the first page; none ticked is refused with a sentence;
    the choice is the site's setting afterwards."""
    wizard = SetupWizard(location)
    qtbot.addWidget(wizard)
    wizard.show()
    fill_site(wizard)
    page = wizard.site_page
    assert page.activities.chosen() == ("pharmacy",)
    wizard.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is wizard)
    page.name_edit.setFocus()
    qtbot.keyClick(page.name_edit, Qt.Key.Key_V, Qt.KeyboardModifier.AltModifier)  # Acti&vités
    assert page.activities.boxes["pharmacy"].hasFocus()
    qtbot.keyClick(page.activities.boxes["pharmacy"], Qt.Key.Key_Space)  # unticked: none left
    wizard.next()
    assert wizard.currentPage() is page
    message = page.form.messages["activities"]
    assert message.isVisible() and message.text().startswith("Cochez au moins une activité")
    page.activities.set_chosen(("clinic", "centre"))
    assert page.site().activities == ("clinic", "centre")
    ctx, _code = auth.initialise(location, page.site(), LOGIN, "Admin", PASSWORD)
    try:
        assert settings.load(ctx).activity_set() == ("clinic", "centre")
    finally:
        ctx.close()
