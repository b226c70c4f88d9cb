"""Probing operators declared down, against a real HTTP server on 127.0.0.1.

The server is started, stopped and restarted on the same port by the tests; the prober is
driven by a fake clock, so an hour of back-off takes no time, while every probe is a real
HTTP request over a real socket. The server counts requests: no storm, ever.
"""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Iterator
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from tests.factories import make_site, queued_claim
from verifier import i18n
from verifier.domain.money import format_eur
from verifier.services import directory, outages, probe, queue
from verifier.services.context import Context
from verifier.services.probe import BACKOFF_STEPS, JITTER, MAX_DELAY, Probe, ProbePlan, Prober
from verifier.store.engine import Location

# --- a health server that can be stopped and restarted ---------------------------------------


class HealthServer:
    """`/health` -> 200; `/slow` waits for `gate`; `/moved` -> 302 to `redirect_to`; else 404/503."""

    def __init__(self) -> None:
        self.port = 0
        self.requests = 0
        self.concurrent = 0
        self.max_concurrent = 0
        self.gate = threading.Event()
        self.redirect_to = ""
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                with owner._lock:
                    owner.requests += 1
                    owner.concurrent += 1
                    owner.max_concurrent = max(owner.max_concurrent, owner.concurrent)
                try:
                    if self.path == "/slow":
                        owner.gate.wait(10)
                finally:
                    # Out of the count before the answer leaves: once the client has it, it may
                    # send the next probe before this thread runs again (seen on a loaded machine).
                    with owner._lock:
                        owner.concurrent -= 1
                if self.path in ("/health", "/slow"):
                    self.send_response(200)
                elif self.path == "/moved":
                    self.send_response(302)
                    self.send_header("Location", owner.redirect_to)
                elif self.path == "/unavailable":
                    self.send_response(503)
                else:
                    self.send_response(404)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, format: str, *args: object) -> None:
                pass

        return Handler

    def start(self) -> None:
        assert self._server is None
        server = ThreadingHTTPServer(("127.0.0.1", self.port), self._handler())  # reuses the port
        server.daemon_threads = True
        self.port = server.server_address[1]
        self._server = server
        self._thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self._thread.start()

    def stop(self) -> None:
        assert self._server is not None and self._thread is not None
        self.gate.set()  # a held request must not keep the server from stopping
        self._server.shutdown()
        self._server.server_close()
        self._thread.join()
        self._server, self._thread = None, None
        self.gate.clear()

    @property
    def running(self) -> bool:
        return self._server is not None

    def url(self, path: str = "/health") -> str:
        assert self.port
        return f"http://127.0.0.1:{self.port}{path}"


@pytest.fixture
def server() -> Iterator[HealthServer]:
    s = HealthServer()
    s.start()
    yield s
    if s.running:
        s.stop()


@pytest.fixture
def dead_url() -> str:
    """A port on 127.0.0.1 where nothing listens any more (connections are refused)."""
    s = HealthServer()
    s.start()
    url = s.url()
    s.stop()
    return url


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


def plan(code: str, url: str, outage_id: int = 1) -> ProbePlan:
    return ProbePlan(code, code.title(), outage_id, url)


# --- the schedule -----------------------------------------------------------------------------


def test_back_off_schedule_is_pure_capped_and_jittered_downwards() -> None:
    delays = probe.schedule(8, random.Random(3))
    assert delays == probe.schedule(8, random.Random(3))  # the injected RNG decides everything
    bases = [30, 60, 120, 300, 600, 600, 600, 600]
    for delay, base in zip(delays, bases, strict=True):
        assert base * (1 - JITTER) <= delay <= base <= MAX_DELAY
    assert probe.schedule(6, random.Random(3), jitter=0.0) == [30.0, 60.0, 120.0, 300.0, 600.0, 600.0]
    assert probe.backoff_delay(50, random.Random(), steps=(5.0, 3600.0), jitter=0.0) == MAX_DELAY
    assert BACKOFF_STEPS[-1] == MAX_DELAY


