"""The administrators' panel driven through its real widgets, on a real encrypted database."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import gzip
from collections.abc import Iterator
from decimal import Decimal
from importlib import resources
from pathlib import Path

import pytest
from PySide6.QtCore import Qt, QThreadPool
from PySide6.QtWidgets import QFileDialog, QMessageBox

from tests.factories import AMC, make_site
from verifier import i18n
from verifier.config import Config
from verifier.gui.admin import AdminPanel
from verifier.gui.admin.directory_dialogs import InsurerDialog, OperatorDialog
from verifier.gui.admin.users import AddUserDialog
from verifier.reference.snapshot import shipped_snapshot_dir
from verifier.security.keyslots import AuthFailed
from verifier.services import auth, directory, drugs, settings, users
from verifier.services.context import Context
from verifier.store.engine import Location

SAMPLE = Path(str(resources.files("verifier.resources").joinpath("data", "insurers-sample.csv")))
COUNTER_PASSWORD = "a counter's long password"


@pytest.fixture(autouse=True)
def _data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("VERIFIER_DATA_DIR", str(tmp_path / "profile"))  # config.json goes there
    yield
    QThreadPool.globalInstance().waitForDone(30_000)


@pytest.fixture
def admin(tmp_path: Path) -> Iterator[Context]:
    ctx = make_site(Location(sqlite_path=tmp_path / "v.db"))
    yield ctx
    QThreadPool.globalInstance().waitForDone(30_000)
    ctx.close()


@pytest.fixture
def panel(qtbot, admin: Context) -> AdminPanel:  # type: ignore[no-untyped-def]
    widget = AdminPanel(admin)
    qtbot.addWidget(widget)
    widget.resize(1366, 768)
    widget.show()
    qtbot.waitUntil(lambda: widget.directory_page.insurer_model.rowCount() == 1)
    qtbot.waitUntil(lambda: widget.users_page.model.rowCount() == 1)
    return widget


def click(qtbot, button) -> None:  # type: ignore[no-untyped-def]
    assert button.isEnabled(), button.text()
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def insurer_amcs(panel: AdminPanel) -> list[str]:
    model = panel.directory_page.insurer_model
    return [model.insurer(r).amc_number for r in range(model.rowCount())]


# --------------------------------------------------------------------------- directory


def test_add_edit_and_deactivate_an_insurer_through_the_form(
    qtbot,
    qtmodeltester,
    panel: AdminPanel,  # type: ignore[no-untyped-def]
    admin: Context,
) -> None:
    page = panel.directory_page
    assert panel.tabs.tabText(0) == "Organismes et opérateurs" and not panel.banner.isVisibleTo(panel)
    click(qtbot, page.add_insurer_button)
    dialog = page.dialog
    assert isinstance(dialog, InsurerDialog) and dialog.isVisible()
    dialog.amc_edit.setText("12AB")
    dialog.hotline_edit.setText("01 99 00 00 42")
    click(qtbot, dialog.save_button)
    amc_message = dialog.form.messages["amc_number"]
    qtbot.waitUntil(lambda: amc_message.isVisible())
    assert "ne contient que des chiffres" in amc_message.text()
    assert dialog.form.messages["name"].text() == "Indiquez le nom de l'organisme complémentaire."
    assert dialog.isVisible()  # nothing lost: the form stays, as typed
    assert dialog.hotline_edit.text() == "01 99 00 00 42"

    dialog.amc_edit.setText("99100100")
    dialog.name_edit.setText("Mutuelle Fictive du Formulaire")
    dialog.operator_box.setCurrentIndex(dialog.operator_box.findData("VIAMEDIS"))
    with qtbot.waitSignal(panel.changed):
        click(qtbot, dialog.save_button)
    assert not dialog.isVisible()
    qtbot.waitUntil(lambda: "99100100" in insurer_amcs(panel))
    info = directory.get_insurer(admin, "99100100")
    assert (info.name, info.operator_code, info.hotline) == (
        "Mutuelle Fictive du Formulaire",
        "VIAMEDIS",
        "01 99 00 00 42",
    )
    assert page.status.text() == "Organisme 99100100 « Mutuelle Fictive du Formulaire » enregistré."
    assert page.insurers.selected().amc_number == "99100100"

    click(qtbot, page.edit_insurer_button)
    edit = page.dialog
    assert isinstance(edit, InsurerDialog) and edit.amc_edit.isReadOnly()
    edit.name_edit.setText("Mutuelle Fictive Renommée")
    with qtbot.waitSignal(panel.changed):
        qtbot.keyClick(edit.name_edit, Qt.Key.Key_Return)  # Enter saves
    qtbot.waitUntil(lambda: directory.get_insurer(admin, "99100100").name == "Mutuelle Fictive Renommée")

    qtbot.waitUntil(lambda: page.insurers.selected() is not None and page.insurers.selected().name.endswith("Renommée"))
    assert page.toggle_insurer_button.text() == "&Désactiver"
    with qtbot.waitSignal(panel.changed):
        click(qtbot, page.toggle_insurer_button)
    qtbot.waitUntil(lambda: page.insurers.proxy.rowCount() == 1)  # deactivated rows are hidden...
    assert not directory.get_insurer(admin, "99100100").active
    assert "désactivé" in page.status.text()
    page.inactive_box.setChecked(True)  # ...unless asked for
    assert page.insurers.proxy.rowCount() == 2
    page.search_edit.setText("renommée")
    assert page.insurers.proxy.rowCount() == 1
    assert page.count_label.text() == "Organismes affichés : 1 sur 2."

    qtmodeltester.check(page.insurer_model)
    qtmodeltester.check(page.operator_model)
    qtmodeltester.check(page.insurers.proxy)


def test_add_and_edit_an_operator(qtbot, qtmodeltester, panel: AdminPanel, admin: Context) -> None:  # type: ignore[no-untyped-def]
    page = panel.directory_page
    click(qtbot, page.add_operator_button)
    dialog = page.dialog
    assert isinstance(dialog, OperatorDialog)
    dialog.code_edit.setText("actil")
    dialog.name_edit.setText("Actil")
    dialog.url_edit.setText("statut actil")
    click(qtbot, dialog.save_button)
    qtbot.waitUntil(lambda: dialog.form.messages["health_url"].isVisible())
    assert "https://" in dialog.form.messages["health_url"].text()
    dialog.url_edit.setText("https://status.example.invalid/actil")
    with qtbot.waitSignal(panel.changed):
        click(qtbot, dialog.save_button)
    qtbot.waitUntil(lambda: page.operator_model.rowCount() == 2)
    assert {o.code for o in directory.list_operators(admin)} == {"ACTIL", "VIAMEDIS"}
    qtbot.waitUntil(lambda: page.operators_box.selected() is not None and page.operators_box.selected().code == "ACTIL")
    with qtbot.waitSignal(panel.changed):
        click(qtbot, page.toggle_operator_button)
    qtbot.waitUntil(lambda: directory.list_operators(admin, include_inactive=True)[0].active is False)
    qtmodeltester.check(page.operator_model)


def test_import_the_sample_directory_through_the_page(
    qtbot,
    panel: AdminPanel,
    admin: Context,  # type: ignore[no-untyped-def]
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    page = panel.directory_page
    box = page.csv_box
    bad = tmp_path / "annuaire.csv"
    bad.write_bytes("amc_number,name,operator\n99100200,Mutuelle Fictive,VIAMEDIS\n12AB,,INCONNU\n".encode("cp1252"))
    monkeypatch.setattr(QFileDialog, "getOpenFileName", staticmethod(lambda *a, **k: (str(bad), "")))
    click(qtbot, box.button)
    qtbot.waitUntil(lambda: box.details.isVisible())
    assert box.result.text().startswith("annuaire.csv est refusé ; rien n'a été modifié.")
    lines = box.details.toPlainText().splitlines()
    assert len(lines) == 3 and all(line.startswith("Ligne 3 :") for line in lines)
    assert directory.list_insurers(admin, include_inactive=True)[0].amc_number == AMC
    assert len(directory.list_insurers(admin, include_inactive=True)) == 1

    monkeypatch.setattr(QFileDialog, "getOpenFileName", staticmethod(lambda *a, **k: (str(SAMPLE), "")))
    with qtbot.waitSignal(panel.changed):
        click(qtbot, box.button)
    assert "Organismes ajoutés : 12" in box.result.text() and "Opérateurs ajoutés" in box.result.text()
    assert not box.details.isVisible()
    qtbot.waitUntil(lambda: len(insurer_amcs(panel)) == 13)
    qtbot.waitUntil(lambda: page.operator_model.rowCount() == 10)

    # importing it again: each line says its insurer already existed
    with qtbot.waitSignal(panel.changed):
        click(qtbot, box.button)
    assert box.details.toPlainText().splitlines()[0] == "Ligne 2 : l'organisme 99100001 existait déjà, à l'identique."

    monkeypatch.setattr(QFileDialog, "getOpenFileName", staticmethod(lambda *a, **k: ("", "")))
    click(qtbot, box.button)  # cancelled: nothing happens
    assert not box.jobs.busy


# --------------------------------------------------------------------------- users


def test_add_a_counter_user_and_protect_the_last_admin(
    qtbot,
    qtmodeltester,
    panel: AdminPanel,  # type: ignore[no-untyped-def]
    admin: Context,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    page = panel.users_page
    panel.tabs.setCurrentWidget(page)
    click(qtbot, page.add_button)
    dialog = page.dialog
    assert isinstance(dialog, AddUserDialog)
    dialog.login_edit.setText("c.martin")
    dialog.display_edit.setText("Camille Martin")
    dialog.password_edit.setText("trop court")
    dialog.confirm_edit.setText("autre chose")
    click(qtbot, dialog.save_button)
    assert dialog.form.messages["password"].text().startswith("Le mot de passe doit compter au moins 12 caractères.")
    assert dialog.form.messages["confirm"].text().startswith("La confirmation ne correspond pas")
    dialog.password_edit.setText(COUNTER_PASSWORD)
    dialog.confirm_edit.setText(COUNTER_PASSWORD)
    assert dialog.role_box.currentData() == "counter"
    click(qtbot, dialog.save_button)
    qtbot.waitUntil(lambda: page.model.rowCount() == 2)
    assert not dialog.isVisible()
    assert page.status.text() == "Utilisateur « c.martin » ajouté (comptoir)."
    assert [(u.login, u.role, u.active) for u in users.list_users(admin)] == [
        ("admin", "admin", True),
        ("c.martin", "counter", True),
    ]
    auth.sign_in(admin.store.location, "c.martin", COUNTER_PASSWORD).close()

    # a login already taken: the service's sentence, under the field
    click(qtbot, page.add_button)
    again = page.dialog
    assert isinstance(again, AddUserDialog) and again is not dialog
    again.login_edit.setText("c.martin")
    again.password_edit.setText(COUNTER_PASSWORD)
    again.confirm_edit.setText(COUNTER_PASSWORD)
    click(qtbot, again.save_button)
    qtbot.waitUntil(lambda: again.form.messages["login"].isVisible())
    assert "déjà pris" in again.form.messages["login"].text()
    again.reject()

    # the only administrator cannot step down: the refusal is a sentence
    page.section.select(users.get_user(admin, "admin").id)
    assert page.role_button.text() == "Passer en &rôle comptoir"
    assert not page.active_button.isEnabled()  # nobody deactivates themselves
    monkeypatch.setattr(QMessageBox, "question", staticmethod(lambda *a, **k: QMessageBox.StandardButton.Yes))
    click(qtbot, page.role_button)
    qtbot.waitUntil(lambda: page.status.isVisible() and "dernier administrateur actif" in page.status.text())
    assert users.get_user(admin, "admin").role == "admin"

    page.section.select(users.get_user(admin, "c.martin").id)
    click(qtbot, page.active_button)
    qtbot.waitUntil(lambda: page.status.text().startswith("« c.martin » ne peut plus se connecter ; la clé"))
    assert not users.get_user(admin, "c.martin").active
    with pytest.raises(AuthFailed):  # the key changed: the slot went with the account
        auth.sign_in(admin.store.location, "c.martin", COUNTER_PASSWORD)
    # Reactivating asks for a new password: it makes a slot for the key in force.
    qtbot.waitUntil(lambda: not page.jobs.busy)
    page.section.select(users.get_user(admin, "c.martin").id)
    qtbot.waitUntil(lambda: page.active_button.text() == "Réacti&ver")
    click(qtbot, page.active_button)
    again_dialog = page.reactivate_dialog
    again_dialog.password_edit.setText("nouvelle phrase pour camille 2026")
    again_dialog.confirm_edit.setText("nouvelle phrase pour camille 2026")
    click(qtbot, again_dialog.save_button)
    qtbot.waitUntil(lambda: users.get_user(admin, "c.martin").active and not again_dialog.isVisible())
    auth.sign_in(admin.store.location, "c.martin", "nouvelle phrase pour camille 2026").close()
    qtmodeltester.check(page.model)


# --------------------------------------------------------------------------- settings


def test_change_the_settings_and_the_language(qtbot, panel: AdminPanel, admin: Context) -> None:  # type: ignore[no-untyped-def]
    page = panel.settings_page
    panel.tabs.setCurrentWidget(page)
    assert page.claim_edit.text() == "300,00\u00a0€"
    assert page.activities.chosen() == ("pharmacy",)
    page.activities.set_chosen(())
    click(qtbot, page.save_button)
    qtbot.waitUntil(lambda: page.form.messages["activities"].text().startswith("Cochez au moins une activité"))
    assert settings.load(admin).activity_set() == ("pharmacy",)
    page.activities.set_chosen(("pharmacy", "centre"))
    page.claim_edit.setText("25O,00")
    page.outstanding_edit.setText("4 000,00")
    click(qtbot, page.save_button)
    message = page.form.messages["claim_amc_ceiling"]
    assert message.isVisible() and "n'est pas un montant" in message.text()
    assert settings.load(admin).claim_amc_ceiling == Decimal("300.00")

    page.claim_edit.setText("250,00")
    page.idle_spin.setValue(10)
    page.same_day_box.setChecked(False)
    with qtbot.waitSignal(panel.settings_changed):
        click(qtbot, page.save_button)
    saved = settings.load(admin)
    assert saved.activity_set() == ("pharmacy", "centre")
    assert (
        saved.claim_amc_ceiling,
        saved.insurer_outstanding_ceiling,
        saved.check_same_day,
        saved.idle_lock_minutes,
    ) == (Decimal("250.00"), Decimal("4000.00"), False, 10)
    assert page.claim_edit.text() == "250,00\u00a0€" and page.outstanding_edit.text() == "4\u00a0000,00\u00a0€"
    assert not message.isVisible()

    # The scanning settings: the near-expiry window and the separator the scanners send,
    # reached by their mnemonics and typed.
    assert (page.expiry_spin.value(), page.separator_combo.currentData()) == (30, "auto")
    qtbot.keyClick(page, Qt.Key.Key_B, Qt.KeyboardModifier.AltModifier)
    assert page.expiry_spin.hasFocus()
    page.expiry_spin.selectAll()
    qtbot.keyClicks(page.expiry_spin, "45")
    qtbot.keyClick(page, Qt.Key.Key_T, Qt.KeyboardModifier.AltModifier)
    assert page.separator_combo.hasFocus()
    page.separator_combo.setCurrentIndex(page.separator_combo.findData("~"))
    assert page.separator_combo.currentText() == "GS ou « ~ »"
    with qtbot.waitSignal(panel.settings_changed):
        click(qtbot, page.save_button)
    saved = settings.load(admin)
    assert (saved.expiry_warning_days, saved.scan_separator) == (45, "~")

    page.outstanding_edit.setText("0,00")  # the service's own rule, under its field
    click(qtbot, page.save_button)
    outstanding = page.form.messages["insurer_outstanding_ceiling"]
    qtbot.waitUntil(lambda: outstanding.isVisible())
    assert outstanding.text() == "Le plafond doit être un montant positif raisonnable."

    assert page.language_box.currentData() == "fr"
    page.language_box.setCurrentIndex(page.language_box.findData("en"))
    with qtbot.waitSignal(panel.language_changed) as got:
        click(qtbot, page.language_button)
    assert got.args == ["en"]
    assert Config.load().language == "en" and i18n.language() == "en"


# --------------------------------------------------------------------------- drugs


def test_import_the_drug_reference_with_a_report(
    qtbot,
    qtmodeltester,
    panel: AdminPanel,  # type: ignore[no-untyped-def]
    admin: Context,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    page = panel.drugs_page
    panel.tabs.setCurrentWidget(page)
    assert page.none_label.isVisibleTo(page)  # make_site loads no reference
    phases: list[int] = []
    page.bar.valueChanged.connect(phases.append)
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", staticmethod(lambda *a, **k: str(shipped_snapshot_dir())))
    with qtbot.waitSignal(panel.changed, timeout=60_000):
        click(qtbot, page.folder_button)
    assert phases == [0, 1, 2, 3] and page.bar.value() == page.bar.maximum()  # start, reading, writing, done
    assert page.phase_label.text() == "Import terminé."
    ref = drugs.reference(admin)
    assert ref is not None and ref.count == 20747
    assert page.count_label.text() == "20\u00a0747" and not page.none_label.isVisibleTo(page)
    assert page.summary_label.text() == "20\u00a0747 présentations importées, aucune ignorée."
    assert page.report_box.isVisibleTo(page) and not page.reason_view.isVisibleTo(page)

    # a hand-made file with bad lines: the report counts them by reason
    with gzip.open(shipped_snapshot_dir() / "CIS_CIP_bdpm.txt.gz", "rb") as f:
        good = f.read().decode("cp1252").splitlines()[:40]
    bad = [good[0].replace("\t3400", "\t9900", 1), "60002283\t4949729\ttoo short", "60002283\t4949729\tcourt"]
    path = tmp_path / "CIS_CIP_bdpm.txt"
    path.write_bytes("\n".join(good + bad + [good[1]]).encode("cp1252"))
    page.date_edit.setDate(page.date_edit.date().addDays(-3))
    monkeypatch.setattr(QFileDialog, "getOpenFileName", staticmethod(lambda *a, **k: (str(path), "")))
    asked: list[str] = []  # 41 presentations of 20,747: the page asks before replacing (issue 12)

    def confirm(*args: object, **kwargs: object) -> QMessageBox.StandardButton:
        asked.append(str(args[2]))
        return QMessageBox.StandardButton.Yes

    monkeypatch.setattr(QMessageBox, "question", staticmethod(confirm))
    with qtbot.waitSignal(panel.changed, timeout=60_000):
        click(qtbot, page.file_button)
    assert len(asked) == 1 and "20\u00a0747" in asked[0]
    assert page.report is not None and page.report.counts_by_reason() == {
        "bdpm.short_line": 2,
        "bdpm.bad_cip13": 1,
        "bdpm.duplicate": 1,
    }
    assert page.summary_label.text() == page.report.summary()
    assert page.reason_view.isVisibleTo(page)
    model = page.reason_model
    assert [(model.index(r, 0).data(), model.index(r, 1).data()) for r in range(model.rowCount())] == [
        ("ligne incomplète", "2"),
        ("CIP13 invalide", "1"),
        ("CIP13 en double", "1"),
    ]
    ref = drugs.reference(admin)
    assert ref is not None and ref.count == 40 and ref.skipped == 4
    assert page.version_label.text() == page.date_edit.date().toString("dd/MM/yyyy")
    qtmodeltester.check(model)

    # a folder without the file: refused with a sentence, the reference unchanged
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", staticmethod(lambda *a, **k: str(tmp_path / "profile")))
    (tmp_path / "profile").mkdir(exist_ok=True)
    click(qtbot, page.folder_button)
    qtbot.waitUntil(lambda: page.status.isVisible())
    assert not page.bar.isVisible()
    assert page.status.text().startswith("L'import n'a pas abouti ; la base précédente est inchangée.")
    assert "CIS_CIP_bdpm.txt" in page.status.text()
    assert drugs.reference(admin).count == 40  # type: ignore[union-attr]


# --------------------------------------------------------------------------- counter staff


def test_counter_staff_cannot_change_anything(qtbot, admin: Context) -> None:  # type: ignore[no-untyped-def]
    auth.add_user(admin, "anne", "Anne", "counter", COUNTER_PASSWORD)
    ctx = auth.sign_in(admin.store.location, "anne", COUNTER_PASSWORD)
    try:
        panel = AdminPanel(ctx)
        qtbot.addWidget(panel)
        panel.show()
        assert panel.banner.isVisible()
        directory_page = panel.directory_page
        qtbot.waitUntil(lambda: directory_page.insurer_model.rowCount() == 1)  # reading is allowed
        directory_page.insurers.select(directory_page.insurer_model.insurer(0).id)
        for button in (
            directory_page.add_insurer_button,
            directory_page.edit_insurer_button,
            directory_page.toggle_insurer_button,
            directory_page.add_operator_button,
            directory_page.csv_box.button,
        ):
            assert not button.isEnabled()
        directory_page.edit_insurer()  # Enter on a row: nothing opens
        assert directory_page.dialog is None

        users_page = panel.users_page
        qtbot.waitUntil(lambda: users_page.status.isVisibleTo(users_page))
        assert users_page.status.text() == (
            "Seul un administrateur peut gérer les utilisateurs. Demandez à un administrateur de le faire."
        )
        assert not users_page.add_button.isEnabled() and users_page.model.rowCount() == 0

        assert not panel.drugs_page.folder_button.isEnabled() and not panel.drugs_page.file_button.isEnabled()

        settings_page = panel.settings_page
        assert not settings_page.save_button.isEnabled() and settings_page.claim_edit.isReadOnly()
        settings_page.save()  # even if the button were reached, the service refuses, in a sentence
        qtbot.waitUntil(lambda: "Seul un administrateur peut modifier les réglages" in settings_page.status.text())
        assert settings.load(admin) == settings.SiteSettings()
        assert settings_page.language_button.isEnabled()  # the workstation's language is everyone's
    finally:
        QThreadPool.globalInstance().waitForDone(30_000)
        ctx.close()
