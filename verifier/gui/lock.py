"""Locking the workstation: idle detection, the lock page, and checking the password to unlock.

A locked window shows no patient data: the main window swaps its pages for `LockPage`
(see main_window.MainWindow.lock). Unlocking needs the same user's password, checked off
the GUI thread (Argon2 takes ~0.2 s); the other way out is switching user.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import QElapsedTimer, QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QApplication,
    QDockWidget,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QStyle,
    QToolTip,
    QVBoxLayout,
    QWidget,
)

from verifier import i18n
from verifier.gui.tasks import Task, error_sentence, error_style, run_task
from verifier.services.context import Context

log = logging.getLogger(__name__)


# --- checking the password ------------------------------------------------------------


def verify_password(ctx: Context, password: str) -> None:
    """Raise AuthFailed unless `password` is the signed-in user's (Argon2: off the GUI thread)."""
    from verifier.services.auth import verify_password as check

    check(ctx, password)


# --- hiding what else is on screen ---------------------------------------------------


def hide_other_windows(keep: list[QWidget | None]) -> list[QWidget]:
    """Close popups and tooltips; hide every other visible window and dock; return what was hidden.

    A dialog shown with exec() ends when hidden (as if cancelled): pages should open() theirs,
    which are hidden here and shown again on unlocking.
    """
    QToolTip.hideText()
    for _ in range(10):  # menus, completers, the totals list
        popup = QApplication.activePopupWidget()
        if popup is None:
            break
        popup.close()
    hidden: list[QWidget] = []
    docks = [d for w in keep if w is not None for d in w.findChildren(QDockWidget)]
    for widget in [*QApplication.topLevelWidgets(), *docks]:
        if widget not in keep and widget.isVisible():
            widget.hide()
            hidden.append(widget)
    return hidden


def show_again(widgets: list[QWidget], close: bool = False) -> None:
    """Undo hide_other_windows (or, after switching user, close them for good)."""
    for widget in widgets:
        try:
            if close:
                widget.close()
            else:
                widget.show()
        except RuntimeError:  # deleted meanwhile
            pass


# --- idle detection -------------------------------------------------------------------

_INPUT_EVENTS = frozenset(
    {
        QEvent.Type.KeyPress,
        QEvent.Type.MouseButtonPress,
        QEvent.Type.MouseMove,
        QEvent.Type.Wheel,
        QEvent.Type.TouchBegin,
        QEvent.Type.TabletPress,
    }
)


class IdleWatcher(QObject):
    """Emits `idle` after `interval_ms` without keyboard or mouse input anywhere in the application.

    An application-wide event filter notes the time of the last input; the single-shot
    timer, when it fires early, is restarted for the time left (cheaper than restarting a
    timer on every mouse move).
    """

    idle = Signal()

    def __init__(self, interval_ms: int, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._interval = max(1, interval_ms)
        self._clock = QElapsedTimer()
        self._clock.start()
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self._check)
        self._installed = False

    @property
    def interval_ms(self) -> int:
        return self._interval

    def set_interval(self, interval_ms: int) -> None:
        self._interval = max(1, interval_ms)
        if self._timer.isActive():
            self.start()

    def start(self) -> None:
        app = QApplication.instance()
        if app is not None and not self._installed:
            app.installEventFilter(self)
            self._installed = True
        self._clock.restart()
        self._timer.start(self._interval)

    def stop(self) -> None:
        self._timer.stop()
        app = QApplication.instance()
        if app is not None and self._installed:
            app.removeEventFilter(self)
            self._installed = False

    def is_running(self) -> bool:
        return self._timer.isActive()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() in _INPUT_EVENTS:
            self._clock.restart()
        return False

    def _check(self) -> None:
        left = self._interval - self._clock.elapsed()
        if left > 0:
            self._timer.start(int(left))
            return
        self.idle.emit()


# --- the lock page --------------------------------------------------------------------