# --- one probe, real sockets ------------------------------------------------------------------


def test_probe_once_against_a_real_server(server: HealthServer, dead_url: str) -> None:
    other = HealthServer()
    other.start()
    try:
        server.redirect_to = other.url()
        assert probe.probe_once(server.url("/health"), 2)
        assert not probe.probe_once(server.url("/nowhere"), 2)  # 404
        assert not probe.probe_once(server.url("/unavailable"), 2)  # 503
        assert probe.probe_once(server.url("/moved"), 2)  # a 3xx answers ...
        assert other.requests == 0  # ... and is never followed to another host
        assert server.requests == 4
    finally:
        other.stop()
    assert not probe.probe_once(dead_url, 2)  # refused
    assert not probe.probe_once("file:///etc/hostname", 2)
    assert not probe.probe_once("ftp://127.0.0.1/", 2)
    assert not probe.probe_once("http://", 2)


def test_probe_once_gives_up_after_its_timeout(server: HealthServer) -> None:
    started = time.monotonic()
    assert not probe.probe_once(server.url("/slow"), 0.3)
    assert time.monotonic() - started < 5
    server.gate.set()


# --- one probe per operator, a cap on all ------------------------------------------------------


def test_never_a_second_probe_for_an_operator_while_one_is_in_flight(server: HealthServer) -> None:
    clock = FakeClock()
    prober = Prober(clock=clock, rng=random.Random(1))
    prober.update([plan("VIAMEDIS", server.url("/slow"))])
    assert prober.take_due() == []  # not due yet: the first probe waits its step
    clock.advance(30)
    (first,) = prober.take_due()
    result: list[bool] = []
    worker = threading.Thread(target=lambda: result.append(probe.probe_once(first.plan.url, 10)))
    worker.start()
    for _ in range(500):  # the request is held by the server
        if server.concurrent == 1:
            break
        time.sleep(0.01)
    assert server.concurrent == 1
    for _ in range(24):  # a whole simulated day goes by while it hangs
        clock.advance(3600)
        assert prober.take_due() == []
        assert prober.next_due_in() is None
    assert prober.in_flight() == 1 and prober.is_in_flight("VIAMEDIS")
    server.gate.set()
    worker.join()
    assert result == [True] and server.max_concurrent == 1 and server.requests == 1
    assert prober.report(first, True)  # answers again: say so
    assert prober.in_flight() == 0
    clock.advance(probe.ANSWERING_RECHECK)
    (second,) = prober.take_due()
    assert second.token != first.token
    assert not prober.report(second, True)  # still answering: said once, not again


def test_a_global_cap_on_probes_in_flight(dead_url: str) -> None:
    clock = FakeClock()
    prober = Prober(clock=clock, rng=random.Random(2), max_in_flight=2)
    prober.update([plan(code, dead_url) for code in ("ALMERYS", "VIAMEDIS", "KALIXIA")])
    clock.advance(30)
    taken = prober.take_due()
    assert len(taken) == 2 and prober.take_due() == [] and prober.next_due_in() is None
    assert len({p.plan.operator_code for p in taken}) == 2
    prober.report(taken[0], probe.probe_once(taken[0].plan.url, 2))
    (third,) = prober.take_due()
    assert third.plan.operator_code not in {p.plan.operator_code for p in taken}
    assert prober.in_flight() == 2


def test_the_prober_follows_the_register(dead_url: str) -> None:
    clock = FakeClock()
    prober = Prober(clock=clock, rng=random.Random(4))
    old = plan("VIAMEDIS", dead_url, outage_id=1)
    prober.update([old])
    clock.advance(30)
    (p,) = prober.take_due()
    prober.update([])  # declared up while the probe runs
    assert prober.watched() == [] and prober.is_in_flight("VIAMEDIS")
    prober.update([plan("VIAMEDIS", dead_url, outage_id=2)])  # and down again: a new outage
    clock.advance(600)
    assert prober.take_due() == []  # the old probe still runs: still one at a time
    assert not prober.report(p, True)  # its result belongs to the ended outage
    assert prober.answering() == [] and prober.in_flight() == 0
    (fresh,) = prober.take_due()
    assert fresh.plan.outage_id == 2


