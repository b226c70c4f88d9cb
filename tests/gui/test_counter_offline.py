"""The counter when the PostgreSQL server stops: it says so, keeps the form, queues once when it is back.

A throwaway server started by the test (tests/pgserver.py), stopped and started with the
real `pg_ctl`; the counter's real widgets, offscreen.
"""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt, QThreadPool
from sqlalchemy import text

from tests.factories import make_site
from tests.gui.test_counter import DATAMATRIX, fill_patient_and_check, make_counter, scan, stop, type_into
from tests.pgserver import PgServer, fresh_database, pg_server  # noqa: F401 - the module's server
from verifier import i18n
from verifier.gui.counter import CounterWidget
from verifier.gui.status import StatusStrip
from verifier.gui.tasks import connection
from verifier.services import drugs
from verifier.services.context import Context
from verifier.store.engine import Location


@pytest.fixture
def ctx(pg_server: PgServer) -> Iterator[Context]:
    location = Location(url=fresh_database(pg_server))
    ctx = make_site(location)
    drugs.load_shipped_snapshot(ctx.store, ctx.actor.login, ctx.actor.user_id)
    yield ctx
    QThreadPool.globalInstance().waitForDone(10_000)
    if not pg_server.running():
        pg_server.start()
    connection.report(True)  # the state is per process: leave it as the next test expects
    ctx.close()


def _claims(ctx: Context) -> list[tuple[str, int, str]]:
    with ctx.store.engine.connect() as conn:
        return [tuple(r) for r in conn.execute(text("SELECT id, number, status FROM claims"))]  # type: ignore[misc]


def _form(widget: CounterWidget) -> dict[str, object]:
    """Everything the form holds, as the draft would keep it."""
    payload = widget._payload()
    assert payload is not None
    return {k: v for k, v in payload.items() if k != "claim_id"}


def _filled(qtbot, ctx: Context) -> CounterWidget:  # type: ignore[no-untyped-def]
    widget = make_counter(qtbot, ctx)
    fill_patient_and_check(qtbot, widget)
    scan(qtbot, widget, DATAMATRIX)
    scan(qtbot, widget, "3015141")
    qtbot.waitUntil(lambda: not widget.keeper.pending, timeout=10_000)  # the draft is saved
    return widget


def test_a_stopped_server_keeps_the_form_and_a_retry_queues_once(qtbot, ctx: Context, pg_server: PgServer) -> None:  # type: ignore[no-untyped-def]
    widget = _filled(qtbot, ctx)
    before = _form(widget)
    pg_server.stop()

    qtbot.mouseClick(widget.queue_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not widget.busy, timeout=30_000)
    sentence = "Le serveur de données ne répond pas : ce qui est saisi est gardé ; réessayez quand il sera revenu."
    assert (
        widget.message.text()
        == sentence
        == i18n.tr("Le serveur de données ne répond pas : ce qui est saisi est gardé ; réessayez quand il sera revenu.")
    )
    assert widget.message.styleSheet()  # shown as an error
    assert not connection.up
    assert _form(widget) == before  # nothing cleared
    assert widget.lines.model.rowCount() == 2 and widget.patient.surname_edit.text() == "LEFAUVRE"
    assert widget.queue_button.isEnabled() and widget.focusWidget() is widget.queue_button  # Enter retries

    pg_server.start()
    with qtbot.waitSignal(widget.queued, timeout=30_000):
        qtbot.mouseClick(widget.queue_button, Qt.MouseButton.LeftButton)
    stored = _claims(ctx)
    assert len(stored) == 1 and stored[0][2] == "queued"
    assert widget.last_claim is not None and widget.last_claim.id == stored[0][0]
    assert f"Demande n° {widget.last_claim.number_text} mise en file" in widget.message.text()
    assert widget.is_empty()

    # Queueing again (the key pressed twice) finds an empty form: still one claim.
    widget.queue_claim()
    qtbot.waitUntil(lambda: not widget.busy, timeout=10_000)
    assert len(_claims(ctx)) == 1


