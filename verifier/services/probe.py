"""Noticing that a tiers-payant operator declared down answers again (optional, per operator).

An operator with a health URL (`OperatorInfo.health_url`, set by an administrator) is
probed while it is declared down, on a back-off schedule: about 30 s after the outage is
first seen, then 1 min, 2 min, 5 min and every 10 min at most (each delay shortened by up
to 20 % at random so that several workstations do not probe in step). At most ONE probe per
operator is in flight at any time, and at most `max_in_flight` probes in all: never a storm
against a service that is struggling back to life.

What happens when a probe succeeds (a decision, not an accident):
- the operator is NOT declared up automatically. A health page answering says nothing
  about rights checks or claim routing being trustworthy again (after the 2024 breaches the
  operators came back in stages); a person at the counter decides, and the outage register
  records who did (`outages.declare_up`);
- the app says so once, with the figures that matter: "Viamedis answers again: 132 claims,
  €4,230.50 ready to export", and offers two actions, "declare up" and "export";
- the operator stays down in the register, so it keeps being probed, but slowly (every
  `ANSWERING_RECHECK` seconds): if it stops answering, the back-off starts again, and the
  next time it answers the app says so again. It never repeats itself while it keeps
  answering.

Qt-free and clock-free: the clock and the random source are injected, the network call is
`probe_once` (standard library only) run by whoever drives the `Prober` (the GUI runs it
off its thread, see `verifier.gui.probe`). Logs carry the operator code and the outcome,
never the URL (it may hold a token) and nothing about a patient.
"""

from __future__ import annotations

import logging
import random
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import IO, Any

from verifier import __version__, i18n
from verifier.domain.money import format_eur
from verifier.formatting import format_count
from verifier.services import directory, outages
from verifier.services.context import Context
from verifier.services.directory import OperatorInfo
from verifier.services.outages import OutageInfo
from verifier.store.operator_queue import queued_for_operator

log = logging.getLogger(__name__)

# Seconds before the next probe after 0, 1, 2, 3, 4+ consecutive failures.
BACKOFF_STEPS: tuple[float, ...] = (30.0, 60.0, 120.0, 300.0, 600.0)
MAX_DELAY = 600.0  # never longer between two probes of an operator still down
JITTER = 0.2  # each delay is shortened by up to this fraction, never lengthened past the cap
ANSWERING_RECHECK = 300.0  # while an operator answers (and is still declared down)
DEFAULT_TIMEOUT = 5.0
MAX_IN_FLIGHT = 2

i18n.register({})


# --- the schedule ------------------------------------------------------------------------


def backoff_delay(
    failures: int, rng: random.Random, steps: Sequence[float] = BACKOFF_STEPS, jitter: float = JITTER
) -> float:
    """Seconds before the next probe of an operator after `failures` consecutive failures.

    0 failures is the first probe after the outage is seen. Capped at `MAX_DELAY`; the
    jitter only shortens, so the cap holds and no delay is under (1 - jitter) x its step.
    """
    base = min(steps[min(max(failures, 0), len(steps) - 1)], MAX_DELAY)
    return base * (1.0 - jitter * rng.random())


def schedule(n: int, rng: random.Random, steps: Sequence[float] = BACKOFF_STEPS, jitter: float = JITTER) -> list[float]:
    """The first `n` delays of an operator that never answers."""
    return [backoff_delay(i, rng, steps, jitter) for i in range(n)]


# --- one probe ---------------------------------------------------------------------------


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """A redirect is an answer: it is not followed, to this host or any other."""

    def redirect_request(
        self, req: urllib.request.Request, fp: IO[bytes], code: int, msg: str, headers: Any, newurl: str
    ) -> urllib.request.Request | None:
        return None


