"""Does a window fit a small screen? A helper for GUI tests: every visible widget inside the
window, none squeezed below its minimum size (issue 9: 1366×768 less a taskbar)."""

from __future__ import annotations

from PySide6.QtCore import QRect
from PySide6.QtWidgets import QAbstractScrollArea, QAbstractSpinBox, QApplication, QComboBox, QHeaderView, QWidget

SCREEN = (1366, 728)  # 1366×768 less a 40-pixel taskbar
FRAME = (2, 32)  # a window manager's borders and title bar, width and height
CLIENT = (SCREEN[0] - FRAME[0], SCREEN[1] - FRAME[1])


def _scrolled(widget: QWidget, top: QWidget) -> bool:
    """Inside a scroll area's viewport (a table's cells, a scrolled form): may be off view."""
    parent = widget.parentWidget()
    while parent is not None and parent is not top:
        if isinstance(parent, QAbstractScrollArea) and parent.viewport().isAncestorOf(widget):
            return True
        parent = parent.parentWidget()
    return False


def clipped(window: QWidget) -> list[str]:
    """The visible widgets of `window` that stick out of it or are squeezed below their
    minimum size hint (so that text or figures are cut); [] when everything fits."""
    QApplication.processEvents()
    area = window.rect()
    found = []
    for widget in window.findChildren(QWidget):
        if not widget.isVisible() or widget.isWindow() or _scrolled(widget, window):
            continue
        rect = QRect(widget.mapTo(window, widget.rect().topLeft()), widget.size())
        name = widget.objectName() or type(widget).__name__
        text = getattr(widget, "text", None)
        label = f"{name} {text()!r}" if callable(text) and isinstance(text(), str) else name
        if not area.contains(rect):
            found.append(f"{label} at {rect.getRect()} outside {area.getRect()}")
            continue
        if isinstance(widget, (QHeaderView, QAbstractScrollArea)) or isinstance(
            widget.parentWidget(), (QAbstractSpinBox, QComboBox)
        ):
            continue  # headers and boxes' editors: sized by their owner; scroll areas: their content scrolls
        hint = widget.minimumSizeHint()
        if hint.isValid() and (widget.height() < hint.height() or widget.width() < hint.width()):
            found.append(f"{label} squeezed to {widget.width()}×{widget.height()} < {hint.width()}×{hint.height()}")
    return found
