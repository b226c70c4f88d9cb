"""Probing operators declared down, off the GUI thread, and saying when one answers again.

`ProbeRunner` drives a `verifier.services.probe.Prober` with two timers: one reads the
outage register now and then (which operators are down, with which health URL), the other
fires when the next probe is due. Probes and database reads run on the thread pool
(`run_task`); results come back to the GUI thread, where the prober is told and, when an
operator has just started answering, `answered(operator_code, message)` is emitted.

`AnswerNotice` is the part of the status strip that shows the sentence with "Exporter…"
and "Déclarer rétabli"; `show_notification` pops the same sentence in a corner of the
window without taking the focus (the counter may be typing a NIR). `attach` connects a
runner to a strip. The operator is never declared up by the app: a person decides (see
the services module's docstring).
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QPoint, Qt, QTimer, Signal
from PySide6.QtGui import QMouseEvent
from PySide6.QtWidgets import QApplication, QFrame, QHBoxLayout, QLabel, QPushButton, QToolButton, QWidget

from verifier import i18n
from verifier.gui.tasks import Task, error_sentence, run_task
from verifier.services import outages
from verifier.services import probe as probing
from verifier.services.context import Context
from verifier.services.outages import OutageInfo
from verifier.services.probe import Probe, ProbePlan, Prober, ProbeResult

if TYPE_CHECKING:
    from verifier.gui.status import StatusStrip

log = logging.getLogger(__name__)

REFRESH_MS = 30_000  # how often the outage register is read again
NOTIFICATION_MS = 20_000


# --- the runner -------------------------------------------------------------------------


def _run_check(
    ctx: Context, p: Probe, timeout: float, probe_fn: Callable[[str, float], bool]
) -> tuple[Probe, ProbeResult]:
    """On a worker: the probe and its figures; any failure is a failed probe (never lost)."""
    try:
        return p, probing.check(ctx, p.plan, timeout, probe_fn)
    except Exception as exc:  # noqa: BLE001 - the prober must hear back, whatever happened
        log.warning("health probe of %s did not complete: %s", p.plan.operator_code, type(exc).__name__)
        return p, ProbeResult(False)


class ProbeRunner(QObject):
    """Runs the prober on timers; emits `answered(operator_code, message)` when one answers again."""

    answered = Signal(str, str)

    def __init__(
        self,
        ctx: Context,
        prober: Prober | None = None,
        *,
        timeout: float = probing.DEFAULT_TIMEOUT,
        refresh_ms: int = REFRESH_MS,
        probe_fn: Callable[[str, float], bool] = probing.probe_once,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.prober = prober if prober is not None else Prober()
        self.timeout = timeout
        self._probe_fn = probe_fn
        self._plans_task: Task | None = None
        self._probe_tasks: dict[int, Task] = {}  # token -> task, kept until it reports
        self._running = False
        self.refresh_timer = QTimer(self)
        self.refresh_timer.setInterval(refresh_ms)
        self.refresh_timer.timeout.connect(self.refresh)
        self.probe_timer = QTimer(self)
        self.probe_timer.setSingleShot(True)
        self.probe_timer.timeout.connect(self._tick)

    def start(self) -> None:
        self._running = True
        self.refresh_timer.start()
        self.refresh()

    def stop(self) -> None:
        """No new read or probe; those running finish and are recorded, nothing is announced."""
        self._running = False
        self.refresh_timer.stop()
        self.probe_timer.stop()

    def busy(self) -> bool:
        return self._plans_task is not None or bool(self._probe_tasks)

    def refresh(self, _operator_code: str = "") -> None:
        """Read the outage register again (one read at a time), e.g. after a declaration."""
        if not self._running or self._plans_task is not None:
            return
        self._plans_task = run_task(probing.plans, self.ctx, on_done=self._plans_loaded, on_failed=self._plans_failed)

    def _plans_loaded(self, plans: list[ProbePlan]) -> None:
        self._plans_task = None
        self.prober.update(plans)
        self._arm()

    def _plans_failed(self, exc: BaseException) -> None:
        self._plans_task = None
        log.warning("could not read the outages to probe: %s", type(exc).__name__)
        self._arm()

    def _arm(self) -> None:
        if not self._running:
            return
        delay = self.prober.next_due_in()
        if delay is None:
            self.probe_timer.stop()
        else:
            self.probe_timer.start(min(math.ceil(delay * 1000), 2**31 - 1))

    def _tick(self) -> None:
        if not self._running:
            return
        for p in self.prober.take_due():
            self._probe_tasks[p.token] = run_task(
                _run_check,
                self.ctx,
                p,
                self.timeout,
                self._probe_fn,
                on_done=self._checked,
                on_failed=self._check_failed,
            )
        self._arm()

    def _checked(self, outcome: tuple[Probe, ProbeResult]) -> None:
        p, result = outcome
        self._probe_tasks.pop(p.token, None)
        if self.prober.report(p, result.ok) and self._running:
            message = probing.answers_again_message(p.plan.operator_name, result.count, result.amount)
            self.answered.emit(p.plan.operator_code, message)
        self._arm()

    def _check_failed(self, exc: BaseException) -> None:
        # Only a BaseException escaping _run_check gets here; without its probe, the slot
        # stays taken (the prober's cap holds), which is the safe side.
        log.error("health probe task failed: %s", type(exc).__name__)


# --- the notice in the status strip -------------------------------------------------------


class AnswerNotice(QFrame):
    """'Viamedis répond à nouveau : …' with Exporter… and Déclarer rétabli (hidden when empty).

    Several operators may answer: the latest is shown; dismissing it shows the one before.
    Declaring up runs the service off the GUI thread; export is the window's business.
    """

    export_requested = Signal(str)
    declared_up = Signal(str)
    failed = Signal(str)

    def __init__(self, ctx: Context, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self._pending: dict[str, tuple[str, bool]] = {}  # code -> (message, still declared down)
        self._task: Task | None = None
        self.setAccessibleName(i18n.tr("Opérateur de nouveau joignable"))
        self.label = QLabel()
        self.label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.export_button = QPushButton(i18n.tr("&Exporter…"))
        self.export_button.clicked.connect(self._export)
        self.up_button = QPushButton(i18n.tr("Déclarer &rétabli"))
        self.up_button.setToolTip(
            i18n.tr(
                "Le service répond, mais c'est à vous de décider qu'il est rétabli : la panne sera close à votre nom."
            )
        )
        self.up_button.clicked.connect(self._declare_up)
        self.dismiss_button = QToolButton()
        self.dismiss_button.setText("×")
        self.dismiss_button.setAutoRaise(True)
        self.dismiss_button.setAccessibleName(i18n.tr("Masquer ce message"))
        self.dismiss_button.setToolTip(i18n.tr("Masquer ce message"))
        self.dismiss_button.clicked.connect(self.dismiss)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(4, 0, 4, 0)
        layout.addWidget(self.label)
        layout.addWidget(self.export_button)
        layout.addWidget(self.up_button)
        layout.addWidget(self.dismiss_button)
        self.hide()

    def current(self) -> str | None:
        """The operator code shown, if any."""
        return next(reversed(self._pending), None)

    def show_answer(self, operator_code: str, message: str) -> None:
        self._pending.pop(operator_code, None)
        self._pending[operator_code] = (message, True)
        self._show_current()

    def follow(self, current: list[OutageInfo]) -> None:
        """An operator declared up elsewhere keeps its notice (to export), without 'declare up'."""
        down = {o.operator_code for o in current}
        for code, (message, _) in list(self._pending.items()):
            if code not in down:
                self._pending[code] = (message, False)
        self._show_current()

    def dismiss(self) -> None:
        code = self.current()
        if code is not None:
            del self._pending[code]
        self._show_current()

    def _show_current(self) -> None:
        code = self.current()
        if code is None:
            self.hide()
            return
        message, down = self._pending[code]
        self.label.setText(message)
        self.setAccessibleDescription(message)
        self.export_button.setToolTip(
            i18n.tr("Préparer l'export des demandes en attente pour {operator}", operator=code)
        )
        self.up_button.setVisible(down)
        self.up_button.setEnabled(self._task is None)
        self.show()

    def _export(self) -> None:
        code = self.current()
        if code is not None:
            self.export_requested.emit(code)

    def _declare_up(self) -> None:
        code = self.current()
        if code is None or self._task is not None:
            return
        self.up_button.setEnabled(False)
        self._task = run_task(outages.declare_up, self.ctx, code, on_done=self._up_done, on_failed=self._up_failed)

    def _up_done(self, info: OutageInfo) -> None:
        self._task = None
        code = info.operator_code
        if code in self._pending:
            self._pending[code] = (self._pending[code][0], False)
        self._show_current()
        self.declared_up.emit(code)

    def _up_failed(self, exc: BaseException) -> None:
        self._task = None
        self._show_current()
        self.failed.emit(error_sentence(exc))


# --- a notification that never takes the focus -----------------------------------------------


class Notification(QFrame):
    """A note in the bottom-right corner of a window; a click or `timeout_ms` closes it."""

    def __init__(self, message: str, parent: QWidget, timeout_ms: int = NOTIFICATION_MS) -> None:
        super().__init__(parent, Qt.WindowType.ToolTip | Qt.WindowType.FramelessWindowHint)
        self.setAttribute(Qt.WidgetAttribute.WA_ShowWithoutActivating)
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setAccessibleName(i18n.tr("Opérateur de nouveau joignable"))
        self.setAccessibleDescription(message)
        self.label = QLabel(message)
        self.label.setWordWrap(True)
        self.label.setMaximumWidth(self.fontMetrics().averageCharWidth() * 60)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(10, 8, 10, 8)
        layout.addWidget(self.label)
        QTimer.singleShot(timeout_ms, self, self.close)

    def mousePressEvent(self, event: QMouseEvent) -> None:
        self.close()


def show_notification(parent: QWidget, message: str, timeout_ms: int = NOTIFICATION_MS) -> Notification:
    """Show `message` without blocking or taking the focus; flash the window in the task bar."""
    window = parent.window()
    note = Notification(message, window, timeout_ms)
    note.adjustSize()
    corner = window.mapToGlobal(QPoint(window.width(), window.height()))
    note.move(corner - QPoint(note.width() + 16, note.height() + 40))
    note.show()
    QApplication.alert(window)
    return note


def attach(runner: ProbeRunner, strip: StatusStrip, notify: bool = True) -> None:
    """Show the runner's answers in the strip (and as a notification); re-read after declaring up."""
    runner.answered.connect(strip.show_answer)
    if notify:
        runner.answered.connect(strip.notify_answer)
    strip.declared_up.connect(runner.refresh)
