"""The clinic screens keep what is typed as a draft, as the pharmacy counter does: a stay or a
consultation half typed comes back after closing and queues with the same amounts and claim id,
a stored form leaves no draft, a damaged draft is ignored, and no form's draft overwrites another's."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import logging
from datetime import date
from typing import Any

import pytest
from PySide6.QtCore import Qt, QThreadPool

from tests.gui.test_clinic import (  # noqa: F401 - ctx and _drain_pool are fixtures
    ALT,
    CTRL,
    D,
    _drain_pool,
    ctx,
    fill,
    focus,
    key,
    only_claim,
    shown,
    type_guarantees,
    type_patient,
    type_stay_top,
    type_surgery_lines,
)
from verifier.domain.care import LineKind
from verifier.domain.states import ClaimKind, ClaimStatus
from verifier.formatting import format_day
from verifier.gui.clinic import ConsultationWidget, StayWidget
from verifier.gui.clinic.base import ClinicForm
from verifier.gui.counter import CounterWidget
from verifier.services import claims, drafts, stays
from verifier.services.context import Context


def settle(widget: ClinicForm | CounterWidget) -> None:
    """No save waiting or under way."""
    widget.keeper.timer.stop()
    QThreadPool.globalInstance().waitForDone(10_000)


def close(qtbot, widget: ClinicForm | CounterWidget) -> None:  # type: ignore[no-untyped-def]
    """As if the application were closed after saving the draft: nothing is left in memory."""
    assert widget.save_draft_now()
    settle(widget)
    widget.close()


def amounts_text(widget: StayWidget | ConsultationWidget) -> str:
    return widget.lines.totals.text().replace("\u00a0", " ")


def test_a_stay_half_typed_comes_back_after_closing_and_queues_once(qtbot, ctx: Context) -> None:  # type: ignore[no-untyped-def]
    widget = StayWidget(ctx)
    shown(qtbot, widget)
    type_stay_top(qtbot, widget, discharge="06/03/2026")
    type_surgery_lines(qtbot, widget)
    assert widget.keeper.timer.isActive()  # a save follows each change
    qtbot.waitUntil(lambda: not widget.keeper.pending, timeout=10_000)
    saved = drafts.load(ctx, "stay")
    assert saved is not None and isinstance(saved.get("claim_id"), str)
    # Amounts are computed, not kept (the claim's random id left out: a UUID holds "787" in
    # about one run in 120, which failed a CI-like run).
    kept = str({k: v for k, v in saved.items() if k != "claim_id"})
    assert "787" not in kept and "3857" not in kept
    assert saved["lines"][0]["unit_price"] == "2400.00"  # type: ignore[index]  # money as text
    close(qtbot, widget)

    again = StayWidget(ctx)
    shown(qtbot, again)
    assert again.message.text() == "Saisie en cours restaurée."
    assert again._claim_id == saved["claim_id"]
    p = again.patient
    assert (p.surname_edit.text(), p.first_edit.text()) == ("LEFAUVRE", "Amina")
    assert again.pec.number_edit.text() == "PEC-2026-000123" and again.pec.obtained_edit.text() == "20/02/2026"
    assert again.pec.guarantees()[0] == "SEJOUR 100 % BR" and len(again.pec.guarantees()) == 5
    s = again.stay
    assert (s.entry_edit.text(), s.admission_edit.text(), s.discharge_edit.text(), s.planned_edit.text()) == (
        "E2026-0042",
        "02/03/2026",
        "06/03/2026",
        "06/03/2026",
    )
    assert (s.mode_edit.text(), s.dmt_edit.text()) == ("03", "122")
    lines = again.lines.lines()
    assert [ln.kind for ln in lines] == [
        LineKind.STAY_FEES,
        LineKind.DAILY_CHARGE,
        LineKind.FEE,
        LineKind.FEE,
        LineKind.ROOM,
        LineKind.COMFORT,
    ]
    assert [ln.quantity for ln in lines] == [1, 5, 1, 1, 5, 5]
    assert [(ln.code, ln.unit_price, ln.br_unit, ln.optam) for ln in lines if ln.kind is LineKind.FEE] == [
        ("ADC", D("627.00"), D("313.50"), True),
        ("ADA", D("250.00"), D("150.00"), False),
    ]
    assert all(isinstance(ln.unit_price, D) for ln in lines)
    assert [e.auto_quantity for e in again.lines.model.entries] == [False, True, False, False, True, True]
    assert "AMC 787,50" in amounts_text(again) and "Facturé 3 857,00" in amounts_text(again)
    # the per-day lines still follow the dates
    s.discharge_edit.setText("05/03/2026")
    assert [ln.quantity for ln in again.lines.lines()] == [1, 4, 1, 1, 4, 4]
    s.discharge_edit.setText("06/03/2026")

    key(qtbot, Qt.Key.Key_Return, CTRL)
    qtbot.waitUntil(lambda: again.last_claim is not None, timeout=10_000)
    claim_id = only_claim(ctx)
    assert claim_id == saved["claim_id"]  # the id made with the first draft: a retry never queues twice
    claim = claims.get(ctx, claim_id)
    assert claim.kind is ClaimKind.STAY and claim.status is ClaimStatus.QUEUED
    assert (claim.price, claim.amo, claim.amc, claim.patient_share) == (
        D("3857.00"),
        D("2839.50"),
        D("787.50"),
        D("230.00"),
    )
    # a queued stay leaves no draft
    qtbot.waitUntil(lambda: not again.keeper.pending, timeout=10_000)
    assert drafts.load(ctx, "stay") is None and again.is_empty()
    settle(again)
    third = StayWidget(ctx)
    shown(qtbot, third)
    assert third.is_empty() and third.message.text() == ""


def test_a_consultation_half_typed_comes_back_after_closing(qtbot, ctx: Context) -> None:  # type: ignore[no-untyped-def]
    widget = ConsultationWidget(ctx)
    shown(qtbot, widget)
    type_patient(qtbot, widget)
    fill(qtbot, "", "VER-2026-0001")
    type_guarantees(qtbot, ("CONS 100 % BR",))
    assert focus() is widget.day_edit
    fill(qtbot, "", "")
    fill(qtbot, "", "G", "Consultation", "", "30,00")
    qtbot.keyClicks(focus(), "30,00")
    key(qtbot, Qt.Key.Key_Return)
    widget.under_18_box.setChecked(True)
    assert len(widget.lines.lines()) == 1
    close(qtbot, widget)

    again = ConsultationWidget(ctx)
    shown(qtbot, again)
    assert again.message.text() == "Saisie en cours restaurée."
    assert again.patient.surname_edit.text() == "LEFAUVRE"
    assert again.pec.number_edit.text() == "VER-2026-0001" and again.pec.guarantees() == ("CONS 100 % BR",)
    assert again.day_edit.text() == format_day(date.today()) and again.under_18_box.isChecked()
    (line,) = again.lines.lines()
    assert (line.kind, line.code, line.label, line.quantity, line.unit_price, line.br_unit) == (
        LineKind.CONSULTATION,
        "G",
        "Consultation",
        1,
        D("30.00"),
        D("30.00"),
    )
    claim_id = again._claim_id
    again.under_18_box.setChecked(False)
    again.queue_button.setFocus()
    key(qtbot, Qt.Key.Key_Return, CTRL)
    qtbot.waitUntil(lambda: again.last_claim is not None, timeout=10_000)
    claim = claims.get(ctx, only_claim(ctx))
    assert claim.id == claim_id and claim.kind is ClaimKind.CONSULTATION
    assert (claim.amc, claim.patient_share) == (D("9.00"), D("2.00"))
    qtbot.waitUntil(lambda: not again.keeper.pending, timeout=10_000)
    assert drafts.load(ctx, "consultation") is None


def test_a_stay_saved_open_or_a_new_stay_leaves_no_draft(qtbot, ctx: Context) -> None:  # type: ignore[no-untyped-def]
    widget = StayWidget(ctx)
    shown(qtbot, widget)
    type_stay_top(qtbot, widget, discharge="")
    assert widget.save_draft_now() and drafts.load(ctx, "stay") is not None
    key(qtbot, Qt.Key.Key_S, CTRL)
    qtbot.waitUntil(lambda: widget.last_claim is not None, timeout=10_000)
    qtbot.waitUntil(lambda: not widget.keeper.pending, timeout=10_000)
    assert drafts.load(ctx, "stay") is None
    # Ctrl+N after typing: the form and its draft go
    widget.confirm_discard = lambda: True
    widget.stay.entry_edit.setText("E-1")
    assert widget.save_draft_now() and drafts.load(ctx, "stay") is not None
    key(qtbot, Qt.Key.Key_N, CTRL)
    qtbot.waitUntil(lambda: not widget.keeper.pending, timeout=10_000)
    assert widget.is_empty() and drafts.load(ctx, "stay") is None


def test_a_discharge_being_typed_comes_back_on_its_open_stay(qtbot, ctx: Context) -> None:  # type: ignore[no-untyped-def]
    widget = StayWidget(ctx)
    shown(qtbot, widget)
    type_stay_top(qtbot, widget, discharge="")
    key(qtbot, Qt.Key.Key_S, CTRL)
    qtbot.waitUntil(lambda: widget.last_claim is not None, timeout=10_000)
    claim_id = only_claim(ctx)
    items = widget.open_stays.list
    qtbot.waitUntil(lambda: items.count() == 1 and items.item(0).data(Qt.ItemDataRole.UserRole + 1) == claim_id)
    key(qtbot, Qt.Key.Key_J, ALT)
    key(qtbot, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: widget.discharging is not None, timeout=10_000)
    qtbot.keyClicks(focus(), "06/03/2026")
    type_surgery_lines(qtbot, widget)
    close(qtbot, widget)
    saved = drafts.load(ctx, "stay")
    assert saved is not None and saved["discharging"] == claim_id

    again = StayWidget(ctx)
    shown(qtbot, again)
    qtbot.waitUntil(lambda: again.discharging is not None, timeout=10_000)
    assert again.discharging.claim_id == claim_id  # type: ignore[union-attr]
    assert not again.patient.isEnabled() and again.patient.surname_edit.text() == "LEFAUVRE"
    assert "LEFAUVRE Amina" in again.banner.text() and again.message.text() == "Saisie en cours restaurée."
    assert again.stay.discharge_edit.text() == "06/03/2026"
    assert [ln.quantity for ln in again.lines.lines()] == [1, 5, 1, 1, 5, 5]
    again.stay.discharge_edit.setFocus()
    key(qtbot, Qt.Key.Key_Return, CTRL)
    qtbot.waitUntil(lambda: claims.get(ctx, claim_id).status is ClaimStatus.QUEUED, timeout=10_000)
    claim = claims.get(ctx, claim_id)
    assert (claim.price, claim.amc) == (D("3857.00"), D("787.50"))
    assert stays.get(ctx, claim_id).discharge is not None
    qtbot.waitUntil(lambda: again.discharging is None and not again.keeper.pending, timeout=10_000)
    assert drafts.load(ctx, "stay") is None


GOOD_LINE: dict[str, Any] = {
    "kind": "stay_fees",
    "code": "FS",
    "label": "Frais de séjour",
    "quantity": "1",
    "unit_price": "2400.00",
    "br_unit": "2400.00",
    "amo_rate": None,
    "optam": True,
    "practitioner_rpps": None,
    "auto_quantity": False,
}
PATIENT = {"surname": "ZORGLUB", "first_name": "Amina"}


@pytest.mark.parametrize(
    "payload",
    [
        {"version": 1, "patient": PATIENT, "lines": "garbage"},
        {"version": 1, "patient": PATIENT, "lines": [{**GOOD_LINE, "kind": "helicopter"}]},
        {"version": 1, "patient": PATIENT, "lines": [{**GOOD_LINE, "unit_price": "NaN"}]},
        {"version": 1, "patient": PATIENT, "lines": [{**GOOD_LINE, "unit_price": 2400.0}]},  # a float
        {"version": 1, "patient": PATIENT, "lines": [{**GOOD_LINE, "quantity": "-3"}]},
        {"version": 1, "patient": PATIENT, "lines": [GOOD_LINE], "pec": {"method": "pigeon"}},
        {"version": 1, "patient": PATIENT, "lines": [GOOD_LINE], "stay": ["not", "a", "dict"]},
        {"version": 1, "patient": "ZORGLUB", "lines": [GOOD_LINE]},
        {"version": 1, "patient": PATIENT, "lines": [GOOD_LINE], "claim_id": 12},
        {"version": 1, "patient": PATIENT, "lines": [GOOD_LINE], "discharging": ["x"]},
        {"version": 99, "patient": PATIENT, "lines": [GOOD_LINE]},  # another version's
    ],
)
def test_a_damaged_stay_draft_is_ignored_and_the_form_opens_empty(qtbot, ctx: Context, caplog, payload) -> None:  # type: ignore[no-untyped-def]
    drafts.save(ctx, "stay", payload)
    with caplog.at_level(logging.DEBUG):
        widget = StayWidget(ctx)
        shown(qtbot, widget)
    assert widget.is_empty() and widget.lines.lines() == ()
    assert widget.message.text() == ""
    assert "ZORGLUB" not in caplog.text  # no personal data in the log
    if payload["version"] == 1:
        assert "the stay draft could not be restored" in caplog.text


def test_the_same_draft_undamaged_is_restored(qtbot, ctx: Context) -> None:  # type: ignore[no-untyped-def]
    drafts.save(ctx, "stay", {"version": 1, "patient": PATIENT, "lines": [GOOD_LINE]})
    widget = StayWidget(ctx)
    shown(qtbot, widget)
    assert widget.patient.surname_edit.text() == "ZORGLUB"
    assert [(ln.kind, ln.unit_price) for ln in widget.lines.lines()] == [(LineKind.STAY_FEES, D("2400.00"))]


def test_a_stay_line_in_a_consultation_draft_is_ignored(qtbot, ctx: Context) -> None:  # type: ignore[no-untyped-def]
    drafts.save(ctx, "consultation", {"version": 1, "patient": PATIENT, "lines": [GOOD_LINE]})
    widget = ConsultationWidget(ctx)
    shown(qtbot, widget)
    assert widget.is_empty()


def test_the_counter_and_clinic_drafts_do_not_overwrite_each_other(qtbot, ctx: Context) -> None:  # type: ignore[no-untyped-def]
    counter = CounterWidget(ctx)
    stay = StayWidget(ctx)
    consultation = ConsultationWidget(ctx)
    for widget, name in ((counter, "COMPTOIR"), (stay, "SEJOUR"), (consultation, "CONSULT")):
        qtbot.addWidget(widget)
        widget.patient.surname_edit.setText(name)
    for widget in (counter, stay, consultation):
        assert widget.save_draft_now()
        settle(widget)
    names = {name: drafts.load(ctx, name) for name in ("counter", "stay", "consultation")}
    assert {k: v["patient"]["surname"] for k, v in names.items() if v} == {  # type: ignore[index]
        "counter": "COMPTOIR",
        "stay": "SEJOUR",
        "consultation": "CONSULT",
    }
    for widget in (counter, stay, consultation):
        close(qtbot, widget)

    counter, stay, consultation = CounterWidget(ctx), StayWidget(ctx), ConsultationWidget(ctx)
    for widget in (counter, stay, consultation):
        qtbot.addWidget(widget)
    assert counter.patient.surname_edit.text() == "COMPTOIR"
    assert stay.patient.surname_edit.text() == "SEJOUR"
    assert consultation.patient.surname_edit.text() == "CONSULT"
    # clearing one leaves the others
    stay.confirm_discard = lambda: True
    stay.new_claim()
    settle(stay)
    assert drafts.load(ctx, "stay") is None
    assert drafts.load(ctx, "counter") is not None and drafts.load(ctx, "consultation") is not None
    for widget in (counter, consultation):
        settle(widget)


def test_locking_the_window_saves_the_clinic_pages_drafts(qtbot, ctx: Context) -> None:  # type: ignore[no-untyped-def]
    from dataclasses import replace

    from tests.gui.test_shell import open_window
    from verifier.services import settings

    settings.save(ctx, replace(settings.load(ctx), activities="clinic,centre"))
    window = open_window(qtbot, ctx)
    assert window.stays is not None and window.consultations is not None
    window.stays.stay.entry_edit.setText("E-77")
    window.consultations.pec.number_edit.setText("VER-77")
    window.stays.keeper.timer.stop()
    window.consultations.keeper.timer.stop()
    window.lock()
    assert window.locked
    stay, consultation = drafts.load(ctx, "stay"), drafts.load(ctx, "consultation")
    assert stay is not None and stay["stay"]["entry_number"] == "E-77"  # type: ignore[index]
    assert consultation is not None and consultation["pec"]["number"] == "VER-77"  # type: ignore[index]
