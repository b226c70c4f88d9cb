"""Keeping what is typed at the counter, so that closing the window or a crash loses nothing.

Saves go through `services.drafts` (encrypted), about a second after the last change and off
the GUI thread, or at once with `save_now()` (before locking, switching user, closing).
Writes are numbered: one that was overtaken by a later one (a save overtaken by the clear
that follows a queued claim, say) is skipped, so a stale form never comes back.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QTimer, Signal

from verifier.gui.tasks import Task, run_task
from verifier.services import drafts
from verifier.services.context import Context

log = logging.getLogger(__name__)

DRAFT_NAME = "counter"
DRAFT_VERSION = 1
SAVE_DELAY_MS = 1000

Payload = dict[str, Any]


class DraftKeeper(QObject):
    """Saves `payload()` (None: nothing worth keeping, the draft is cleared) when told to.

    `failed(exc)` reports a background save that did not happen (the exception itself, so
    the counter can tell "the server does not answer" from other failures).
    """

    failed = Signal(object)

    def __init__(
        self,
        ctx: Context,
        payload: Callable[[], Payload | None],
        parent: QObject | None = None,
        delay_ms: int = SAVE_DELAY_MS,
        name: str = DRAFT_NAME,
    ) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.name = name  # one draft per user and form ("counter", "stay", "consultation")
        self._payload = payload
        self._lock = threading.Lock()
        self._issued = 0  # number of the latest write asked for
        self._written = 0  # number of the latest write done
        self._tasks: set[Task] = set()
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.setInterval(delay_ms)
        self.timer.timeout.connect(self._save_later)

    def load(self) -> Payload | None:
        """The saved draft, if any (a single read by key: fine on the GUI thread)."""
        data = drafts.load(self.ctx, self.name)
        if not data or data.get("version") != DRAFT_VERSION:
            return None
        return data

    def touch(self) -> None:
        """Something changed: save in a second unless something else changes first."""
        self.timer.start()

    @property
    def pending(self) -> bool:
        return self.timer.isActive() or bool(self._tasks)

    def save_now(self) -> None:
        """Save at once on this thread (waits for a save already under way)."""
        self.timer.stop()
        self._issued += 1
        self._write(self._issued, self._payload())

    def clear(self) -> None:
        """Forget the draft (after a claim is queued or the form is emptied), off the GUI thread."""
        self.timer.stop()
        self._start(None)

    def _save_later(self) -> None:
        self._start(self._payload())

    def _start(self, payload: Payload | None) -> None:
        self._issued += 1
        task: Task | None = None

        def done(_result: object) -> None:
            self._tasks.discard(task)

        def failed(exc: BaseException) -> None:
            self._tasks.discard(task)
            self.failed.emit(exc)

        task = run_task(self._write, self._issued, payload, on_done=done, on_failed=failed)
        self._tasks.add(task)

    def _write(self, number: int, payload: Payload | None) -> None:
        with self._lock:
            if number <= self._written:
                return  # overtaken by a later write
            if payload is None:
                drafts.clear(self.ctx, self.name)
            else:
                drafts.save(self.ctx, self.name, {**payload, "version": DRAFT_VERSION})
            self._written = number
