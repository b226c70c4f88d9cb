"""The counter desk driven through its real widgets: patient, check, scanned lines, queue, receipt."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import io
import stat
from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
import shiboken6
from pypdf import PdfReader
from PySide6.QtCore import Qt, QThreadPool
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QLineEdit

from tests.factories import AMC, PASSWORD, make_site, patient_input
from verifier import i18n, paths
from verifier.domain.claims import LineInput, compute_line, total
from verifier.domain.coverage import Guarantee, guarantee_for
from verifier.domain.identifiers import cip7_to_cip13
from verifier.domain.money import format_eur
from verifier.domain.scanner import parse_scan
from verifier.domain.states import ClaimStatus
from verifier.gui.counter import CounterWidget
from verifier.gui.counter.lines_model import COL, LinesModel
from verifier.services import claim_view, drafts, drugs, patients, queue, settings
from verifier.services.claims import LineDraft
from verifier.services.context import Context
from verifier.services.demo import nir_for
from verifier.store.engine import Location

# The lot runs to the group separator (typed as its own key event by scan() below): without
# it, lot "1AB12C21XYZ987" would read as well, and the scan would be refused as ambiguous.
DATAMATRIX = "]d2010340092245711617271231101AB12C\x1d21XYZ987"
UNKNOWN = cip7_to_cip13("9999997")
NIR = nir_for("2", "31/02/1980", "99", "350", 7)


@pytest.fixture(autouse=True)
def _drain_pool() -> Iterator[None]:
    yield
    QThreadPool.globalInstance().waitForDone(10_000)


@pytest.fixture
def ctx(tmp_path: Path) -> Iterator[Context]:
    ctx = make_site(Location(sqlite_path=tmp_path / "v.db"))
    drugs.load_shipped_snapshot(ctx.store, ctx.actor.login, ctx.actor.user_id)
    yield ctx
    QThreadPool.globalInstance().waitForDone(10_000)
    ctx.close()


class Opened:
    """Stands in for the PDF reader: remembers what it was asked to open."""

    def __init__(self) -> None:
        self.paths: list[Path] = []

    def __call__(self, path: Path) -> bool:
        self.paths.append(path)
        return True


def make_counter(qtbot, ctx: Context, keep: bool = True) -> CounterWidget:  # type: ignore[no-untyped-def]
    widget = CounterWidget(ctx)
    if keep:  # qtbot closes it after the test
        qtbot.addWidget(widget)
    widget.receipts.opener = Opened()
    widget.resize(1366, 768)
    widget.show()
    widget.activateWindow()
    qtbot.waitExposed(widget)
    qtbot.waitUntil(lambda: bool(widget.patient.insurers), timeout=10_000)
    return widget


def stop(widget: CounterWidget) -> None:
    widget.keeper.timer.stop()
    QThreadPool.globalInstance().waitForDone(10_000)


def type_into(qtbot, edit: QLineEdit, text: str) -> None:  # type: ignore[no-untyped-def]
    edit.setFocus()
    qtbot.keyClicks(edit, text)


def scan(qtbot, widget: CounterWidget, text: str) -> None:  # type: ignore[no-untyped-def]
    """What a keyboard-wedge scanner does: type the characters, then Enter.

    The group separator (ASCII 29) comes as Ctrl+] with the text "\x1d" (QTest's keyClicks
    cannot type it: it has no key of its own).
    """
    edit = widget.lines.scan_edit
    edit.setFocus()
    for index, part in enumerate(text.split("\x1d")):
        if index:
            for action in (QTest.KeyAction.Press, QTest.KeyAction.Release):
                QTest.sendKeyEvent(action, edit, Qt.Key.Key_BracketRight, "\x1d", Qt.KeyboardModifier.ControlModifier)
        qtbot.keyClicks(edit, part)
    qtbot.keyClick(edit, Qt.Key.Key_Return)


def fill_patient_and_check(qtbot, widget: CounterWidget) -> None:  # type: ignore[no-untyped-def]
    p = widget.patient
    type_into(qtbot, p.surname_edit, "LEFAUVRE")
    type_into(qtbot, p.first_edit, "Amina")
    type_into(qtbot, p.birth_edit, "31/02/1980")  # a lunar date: accepted as typed
    type_into(qtbot, p.nir_edit, NIR)
    type_into(qtbot, p.fund_edit, "011751234")
    type_into(qtbot, p.insurer_edit, AMC)  # a typed AMC number selects the insurer
    type_into(qtbot, p.member_edit, "ADH-4471205")
    type_into(qtbot, p.to_edit, "31/12/2099")
    c = widget.check
    c.method_combo.setCurrentIndex(c.method_combo.findData("hotline"))
    type_into(qtbot, c.reference_edit, "PLT-88412")
    c.outcome_combo.setCurrentIndex(c.outcome_combo.findData("covered"))


def expected_totals(lines: list[LineDraft], guarantees: list[Guarantee]):  # type: ignore[no-untyped-def]
    amounts = [
        compute_line(
            LineInput(d.prestation_code, d.quantity, d.unit_price, d.amo_rate, d.br_unit),
            guarantee_for(d.prestation_code, guarantees),
        )
        for d in lines
    ]
    return total(amounts)


def pdf_text(path: Path) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(path.read_bytes())).pages)


def test_the_datamatrix_of_the_test_is_read_with_its_separator() -> None:
    scanned = parse_scan(DATAMATRIX).unwrap()
    assert (scanned.cip13, scanned.lot, scanned.serial) == ("3400922457116", "1AB12C", "XYZ987")


def test_a_whole_claim_from_keyboard_to_receipt(qtbot, ctx: Context, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    widget = make_counter(qtbot, ctx)
    assert widget.patient.search_edit.hasFocus()
    fill_patient_and_check(qtbot, widget)
    assert "Mutuelle Test" in widget.patient.insurer_label.text()
    assert widget.check.contact.text() == "Aucun contact enregistré pour Mutuelle Test : voyez l'attestation."

    lines = widget.lines
    scan(qtbot, widget, DATAMATRIX)
    scan(qtbot, widget, "3015141")  # a CIP7 typed by hand
    assert [d.code for d in lines.model.lines()] == ["3400922457116", "3400930151419"]
    first = lines.model.line(0)
    assert (first.lot, first.serial, first.expiry) == ("1AB12C", "XYZ987", date(2027, 12, 31))
    assert first.prestation_code == "PH7" and lines.model.line(1).prestation_code == "PH4"

    scan(qtbot, widget, UNKNOWN)  # valid, but not in the reference: entered by hand
    assert lines.model.rowCount() == 2
    assert "n'est pas dans la base des médicaments" in lines.scan_feedback.text()
    assert lines.label_edit.hasFocus()
    qtbot.keyClicks(lines.label_edit, "Pansement hydrocolloide 10x10")
    type_into(qtbot, lines.price_edit, "12,40")
    lines.rate_combo.setCurrentIndex(lines.rate_combo.findData("30"))
    qtbot.keyClick(lines.price_edit, Qt.Key.Key_Return)
    assert lines.model.rowCount() == 3
    manual = lines.model.line(2)
    assert (manual.code, manual.label, manual.unit_price, manual.amo_rate, manual.prestation_code) == (
        UNKNOWN,
        "Pansement hydrocolloide 10x10",
        Decimal("12.40"),
        Decimal(30),
        "PH4",
    )
    assert lines.scan_edit.hasFocus()

    # The same box scanned again counts two boxes; the quantity is edited in the table too.
    scan(qtbot, widget, "3400930151419")
    assert lines.model.rowCount() == 3 and lines.model.line(1).quantity == 2
    lines.table.setFocus()
    lines.table.setCurrentIndex(lines.model.index(2, COL["quantity"]))
    qtbot.keyClick(lines.table, Qt.Key.Key_Return)  # Enter edits the cell
    editor = QApplication.focusWidget()
    assert isinstance(editor, QLineEdit)
    editor.selectAll()
    qtbot.keyClicks(editor, "3")
    qtbot.keyClick(editor, Qt.Key.Key_Return)  # the delegate commits on the next turn of the event loop
    qtbot.waitUntil(lambda: lines.model.line(2).quantity == 3, timeout=5_000)

    guarantees = [Guarantee("PHAR", Decimal(100))]
    expected = expected_totals(lines.model.lines(), guarantees)
    assert lines.model.totals() == expected
    for name in ("price", "br", "amo", "tm", "amc", "patient"):
        assert lines.total_values[name].text() == format_eur(getattr(expected, name)), name
    assert expected.amc > 0

    with qtbot.waitSignal(widget.queued, timeout=20_000) as got:
        qtbot.mouseClick(widget.queue_button, Qt.MouseButton.LeftButton)
    claim_id = got.args[0]
    claim = widget.last_claim
    assert claim is not None and claim.id == claim_id and claim.status is ClaimStatus.QUEUED
    assert (claim.price, claim.amo, claim.amc, claim.patient_share) == (
        expected.price,
        expected.amo,
        expected.amc,
        expected.patient,
    )
    page = queue.list_claims(ctx, queue.Search(statuses=(ClaimStatus.QUEUED,)))
    assert [r.id for r in page.rows] == [claim_id] and page.rows[0].patient_name == "LEFAUVRE Amina"
    assert f"Demande n° {claim.number_text} mise en file" in widget.message.text()

    # the form is ready for the next patient
    assert widget.is_empty() and lines.model.rowCount() == 0 and widget.patient.surname_edit.text() == ""
    # The focus is set on the search field (whether the offscreen window is still the active one
    # after the insurer completer's pop-up is Qt's business, not the counter's).
    assert widget.focusWidget() is widget.patient.search_edit
    qtbot.waitUntil(lambda: not widget.keeper.pending, timeout=10_000)
    assert drafts.load(ctx, "counter") is None

    # the receipt, opened in the (stand-in) PDF reader, then saved elsewhere
    assert widget.print_button.isEnabled()
    opened = widget.receipts.opener
    assert isinstance(opened, Opened)
    widget.print_receipt()
    qtbot.waitUntil(lambda: bool(opened.paths), timeout=20_000)
    path = opened.paths[0]
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert path.parent == paths.receipts_dir()  # the one receipts folder, the claims page's too
    text = pdf_text(path)
    assert f"Demande n° {claim.number_text}" in text and "LEFAUVRE Amina" in text and "31/02/1980" in text
    for amount in (expected.price, expected.amo, expected.amc, expected.patient):
        shown = format_eur(amount)
        assert shown in text or shown.replace("\u00a0", " ") in text, amount  # the PDF's text may use plain spaces
    assert "PLT-88412" in text
    target = tmp_path / "copie.pdf"
    widget.receipts.ask_path = lambda _parent, _name: str(target)
    widget.save_receipt()
    qtbot.waitUntil(target.exists, timeout=20_000)
    qtbot.waitUntil(lambda: not widget.receipts.busy, timeout=20_000)
    assert f"Demande n° {claim.number_text}" in pdf_text(target)
    stop(widget)


def test_an_empty_form_lists_every_problem_and_focuses_the_first(qtbot, ctx: Context) -> None:  # type: ignore[no-untyped-def]
    widget = make_counter(qtbot, ctx)
    widget.queue_claim()
    summary = widget.message.text()
    assert "La demande n'est pas mise en file : 8 points à corriger" in summary
    for title in ("Nom", "Prénom", "Né(e) le", "NIR", "Organisme", "N° d'adhérent", "Résultat", "lignes"):
        assert title in summary, title
    shown = {
        widget.patient.fields: ("surname", "first_name", "birth_date", "nir", "amc_number", "member_number"),
        widget.check.fields: ("outcome",),
        widget.lines.fields: ("lines",),
    }
    for fields, names in shown.items():
        for name in names:
            assert fields.fields[name].message.isVisible(), name
            assert fields.fields[name].message.text(), name
    assert widget.patient.fields.fields["surname"].message.text() == i18n.tr("Indiquez le nom de famille du patient.")
    assert widget.patient.surname_edit.hasFocus()
    assert widget.patient.surname_edit.accessibleDescription() == i18n.tr("Indiquez le nom de famille du patient.")
    assert widget.last_claim is None

    # A hotline check needs its reference; a wrong NIR key and a bad date are said inline.
    widget.check.method_combo.setCurrentIndex(widget.check.method_combo.findData("hotline"))
    type_into(qtbot, widget.patient.nir_edit, NIR[:-2] + "00")
    type_into(qtbot, widget.patient.to_edit, "31/13/2030")
    widget.queue_claim()
    assert widget.check.fields.fields["reference"].message.text() == i18n.tr(
        "Notez la référence donnée par la plateforme, le portail ou le fax : l'organisme la demandera."
    )
    assert widget.patient.fields.fields["nir"].message.text() == i18n.tr(
        "La clé du NIR ne correspond pas au numéro : vérifiez chaque chiffre sur la carte."
    )
    assert widget.patient.fields.fields["card_valid_to"].message.text() == i18n.tr(
        "Cette date n'est pas au format JJ/MM/AAAA : saisissez par exemple 31/12/2025."
    )
    assert widget.patient.surname_edit.hasFocus()
    # A sentence follows the typing once shown.
    type_into(qtbot, widget.patient.surname_edit, "X")
    assert not widget.patient.fields.fields["surname"].message.isVisible()
    stop(widget)


def test_a_nir_that_disagrees_with_the_birth_date_warns_but_does_not_block(qtbot, ctx: Context) -> None:  # type: ignore[no-untyped-def]
    widget = make_counter(qtbot, ctx)
    fill_patient_and_check(qtbot, widget)
    p = widget.patient
    p.birth_edit.setFocus()
    p.birth_edit.selectAll()
    qtbot.keyClicks(p.birth_edit, "14/03/1968")  # the NIR says born in February 1980
    qtbot.keyClick(p.birth_edit, Qt.Key.Key_Tab)  # leaving the birth date checks the NIR against it
    nir_message = p.fields.fields["nir"].message
    assert nir_message.isVisible() and nir_message.text() == i18n.tr(
        "L'année ou le mois du NIR diffère de la date de naissance : vérifiez les deux."
    )
    assert nir_message.styleSheet() == ""  # a warning, not an error
    scan(qtbot, widget, "3015141")
    with qtbot.waitSignal(widget.queued, timeout=20_000):
        widget.queue_claim()
    assert (
        i18n.tr("L'année ou le mois du NIR diffère de la date de naissance : vérifiez les deux.")
        in widget.message.text()
    )
    stop(widget)


def test_over_the_ceiling_an_administrator_authorises(qtbot, ctx: Context) -> None:  # type: ignore[no-untyped-def]
    settings.save(ctx, settings.SiteSettings(claim_amc_ceiling=Decimal("5.00")))
    widget = make_counter(qtbot, ctx)
    fill_patient_and_check(qtbot, widget)
    scan(qtbot, widget, "3400922457116")
    scan(qtbot, widget, "3400922457116")  # AMC 6,14 € > 5,00 €
    widget.queue_claim()
    qtbot.waitUntil(lambda: widget.override_dialog is not None and widget.override_dialog.isVisible(), timeout=20_000)
    dialog = widget.override_dialog
    assert dialog is not None
    assert "plafond par demande (5,00\u00a0€)" in dialog.ceilings_label.text()

    # A wrong password is said in the dialog, which stays open for another try.
    type_into(qtbot, dialog.login_edit, ctx.actor.login)
    type_into(qtbot, dialog.password_edit, "not the password")
    type_into(qtbot, dialog.reason_edit, "Ordonnance urgente")
    qtbot.mouseClick(dialog.submit_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.fields.fields["password"].message.isVisible(), timeout=20_000)
    assert dialog.isVisible() and not dialog.busy and dialog.password_edit.text() == ""
    assert widget.last_claim is None

    # Cancelling keeps the form as it was.
    qtbot.mouseClick(dialog.cancel_button, Qt.MouseButton.LeftButton)
    assert widget.override_dialog is None and "annulée" in widget.message.text()
    assert widget.patient.surname_edit.text() == "LEFAUVRE" and widget.lines.model.rowCount() == 1
    assert queue.list_claims(ctx, queue.Search()).total_count == 0

    widget.queue_claim()
    qtbot.waitUntil(lambda: widget.override_dialog is not None and widget.override_dialog.isVisible(), timeout=20_000)
    dialog = widget.override_dialog
    assert dialog is not None
    type_into(qtbot, dialog.login_edit, ctx.actor.login)
    type_into(qtbot, dialog.password_edit, PASSWORD)
    type_into(qtbot, dialog.reason_edit, "Ordonnance urgente")
    with qtbot.waitSignal(widget.queued, timeout=20_000) as got:
        qtbot.keyClick(dialog.reason_edit, Qt.Key.Key_Return)
    assert widget.override_dialog is None and not dialog.isVisible()
    detail = claim_view.detail(ctx, got.args[0])
    assert detail.override_reason == "Ordonnance urgente" and detail.claim.amc == Decimal("6.14")
    # the check recorded on the first try was reused, not recorded again
    assert len({claim_view.detail(ctx, r.id).check.id for r in queue.list_claims(ctx, queue.Search()).rows}) == 1
    stop(widget)


def test_a_draft_comes_back_after_closing(qtbot, ctx: Context) -> None:  # type: ignore[no-untyped-def]
    widget = make_counter(qtbot, ctx, keep=False)
    type_into(qtbot, widget.patient.surname_edit, "ZORGLUB")
    type_into(qtbot, widget.check.reference_edit, "REF-77")
    scan(qtbot, widget, DATAMATRIX)
    widget.save_draft_now()
    # The claim's id is in the draft before any attempt to queue: a form queued while the
    # server's answer was lost, then restored after a restart, queues under the same id.
    saved = drafts.load(ctx, "counter")
    assert saved is not None and isinstance(saved.get("claim_id"), str)
    stop(widget)
    widget.close()
    widget.deleteLater()
    qtbot.waitUntil(lambda: not shiboken6.isValid(widget), timeout=5_000)

    again = make_counter(qtbot, ctx)
    assert again._claim_id == saved["claim_id"]
    assert again.patient.surname_edit.text() == "ZORGLUB"
    assert again.check.reference_edit.text() == "REF-77"
    assert [d.code for d in again.lines.model.lines()] == ["3400922457116"]
    assert again.lines.model.line(0).serial == "XYZ987"
    assert again.message.text() == "Saisie en cours restaurée."
    # scanning the same box again is refused: same serial number, same box
    scan(qtbot, again, DATAMATRIX)
    assert again.lines.model.line(0).quantity == 1 and "déjà scannée" in again.lines.scan_feedback.text()
    # a new patient clears the form (after asking) and the draft
    again.confirm_discard = lambda: True
    again.new_claim()
    assert again.is_empty() and again.patient.search_edit.hasFocus()
    qtbot.waitUntil(lambda: not again.keeper.pending, timeout=10_000)
    assert drafts.load(ctx, "counter") is None
    stop(again)


def test_changes_are_saved_a_second_after_the_last_one(qtbot, ctx: Context) -> None:  # type: ignore[no-untyped-def]
    widget = make_counter(qtbot, ctx)
    type_into(qtbot, widget.patient.first_edit, "Elodie")
    assert widget.keeper.timer.isActive()
    qtbot.waitUntil(lambda: not widget.keeper.pending, timeout=10_000)
    saved = drafts.load(ctx, "counter")
    assert saved is not None and saved["patient"]["first_name"] == "Elodie"  # type: ignore[index]
    stop(widget)


def test_find_a_known_patient_as_you_type(qtbot, ctx: Context, qtmodeltester) -> None:  # type: ignore[no-untyped-def]
    known, _ = patients.save(ctx, patient_input())
    widget = make_counter(qtbot, ctx)
    search = widget.patient.search_edit
    qtbot.keyClicks(search, "durand")
    popup = widget.patient.popup()
    qtbot.waitUntil(lambda: widget.patient.results.rowCount() == 1 and popup.isVisible(), timeout=10_000)
    qtmodeltester.check(widget.patient.results)
    assert "DURANDEAU Élodie" in widget.patient.results.item(0).text()
    assert (
        "14/03/1968" in widget.patient.results.item(0).text() and known.nir not in widget.patient.results.item(0).text()
    )
    qtbot.keyClick(popup, Qt.Key.Key_Down)
    qtbot.keyClick(popup, Qt.Key.Key_Return)
    p = widget.patient
    assert p.patient_id == known.id
    assert (p.surname_edit.text(), p.nir_edit.text(), p.member_edit.text()) == ("DURANDEAU", known.nir, "ADH-778899")
    assert p.amc_number() == AMC and "connu" in p.status.text()
    assert widget.check.method_combo.hasFocus()

    # Nothing found: Enter starts a new patient with what was typed.
    p.clear()
    search.setFocus()
    qtbot.keyClicks(search, "MARTIN Paul")
    qtbot.waitUntil(lambda: "Aucun patient connu" in p.status.text(), timeout=10_000)
    qtbot.keyClick(search, Qt.Key.Key_Return)
    assert (p.surname_edit.text(), p.first_edit.text()) == ("MARTIN", "Paul")
    assert p.birth_edit.hasFocus()
    stop(widget)


def test_the_lines_model(qtbot, qtmodeltester) -> None:  # type: ignore[no-untyped-def]
    model = LinesModel()
    model.set_guarantees([Guarantee("PHAR", Decimal(100))])
    model.add_line(LineDraft("Boîte à 65 %", "PH7", 1, Decimal("10.00"), Decimal(65), "3400922457116", "cip13"))
    model.add_line(LineDraft("Boîte à 15 %", "PH2", 2, Decimal("4.10"), Decimal(15), "3400949246816", "cip13"))
    model.add_line(LineDraft("Produit saisi", "PH4", 1, Decimal("7.35"), Decimal(30)), by_hand=True)
    qtmodeltester.check(model)
    assert model.rowCount() == 3 and model.columnCount() == len(COL)
    assert model.data(model.index(0, COL["amc"])) == format_eur(Decimal("3.50"))
    # PHAR leaves the 15 % drugs out, unless the card says otherwise
    assert model.amounts(1) is not None and model.amounts(1).amc == Decimal("0.00")  # type: ignore[union-attr]
    assert model.coverage_notes()[0][0] == 1
    model.set_guarantees([Guarantee("PHAR", Decimal(100), covers_ph2=True)])
    assert model.amounts(1).amc == Decimal("6.97")  # type: ignore[union-attr]
    # quantity and price are edited; a bad value is refused with a sentence
    refused: list[str] = []
    model.edit_refused.connect(refused.append)
    assert model.setData(model.index(0, COL["quantity"]), "2")
    assert model.setData(model.index(0, COL["unit_price"]), "11,50")
    assert not model.setData(model.index(0, COL["quantity"]), "0")
    assert refused and refused[0].startswith("Ligne 1 :")
    assert not model.flags(model.index(0, COL["label"])) & Qt.ItemFlag.ItemIsEditable
    assert model.flags(model.index(2, COL["label"])) & Qt.ItemFlag.ItemIsEditable
    assert model.line(0).quantity == 2 and model.line(0).unit_price == Decimal("11.50")
    qtmodeltester.check(model)
    model.remove_row(1)
    assert model.rowCount() == 2
    model.clear()
    qtmodeltester.check(model)


def test_typing_in_the_table_goes_to_the_scan_field(qtbot, ctx: Context) -> None:  # type: ignore[no-untyped-def]
    widget = make_counter(qtbot, ctx)
    lines = widget.lines
    scan(qtbot, widget, "3015141")
    lines.table.setFocus()
    lines.table.setCurrentIndex(lines.model.index(0, COL["label"]))
    qtbot.keyClicks(lines.table, "3400922457116")  # the scanner fires while the cursor is in the table
    assert lines.scan_edit.hasFocus()
    qtbot.keyClick(lines.scan_edit, Qt.Key.Key_Return)
    assert lines.model.rowCount() == 2
    lines.table.setFocus()
    lines.table.setCurrentIndex(lines.model.index(0, 0))
    qtbot.keyClick(lines.table, Qt.Key.Key_Delete)
    assert [d.code for d in lines.model.lines()] == ["3400922457116"]
    # a code that cannot be one is said in a sentence, and kept for correction
    scan(qtbot, widget, "3400922457117")
    assert lines.fields.fields["scan"].message.isVisible() and lines.scan_edit.text() == "3400922457117"
    stop(widget)
