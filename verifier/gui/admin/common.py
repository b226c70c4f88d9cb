"""Pieces shared by the administrators' pages: background jobs, forms with inline sentences,
the sentence line under a page, and how dates are written."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import shiboken6
from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import QFormLayout, QHBoxLayout, QLabel, QPlainTextEdit, QPushButton, QVBoxLayout, QWidget

from verifier import i18n
from verifier.domain.errors import Problem, ValidationError
from verifier.gui.tasks import Task, error_sentence, error_style, run_task

if TYPE_CHECKING:
    from verifier.services.context import Context

i18n.register(
    {
        "admin.yes": i18n.N_("oui"),
        "admin.no": i18n.N_("non"),
    }
)


class Jobs:
    """Service calls running off the GUI thread; each task is kept until it reports."""

    def __init__(self, owner: QObject | None = None) -> None:
        self._tasks: set[Task] = set()
        self._owner = owner  # a result that arrives after its page was deleted is dropped

    @property
    def busy(self) -> bool:
        return bool(self._tasks)

    def run(
        self,
        fn: Callable[..., Any],
        *args: Any,
        on_done: Callable[[Any], None],
        on_failed: Callable[[BaseException], None],
        on_progress: Callable[[str], None] | None = None,
    ) -> Task:
        holder: list[Task] = []

        def done(result: Any) -> None:
            self._tasks.discard(holder[0])
            if self._owner is None or shiboken6.isValid(self._owner):
                on_done(result)

        def failed(exc: BaseException) -> None:
            self._tasks.discard(holder[0])
            if self._owner is None or shiboken6.isValid(self._owner):
                on_failed(exc)

        task = run_task(fn, *args, on_done=done, on_failed=failed, on_progress=on_progress)
        holder.append(task)
        self._tasks.add(task)
        return task


class AdminPage(QWidget):
    """One page of the administration panel.

    It works for the signed-in `ctx`; only an administrator may change anything on it
    (`allowed`: counter staff see it read-only, and the services refuse them anyway); its
    service calls run off the GUI thread through `jobs`. A page with `refresh_on_show`
    reads its data again each time it is shown once it has loaded (`loaded_once`), since
    the counters may have queued claims meanwhile.
    """

    refresh_on_show = False

    def __init__(self, ctx: Context, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.allowed = ctx.actor.is_admin
        self.jobs = Jobs(self)
        self.loaded_once = False

    def refresh(self) -> None:
        """Read what the page shows again, off the GUI thread."""
        raise NotImplementedError

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self.refresh_on_show and self.loaded_once:
            self.refresh()


def problems_of(exc: BaseException) -> list[Problem]:
    """The problems a ValidationError carries (empty for any other error)."""
    return list(exc.problems) if isinstance(exc, ValidationError) else []


class SentenceLabel(QLabel):
    """A line that says what happened: plain for news, in the error colour for a refusal."""

    def __init__(self, parent: QWidget | None = None, lines: int = 1) -> None:
        super().__init__(parent)
        self.setWordWrap(True)
        # Sentences name insurers, files, certificates: text others chose, never HTML.
        self.setTextFormat(Qt.TextFormat.PlainText)
        self.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        # Its room is kept while hidden, so a sentence showing or going never moves the page's
        # buttons and tables (issue 9, point 10); a longer one still wraps onto more lines.
        self.setMinimumHeight(lines * self.fontMetrics().lineSpacing())
        policy = self.sizePolicy()
        policy.setRetainSizeWhenHidden(True)
        self.setSizePolicy(policy)
        self.hide()

    def say(self, text: str) -> None:
        self.setStyleSheet("")
        self._show(text)

    def refuse(self, text: str) -> None:
        self.setStyleSheet(error_style(self))
        self._show(text)

    def failed(self, exc: BaseException) -> None:
        self.refuse(error_sentence(exc))

    def _show(self, text: str) -> None:
        self.setText(text)
        self.setAccessibleDescription(text)
        self.setVisible(bool(text))


class Form:
    """A form whose inputs each have a label buddy, an accessible name and an inline sentence."""

    def __init__(self, owner: QWidget) -> None:
        self.owner = owner
        self.layout = QFormLayout()
        self.layout.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.messages: dict[str, QLabel] = {}
        self.inputs: dict[str, QWidget] = {}
        self.labels: dict[str, QLabel] = {}

    def add(
        self, field: str, label: str, widget: QWidget, a11y: str, hint: str | None = None, compact: bool = False
    ) -> None:
        """A row; a `compact` input keeps its natural width instead of taking the whole row."""
        buddy = QLabel(label)
        buddy.setBuddy(widget)
        widget.setAccessibleName(a11y)
        column = QVBoxLayout()
        column.setSpacing(2)
        if compact:
            column.addWidget(widget, 0, Qt.AlignmentFlag.AlignLeft)
        else:
            column.addWidget(widget)
        message = QLabel()
        message.setObjectName(f"{field}_message")
        message.setTextFormat(Qt.TextFormat.PlainText)  # a refusal may quote what was typed
        message.setWordWrap(True)
        message.setStyleSheet(error_style(self.owner))
        message.hide()
        column.addWidget(message)
        if hint:
            note = QLabel(hint)
            note.setWordWrap(True)
            column.addWidget(note)
        self.layout.addRow(buddy, column)
        self.messages[field] = message
        self.inputs[field] = widget
        self.labels[field] = buddy

    def set_tab_order(self, *after: QWidget) -> None:
        """Tab follows the form, then goes to `after` (the buttons)."""
        order = list(self.inputs.values()) + list(after)
        for first, second in zip(order, order[1:]):
            QWidget.setTabOrder(first, second)

    def show(self, problems: list[Problem]) -> list[Problem]:
        """Each problem under its field (all at once); returns those that belong to no field."""
        by_field: dict[str, list[str]] = {}
        unplaced = []
        for p in problems:
            if p.field in self.messages:
                by_field.setdefault(p.field, []).append(p.message())
            else:
                unplaced.append(p)
        for field, message in self.messages.items():
            text = " ".join(by_field.get(field, []))
            message.setText(text)
            message.setVisible(bool(text))
            self.inputs[field].setAccessibleDescription(text)
        bad = [f for f in self.inputs if f in by_field]
        if bad:
            self.inputs[bad[0]].setFocus()
        return unplaced

    def clear(self) -> None:
        self.show([])


class FileImportArea:
    """What an import from a file shows, added to `layout`: an explanation, the button that
    picks the file, the result in one sentence, and the detailed report (hidden until one)."""

    def __init__(
        self, layout: QVBoxLayout, explain: str, button: str, report_a11y: str, on_click: Callable[[], None]
    ) -> None:
        text = QLabel(explain)
        text.setWordWrap(True)
        self.button = QPushButton(button)
        self.button.clicked.connect(on_click)
        self.result = SentenceLabel()
        self.details = QPlainTextEdit()
        self.details.setReadOnly(True)
        self.details.setTabChangesFocus(True)
        self.details.setAccessibleName(report_a11y)
        self.details.hide()
        row = QHBoxLayout()
        row.addWidget(self.button)
        row.addStretch(1)
        layout.addWidget(text)
        layout.addLayout(row)
        layout.addWidget(self.result)
        layout.addWidget(self.details, 1)


def yes_no(value: bool) -> str:
    return i18n.say("admin.yes" if value else "admin.no")


def snapshot_date(text: str) -> str:
    """A snapshot date as stored ("2024-05-14" or "2024-05") written dd/mm/yyyy (or mm/yyyy)."""
    parts = text.strip().split("-")
    if len(parts) in (2, 3) and all(p.isdigit() for p in parts) and len(parts[0]) == 4:
        return "/".join(reversed(parts))
    return text