# --- the figures and the sentence ---------------------------------------------------------


def test_the_sentence_in_both_languages() -> None:
    amount = Decimal("4230.50")
    assert probe.answers_again_message("Viamedis", 132, amount) == (
        "Viamedis répond à nouveau : 132 demandes, 4\u00a0230,50\u00a0€ prêtes à l'export."
    )
    assert probe.answers_again_message("Viamedis", 1, Decimal("12")) == (
        "Viamedis répond à nouveau : 1 demande, 12,00\u00a0€ prête à l'export."
    )
    assert probe.answers_again_message("Viamedis", 0, Decimal("0")) == (
        "Viamedis répond à nouveau : aucune demande en attente d'export."
    )
    assert probe.answers_again_message("Viamedis", 1234, amount) == (
        "Viamedis répond à nouveau : 1\u00a0234 demandes, 4\u00a0230,50\u00a0€ prêtes à l'export."
    )
    i18n.set_language("en")
    assert probe.answers_again_message("Viamedis", 132, amount) == (
        "Viamedis answers again: 132 claims, €4,230.50 ready to export."
    )
    assert (
        probe.answers_again_message("Viamedis", 1, Decimal("12"))
        == "Viamedis answers again: 1 claim, €12.00 ready to export."
    )


# --- the whole story: down, back-off, back, down again, back again ----------------------------


def _drive(
    prober: Prober, clock: FakeClock, ctx: Context, until: float, stop_when_announced: bool = False
) -> list[tuple[float, str, bool, bool, str]]:
    """Run every due probe (real HTTP) until the clock reaches `until`; a bounded loop.

    Returns (time, operator, ok, announced, message) per probe.
    """
    events = []
    for _ in range(1000):
        wait = prober.next_due_in()
        if wait is None or clock.now + wait > until:
            clock.now = max(clock.now, until)
            return events
        clock.advance(wait)
        taken: list[Probe] = prober.take_due()
        codes = [p.plan.operator_code for p in taken]
        assert len(codes) == len(set(codes)) and len(taken) <= prober.max_in_flight
        for p in taken:
            result = probe.check(ctx, p.plan, timeout=2)
            announced = prober.report(p, result.ok)
            message = (
                probe.answers_again_message(p.plan.operator_name, result.count, result.amount) if announced else ""
            )
            events.append((clock.now, p.plan.operator_code, result.ok, announced, message))
            if announced and stop_when_announced:
                return events
    raise AssertionError("the prober never went quiet")


def _awaiting_amc(ctx: Context) -> Decimal:
    return sum((t.amc for t in queue.awaiting_export(ctx)), Decimal("0.00"))


