"""Every menu and keyboard action of the main window, keyed by an enum (as Picard's actions.py).

The registry owns one QAction per `ActionId`; the window connects them to its slots and
lays them out in menus from `MENUS`. Texts are message codes, so a language change only
calls `retranslate()`. Shortcuts are portable key sequences ("Ctrl" is Cmd on macOS).
"""

from __future__ import annotations

import enum
import html
from dataclasses import dataclass

from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMenuBar, QWidget

from verifier import __version__, i18n

i18n.register(
    {
        "shell.menu.session": i18n.N_("Session"),
        "shell.menu.claim": i18n.N_("Demande"),
        "shell.menu.view": i18n.N_("Affic&hage"),
        "shell.menu.operators": i18n.N_("Opérateurs"),
        "shell.menu.help": i18n.N_("Aide"),
        "shell.action.new_claim": i18n.N_("&Nouvelle demande"),
        "shell.action.queue_claim": i18n.N_("&Mettre la demande en file"),
        "shell.action.print_receipt": i18n.N_("&Imprimer le reçu"),
        "shell.action.search": i18n.N_("&Rechercher une demande"),
        "shell.action.page_counter": i18n.N_("&Comptoir"),
        "shell.action.page_queue": i18n.N_("&Demandes"),
        "shell.action.page_admin": i18n.N_("&Administration"),
        "shell.action.refresh": i18n.N_("Ac&tualiser"),
        "shell.action.declare_down": i18n.N_("Déclarer un opérateur en &panne…"),
        "shell.action.declare_up": i18n.N_("Déclarer un opérateur &rétabli…"),
        "shell.action.lock": i18n.N_("&Verrouiller le poste"),
        "shell.action.switch_user": i18n.N_("&Changer d'utilisateur…"),
        "shell.action.sign_out": i18n.N_("Se &déconnecter"),
        "shell.action.quit": i18n.N_("&Quitter"),
        "shell.action.help": i18n.N_("À &propos et raccourcis clavier"),
    }
)


class ActionId(enum.Enum):
    NEW_CLAIM = "new_claim"
    QUEUE_CLAIM = "queue_claim"
    PRINT_RECEIPT = "print_receipt"
    SEARCH = "search"
    PAGE_COUNTER = "page_counter"
    PAGE_QUEUE = "page_queue"
    PAGE_ADMIN = "page_admin"
    REFRESH = "refresh"
    DECLARE_DOWN = "declare_down"
    DECLARE_UP = "declare_up"
    LOCK = "lock"
    SWITCH_USER = "switch_user"
    SIGN_OUT = "sign_out"
    QUIT = "quit"
    HELP = "help"

    @property
    def text_code(self) -> str:
        return f"shell.action.{self.value}"


@dataclass(frozen=True)
class MenuSpec:
    title_code: str
    items: tuple[ActionId | None, ...]  # None is a separator


SHORTCUTS: dict[ActionId, tuple[str, ...]] = {
    ActionId.NEW_CLAIM: ("Ctrl+N",),
    ActionId.QUEUE_CLAIM: ("Ctrl+Return", "Ctrl+Enter"),  # main Enter key, then the keypad's
    ActionId.PRINT_RECEIPT: ("Ctrl+P",),
    ActionId.SEARCH: ("Ctrl+F",),
    ActionId.PAGE_COUNTER: ("Ctrl+1",),
    ActionId.PAGE_QUEUE: ("Ctrl+2",),
    ActionId.PAGE_ADMIN: ("Ctrl+3",),
    ActionId.REFRESH: ("F5",),
    ActionId.LOCK: ("Ctrl+L",),
    ActionId.SWITCH_USER: ("Ctrl+Shift+U",),
    ActionId.QUIT: ("Ctrl+Q",),
    ActionId.HELP: ("F1",),
}