def test_the_strip_says_the_server_is_down_and_the_claim_goes_when_it_is_back(
    qtbot, ctx: Context, pg_server: PgServer
) -> None:  # type: ignore[no-untyped-def]
    widget = _filled(qtbot, ctx)
    strip = StatusStrip(ctx, [])
    qtbot.addWidget(strip)
    strip.server.set_probe_interval(200)
    strip.show()
    assert strip.server.isHidden()
    before = _form(widget)
    pg_server.stop()

    widget.queue_claim()
    qtbot.waitUntil(lambda: not widget.busy, timeout=30_000)
    assert widget.message.text() == i18n.tr(
        "Le serveur de données ne répond pas : ce qui est saisi est gardé ; réessayez quand il sera revenu."
    )
    assert strip.server.isVisible()
    assert strip.server.label.text().startswith("Serveur de données injoignable depuis ")
    assert "nouvel essai" in strip.server.label.toolTip()
    assert _form(widget) == before

    pg_server.start()  # the strip's probe notices, the untouched form is queued by itself
    qtbot.waitUntil(lambda: widget.last_claim is not None, timeout=30_000)
    qtbot.waitUntil(lambda: strip.server.isHidden(), timeout=10_000)
    assert connection.up
    assert widget.is_empty()
    assert len(_claims(ctx)) == 1


def test_a_form_changed_while_down_waits_for_the_keystroke(qtbot, ctx: Context, pg_server: PgServer) -> None:  # type: ignore[no-untyped-def]
    widget = _filled(qtbot, ctx)
    strip = StatusStrip(ctx, [])
    qtbot.addWidget(strip)
    strip.server.set_probe_interval(200)
    pg_server.stop()
    widget.queue_claim()
    qtbot.waitUntil(lambda: not widget.busy, timeout=30_000)
    qtbot.keyClicks(widget.check.reference_edit, "-B")  # changed after the failure
    pg_server.start()
    qtbot.waitUntil(
        lambda: (
            widget.message.text()
            == i18n.tr(
                "Le serveur de données répond à nouveau : appuyez sur Ctrl+Entrée pour mettre la demande en file."
            )
        ),
        timeout=30_000,
    )
    assert _claims(ctx) == [] and not widget.is_empty()
    with qtbot.waitSignal(widget.queued, timeout=30_000):
        widget.queue_claim()  # what Ctrl+Entrée does
    assert len(_claims(ctx)) == 1


def test_with_the_server_away_the_draft_is_kept_on_this_computer_encrypted(  # type: ignore[no-untyped-def]
    qtbot, ctx: Context, pg_server: PgServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from verifier.gui.main_window import MainWindow
    from verifier.services import drafts

    monkeypatch.setenv("VERIFIER_DATA_DIR", str(tmp_path / "profile"))
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitUntil(lambda: window._status_task is None and bool(window.counter.patient.insurers), timeout=10_000)
    fill_patient_and_check(qtbot, window.counter)
    scan(qtbot, window.counter, DATAMATRIX)
    before = _form(window.counter)
    asked: list[bool] = []
    window.confirm_close_unsaved = lambda: asked.append(True) or False  # "Laisser ouvert"
    pg_server.stop()
    window.close()  # the draft cannot reach the server: it is kept here, nothing to ask
    assert asked == [] and not window.isVisible()
    (kept,) = (tmp_path / "profile" / "drafts").iterdir()
    raw = kept.read_bytes()
    for secret in (b"LEFAUVRE", b"Amina", b"280053523804159", b"ADH-4471205"):
        assert secret not in raw  # encrypted with the site's key

    pg_server.start()  # next time, the form comes back from this computer's copy
    again = make_counter(qtbot, ctx)
    assert _form(again) == before and again.message.text() == "Saisie en cours restaurée."
    again.save_draft_now()  # the server has it again: the local copy goes
    assert not kept.exists()
    stored = drafts.load(ctx, "counter")
    assert stored is not None and stored["patient"] == before["patient"]
    stop(again)

    # Where even this computer cannot keep it (the folder cannot be written), closing asks.
    monkeypatch.setenv("VERIFIER_DATA_DIR", str(kept))  # a path under which nothing can be made
    (tmp_path / "profile" / "drafts" / kept.name).write_text("x")
    window2 = MainWindow(ctx)
    qtbot.addWidget(window2)
    window2.show()
    qtbot.waitUntil(lambda: window2._status_task is None and bool(window2.counter.patient.insurers), timeout=10_000)
    window2.confirm_close_unsaved = lambda: asked.append(True) or False
    pg_server.stop()
    type_into(qtbot, window2.counter.patient.surname_edit, "ZORGLUB")
    window2.close()
    assert asked == [True] and window2.isVisible()
    pg_server.start()
    window2.close()
    assert not window2.isVisible()
