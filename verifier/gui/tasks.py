"""Running service calls off the GUI thread, and saying what went wrong in a sentence.

Like Picard's run_task: work goes to the global QThreadPool and its result comes back
through signals owned by the GUI thread, so slots run there and no worker touches a widget.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QWidget

from verifier import i18n
from verifier import log as logsetup
from verifier.domain.errors import DomainError, ValidationError

log = logging.getLogger(__name__)


class ConnectionState(QObject):
    """Whether the data server answers, as the last action or probe found it (one per process).

    A background task that fails because the server does not answer reports it here (on
    the GUI thread, before its own `on_failed`); the status strip shows the state and probes
    the server until it answers, then reports it back up (`changed(True)`). Only GUI-thread
    code calls `report`.
    """

    changed = Signal(bool)

    def __init__(self) -> None:
        super().__init__()
        self.up = True

    def report(self, up: bool) -> None:
        if up != self.up:
            self.up = up
            self.changed.emit(up)


connection = ConnectionState()


def server_unreachable(exc: BaseException) -> bool:
    """True when `exc` means the data server does not answer (nothing was stored)."""
    if isinstance(exc, DomainError) and not isinstance(exc, ValidationError):
        return exc.problem.code in ("db.server_down", "db.unreachable")
    if isinstance(exc, DomainError) or type(exc).__name__ not in ("OperationalError", "InterfaceError"):
        return False
    from verifier.services.auth import is_connection_error  # failures only: start-up stays light

    return is_connection_error(exc)


def _note_failure(exc: BaseException) -> None:
    if server_unreachable(exc):
        connection.report(False)


class _Signals(QObject):
    done = Signal(object)
    failed = Signal(object)
    progress = Signal(str)


class Task(QRunnable):
    """Runs `fn(*args)` on the thread pool; the result or the exception comes back by signal.

    The signals object lives in the GUI thread, so connected slots run there (queued
    connections): the worker never touches a widget. With `with_progress`, `fn` also gets
    a `progress(text)` callable that forwards a sentence to the GUI thread.
    """

    def __init__(self, fn: Callable[..., Any], args: tuple[Any, ...], with_progress: bool) -> None:
        super().__init__()
        self.setAutoDelete(False)  # the caller keeps a reference until the result is in
        self.signals = _Signals()
        self._fn = fn
        self._args = args
        self._with_progress = with_progress

    def run(self) -> None:
        try:
            if self._with_progress:
                result = self._fn(*self._args, progress=self.signals.progress.emit)
            else:
                result = self._fn(*self._args)
        except BaseException as exc:  # noqa: BLE001 - every failure is reported to the GUI thread
            self.signals.failed.emit(exc)
        else:
            self.signals.done.emit(result)


def run_task(
    fn: Callable[..., Any],
    *args: Any,
    on_done: Callable[[Any], None],
    on_failed: Callable[[BaseException], None],
    on_progress: Callable[[str], None] | None = None,
) -> Task:
    """Start `fn(*args)` on the global thread pool. Keep the returned task until it reports."""
    task = Task(fn, args, on_progress is not None)
    task.signals.done.connect(on_done)
    task.signals.failed.connect(_note_failure)  # first: on_failed then sees the state
    task.signals.failed.connect(on_failed)
    if on_progress is not None:
        task.signals.progress.connect(on_progress)
    QThreadPool.globalInstance().start(task)
    return task


def error_sentence(exc: BaseException) -> str:
    """What to tell the user about `exc`: the service's own sentence, or where the log is."""
    if isinstance(exc, ValidationError):
        return " ".join(p.message() for p in exc.problems)
    if isinstance(exc, DomainError):
        return str(exc)
    if server_unreachable(exc):  # a driver's connection error that no service turned into a sentence
        log.warning("data server unreachable: %s", type(exc).__name__)
        return i18n.tr(
            "Le serveur de données ne répond pas : ce qui est saisi est gardé ; réessayez quand il sera revenu."
        )
    log.error("unexpected error in a background task", exc_info=(type(exc), exc, exc.__traceback__))
    return i18n.tr(
        "Erreur inattendue ; l'opération n'a pas abouti. Détails dans le journal : {log}", log=logsetup.log_file()
    )


def error_style(widget: QWidget) -> str:
    """A style sheet for inline error sentences, readable on light and dark palettes."""
    dark = widget.palette().color(QPalette.ColorRole.Window).lightness() < 128
    return f"color: {'#ff8a80' if dark else '#b3261e'};"
