"""An administrator confirms or merges the insurers recorded at the counter, from the
insurers page, with the keyboard."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import Qt

from tests.factories import AMC
from tests.gui.test_admin import _data_dir, admin  # noqa: F401 - fixtures
from verifier.gui.admin import AdminPanel
from verifier.gui.admin.insurers import MergeDialog
from verifier.services import directory
from verifier.services.context import Context


def test_confirm_one_and_merge_another(qtbot, admin: Context) -> None:  # type: ignore[no-untyped-def]
    first = directory.record_provisional_insurer(admin, "31234567", "Mutuelle du Coin")
    second = directory.record_provisional_insurer(admin, "31234568", "Mut. Test (carte)")
    panel = AdminPanel(admin)
    qtbot.addWidget(panel)
    panel.resize(1366, 768)
    panel.show()
    page = panel.directory_page
    qtbot.waitUntil(lambda: page.insurer_model.rowCount() == 3)
    assert "2 organismes à confirmer" in page.count_label.text()
    states = {
        page.insurer_model.insurer(r).amc_number: page.insurer_model.data(page.insurer_model.index(r, 7))
        for r in range(3)
    }
    assert states == {AMC: "actif", "31234567": "à confirmer", "31234568": "à confirmer"}

    page.insurers.select(first.id)
    assert page.confirm_insurer_button.isEnabled()
    page.confirm_insurer_button.setFocus()
    with qtbot.waitSignal(panel.changed, timeout=10_000):
        qtbot.keyClick(page.confirm_insurer_button, Qt.Key.Key_Space)
    qtbot.waitUntil(lambda: "confirmé" in page.status.text(), timeout=10_000)
    assert not directory.get_insurer(admin, first.id).provisional

    qtbot.waitUntil(lambda: page.insurers.selected() is not None, timeout=10_000)
    page.insurers.select(second.id)
    assert page.merge_insurer_button.isEnabled()
    page.merge_insurer_button.setFocus()
    qtbot.keyClick(page.merge_insurer_button, Qt.Key.Key_Space)
    dialog = page.dialog
    assert isinstance(dialog, MergeDialog) and dialog.isVisible()
    dialog.combo.setCurrentIndex(dialog.combo.findData(directory.get_insurer(admin, AMC).id))
    with qtbot.waitSignal(panel.changed, timeout=10_000):
        qtbot.keyClick(dialog.combo, Qt.Key.Key_Return)  # Enter merges
    qtbot.waitUntil(lambda: page.insurer_model.rowCount() == 2, timeout=10_000)
    assert directory.count_provisional(admin) == 0
    assert "fusionné" in page.status.text()
    assert "à confirmer" not in page.count_label.text()
