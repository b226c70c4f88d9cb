"""The set-up assistant's insurers page (issue 9, point 1): a new site starts with an empty
directory; the assistant offers to import the directory file, to type the main insurers,
or to finish and do it later. Driven with the keyboard, on a real database."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWizard

from tests.gui.test_start import fill_admin, fill_site
from verifier import i18n
from verifier.gui.setup_wizard import SetupWizard
from verifier.services import audit, directory
from verifier.services.context import Context
from verifier.store.engine import Location

VIAMEDIS_MUTUELLE = "99100040"  # AMC numbers of the test directory's format (8 digits)


@pytest.fixture(autouse=True)
def _french() -> None:
    i18n.set_language("fr")


def _to_insurers_page(qtbot, tmp_path: Path) -> SetupWizard:  # type: ignore[no-untyped-def]
    wizard = SetupWizard(Location(sqlite_path=tmp_path / "v.db"), choose_place=False)
    qtbot.addWidget(wizard)
    wizard.show()
    fill_site(wizard)
    wizard.next()
    fill_admin(wizard)
    wizard.next()
    qtbot.waitUntil(lambda: wizard.currentPage() is wizard.recovery_page, timeout=60_000)
    qtbot.keyClick(wizard.recovery_page.confirm_box, Qt.Key.Key_Space)
    wizard.button(QWizard.WizardButton.CommitButton).click()
    assert wizard.currentPage() is wizard.insurers_page
    page = wizard.insurers_page
    qtbot.waitUntil(lambda: page.count_label.text() == "L'annuaire est vide.", timeout=10_000)
    return wizard


def _finish(qtbot, wizard: SetupWizard) -> Context:  # type: ignore[no-untyped-def]
    with qtbot.waitSignal(wizard.signed_in, timeout=5_000) as got:
        qtbot.mouseClick(wizard.button(QWizard.WizardButton.FinishButton), Qt.MouseButton.LeftButton)
    ctx = got.args[0]
    assert isinstance(ctx, Context)
    return ctx


def test_main_insurers_typed_with_the_keyboard(qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    wizard = _to_insurers_page(qtbot, tmp_path)
    page = wizard.insurers_page
    qtbot.keyClicks(page.amc_edit, VIAMEDIS_MUTUELLE)
    qtbot.keyClick(page.amc_edit, Qt.Key.Key_Tab)
    qtbot.keyClicks(page.name_edit, "Mutuelle des Marches")
    qtbot.keyClick(page.name_edit, Qt.Key.Key_Tab)
    qtbot.keyClicks(page.operator_combo, "Viamedis")  # typing selects the item
    assert page.operator_combo.currentData() == "VIAMEDIS"
    qtbot.keyClick(page.operator_combo, Qt.Key.Key_Return)  # adds; does not finish the assistant
    qtbot.waitUntil(lambda: page.list.count() == 1, timeout=10_000)
    assert wizard.isVisible() and wizard.currentPage() is page
    assert page.list.item(0).text() == f"{VIAMEDIS_MUTUELLE}  Mutuelle des Marches – VIAMEDIS"
    assert page.count_label.text() == "L'annuaire compte 1 organisme :"
    assert "Mutuelle des Marches (99100040) ajouté" in page.said.text()
    assert (page.amc_edit.text(), page.name_edit.text(), page.operator_combo.currentIndex()) == ("", "", 0)

    # A second one with no operator, Enter from the name field.
    qtbot.keyClicks(page.amc_edit, "99100057")
    qtbot.keyClicks(page.name_edit, "Caisse de l'Est")
    qtbot.keyClick(page.name_edit, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: page.list.count() == 2, timeout=10_000)

    ctx = _finish(qtbot, wizard)
    insurers = {i.amc_number: i for i in directory.list_insurers(ctx)}
    assert set(insurers) == {VIAMEDIS_MUTUELLE, "99100057"}
    assert insurers[VIAMEDIS_MUTUELLE].operator_code == "VIAMEDIS"
    assert not any(i.provisional for i in insurers.values())  # typed by the administrator: confirmed
    assert [op.code for op in directory.list_operators(ctx)] == ["VIAMEDIS"]  # created with its insurer
    assert audit.verify(ctx).broken_at is None
    ctx.close()


def test_bad_input_is_named_under_its_field_and_adds_nothing(qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    wizard = _to_insurers_page(qtbot, tmp_path)
    page = wizard.insurers_page
    qtbot.keyClicks(page.amc_edit, "12AB")
    qtbot.keyClick(page.amc_edit, Qt.Key.Key_Return)
    message = page.form.messages["amc_number"]
    qtbot.waitUntil(lambda: message.isVisible(), timeout=10_000)
    assert "AMC" in message.text()
    assert page.form.messages["name"].text() == "Indiquez le nom de l'organisme complémentaire."
    assert page.amc_edit.text() == "12AB"  # what was typed stays, to be corrected
    assert page.list.count() == 0 and wizard.currentPage() is page

    # The same number twice: the second is refused with a sentence, the first stays.
    page.amc_edit.setText(VIAMEDIS_MUTUELLE)
    page.name_edit.setText("Mutuelle des Marchés")
    page.add_button.click()
    qtbot.waitUntil(lambda: page.list.count() == 1, timeout=10_000)
    page.amc_edit.setText(VIAMEDIS_MUTUELLE)
    page.name_edit.setText("Autre nom")
    page.add_button.click()
    qtbot.waitUntil(lambda: message.isVisible(), timeout=10_000)
    assert message.text() == "Un organisme porte déjà le numéro AMC 99100040."
    ctx = _finish(qtbot, wizard)
    assert [i.name for i in directory.list_insurers(ctx)] == ["Mutuelle des Marchés"]
    ctx.close()


def test_directory_file_imported_from_the_assistant(qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    wizard = _to_insurers_page(qtbot, tmp_path)
    page = wizard.insurers_page
    bad = tmp_path / "annuaire-faux.csv"
    bad.write_text("numero_amc;nom;operateur\n99100040;Mutuelle A;VIAMEDIS\n12AB;Mutuelle B;\n", encoding="utf-8")
    page.csv_box.import_file(bad)
    qtbot.waitUntil(lambda: page.csv_box.details.isVisible(), timeout=10_000)
    assert "rien n'a été modifié" in page.csv_box.result.text()
    assert "ligne 3" in page.csv_box.details.toPlainText().lower()
    assert page.list.count() == 0

    good = tmp_path / "annuaire.csv"
    good.write_bytes(
        "numero_amc;nom;operateur\n99100040;Mutuelle A;VIAMEDIS\n99100057;Mutuelle B;ALMERYS\n".encode("cp1252")
    )
    page.csv_box.import_file(good)
    qtbot.waitUntil(lambda: page.list.count() == 2, timeout=10_000)
    assert page.count_label.text() == "L'annuaire compte 2 organismes :"
    ctx = _finish(qtbot, wizard)
    assert {op.code for op in directory.list_operators(ctx)} == {"VIAMEDIS", "ALMERYS"}
    ctx.close()


def test_finishing_straight_away_leaves_the_directory_for_later(qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    wizard = _to_insurers_page(qtbot, tmp_path)
    assert "à confirmer" in " ".join(
        label.text() for label in wizard.insurers_page.findChildren(type(wizard.insurers_page.count_label))
    )
    wizard.reject()  # Escape here ends the assistant signed in: the site exists
    assert wizard.context is not None
    assert directory.list_insurers(wizard.context) == []
    wizard.context.close()
