"""Inputs keyed by the services' field names, each with a buddy label and a sentence under it.

Panels lay their inputs out in a grid; a `FieldSet` remembers, for each service field name
(`surname`, `nir`, `reference`...), the input, its label and the inline sentence, so that a
`ValidationError` from any layer lands next to the right input.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QBoxLayout, QGridLayout, QLabel, QSizePolicy, QSpacerItem, QVBoxLayout, QWidget

from verifier.domain.errors import Problem
from verifier.gui.tasks import error_style

MESSAGE_ROOM_LINES = 3  # one sentence wrapped on two lines, and the row spacing


def keep_room_for_messages(panel: QWidget, lines: int = MESSAGE_ROOM_LINES) -> None:
    """Reserve `lines` lines of text in `panel` for its sentences, at the bottom of its layout.

    A sentence showing under a field takes from that room instead of making the panel taller,
    so what lies below the panel (the lines table, the scan field) never moves when a message
    shows or goes (issue 9, point 10). Call once the panel is built.
    """
    layout = panel.layout()
    if isinstance(layout, QGridLayout):
        layout.addItem(
            QSpacerItem(0, 0, QSizePolicy.Policy.Minimum, QSizePolicy.Policy.Expanding), layout.rowCount(), 0
        )
    elif isinstance(layout, QBoxLayout):
        layout.addStretch(1)
    panel.setMinimumHeight(panel.sizeHint().height() + lines * panel.fontMetrics().lineSpacing())


@dataclass
class Field:
    name: str
    label: QLabel
    widget: QWidget
    focus: QWidget
    message: QLabel
    a11y: str


def _plain(label: str) -> str:
    """A label without its mnemonic ampersand nor its colon, for the summary of problems."""
    return label.replace("&&", "\0").replace("&", "").replace("\0", "&").rstrip(" :\u00a0")


class FieldSet:
    """The inputs of one panel, in tab order."""

    def __init__(self, owner: QWidget) -> None:
        self.owner = owner
        self.fields: dict[str, Field] = {}

    def add(
        self,
        name: str,
        label: str,
        widget: QWidget,
        a11y: str,
        grid: QGridLayout,
        row: int,
        col: int,
        span: int = 1,
        focus: QWidget | None = None,
        extra: QWidget | None = None,
    ) -> Field:
        """`label` at (row, col), `widget` (and `extra` under it) at (row, col + 1).

        The sentence goes on the next grid row, under both the label and the input: it has
        room to be read on one or two lines, and takes no room while hidden. Callers therefore
        put their fields on every other grid row (0, 2, 4...).
        """
        buddy = QLabel(label)
        target = focus or widget
        buddy.setBuddy(target)
        buddy.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        # As tall as the input, so the label stays level with it when `extra` shows underneath.
        buddy.setMinimumHeight(widget.sizeHint().height())
        target.setAccessibleName(a11y)
        message = QLabel()
        message.setObjectName(f"{name}_message")
        message.setWordWrap(True)
        message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        message.hide()
        if extra is None:
            # A one-line input stays at the top of a row made taller by its neighbour's `extra`;
            # anything that may grow (the lines table) fills its cell.
            fixed = widget.sizePolicy().verticalPolicy() == QSizePolicy.Policy.Fixed
            grid.addWidget(widget, row, col + 1, 1, span, Qt.AlignmentFlag.AlignTop if fixed else Qt.AlignmentFlag(0))
        else:
            column = QVBoxLayout()
            column.setContentsMargins(0, 0, 0, 0)
            column.setSpacing(1)
            column.addWidget(widget)
            column.addWidget(extra)
            grid.addLayout(column, row, col + 1, 1, span)
        grid.addWidget(buddy, row, col, Qt.AlignmentFlag.AlignTop)
        grid.addWidget(message, row + 1, col, 1, span + 1)
        field = Field(name, buddy, widget, target, message, a11y)
        self.fields[name] = field
        return field

    def __contains__(self, name: object) -> bool:
        return name in self.fields

    def title(self, name: str) -> str:
        return _plain(self.fields[name].label.text())

    def say(self, name: str, text: str, error: bool = True) -> None:
        """Show `text` under the field `name` (empty text hides it)."""
        field = self.fields[name]
        field.message.setText(text)
        field.message.setStyleSheet(error_style(self.owner) if error and text else "")
        field.message.setVisible(bool(text))
        field.focus.setAccessibleDescription(text)

    def show(
        self, problems: Iterable[Problem], names: Iterable[str] | None = None, warnings: Iterable[Problem] = ()
    ) -> None:
        """Every problem under its field at once; warnings (which never block) after them."""
        errors: dict[str, list[str]] = {}
        notes: dict[str, list[str]] = {}
        for p in problems:
            if p.line is None:  # a claim line's problems are said under the lines table
                errors.setdefault(p.field or "", []).append(p.message())
        for p in warnings:
            if p.line is None:
                notes.setdefault(p.field or "", []).append(p.message())
        for name in names if names is not None else list(self.fields):
            if name not in self.fields:
                continue
            text = " ".join(errors.get(name, []) + notes.get(name, []))
            self.say(name, text, error=bool(errors.get(name)))

    def clear(self) -> None:
        for name in self.fields:
            self.say(name, "")

    def focus_first(self, names: Iterable[str]) -> bool:
        wanted = set(names)
        for name, field in self.fields.items():
            if name in wanted:
                field.focus.setFocus(Qt.FocusReason.OtherFocusReason)
                return True
        return False

    def tab_order(self) -> list[QWidget]:
        return [f.focus for f in self.fields.values()]