def probe_once(url: str, timeout: float = DEFAULT_TIMEOUT) -> bool:
    """Whether `url` answers a GET with a 2xx or 3xx status within `timeout` seconds.

    GET rather than HEAD: many health endpoints only implement GET and would answer HEAD
    with 405. Redirects are never followed (a 3xx already proves the server answers, and a
    redirect to another host is never fetched). The body is not read. Only http and https
    URLs are probed; the system's proxy settings apply, as for a browser.
    """
    if not url.lower().startswith(("http://", "https://")):
        return False
    opener = urllib.request.build_opener(_NoRedirect())
    request = urllib.request.Request(url, method="GET", headers={"User-Agent": f"verifier/{__version__} health-probe"})
    try:
        with opener.open(request, timeout=timeout) as response:
            status = int(response.status)
    except urllib.error.HTTPError as exc:  # 3xx (not followed), 4xx and 5xx arrive here
        status = exc.code
        exc.close()
    except (OSError, ValueError):  # refused, reset, timed out, unknown host, malformed URL
        return False
    return 200 <= status < 400


# --- what to probe -----------------------------------------------------------------------


@dataclass(frozen=True)
class ProbePlan:
    """One operator declared down that has a health URL: what to probe, and for which outage."""

    operator_code: str
    operator_name: str
    outage_id: int
    url: str


def plans_from(current: Iterable[OutageInfo], operators: Iterable[OperatorInfo]) -> list[ProbePlan]:
    """The operators to probe: declared down now and with a health URL."""
    urls = {o.code: o.health_url for o in operators if o.health_url}
    return [
        ProbePlan(o.operator_code, o.operator_name, o.id, urls[o.operator_code])
        for o in current
        if o.operator_code in urls
    ]


def plans(ctx: Context) -> list[ProbePlan]:
    """Read the outages and operators (deactivated ones too: an outage may outlive that)."""
    return plans_from(outages.current(ctx), directory.list_operators(ctx, include_inactive=True))


# --- the scheduler -----------------------------------------------------------------------


@dataclass(frozen=True)
class Probe:
    """A probe handed out by `Prober.take_due`; give it back to `Prober.report`."""

    plan: ProbePlan
    token: int


@dataclass
class _State:
    plan: ProbePlan
    next_due: float
    failures: int = 0
    answering: bool = False


