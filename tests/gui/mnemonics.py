"""Find keyboard mnemonics (&X) used twice in one window: a helper any GUI test can call.

A window's mnemonics are those of its menu bar titles, its tab titles, its buttons, check
boxes, group boxes and labels with a buddy. Pages of a QStackedWidget (and so of a
QTabWidget) are shown one at a time: each page is counted with the parts always visible,
never with its sibling pages. Each menu's actions are checked among themselves.
"""

from __future__ import annotations

import itertools

from PySide6.QtWidgets import (
    QAbstractButton,
    QGroupBox,
    QLabel,
    QMainWindow,
    QMenu,
    QStackedWidget,
    QTabBar,
    QWidget,
)

Entry = tuple[str, str]  # (the key, lowered; where it was found)


def mnemonic(text: str) -> str | None:
    """The character after a single '&' ('&&' is a literal ampersand), lowered."""
    i = 0
    while i < len(text) - 1:
        if text[i] == "&":
            if text[i + 1] != "&":
                return text[i + 1].lower()
            i += 2
            continue
        i += 1
    return None


def _own(widget: QWidget) -> list[Entry]:
    found: list[Entry] = []

    def add(text: str, what: str) -> None:
        key = mnemonic(text)
        if key is not None and key != " ":
            found.append((key, f"{what} {text!r}"))

    if isinstance(widget, QAbstractButton):
        add(widget.text(), type(widget).__name__)
    elif isinstance(widget, QGroupBox):
        add(widget.title(), "QGroupBox")
    elif isinstance(widget, QLabel) and widget.buddy() is not None:
        add(widget.text(), "QLabel")
    elif isinstance(widget, QTabBar):
        for i in range(widget.count()):
            if widget.isTabVisible(i):
                add(widget.tabText(i), "tab")
    return found


def _views(widget: QWidget) -> list[list[Entry]]:
    """Every set of mnemonics that can be on screen at once under `widget`."""
    if widget.isWindow() and widget is not widget.window():
        return [[]]
    if widget.isHidden() and not widget.isWindow() and not isinstance(widget.parentWidget(), QStackedWidget):
        return [[]]
    own = _own(widget)
    children = [c for c in widget.findChildren(QWidget, options=_direct()) if not c.isWindow()]
    if isinstance(widget, QStackedWidget):
        alternatives = [view for i in range(widget.count()) for view in _views(widget.widget(i))]
        return [own + view for view in alternatives] or [own]
    views: list[list[Entry]] = [own]
    for child in children:
        child_views = _views(child)
        views = [a + b for a, b in itertools.product(views, child_views)]
    return views


def _direct():  # type: ignore[no-untyped-def]
    from PySide6.QtCore import Qt

    return Qt.FindChildOption.FindDirectChildrenOnly


def _menu_entries(window: QWidget) -> tuple[list[Entry], list[str]]:
    """The menu bar's titles (window-wide) and the clashes inside each menu."""
    titles: list[Entry] = []
    problems: list[str] = []
    if not isinstance(window, QMainWindow) or window.menuWidget() is None:
        return titles, problems
    for action in window.menuBar().actions():
        if not action.isVisible():
            continue
        key = mnemonic(action.text())
        if key is not None:
            titles.append((key, f"menu {action.text()!r}"))
        menu = action.menu()
        if isinstance(menu, QMenu):
            inside = [
                (mnemonic(a.text()), f"action {a.text()!r}")
                for a in menu.actions()
                if a.isVisible() and not a.isSeparator()
            ]
            problems += _clashes([(k, w) for k, w in inside if k is not None], f"menu {action.text()!r}")
    return titles, problems


def _clashes(entries: list[Entry], where: str) -> list[str]:
    seen: dict[str, list[str]] = {}
    for key, what in entries:
        seen.setdefault(key, []).append(what)
    return [f"{where}: Alt+{key.upper()} → {', '.join(whats)}" for key, whats in seen.items() if len(whats) > 1]


def mnemonic_clashes(window: QWidget) -> list[str]:
    """Every mnemonic shared by two things that can be on screen at once in `window`
    (its menus, always-visible parts and each page in turn); [] when there is none."""
    titles, problems = _menu_entries(window)
    content = window.centralWidget() if isinstance(window, QMainWindow) else window
    found: set[str] = set(problems)
    roots: list[QWidget] = [content] if content is not None else []
    if isinstance(window, QMainWindow):
        roots += [
            w
            for w in window.findChildren(QWidget, options=_direct())
            if w is not content and w is not window.menuWidget() and not w.isWindow()
        ]
    views: list[list[Entry]] = [titles]
    for root in roots:
        views = [a + b for a, b in itertools.product(views, _views(root))]
    name = window.objectName() or type(window).__name__
    for view in views:
        found.update(_clashes(view, name))
    return sorted(found)
