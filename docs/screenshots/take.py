"""Screenshots of the start-up screens, to check how they look.

Run under a virtual X server at the counter's usual resolution:

    xvfb-run -s "-screen 0 1366x768x24" .venv/bin/python docs/screenshots/take.py

Everything happens in a temporary folder (VERIFIER_DATA_DIR); the main window uses a
demonstration database built with `verifier.services.demo` (the main window with an
operator declared down, then locked). Options: `--lang en` shoots
the English interface (files named `*-en.png`); `--extra` also shoots the administrator
page refused with its inline sentences (`setup-admin.png`).
"""

from __future__ import annotations

import argparse
import os
import tempfile
from pathlib import Path

TMP = Path(tempfile.mkdtemp(prefix="verifier-shots-"))
os.environ["VERIFIER_DATA_DIR"] = str(TMP / "data")
OUT = Path(__file__).resolve().parent

from PySide6.QtCore import QEventLoop, QThreadPool, QTimer
from PySide6.QtWidgets import QWidget

from verifier import i18n
from verifier.store.engine import Location


def wait_for(condition, timeout_ms: int = 120_000) -> None:  # type: ignore[no-untyped-def]
    """Run the event loop until `condition()` holds.

    A real QEventLoop rather than QTest.qWait: qWait keeps the GIL while it sleeps, which
    starves the worker thread (set-up then takes 30 s instead of 1 s).
    """
    loop = QEventLoop()
    timer = QTimer()
    timer.timeout.connect(lambda: condition() and loop.quit())
    timer.start(50)
    QTimer.singleShot(timeout_ms, loop.quit)
    if not condition():
        loop.exec()
    timer.stop()
    if not condition():
        raise SystemExit("timed out")


def pause(ms: int) -> None:
    loop = QEventLoop()
    QTimer.singleShot(ms, loop.quit)
    loop.exec()


def shoot(widget: QWidget, name: str, wanted: bool = True) -> None:
    widget.show()
    widget.raise_()
    widget.activateWindow()
    pause(300)  # let the window manager map it and the widgets paint
    if not wanted:
        return
    path = OUT / f"{name}{'' if i18n.language() == 'fr' else '-en'}.png"
    widget.grab().save(str(path))
    print(path)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--lang", choices=i18n.LANGUAGES, default="fr")
    parser.add_argument("--extra", action="store_true")
    args = parser.parse_args()
    i18n.set_language(args.lang)
    from verifier.gui.start import make_app

    app = make_app()
    from verifier.gui.main_window import MainWindow
    from verifier.gui.setup_wizard import SetupWizard
    from verifier.gui.sign_in import SignInDialog
    from verifier.services import auth, demo

    # 1. set-up: the site page, filled in
    wizard = SetupWizard(Location(sqlite_path=TMP / "new" / "verifier.db"))
    page = wizard.site_page
    page.name_edit.setText("Pharmacie du Marché")
    page.finess_edit.setText("750000001")
    page.am_edit.setText("7512345")
    page.address_edit.setPlainText("1 place du Marché\n75000 Paris")
    wizard.show()
    page.name_edit.setFocus()
    shoot(wizard, "setup-site")

    # 1b. the administrator page, refused with every problem shown inline
    wizard.next()
    admin = wizard.admin_page
    admin.login_edit.setText("mdupont")
    admin.display_edit.setText("Marie Dupont")
    admin.password_edit.setText("court")
    admin.confirm_edit.setText("courte")
    wizard.next()
    shoot(wizard, "setup-admin", args.extra)

    # 2. the recovery code, after the real work on the thread pool
    admin.password_edit.setText("une longue phrase de passe")
    admin.confirm_edit.setText("une longue phrase de passe")
    wizard.next()
    wait_for(lambda: wizard.currentPage() is wizard.recovery_page)
    shoot(wizard, "setup-recovery")
    wizard.recovery_page.confirm_box.setChecked(True)
    wizard.next()

    # 2b. the insurers: two typed, with the keyboard's Enter
    insurers = wizard.insurers_page
    for amc, name, operator in (("99100040", "Mutuelle des Marchés", 1), ("99100057", "Caisse de l'Est", 0)):
        insurers.amc_edit.setText(amc)
        insurers.name_edit.setText(name)
        insurers.operator_combo.setCurrentIndex(operator)
        insurers.add_insurer()
        wait_for(lambda: not insurers.jobs.busy and not insurers.list_jobs.busy)
    wait_for(lambda: insurers.list.count() == 2)
    insurers.amc_edit.setFocus()
    shoot(wizard, "setup-insurers")
    wizard.accept()
    assert wizard.context is not None
    wizard.context.close()

    # 3. sign-in on the demonstration database, after a wrong password
    location = Location(sqlite_path=TMP / "demo" / "verifier.db")
    demo.build(location)
    dialog = SignInDialog(location)
    dialog.show()
    dialog.login_edit.setText(demo.DEMO_ADMIN)
    dialog.password_edit.setText("pas le bon mot de passe")
    dialog.accept()
    wait_for(lambda: not dialog.busy)
    dialog.login_edit.setFocus()
    shoot(dialog, "sign-in")
    dialog.hide()

    # 4. the main window with the demonstration figures, an operator declared down
    from verifier.services import outages

    ctx = auth.sign_in(location, demo.DEMO_ADMIN, demo.DEMO_PASSWORD)
    outages.declare_down(ctx, "VIAMEDIS", "serveur injoignable depuis ce matin")
    window = MainWindow(ctx, "Pharmacie de démonstration")
    window.resize(1366, 768)
    window.show()
    wait_for(lambda: window._status_task is None and window.strip.status is not None)
    shoot(window, "main-window")

    # 5. the same window locked: no patient data left on screen
    window.lock()
    shoot(window, "locked")
    window.close()
    QThreadPool.globalInstance().waitForDone()
    app.processEvents()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