def test_an_operator_comes_back_and_the_app_says_so(location: Location, dead_url: str) -> None:
    ctx = make_site(location)
    try:
        server = HealthServer()
        server.start()
        url = server.url()
        server.stop()  # the operator is down: nothing listens on its port
        viamedis = next(o for o in directory.list_operators(ctx) if o.code == "VIAMEDIS")
        directory.update_operator(ctx, viamedis.id, name="Viamedis", health_url=url)
        directory.add_operator(ctx, "ALMERYS", "Almerys", dead_url)  # never comes back here
        directory.add_operator(ctx, "KALIXIA", "Kalixia")  # no health URL: never probed
        for i in range(3):
            queued_claim(ctx, order=500 + i)
        for code in ("VIAMEDIS", "ALMERYS", "KALIXIA"):
            outages.declare_down(ctx, code, "injoignable")

        clock = FakeClock()
        prober = Prober(clock=clock, rng=random.Random(7))
        prober.update(probe.plans(ctx))
        assert prober.watched() == ["ALMERYS", "VIAMEDIS"]

        # 1. Twenty minutes down: the probes space out, 30 s, 1, 2, 5, 10 min.
        start = clock.now
        events = _drive(prober, clock, ctx, start + 1200)
        times = [start] + [t for t, code, *_ in events if code == "VIAMEDIS"]
        gaps = [b - a for a, b in zip(times, times[1:], strict=False)]
        assert len(gaps) == 5
        for gap, step in zip(gaps, BACKOFF_STEPS, strict=True):
            assert step * (1 - JITTER) <= gap <= step
        assert not any(ok for _, _, ok, _, _ in events) and server.requests == 0

        # 2. The server comes back: the next due probe succeeds and the app says so, once.
        server.start()
        try:
            before = clock.now
            events = _drive(prober, clock, ctx, clock.now + MAX_DELAY + 1, stop_when_announced=True)
            _, code, ok, announced, message = events[-1]
            assert (code, ok, announced) == ("VIAMEDIS", True, True)
            assert clock.now - before <= MAX_DELAY
            amount = _awaiting_amc(ctx)
            assert amount > 0
            assert message == f"Viamedis répond à nouveau : 3 demandes, {format_eur(amount)} prêtes à l'export."
            assert probe.ready_to_export(ctx, "VIAMEDIS") == (3, amount)
            assert probe.ready_to_export(ctx, "ALMERYS") == (0, Decimal("0.00"))
            # Not declared up by the app: a person decides.
            assert "VIAMEDIS" in [o.operator_code for o in outages.current(ctx)]

            # 3. An hour while it answers: a probe every few minutes, no second announcement.
            requests = server.requests
            hour = _drive(prober, clock, ctx, clock.now + 3600)
            viamedis_probes = [e for e in hour if e[1] == "VIAMEDIS"]
            assert all(ok for _, _, ok, _, _ in viamedis_probes)
            assert not any(announced for *_, announced, _ in hour)
            assert (
                server.requests - requests
                == len(viamedis_probes)
                <= 3600 // (probe.ANSWERING_RECHECK * (1 - JITTER)) + 1
            )
            assert len([e for e in hour if e[1] == "ALMERYS"]) <= 3600 // (MAX_DELAY * (1 - JITTER)) + 1
            assert server.max_concurrent == 1

            queued_claim(ctx, order=510)  # one more while waiting
        finally:
            # 4. It goes down again.
            server.stop()
        down_again = _drive(prober, clock, ctx, clock.now + probe.ANSWERING_RECHECK + 300)
        viamedis_down = [e for e in down_again if e[1] == "VIAMEDIS"]
        assert viamedis_down and not any(ok for _, _, ok, _, _ in viamedis_down)
        assert prober.answering() == []

        # 5. And back again: said again, with the new figures.
        server.start()
        try:
            events = _drive(prober, clock, ctx, clock.now + MAX_DELAY + 1, stop_when_announced=True)
            _, code, ok, announced, message = events[-1]
            assert (code, ok, announced) == ("VIAMEDIS", True, True)
            assert message.startswith("Viamedis répond à nouveau : 4 demandes, ")
            assert format_eur(_awaiting_amc(ctx)) in message

            # 6. A person declares it up: probing stops.
            outages.declare_up(ctx, "VIAMEDIS")
            prober.update(probe.plans(ctx))
            assert prober.watched() == ["ALMERYS"]
            requests = server.requests
            _drive(prober, clock, ctx, clock.now + 3600)
            assert server.requests == requests
        finally:
            server.stop()
        assert server.max_concurrent == 1
    finally:
        ctx.close()


def test_an_operator_without_health_url_is_not_probed(location: Location) -> None:
    ctx = make_site(location)
    try:
        outages.declare_down(ctx, "VIAMEDIS")
        assert probe.plans(ctx) == []
    finally:
        ctx.close()
