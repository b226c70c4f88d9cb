"""Screenshots of a clinic's screens (issue 11): the stay counter at discharge, a
consultation, the queue with stays, and the clinic bordereau of a batch.

    xvfb-run -a -s "-screen 0 1366x768x24" .venv/bin/python docs/screenshots/take_clinic.py

Everything happens in a temporary folder, on `verifier demo --activity clinic,centre`'s
data; the bordereau page is rendered with `pdftoppm` (poppler-utils).
"""

from __future__ import annotations

import os
import subprocess
import tempfile
from datetime import date
from decimal import Decimal
from pathlib import Path

TMP = Path(tempfile.mkdtemp(prefix="verifier-clinic-shots-"))
os.environ["VERIFIER_DATA_DIR"] = str(TMP / "data")
OUT = Path(__file__).resolve().parent

from PySide6.QtWidgets import QWidget  # noqa: E402

from verifier.store.engine import Location  # noqa: E402

D = Decimal


def main() -> int:
    from take import pause, wait_for  # (this folder is on sys.path: the script runs from it)

    from verifier.gui.start import make_app

    app = make_app()
    from verifier.domain.care import CareLine, LineKind
    from verifier.exports.bundle import STAY_SLIP, open_bundle
    from verifier.gui.clinic.care_lines import Entry
    from verifier.gui.main_window import MainWindow
    from verifier.services import auth, batches, demo, stays

    location = Location(sqlite_path=TMP / "demo" / "verifier.db")
    demo.build(location, activities=("clinic", "centre"))
    ctx = auth.sign_in(location, demo.DEMO_ADMIN, demo.DEMO_PASSWORD)
    window = MainWindow(ctx, "Clinique de démonstration")
    window.resize(1366, 768)
    window.show()
    wait_for(lambda: window._status_task is None and window.strip.status is not None)

    def shoot(widget: QWidget, name: str) -> None:
        pause(400)
        path = OUT / f"{name}.png"
        widget.grab().save(str(path))
        print(path)

    # 1. the open stay at discharge: its patient, PEC and stay read back, the lines typed
    page = window.stays
    assert page is not None
    window.tabs.setCurrentWidget(page)
    (open_stay,) = stays.list_open(ctx)
    page.pick_open_stay(open_stay.claim_id)
    wait_for(lambda: page.discharging is not None)
    page.stay.discharge_edit.setText(date.today().strftime("%d/%m/%Y"))
    page.lines.model.set_entries(
        [
            Entry(CareLine(LineKind.STAY_FEES, "PJ", "Frais de séjour", 1, D("1800.00"), D("1800.00")), False),
            Entry(CareLine(LineKind.DAILY_CHARGE, "FJ", "Forfait journalier", 3, D("0")), True),
            Entry(CareLine(LineKind.FEE, "ADC", "Chirurgien", 1, D("420.00"), D("209.00")), False),
            Entry(CareLine(LineKind.ROOM, "CP", "Chambre particulière", 3, D("80.00")), True),
            Entry(CareLine(LineKind.COMFORT, "TV", "Télévision", 3, D("5.00")), True),
        ]
    )
    page.update_amounts()
    page.stay.discharge_edit.setFocus()
    shoot(window, "clinic-stay")

    # 2. the queue of the clinic and the centre: stays, an open one, consultations
    window.tabs.setCurrentWidget(window.queue)
    wait_for(lambda: not window.queue.model.loading and window.queue.model.summary is not None)
    shoot(window, "clinic-queue")

    # 3. a consultation typed in the centre's page
    consultations = window.consultations
    assert consultations is not None
    window.tabs.setCurrentWidget(consultations)
    consultations.pec.guarantees_edit.setPlainText("CONS 100 % BR")
    consultations.lines.model.set_entries(
        [
            Entry(
                CareLine(LineKind.CONSULTATION, "G", "Consultation de médecine générale", 1, D("30.00"), D("30.00")),
                False,
            )
        ]
    )
    consultations.update_amounts()
    shoot(window, "clinic-consultation")
    window.close()

    # 4. the clinic bordereau of the demo's first batch (two stays), page 2: the surgery's invoice
    batch = min(batches.list_batches(ctx), key=lambda b: b.id)  # the stays' (the demo makes it first)
    bundle = batches.export_batch(ctx, batch.id, TMP / "out")
    pdf = TMP / STAY_SLIP
    pdf.write_bytes(open_bundle(bundle)[STAY_SLIP])
    subprocess.run(
        ["pdftoppm", "-r", "80", "-png", "-f", "2", "-l", "2", "-singlefile", str(pdf), str(OUT / "clinic-bordereau")],
        check=True,
    )
    print(OUT / "clinic-bordereau.png")
    ctx.close()
    app.processEvents()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
