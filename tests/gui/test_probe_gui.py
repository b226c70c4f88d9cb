"""The probe runner on Qt timers and the notice in the status strip (real HTTP on 127.0.0.1)."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import random
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QWidget

from tests.factories import make_site, queued_claim
from tests.integration.test_probe import HealthServer
from verifier.domain.money import format_eur
from verifier.gui.probe import Notification, ProbeRunner, attach, show_notification
from verifier.gui.status import StatusStrip, load_status
from verifier.services import directory, outages, queue
from verifier.services.context import Context
from verifier.services.probe import Prober
from verifier.store.engine import Location


@pytest.fixture
def server() -> Iterator[HealthServer]:
    s = HealthServer()
    s.start()
    yield s
    if s.running:
        s.stop()


@pytest.fixture
def ctx(tmp_path: Path) -> Iterator[Context]:
    c = make_site(Location(sqlite_path=tmp_path / "v.db"))
    yield c
    c.close()


def _down_with_url(ctx: Context, url: str) -> None:
    viamedis = next(o for o in directory.list_operators(ctx) if o.code == "VIAMEDIS")
    directory.update_operator(ctx, viamedis.id, name="Viamedis", health_url=url)
    outages.declare_down(ctx, "VIAMEDIS", "injoignable")


def _fast_prober() -> Prober:
    """Real clock, tiny steps: the first probe 50 ms after the outage is seen."""
    return Prober(rng=random.Random(1), steps=(0.05, 0.1), answering_recheck=3600)


def test_the_runner_says_when_an_operator_answers_again(qtbot, ctx: Context, server: HealthServer) -> None:  # type: ignore[no-untyped-def]
    _down_with_url(ctx, server.url())
    queued_claim(ctx, order=601)
    queued_claim(ctx, order=602)
    runner = ProbeRunner(ctx, _fast_prober(), timeout=2)
    with qtbot.waitSignal(runner.answered, timeout=10_000) as blocker:
        runner.start()
    amount = sum((t.amc for t in queue.awaiting_export(ctx)), Decimal("0.00"))
    assert blocker.args == [
        "VIAMEDIS",
        f"Viamedis répond à nouveau : 2 demandes, {format_eur(amount)} prêtes à l'export.",
    ]
    assert server.requests == 1
    # Still declared down (a person decides), and not said twice while it keeps answering.
    assert [o.operator_code for o in outages.current(ctx)] == ["VIAMEDIS"]
    with qtbot.assertNotEmitted(runner.answered, wait=300):
        runner.refresh()
    runner.stop()
    qtbot.waitUntil(lambda: not runner.busy(), timeout=10_000)
    assert server.requests == 1 and server.max_concurrent == 1


def test_the_runner_backs_off_while_down_then_hears_the_restart(
    qtbot, ctx: Context, dead_url_server: HealthServer
) -> None:  # type: ignore[no-untyped-def]
    server = dead_url_server  # stopped: its port refuses connections
    _down_with_url(ctx, server.url())
    runner = ProbeRunner(ctx, _fast_prober(), timeout=2)
    runner.start()
    qtbot.waitUntil(lambda: runner.prober.watched() == ["VIAMEDIS"], timeout=10_000)
    with qtbot.assertNotEmitted(runner.answered, wait=400):
        pass
    assert runner.prober.answering() == []
    server.start()
    try:
        with qtbot.waitSignal(runner.answered, timeout=10_000) as blocker:
            pass
        assert blocker.args[0] == "VIAMEDIS"
        assert blocker.args[1] == "Viamedis répond à nouveau : aucune demande en attente d'export."
    finally:
        runner.stop()
        qtbot.waitUntil(lambda: not runner.busy(), timeout=10_000)
        server.stop()
    assert server.requests == 1  # every probe before the restart was refused, one after


@pytest.fixture
def dead_url_server() -> HealthServer:
    s = HealthServer()
    s.start()
    s.stop()
    return s


def test_the_strip_offers_export_and_declare_up(qtbot, ctx: Context, server: HealthServer) -> None:  # type: ignore[no-untyped-def]
    _down_with_url(ctx, server.url())
    strip = StatusStrip(ctx, [])
    qtbot.addWidget(strip)
    strip.show()
    strip.apply(load_status(ctx)[1])
    assert not strip.notice.isVisible()
    runner = ProbeRunner(ctx, _fast_prober(), timeout=2, parent=strip)
    attach(runner, strip, notify=False)
    with qtbot.waitSignal(runner.answered, timeout=10_000):
        runner.start()
    runner.stop()
    assert strip.notice.isVisible()
    assert strip.notice.label.text().startswith("Viamedis répond à nouveau")
    assert strip.notice.up_button.isVisible()

    with qtbot.waitSignal(strip.export_requested, timeout=2_000) as export:
        qtbot.mouseClick(strip.notice.export_button, Qt.MouseButton.LeftButton)
    assert export.args == ["VIAMEDIS"]

    with qtbot.waitSignal(strip.declared_up, timeout=10_000) as up:
        qtbot.mouseClick(strip.notice.up_button, Qt.MouseButton.LeftButton)
    assert up.args == ["VIAMEDIS"]
    assert outages.current(ctx) == []
    assert outages.history(ctx)[0].ended_at is not None
    # Declared up: the export stays one click away, "declare up" goes.
    assert strip.notice.isVisible() and not strip.notice.up_button.isVisible()
    strip.apply(load_status(ctx)[1])
    assert strip.notice.isVisible() and strip.outage_button.text() == "Aucun opérateur déclaré en panne"
    qtbot.mouseClick(strip.notice.dismiss_button, Qt.MouseButton.LeftButton)
    assert not strip.notice.isVisible()
    qtbot.waitUntil(lambda: not runner.busy(), timeout=10_000)


def test_declare_up_refused_is_said_in_the_strip(qtbot, ctx: Context) -> None:  # type: ignore[no-untyped-def]
    strip = StatusStrip(ctx, [])
    qtbot.addWidget(strip)
    strip.show()
    strip.show_answer("VIAMEDIS", "Viamedis répond à nouveau : aucune demande en attente d'export.")
    # Nobody declared it down: the service refuses, the sentence shows, the notice stays.
    qtbot.mouseClick(strip.notice.up_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: strip.message.isVisible(), timeout=10_000)
    assert strip.message.text() == "Viamedis n'est pas déclaré en panne."
    assert strip.notice.isVisible() and strip.notice.up_button.isEnabled()


def test_several_answers_are_kept_until_dismissed(qtbot, ctx: Context) -> None:  # type: ignore[no-untyped-def]
    strip = StatusStrip(ctx, [])
    qtbot.addWidget(strip)
    strip.show()
    strip.show_answer("VIAMEDIS", "Viamedis répond à nouveau : a.")
    strip.show_answer("ALMERYS", "Almerys répond à nouveau : b.")
    assert strip.notice.current() == "ALMERYS"
    with qtbot.waitSignal(strip.export_requested) as export:
        strip.notice.export_button.click()
    assert export.args == ["ALMERYS"]
    strip.notice.dismiss()
    assert strip.notice.current() == "VIAMEDIS" and strip.notice.label.text().endswith("a.")
    strip.notice.dismiss()
    assert not strip.notice.isVisible()


def test_the_notification_never_takes_the_focus(qtbot) -> None:  # type: ignore[no-untyped-def]
    window = QWidget()
    qtbot.addWidget(window)
    window.resize(800, 600)
    window.show()
    window.activateWindow()
    note = show_notification(window, "Viamedis répond à nouveau : 3 demandes.", timeout_ms=200)
    assert isinstance(note, Notification) and note.isVisible()
    assert note.label.text() == "Viamedis répond à nouveau : 3 demandes."
    assert QApplication.activeWindow() is not note
    assert note.testAttribute(Qt.WidgetAttribute.WA_ShowWithoutActivating)
    qtbot.waitUntil(
        lambda: not any(isinstance(w, Notification) and w.isVisible() for w in QApplication.topLevelWidgets()),
        timeout=5_000,
    )
