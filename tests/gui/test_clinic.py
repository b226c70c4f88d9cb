"""The clinic's counters driven through their real widgets, with the keyboard only: a surgery
stay queued, a consultation queued, a stay saved open then invoiced at discharge, and bad input
refused next to its field with nothing stored."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest
from PySide6.QtCore import Qt, QThreadPool
from PySide6.QtWidgets import QApplication, QWidget

from tests.factories import AMC, make_site
from verifier.domain.care import LineKind
from verifier.domain.states import ClaimKind, ClaimStatus
from verifier.gui.clinic import ConsultationWidget, StayWidget
from verifier.services import claims, queue, stays
from verifier.services.context import Context
from verifier.services.demo import nir_for
from verifier.store.engine import Location

D = Decimal
CTRL = Qt.KeyboardModifier.ControlModifier
ALT = Qt.KeyboardModifier.AltModifier
SURGERY_GUARANTEES = (
    "SEJOUR 100 % BR",
    "FJ 100 % FR",
    "HONO OPTAM 200 % BR",
    "HONO NON OPTAM 180 % BR",
    "CP 50 EUR/j 60 j/an",  # keyClicks types ASCII: "EUR" reads as "€"
)


@pytest.fixture(autouse=True)
def _drain_pool() -> Iterator[None]:
    yield
    QThreadPool.globalInstance().waitForDone(10_000)


@pytest.fixture
def ctx(tmp_path: Path) -> Iterator[Context]:
    ctx = make_site(Location(sqlite_path=tmp_path / "v.db"))
    yield ctx
    QThreadPool.globalInstance().waitForDone(10_000)
    ctx.close()


def shown(qtbot, widget: QWidget) -> None:  # type: ignore[no-untyped-def]
    qtbot.addWidget(widget)
    widget.resize(1366, 700)
    widget.show()
    widget.activateWindow()
    qtbot.waitExposed(widget)
    qtbot.waitUntil(lambda: bool(widget.patient.insurers) and widget.tariffs is not None, timeout=10_000)  # type: ignore[attr-defined]


def focus() -> QWidget:
    """The widget keys go to. The offscreen platform has no window manager: when a completer's
    list closes, it does not give the activation back to the window, as a desktop does."""
    for _ in range(100):
        widget = QApplication.focusWidget()
        if widget is not None and not widget.window().inherits("QListView"):
            return widget
        for top in QApplication.topLevelWidgets():
            if isinstance(top, (StayWidget, ConsultationWidget)) and top.isVisible():
                top.activateWindow()
        QApplication.processEvents()
        QThreadPool.globalInstance().waitForDone(20)
    raise AssertionError(f"no widget has the keyboard focus ({QApplication.activeWindow()})")


def key(qtbot, k: Qt.Key, modifier: Qt.KeyboardModifier = Qt.KeyboardModifier.NoModifier) -> None:  # type: ignore[no-untyped-def]
    qtbot.keyClick(focus(), k, modifier)


def fill(qtbot, *texts: str) -> None:  # type: ignore[no-untyped-def]
    """Type each text in the field that has the focus, then Tab to the next ("" skips a field)."""
    for text in texts:
        if text:
            qtbot.keyClicks(focus(), text)
        key(qtbot, Qt.Key.Key_Tab)


def type_patient(qtbot, widget: StayWidget | ConsultationWidget, surname: str = "LEFAUVRE") -> None:  # type: ignore[no-untyped-def]
    assert focus() is widget.patient.search_edit
    key(qtbot, Qt.Key.Key_Tab)
    nir = nir_for("2", "14/03/1968", "75", "056", 101)
    # surname, first name, birth date, rank, NIR, AMO fund, insurer, member, card from, to
    fill(qtbot, surname, "Amina", "14/03/1968", "1", nir, "011751234", AMC, "ADH-4471205", "01/01/2026", "31/12/2027")


def type_guarantees(qtbot, guarantees: tuple[str, ...]) -> None:  # type: ignore[no-untyped-def]
    for n, text in enumerate(guarantees):
        if n:
            key(qtbot, Qt.Key.Key_Return)
        qtbot.keyClicks(focus(), text)
    key(qtbot, Qt.Key.Key_Tab)


def type_stay_top(qtbot, widget: StayWidget, discharge: str, mode: str = "03", guarantees=SURGERY_GUARANTEES) -> None:  # type: ignore[no-untyped-def]
    type_patient(qtbot, widget)
    assert focus() is widget.pec.method_box  # Portail, as it is first
    fill(qtbot, "", "PEC-2026-000123", "20/02/2026", "31/03/2026")
    assert focus() is widget.pec.guarantees_edit
    type_guarantees(qtbot, guarantees)
    assert focus() is widget.stay.entry_edit
    # entry number, admission, discharge, planned discharge, MT, DMT, exemption, psychiatry
    fill(qtbot, "E2026-0042", "02/03/2026", discharge, "06/03/2026", mode, "122", "", "")
    assert focus() is widget.lines.kind_box


def type_surgery_lines(qtbot, widget: StayWidget) -> None:  # type: ignore[no-untyped-def]
    lines = widget.lines
    key(qtbot, Qt.Key.Key_1, ALT)  # frais de séjour: the price is the BR
    assert focus() is lines.price_edit
    qtbot.keyClicks(focus(), "2400,00")
    key(qtbot, Qt.Key.Key_Return)
    key(qtbot, Qt.Key.Key_2, ALT)  # forfait journalier: priced from the tariffs, days from the dates
    assert focus() is lines.quantity_edit and lines.quantity_edit.text() == "5"
    key(qtbot, Qt.Key.Key_Return)
    key(qtbot, Qt.Key.Key_3, ALT)  # the surgeon, OPTAM
    assert focus() is lines.code_edit
    fill(qtbot, "ADC", "Chirurgien", "", "627,00")
    qtbot.keyClicks(focus(), "313,50")
    key(qtbot, Qt.Key.Key_Return)
    key(qtbot, Qt.Key.Key_3, ALT)  # the anaesthetist, outside OPTAM
    fill(qtbot, "ADA", "Anesthesiste", "", "250,00", "150,00", "")
    assert focus() is lines.optam_box
    key(qtbot, Qt.Key.Key_Space)
    key(qtbot, Qt.Key.Key_Tab)
    assert focus() is lines.add_button
    key(qtbot, Qt.Key.Key_Space)
    key(qtbot, Qt.Key.Key_4, ALT)  # single room, per day
    qtbot.keyClicks(focus(), "90,00")
    key(qtbot, Qt.Key.Key_Return)
    key(qtbot, Qt.Key.Key_6, ALT)  # TV
    qtbot.keyClicks(focus(), "6,00")
    key(qtbot, Qt.Key.Key_Return)
    assert [ln.kind for ln in lines.lines()] == [
        LineKind.STAY_FEES,
        LineKind.DAILY_CHARGE,
        LineKind.FEE,
        LineKind.FEE,
        LineKind.ROOM,
        LineKind.COMFORT,
    ]
    assert [ln.quantity for ln in lines.lines()] == [1, 5, 1, 1, 5, 5]


def only_claim(ctx: Context) -> str:
    rows = queue.read_page(ctx, queue.Search()).rows
    assert len(rows) == 1
    return rows[0].id


def test_a_surgery_stay_is_entered_with_the_keyboard_and_queued(qtbot, ctx: Context) -> None:  # type: ignore[no-untyped-def]
    widget = StayWidget(ctx)
    shown(qtbot, widget)
    type_stay_top(qtbot, widget, discharge="06/03/2026")
    type_surgery_lines(qtbot, widget)
    # the amounts as typed, before anything is stored
    assert "AMC 787,50" in widget.lines.totals.text().replace("\u00a0", " ")
    assert "Facturé 3 857,00" in widget.lines.totals.text().replace("\u00a0", " ")
    key(qtbot, Qt.Key.Key_Return, CTRL)
    qtbot.waitUntil(lambda: widget.last_claim is not None, timeout=10_000)
    claim = claims.get(ctx, only_claim(ctx))
    assert claim.kind is ClaimKind.STAY and claim.status is ClaimStatus.QUEUED
    assert (claim.price, claim.amo, claim.amc, claim.patient_share) == (
        D("3857.00"),
        D("2839.50"),
        D("787.50"),
        D("230.00"),
    )
    stay = stays.get(ctx, claim.id)
    assert (stay.entry_number, stay.mode, stay.dmt, stay.pec_number) == ("E2026-0042", "03", "122", "PEC-2026-000123")
    assert [ln.optam for ln in stay.lines if ln.kind is LineKind.FEE] == [True, False]
    assert "mise en file" in widget.message.text() and widget.is_empty()


def test_a_consultation_is_entered_with_the_keyboard_and_queued(qtbot, ctx: Context) -> None:  # type: ignore[no-untyped-def]
    widget = ConsultationWidget(ctx)
    shown(qtbot, widget)
    type_patient(qtbot, widget)
    assert focus() is widget.pec.method_box
    fill(qtbot, "", "VER-2026-0001")
    type_guarantees(qtbot, ("CONS 100 % BR",))
    assert focus() is widget.day_edit  # today, as it is
    fill(qtbot, "", "")
    assert focus() is widget.lines.kind_box
    fill(qtbot, "", "G", "Consultation", "", "30,00")
    qtbot.keyClicks(focus(), "30,00")
    key(qtbot, Qt.Key.Key_Return)
    assert len(widget.lines.lines()) == 1
    key(qtbot, Qt.Key.Key_Return, CTRL)
    qtbot.waitUntil(lambda: widget.last_claim is not None, timeout=10_000)
    claim = claims.get(ctx, only_claim(ctx))
    assert claim.kind is ClaimKind.CONSULTATION
    assert (claim.amc, claim.patient_share) == (D("9.00"), D("2.00"))


def test_a_stay_saved_open_is_invoiced_at_discharge(qtbot, ctx: Context) -> None:  # type: ignore[no-untyped-def]
    widget = StayWidget(ctx)
    shown(qtbot, widget)
    type_stay_top(qtbot, widget, discharge="")
    key(qtbot, Qt.Key.Key_S, CTRL)
    qtbot.waitUntil(lambda: widget.last_claim is not None, timeout=10_000)
    claim_id = only_claim(ctx)
    assert claims.get(ctx, claim_id).status is ClaimStatus.DRAFT and stays.get(ctx, claim_id).is_open
    items = widget.open_stays.list
    qtbot.waitUntil(lambda: items.count() == 1 and items.item(0).data(Qt.ItemDataRole.UserRole + 1) == claim_id)
    key(qtbot, Qt.Key.Key_J, ALT)  # "Séjours à facturer"
    assert focus() is items
    key(qtbot, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: widget.discharging is not None, timeout=10_000)
    assert focus() is widget.stay.discharge_edit and not widget.patient.isEnabled()
    qtbot.keyClicks(focus(), "06/03/2026")
    type_surgery_lines(qtbot, widget)
    key(qtbot, Qt.Key.Key_Return, CTRL)
    qtbot.waitUntil(lambda: claims.get(ctx, claim_id).status is ClaimStatus.QUEUED, timeout=10_000)
    claim = claims.get(ctx, claim_id)
    assert (claim.price, claim.amc) == (D("3857.00"), D("787.50"))
    assert stays.get(ctx, claim_id).discharge is not None
    qtbot.waitUntil(lambda: widget.discharging is None and items.item(0).data(Qt.ItemDataRole.UserRole + 1) is None)


def test_bad_input_is_said_next_to_its_field_and_nothing_is_stored(qtbot, ctx: Context) -> None:  # type: ignore[no-untyped-def]
    widget = StayWidget(ctx)
    shown(qtbot, widget)
    guarantees = (*SURGERY_GUARANTEES[:4], "CP cinquante")
    type_stay_top(qtbot, widget, discharge="06/03/2026", mode="3", guarantees=guarantees)
    type_surgery_lines(qtbot, widget)
    key(qtbot, Qt.Key.Key_Return, CTRL)
    mode = widget.stay.fields.fields["mode"].message
    qtbot.waitUntil(lambda: mode.isVisible(), timeout=10_000)
    said = widget.pec.fields.fields["guarantees"].message
    assert said.isVisible() and "CP" in said.text()
    assert "« CP cinquante » ne dit pas combien" in said.text()
    assert "03" in mode.text()
    for text in (mode.text(), said.text(), widget.message.text()):
        assert text.endswith(".") and len(text.split()) > 5, text  # a sentence, in French
    assert widget.message.text().startswith("Rien n'est enregistré")
    assert queue.read_page(ctx, queue.Search()).rows == []
    assert len(widget.lines.lines()) == 6  # nothing typed is lost


def test_a_clinic_and_centre_site_gets_its_pages_fitting_a_small_screen(qtbot, ctx: Context) -> None:  # type: ignore[no-untyped-def]
    from dataclasses import replace

    from tests.gui.fit import CLIENT, clipped
    from tests.gui.mnemonics import mnemonic_clashes
    from tests.gui.test_shell import open_window
    from verifier.gui.actions import ActionId
    from verifier.services import settings

    settings.save(ctx, replace(settings.load(ctx), activities="clinic,centre"))
    window = open_window(qtbot, ctx)
    tabs = window.tabs
    assert [tabs.tabText(i) for i in range(tabs.count())] == [
        "Séjours",
        "Consultations",
        "Demandes",
        "Administration",
    ]
    assert window.tabs.currentWidget() is window.stays
    assert window.registry[ActionId.QUEUE_CLAIM].isEnabled() and not window.registry[ActionId.PRINT_RECEIPT].isEnabled()
    window.setWindowState(Qt.WindowState.WindowNoState)
    window.resize(*CLIENT)
    qtbot.waitUntil(lambda: (window.width(), window.height()) == CLIENT)
    problems: list[str] = []
    for page in (window.stays, window.consultations):
        assert page is not None
        tabs.setCurrentWidget(page)
        QThreadPool.globalInstance().waitForDone(5_000)
        QApplication.processEvents()
        problems += clipped(window)
    assert problems == []
    assert mnemonic_clashes(window) == []
    # Ctrl+Entrée and Ctrl+N are the shell's actions, sent to the page shown
    assert window.consultations is not None
    calls: list[str] = []
    window.consultations.queue_claim = lambda: calls.append("queue")  # type: ignore[method-assign]
    window.consultations.new_claim = lambda: calls.append("new")  # type: ignore[method-assign]
    window.registry[ActionId.QUEUE_CLAIM].trigger()
    window.registry[ActionId.NEW_CLAIM].trigger()
    assert calls == ["queue", "new"]


def test_a_stay_over_the_stay_ceiling_is_queued_once_an_administrator_authorises(qtbot, ctx: Context) -> None:  # type: ignore[no-untyped-def]
    from dataclasses import replace

    from tests.factories import PASSWORD
    from verifier.services import settings

    settings.save(ctx, replace(settings.load(ctx), stay_amc_ceiling=D("500.00")))
    widget = StayWidget(ctx)
    shown(qtbot, widget)
    type_stay_top(qtbot, widget, discharge="06/03/2026")
    type_surgery_lines(qtbot, widget)
    key(qtbot, Qt.Key.Key_Return, CTRL)
    qtbot.waitUntil(lambda: widget.override_dialog is not None and widget.override_dialog.isVisible(), timeout=10_000)
    dialog = widget.override_dialog
    assert dialog is not None and queue.read_page(ctx, queue.Search()).rows == []
    for edit, text in ((dialog.login_edit, ctx.actor.login), (dialog.password_edit, PASSWORD)):
        edit.setFocus()
        qtbot.keyClicks(edit, text)
    dialog.reason_edit.setFocus()
    qtbot.keyClicks(dialog.reason_edit, "Accord de la mutuelle")
    with qtbot.waitSignal(widget.queued, timeout=10_000) as got:
        qtbot.keyClick(dialog.reason_edit, Qt.Key.Key_Return)
    assert widget.override_dialog is None
    assert claims.get(ctx, got.args[0]).amc == D("787.50")


def test_the_lines_of_an_open_stay_are_kept_for_its_discharge_after_a_restart(qtbot, ctx: Context) -> None:  # type: ignore[no-untyped-def]
    widget = StayWidget(ctx)
    shown(qtbot, widget)
    type_stay_top(qtbot, widget, discharge="")
    type_surgery_lines(qtbot, widget)  # known at admission: priced for the planned discharge
    key(qtbot, Qt.Key.Key_S, CTRL)
    qtbot.waitUntil(lambda: widget.last_claim is not None, timeout=10_000)
    claim_id = only_claim(ctx)
    assert claims.get(ctx, claim_id).status is ClaimStatus.DRAFT and len(stays.get(ctx, claim_id).lines) == 6
    widget.close()  # as if the application had been closed: nothing is left in memory

    again = StayWidget(ctx)
    shown(qtbot, again)
    items = again.open_stays.list
    qtbot.waitUntil(lambda: items.count() == 1 and items.item(0).data(Qt.ItemDataRole.UserRole + 1) == claim_id)
    key(qtbot, Qt.Key.Key_J, ALT)
    key(qtbot, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: again.discharging is not None, timeout=10_000)
    # whose stay it is, shown before anything is typed
    assert again.patient.surname_edit.text() == "LEFAUVRE" and "LEFAUVRE Amina" in again.banner.text()
    assert [ln.kind for ln in again.lines.lines()][:2] == [LineKind.STAY_FEES, LineKind.DAILY_CHARGE]
    qtbot.keyClicks(focus(), "05/03/2026")  # a day earlier than planned: FJ, room and TV follow
    key(qtbot, Qt.Key.Key_Tab)
    assert [ln.quantity for ln in again.lines.lines()] == [1, 4, 1, 1, 4, 4]
    key(qtbot, Qt.Key.Key_Return, CTRL)
    qtbot.waitUntil(lambda: claims.get(ctx, claim_id).status is ClaimStatus.QUEUED, timeout=10_000)
    claim = claims.get(ctx, claim_id)
    # 4 days: stay fees 2 400 + FJ 80 + fees 877 + room 360 + TV 24; the AMC pays the PAV 24,
    # the FJ 80, the fees 313,50 + 100 and the room 4 × 50
    assert (claim.price, claim.amc) == (D("3741.00"), D("717.50"))


def test_the_clinic_pages_in_english_use_each_alt_letter_once(qtbot, ctx: Context) -> None:  # type: ignore[no-untyped-def]
    from dataclasses import replace

    from tests.gui.mnemonics import mnemonic_clashes
    from tests.gui.test_shell import open_window
    from verifier import i18n
    from verifier.services import settings

    settings.save(ctx, replace(settings.load(ctx), activities="clinic,centre"))
    i18n.set_language("en")
    try:
        window = open_window(qtbot, ctx)
        tabs = window.tabs
        assert [tabs.tabText(i) for i in range(tabs.count())][:2] == ["Stays", "Consultations"]
        for page in (window.stays, window.consultations):
            assert page is not None
            tabs.setCurrentWidget(page)
            QApplication.processEvents()
            assert mnemonic_clashes(window) == [], page
    finally:
        i18n.set_language("fr")