MENUS: tuple[MenuSpec, ...] = (
    MenuSpec("shell.menu.session", (ActionId.SWITCH_USER, ActionId.LOCK, ActionId.SIGN_OUT, None, ActionId.QUIT)),
    MenuSpec("shell.menu.claim", (ActionId.NEW_CLAIM, ActionId.QUEUE_CLAIM, ActionId.PRINT_RECEIPT)),
    MenuSpec(
        "shell.menu.view",
        (ActionId.PAGE_COUNTER, ActionId.PAGE_QUEUE, ActionId.PAGE_ADMIN, None, ActionId.SEARCH, ActionId.REFRESH),
    ),
    MenuSpec("shell.menu.operators", (ActionId.DECLARE_DOWN, ActionId.DECLARE_UP)),
    MenuSpec("shell.menu.help", (ActionId.HELP,)),
)

MENU_BAR_KEY = "F10"  # opens the menu bar (main_window.py): the menus have few Alt+letters of their own

# What stays usable while the window is locked: nothing that shows or changes data.
WHILE_LOCKED = frozenset({ActionId.SWITCH_USER, ActionId.QUIT, ActionId.HELP})


class ActionRegistry:
    """One QAction per ActionId, owned by `window` so their shortcuts work window-wide."""

    def __init__(self, window: QWidget) -> None:
        self._actions: dict[ActionId, QAction] = {}
        for action_id in ActionId:
            action = QAction(window)
            action.setObjectName(action_id.value)
            keys = SHORTCUTS.get(action_id, ())
            action.setShortcuts([QKeySequence(k) for k in keys])
            self._actions[action_id] = action
            window.addAction(action)  # shortcuts work even for actions left out of a menu
        self.retranslate()

    def __getitem__(self, action_id: ActionId) -> QAction:
        return self._actions[action_id]

    def items(self) -> list[tuple[ActionId, QAction]]:
        return list(self._actions.items())

    def retranslate(self) -> None:
        for action_id, action in self._actions.items():
            action.setText(i18n.say(action_id.text_code))

    def fill_menus(self, bar: QMenuBar) -> None:
        """(Re)build the menu bar from MENUS in the current language."""
        bar.clear()
        for spec in MENUS:
            menu = bar.addMenu(i18n.say(spec.title_code))
            for item in spec.items:
                if item is None:
                    menu.addSeparator()
                elif self._actions[item].isVisible():
                    menu.addAction(self._actions[item])

    def set_locked(self, locked: bool) -> None:
        for action_id, action in self._actions.items():
            action.setEnabled(not locked or action_id in WHILE_LOCKED)

    def shortcut_rows(self) -> list[tuple[str, str]]:
        """(what it does, keys) for the help dialog, in menu order, plain text."""
        rows = []
        for spec in MENUS:
            for item in spec.items:
                if item is None or not self._actions[item].isVisible():
                    continue
                keys = [
                    QKeySequence(k).toString(QKeySequence.SequenceFormat.NativeText) for k in SHORTCUTS.get(item, ())
                ]
                if keys:
                    text = i18n.say(item.text_code).replace("&", "").rstrip("…")
                    rows.append((text, " / ".join(keys)))
        menu_key = QKeySequence(MENU_BAR_KEY).toString(QKeySequence.SequenceFormat.NativeText)
        rows.append((i18n.tr("Ouvrir la barre de menus"), menu_key))
        return rows


def help_text(registry: ActionRegistry, database: str, log_file: str) -> str:
    """The F1 box: version, where the database and the log are, and every shortcut (rich text)."""
    rows = "".join(
        f"<tr><td>{html.escape(what)}</td><td>&nbsp;&nbsp;<b>{html.escape(keys)}</b></td></tr>"
        for what, keys in registry.shortcut_rows()
    )
    table = f"<table>{rows}</table>"  # outside the call: Babel skips a call holding an f-string
    return i18n.tr(
        "<p><b>verifier {version}</b> – vérifications de droits et demandes de remboursement quand le tiers payant est en panne.</p><p>Base : {db}<br>Journal : {log}</p><p><b>Raccourcis clavier</b></p>{shortcuts}",
        version=__version__,
        db=html.escape(database),
        log=html.escape(log_file),
        shortcuts=table,
    )