class LockPage(QWidget):
    """Shown instead of the pages while locked: the user's password, or switching user."""

    unlocked = Signal()
    switch_requested = Signal()

    def __init__(self, ctx: Context, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.busy = False
        self._task: Task | None = None

        icon = QLabel()
        size = self.style().pixelMetric(QStyle.PixelMetric.PM_LargeIconSize) * 2
        icon.setPixmap(self.style().standardIcon(QStyle.StandardPixmap.SP_MessageBoxInformation).pixmap(size, size))
        heading = QLabel(i18n.tr("Poste verrouillé"))
        font = heading.font()
        font.setPointSizeF(font.pointSizeF() * 1.6)
        font.setWeight(QFont.Weight.Bold)
        heading.setFont(font)
        self.explain = QLabel(
            i18n.tr(
                "Session de {user}. Saisissez votre mot de passe pour reprendre là où vous en étiez, ou changez d'utilisateur.",
                user=ctx.actor.login,
            )
        )
        self.explain.setWordWrap(True)

        self.password_edit = QLineEdit()
        self.password_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.password_edit.setAccessibleName(i18n.tr("Mot de passe de la session verrouillée"))
        self.password_edit.returnPressed.connect(self.submit)
        password_label = QLabel(i18n.tr("&Mot de passe :"))
        password_label.setBuddy(self.password_edit)
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.addRow(password_label, self.password_edit)

        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setAccessibleName(i18n.tr("Message"))
        self.message.setMinimumHeight(self.message.fontMetrics().lineSpacing() * 2)
        self.message.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)

        self.unlock_button = QPushButton(i18n.tr("&Déverrouiller"))
        self.unlock_button.setDefault(True)
        self.unlock_button.clicked.connect(self.submit)
        self.switch_button = QPushButton(i18n.tr("&Changer d'utilisateur…"))
        self.switch_button.clicked.connect(self.switch_requested)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.switch_button)
        buttons.addWidget(self.unlock_button)

        box = QWidget()
        chars = self.fontMetrics().averageCharWidth()
        box.setMinimumWidth(chars * 64)
        box.setMaximumWidth(chars * 80)
        inner = QVBoxLayout(box)
        top = QHBoxLayout()
        top.addWidget(icon)
        top.addWidget(heading, 1)
        inner.addLayout(top)
        inner.addWidget(self.explain)
        inner.addSpacing(12)
        inner.addLayout(form)
        inner.addWidget(self.message)
        inner.addLayout(buttons)

        outer = QVBoxLayout(self)
        outer.addStretch(1)
        outer.addWidget(box, 0, Qt.AlignmentFlag.AlignHCenter)
        outer.addStretch(2)
        QWidget.setTabOrder(self.password_edit, self.unlock_button)
        QWidget.setTabOrder(self.unlock_button, self.switch_button)

    def prepare(self, note: str = "") -> None:
        """Called on locking: empty the field, show `note` (e.g. the draft could not be saved)."""
        self.password_edit.clear()
        self._say(note, error=bool(note))
        self.password_edit.setFocus()

    def _say(self, text: str, error: bool) -> None:
        self.message.setText(text)
        self.message.setStyleSheet(error_style(self) if error else "")
        self.password_edit.setAccessibleDescription(text if error else "")

    def _set_busy(self, busy: bool) -> None:
        self.busy = busy
        for widget in (self.password_edit, self.unlock_button, self.switch_button):
            widget.setEnabled(not busy)
        if busy:
            self._say(i18n.tr("Vérification du mot de passe…"), error=False)
        else:
            self.unlock_button.setDefault(True)

    def submit(self) -> None:
        if self.busy:
            return
        password = self.password_edit.text()
        if not password:
            self._say(i18n.tr("Saisissez votre mot de passe."), error=True)
            self.password_edit.setFocus()
            return
        self._set_busy(True)
        self._task = run_task(verify_password, self.ctx, password, on_done=self._verified, on_failed=self._failed)

    def _verified(self, _result: object) -> None:
        self._task = None
        self._set_busy(False)
        self.password_edit.clear()
        self._say("", error=False)
        log.info("workstation unlocked by %s", self.ctx.actor.login)
        self.unlocked.emit()

    def _failed(self, exc: BaseException) -> None:
        self._task = None
        self._set_busy(False)
        self.password_edit.clear()
        self._say(error_sentence(exc), error=True)
        self.password_edit.setFocus()
