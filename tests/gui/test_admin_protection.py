"""Issue 12: how each insurer's batches are protected, set in its form and used by the export
dialog; an entry changed outside verifier is named in the form and in the export dialog."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QThreadPool
from sqlalchemy import text

from tests.gui.test_admin_batches import click
from tests.unit.test_bundle_crypto import make_certificate, usage
from verifier.exports.bundle import open_bundle
from verifier.gui.admin.batch_dialogs import ExportDialog
from verifier.gui.admin.batch_models import BatchRow
from verifier.gui.admin.directory_dialogs import InsurerDialog
from verifier.gui.admin.models import InsurerModel
from verifier.services import auth, batches, demo, directory
from verifier.services.context import Context
from verifier.store.engine import Location


@pytest.fixture(autouse=True)
def _data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("VERIFIER_DATA_DIR", str(tmp_path / "profile"))
    yield
    QThreadPool.globalInstance().waitForDone(30_000)


@pytest.fixture
def admin(tmp_path: Path) -> Iterator[Context]:
    where = Location(sqlite_path=tmp_path / "demo.db")
    demo.build(where)
    ctx = auth.sign_in(where, demo.DEMO_ADMIN, demo.DEMO_PASSWORD)
    yield ctx
    QThreadPool.globalInstance().waitForDone(30_000)
    ctx.close()


def test_the_certificate_set_in_the_form_is_the_export_default(qtbot, admin: Context, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    cert, key = make_certificate(key_usage=usage(True))
    pem = tmp_path / "mutuelle.pem"
    pem.write_bytes(cert)
    batch = next(b for b in batches.list_batches(admin) if b.insurer_id is not None)
    insurer = directory.get_insurer(admin, batch.insurer_id)  # type: ignore[arg-type]
    operators = directory.list_operators(admin)

    # A file that is no certificate: refused under its field, nothing changed.
    garbage = tmp_path / "not-a-cert.pem"
    garbage.write_bytes(b"\x81<b>garbage</b>" * 50)
    dialog = InsurerDialog(admin, operators, insurer)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.protection.box.setCurrentIndex(dialog.protection.box.findData(directory.CERTIFICATE))
    dialog.protection.file_edit.setText(str(garbage))
    click(qtbot, dialog.save_button)
    message = dialog.form.messages["certificate"]
    qtbot.waitUntil(lambda: message.isVisible())
    assert "certificat" in message.text().lower() and dialog.isVisible()
    assert directory.get_insurer(admin, insurer.id).export_protection == directory.PASSPHRASE

    dialog.protection.file_edit.setText(str(pem))
    with qtbot.waitSignal(dialog.insurer_saved):
        click(qtbot, dialog.save_button)
    saved = directory.get_insurer(admin, insurer.id)
    assert saved.export_protection == directory.CERTIFICATE and saved.certificate is not None
    model = InsurerModel()
    model.set_rows([saved])
    shown = [model.index(0, c).data() for c in range(model.columnCount())]
    assert any(str(v).startswith("certificat (jusqu'au ") for v in shown)

    # The export dialog offers the certificate on record first, and uses it.
    export = ExportDialog(admin, BatchRow(batches.get(admin, batch.id), saved.name), None)
    qtbot.addWidget(export)
    export.show()
    assert export.encryption_box.currentData() == "stored"
    assert "Mutuelle Fictive" in export.encryption_box.currentText()
    export.outbox_edit.setText(str(tmp_path / "out"))
    with qtbot.waitSignal(export.exported, timeout=30_000) as got:
        click(qtbot, export.save_button)
    written = got.args[0]
    assert written.suffix == ".p7m" and open_bundle(written, private_key_pem=key)

    # Changed by SQL: named in the list, the form and the export dialog.
    with admin.store.engine.begin() as conn:
        conn.execute(text("UPDATE insurers SET hotline = '08 99 00 00 00' WHERE id = :i"), {"i": insurer.id})
    changed = directory.get_insurer(admin, insurer.id)
    model.set_rows([changed])
    assert "modifié hors verifier : à vérifier" in [model.index(0, c).data() for c in range(model.columnCount())]
    form = InsurerDialog(admin, operators, changed)
    qtbot.addWidget(form)
    form.show()
    assert "modifiée en dehors de verifier" in form.message.text()
    again = ExportDialog(admin, BatchRow(batches.get(admin, batch.id), saved.name), None)
    qtbot.addWidget(again)
    again.show()
    assert "modifiée en dehors de verifier" in again.message.text()


def test_settings_changed_outside_verifier_are_said_on_their_page(qtbot, admin: Context) -> None:  # type: ignore[no-untyped-def]
    from verifier.gui.admin.settings_page import SettingsPage
    from verifier.services import settings

    settings.save(admin, settings.SiteSettings(claim_amc_ceiling=settings.SiteSettings().claim_amc_ceiling * 2))
    page = SettingsPage(admin)
    qtbot.addWidget(page)
    page.refresh()
    assert not page.status.isVisible() or "en dehors de verifier" not in page.status.text()
    forged = settings.SiteSettings(claim_amc_ceiling=settings.SiteSettings().claim_amc_ceiling * 100).to_json()
    with admin.store.engine.begin() as conn:
        conn.execute(text("UPDATE settings SET value = :v WHERE key = :k"), {"v": forged, "k": settings.KEY})
    page.refresh()
    assert "modifiés en dehors de verifier" in page.status.text()
    assert page.claim_edit.text() == "300,00\u00a0€"  # the defaults, which apply