class Prober:
    """Decides which operators to probe now; holds no thread, no socket and no database.

    Call `update` with the current plans (operators down with a health URL), `take_due`
    to get the probes to run now (each one counted in flight until `report`ed),
    `report` with each result (True when the operator has just started answering: say
    so), and `next_due_in` to know when to look again. Thread-safe.
    """

    def __init__(
        self,
        clock: Callable[[], float] = time.monotonic,
        rng: random.Random | None = None,
        max_in_flight: int = MAX_IN_FLIGHT,
        steps: Sequence[float] = BACKOFF_STEPS,
        jitter: float = JITTER,
        answering_recheck: float = ANSWERING_RECHECK,
    ) -> None:
        if max_in_flight < 1 or not steps:
            raise ValueError("a prober needs at least one probe in flight and one step")
        self._clock = clock
        self._rng = rng if rng is not None else random.Random()
        self.max_in_flight = max_in_flight
        self._steps = tuple(steps)
        self._jitter = jitter
        self._recheck = answering_recheck
        self._states: dict[str, _State] = {}
        self._in_flight: dict[str, int] = {}  # operator code -> token of its running probe
        self._tokens = 0
        self._lock = threading.Lock()

    def _delay(self, failures: int) -> float:
        return backoff_delay(failures, self._rng, self._steps, self._jitter)

    def update(self, plans: Iterable[ProbePlan]) -> None:
        """Follow the outage register: new outages start their schedule, ended ones are dropped.

        An operator declared up and down again (a new outage) or given another URL starts
        afresh. A probe in flight for a dropped operator still counts until it reports.
        """
        now = self._clock()
        with self._lock:
            wanted = {p.operator_code: p for p in plans}
            for code in list(self._states):
                if code not in wanted:
                    del self._states[code]
            for code, plan in wanted.items():
                state = self._states.get(code)
                if state is None or state.plan != plan:
                    self._states[code] = _State(plan, now + self._delay(0))

    def take_due(self) -> list[Probe]:
        """The probes to start now, most overdue first; each counts as in flight until reported.

        Never an operator whose previous probe is still running, never more than
        `max_in_flight` in all.
        """
        now = self._clock()
        with self._lock:
            due = sorted(
                (s for code, s in self._states.items() if s.next_due <= now and code not in self._in_flight),
                key=lambda s: s.next_due,
            )
            taken = []
            for state in due:
                if len(self._in_flight) >= self.max_in_flight:
                    break
                self._tokens += 1
                self._in_flight[state.plan.operator_code] = self._tokens
                taken.append(Probe(state.plan, self._tokens))
            return taken

    def report(self, probe: Probe, ok: bool) -> bool:
        """Record a probe's result; True when the operator has just started answering again.

        A result for an outage that has since ended (or been replaced) is ignored.
        """
        now = self._clock()
        code = probe.plan.operator_code
        with self._lock:
            if self._in_flight.get(code) == probe.token:
                del self._in_flight[code]
            state = self._states.get(code)
            if state is None or state.plan != probe.plan:
                return False
            if ok:
                announce = not state.answering
                state.answering, state.failures = True, 0
                state.next_due = now + self._recheck * (1.0 - self._jitter * self._rng.random())
                if announce:
                    log.info("operator %s answers its health probe again", code)
                return announce
            if state.answering:
                log.info("operator %s stopped answering its health probe", code)
            state.answering = False
            state.failures += 1
            state.next_due = now + self._delay(state.failures)
            return False

    def next_due_in(self) -> float | None:
        """Seconds until a probe can start (0 if one can now).

        None when nothing is probed, or when every slot is taken: look again after a
        `report` or an `update`.
        """
        now = self._clock()
        with self._lock:
            waiting = [s.next_due for code, s in self._states.items() if code not in self._in_flight]
            if not waiting or len(self._in_flight) >= self.max_in_flight:
                return None
            return max(0.0, min(waiting) - now)

    def in_flight(self) -> int:
        with self._lock:
            return len(self._in_flight)

    def is_in_flight(self, operator_code: str) -> bool:
        with self._lock:
            return operator_code in self._in_flight

    def answering(self) -> list[str]:
        """Codes of the operators declared down that answer their probe."""
        with self._lock:
            return sorted(code for code, s in self._states.items() if s.answering)

    def watched(self) -> list[str]:
        with self._lock:
            return sorted(self._states)


# --- the figures and the sentence --------------------------------------------------------


def ready_to_export(ctx: Context, operator_code: str) -> tuple[int, Decimal]:
    """How many claims are queued for the insurers of this operator, and their AMC total."""
    with ctx.store.read() as s:
        q = queued_for_operator(s, operator_code)
    return q.count, q.amc


def answers_again_message(operator_name: str, count: int, amount: Decimal) -> str:
    """'Viamedis répond à nouveau : 132 demandes, 4 230,50 € prêtes à l'export.' (or English)."""
    if count == 0:
        return i18n.tr("{operator} répond à nouveau : aucune demande en attente d'export.", operator=operator_name)
    return i18n.ntr(
        "{operator} répond à nouveau : {count} demande, {amount} prête à l'export.",
        "{operator} répond à nouveau : {count} demandes, {amount} prêtes à l'export.",
        count,
        operator=operator_name,
        count=format_count(count),
        amount=format_eur(amount),
    )


@dataclass(frozen=True)
class ProbeResult:
    """A probe's outcome, with the queue figures when the operator answered."""

    ok: bool
    count: int = 0
    amount: Decimal = Decimal("0.00")


def check(
    ctx: Context, plan: ProbePlan, timeout: float = DEFAULT_TIMEOUT, probe: Callable[[str, float], bool] = probe_once
) -> ProbeResult:
    """Probe one operator and, if it answers, read what waits for it (for a worker thread)."""
    if not probe(plan.url, timeout):
        return ProbeResult(False)
    count, amount = ready_to_export(ctx, plan.operator_code)
    return ProbeResult(True, count, amount)
