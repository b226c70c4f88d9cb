"""Screenshots of the shared-server screens: the set-up assistant's server page, the counter
when the server does not answer.

    .venv/bin/python docs/screenshots/take_server.py            # offscreen, 1366x768

It starts a throwaway PostgreSQL server (tests/pgserver.py: initdb and pg_ctl, run as the
`postgres` OS user when started as root) on port 5433 if free, builds the demonstration
site there, and stops the server under the counter for the second picture. Everything is
removed at the end. `--lang en` shoots the English interface (`*-en.png`).
"""

from __future__ import annotations

import argparse
import os
import socket
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# take.py makes the temporary folder (VERIFIER_DATA_DIR) and has the event-loop helpers.
from PySide6.QtCore import Qt, QThreadPool  # noqa: E402
from PySide6.QtTest import QTest  # noqa: E402
from PySide6.QtWidgets import QLineEdit  # noqa: E402
from take import shoot, wait_for  # noqa: E402

from verifier import i18n, paths  # noqa: E402
from verifier.store.engine import Location  # noqa: E402


def type_into(edit: QLineEdit, text: str) -> None:
    edit.setFocus()
    QTest.keyClicks(edit, text)


def port() -> int:
    with socket.socket() as s:
        try:
            s.bind(("127.0.0.1", 5433))
            return 5433
        except OSError:
            return 0


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--lang", choices=i18n.LANGUAGES, default="fr")
    args = parser.parse_args()
    i18n.set_language(args.lang)
    from tests.pgserver import PgServer
    from verifier.gui.main_window import MainWindow
    from verifier.gui.setup_wizard import SetupWizard
    from verifier.gui.start import make_app
    from verifier.services import auth, demo, outages
    from verifier.services.demo import nir_for

    app = make_app()
    server = PgServer(port() or None)
    try:
        server.create_database("verifier")
        import psycopg

        with psycopg.connect(server.url("postgres"), autocommit=True) as conn:
            conn.execute("CREATE ROLE comptoir LOGIN")
            conn.execute("GRANT ALL ON DATABASE verifier TO comptoir")
        location = Location(url=server.url("verifier"))
        demo.build(location)
        with psycopg.connect(server.url("verifier"), autocommit=True) as conn:
            conn.execute("GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO comptoir")

        # 1. set-up on a new counter: the shared server, tested, already holds the pharmacy
        wizard = SetupWizard(Location(sqlite_path=paths.default_database()))
        wizard.resize(720, 560)
        page = wizard.place_page
        assert page is not None
        wizard.show()
        page.server_radio.setChecked(True)
        page.url_edit.setText(f"postgresql://comptoir@localhost:{server.port}/verifier")
        page.test()
        wait_for(lambda: not page.busy)
        page.url_edit.setFocus()
        page.url_edit.deselect()
        shoot(wizard, "setup-server")
        wizard.hide()

        # 2. the counter with a claim typed in, when the server stops
        ctx = auth.sign_in(location, demo.DEMO_ADMIN, demo.DEMO_PASSWORD)
        outages.declare_down(ctx, "VIAMEDIS", "serveur injoignable depuis ce matin")
        window = MainWindow(ctx, "Pharmacie de démonstration")
        window.resize(1366, 768)
        window.show()
        wait_for(lambda: window._status_task is None and window.strip.status is not None)
        counter = window.counter
        wait_for(lambda: bool(counter.patient.insurers))
        p = counter.patient
        type_into(p.surname_edit, "LEFAUVRE")
        type_into(p.first_edit, "Amina")
        type_into(p.birth_edit, "12/05/1980")
        type_into(p.nir_edit, nir_for("2", "12/05/1980", "35", "238", 41))
        type_into(p.fund_edit, "011351234")
        insurer = counter.patient.insurers[0]
        type_into(p.insurer_edit, insurer.amc_number)
        type_into(p.member_edit, "ADH-4471205")
        type_into(p.to_edit, "31/12/2099")
        c = counter.check
        c.method_combo.setCurrentIndex(c.method_combo.findData("hotline"))
        type_into(c.reference_edit, "PLT-88412")
        c.outcome_combo.setCurrentIndex(c.outcome_combo.findData("covered"))
        for code in ("]d2010340092245711617271231101AB12C~21XYZ987", "3015141"):  # "~": a GS stand-in
            type_into(counter.lines.scan_edit, code)
            QTest.keyClick(counter.lines.scan_edit, Qt.Key.Key_Return)
        wait_for(lambda: counter.lines.model.rowCount() == 2)
        wait_for(lambda: not counter.keeper.pending)
        server.stop()
        counter.queue_claim()
        wait_for(lambda: not counter.busy)
        wait_for(lambda: window.strip.server.isVisible())
        shoot(window, "counter-server-down")
        window.close()
        QThreadPool.globalInstance().waitForDone()
        app.processEvents()
    finally:
        server.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
