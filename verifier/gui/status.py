"""The always-visible strip at the bottom of the main window.

Which operators are declared down and since when (with declaring one down or back up),
and the claims awaiting export: count and amount, per insurer in the tooltip and in a
popup list. When the data server (PostgreSQL) does not answer, the strip says so first
and probes it every few seconds until it answers (`ServerState`). The figures are read off the GUI thread by `load_status`; the window decides
when (after a claim is queued, after changes, every 30 s).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, QPoint, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMenu,
    QStyle,
    QTableView,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from verifier import i18n
from verifier.domain.money import format_eur
from verifier.formatting import local_datetime, to_local
from verifier.gui.probe import AnswerNotice, show_notification
from verifier.gui.tasks import Task, connection, error_sentence, error_style, run_task, server_unreachable
from verifier.services import auth, backups, claim_view, directory, outages, queue
from verifier.services.context import Context
from verifier.services.directory import OperatorInfo
from verifier.services.outages import OutageInfo
from verifier.services.queue import InsurerTotal

i18n.register(
    {
        "shell.role.admin": i18n.N_("administrateur"),
        "shell.role.counter": i18n.N_("comptoir"),
        "shell.col.insurer": i18n.N_("Organisme"),
        "shell.col.claims": i18n.N_("Demandes"),
        "shell.col.amc": i18n.N_("Part complémentaire"),
        "shell.col.price": i18n.N_("Montant total"),
        "shell.outage.down_title": i18n.N_("Déclarer un opérateur en panne"),
        "shell.outage.up_title": i18n.N_("Déclarer un opérateur rétabli"),
        "shell.outage.declare_down": i18n.N_("Déclarer en &panne"),
        "shell.outage.declare_up": i18n.N_("Déclarer &rétabli"),
        "shell.outage.none_left": i18n.N_("Tous les opérateurs sont déjà déclarés en panne."),
        "shell.outage.none_down": i18n.N_("Aucun opérateur n'est déclaré en panne."),
        "shell.outage.no_operator": i18n.N_(
            "Aucun opérateur n'est enregistré : un administrateur doit d'abord les ajouter."
        ),
    }
)


def claims_text(n: int) -> str:
    """'0 demande', '1 demande', '2 demandes' (French counts 0 and 1 as singular)."""
    return i18n.ntr("{n} demande", "{n} demandes", n)


def provisional_text(n: int) -> str:
    """ "2 organismes à confirmer"; empty for none."""
    if n <= 0:
        return ""
    return i18n.ntr("{n} organisme à confirmer", "{n} organismes à confirmer", n)


def since_text(moment: datetime, now: datetime | None = None) -> str:
    """'14:32' today, '12/03/2025 14:32' another day, in local time."""
    local = to_local(moment)
    today = to_local(now or datetime.now(UTC)).date()
    return local.strftime("%H:%M") if local.date() == today else local_datetime(moment)


@dataclass(frozen=True)
class ShellStatus:
    site_name: str
    outages: list[OutageInfo]
    totals: list[InsurerTotal]
    operators: list[OperatorInfo]
    provisional: int = 0  # insurers recorded at the counter, waiting for an administrator
    backup_stale: bool = False  # an embedded site without a backup of the last day

    @property
    def count(self) -> int:
        return sum(t.count for t in self.totals)

    @property
    def amc(self) -> Decimal:
        return sum((t.amc for t in self.totals), Decimal("0.00"))


def load_status(ctx: Context) -> tuple[Context, ShellStatus]:
    """What the strip shows, read through the services (off the GUI thread); with the context."""
    return ctx, ShellStatus(
        claim_view.site(ctx).name,
        outages.current(ctx),
        queue.awaiting_export(ctx),
        directory.list_operators(ctx),
        directory.count_provisional(ctx),
        backups.needs_attention(ctx),
    )


# --- the list per insurer -------------------------------------------------------------


class InsurerTotalsModel(QAbstractTableModel):
    """Claims awaiting export per insurer, with a total row at the end."""

    HEADERS = ("shell.col.insurer", "shell.col.claims", "shell.col.amc", "shell.col.price")

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._totals: list[InsurerTotal] = []

    def set_totals(self, totals: list[InsurerTotal]) -> None:
        self.beginResetModel()
        self._totals = list(totals)
        self.endResetModel()

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        if parent.isValid():
            return 0
        return len(self._totals) + 1 if self._totals else 0

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.HEADERS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole and 0 <= section < 4:
            return i18n.say(self.HEADERS[section])
        return None

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if not index.isValid() or not 0 <= index.row() < self.rowCount():
            return None
        row, col = index.row(), index.column()
        is_total = row == len(self._totals)
        if role == Qt.ItemDataRole.DisplayRole:
            if is_total:
                values = (
                    i18n.tr("Total"),
                    sum(t.count for t in self._totals),
                    sum((t.amc for t in self._totals), Decimal("0.00")),
                    sum((t.price for t in self._totals), Decimal("0.00")),
                )
            else:
                t = self._totals[row]
                values = (t.insurer_name, t.count, t.amc, t.price)
            value = values[col]
            if isinstance(value, Decimal):
                return format_eur(value)
            return str(value)
        if role == Qt.ItemDataRole.TextAlignmentRole and col > 0:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.FontRole and is_total:
            font = QFont()
            font.setBold(True)
            return font
        return None


class TotalsPopup(QFrame):
    """The per-insurer list under the queue figures; Escape or a click elsewhere closes it."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent, Qt.WindowType.Popup)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.model = InsurerTotalsModel(self)
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setAccessibleName(i18n.tr("Demandes en attente d'export, par organisme"))
        self.table.verticalHeader().hide()
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.table.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(False)
        self.empty = QLabel(i18n.tr("Aucune demande en attente d'export."))
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addWidget(self.table)
        layout.addWidget(self.empty)

    def _fit_table(self) -> None:
        """As tall and wide as its rows (up to 15 rows, then it scrolls)."""
        table = self.table
        table.resizeColumnsToContents()
        rows = min(self.model.rowCount(), 15)
        frame = 2 * table.frameWidth()
        height = table.horizontalHeader().sizeHint().height() + sum(table.rowHeight(r) for r in range(rows))
        width = table.horizontalHeader().length()
        if rows < self.model.rowCount():
            width += table.verticalScrollBar().sizeHint().width()
        table.setFixedSize(width + frame, height + frame)

    def set_totals(self, totals: list[InsurerTotal]) -> None:
        self.model.set_totals(totals)
        self.table.setVisible(bool(totals))
        self.empty.setVisible(not totals)
        if totals:
            self._fit_table()
        self.adjustSize()

    def show_totals(self, totals: list[InsurerTotal], anchor: QWidget) -> None:
        self.set_totals(totals)
        below = anchor.mapToGlobal(QPoint(anchor.width() - self.width(), -self.height()))
        self.move(below)
        self.show()
        self.table.setFocus()


# --- the data server's state ---------------------------------------------------------


class ServerState(QWidget):
    """Hidden while the data server answers; else says since when it does not, and probes it.

    Follows `tasks.connection` (any background task that failed for want of the server
    reports there); one `auth.ping` at a time, every `probe_ms`, until one succeeds.
    """

    PROBE_MS = 5_000

    def __init__(self, ctx: Context, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.since: datetime | None = None
        self._task: Task | None = None
        self.icon = QLabel()
        size = self.fontMetrics().height()
        self.icon.setPixmap(self.style().standardIcon(QStyle.StandardPixmap.SP_MessageBoxCritical).pixmap(size, size))
        self.label = QLabel()
        bold = QFont(self.font())
        bold.setBold(True)
        self.label.setFont(bold)
        self.label.setStyleSheet(error_style(self))
        self.setAccessibleName(i18n.tr("État du serveur de données"))
        layout = QHBoxLayout(self)
        layout.setContentsMargins(4, 0, 8, 0)
        layout.setSpacing(4)
        layout.addWidget(self.icon)
        layout.addWidget(self.label)
        self.timer = QTimer(self)
        self.timer.setInterval(self.PROBE_MS)
        self.timer.timeout.connect(self.probe)
        connection.changed.connect(self._changed)
        self.hide()
        if not connection.up:
            self._changed(False)

    def set_probe_interval(self, ms: int) -> None:
        self.timer.setInterval(ms)
        self.label.setToolTip(self._tip())

    def _tip(self) -> str:
        return i18n.tr(
            "Le serveur PostgreSQL ne répond pas. Ce qui est saisi au comptoir reste à l'écran ; nouvel essai toutes les {seconds} secondes, et la demande est mise en file dès son retour.",
            seconds=max(1, self.timer.interval() // 1000),
        )

    def _changed(self, up: bool) -> None:
        if up:
            self.timer.stop()
            self.since = None
            self.hide()
            return
        if self.since is None:
            self.since = datetime.now(UTC)
        self.label.setText(i18n.tr("Serveur de données injoignable depuis {since}", since=since_text(self.since)))
        self.label.setToolTip(self._tip())
        self.setAccessibleDescription(f"{self.label.text()}. {self._tip()}")
        self.show()
        self.timer.start()

    def probe(self) -> None:
        if self._task is None:
            self._task = run_task(auth.ping, self.ctx, on_done=self._answered, on_failed=self._unanswered)

    def _answered(self, _result: object) -> None:
        self._task = None
        connection.report(True)

    def _unanswered(self, exc: BaseException) -> None:
        self._task = None
        if not server_unreachable(exc):
            error_sentence(exc)  # logs it; the next probe tries again


# --- the strip ------------------------------------------------------------------------


class StatusStrip(QWidget):
    """Operators down (a menu to declare one down or up), queue figures, who is signed in.

    When a probe finds an operator answering again (`show_answer`, see gui/probe.py), a
    notice offers "Exporter…" (`export_requested(code)`) and "Déclarer rétabli"
    (`declared_up(code)` once the service has closed the outage).
    """

    export_requested = Signal(str)
    declared_up = Signal(str)

    def __init__(self, ctx: Context, outage_actions: list[QAction], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.status: ShellStatus | None = None
        self.outage_menu = QMenu(self)
        self.outage_menu.addActions(outage_actions)
        self.outage_button = QToolButton()
        self.outage_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.outage_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.outage_button.setAutoRaise(True)
        self.outage_button.setMenu(self.outage_menu)
        self.outage_button.setAccessibleName(i18n.tr("Opérateurs en panne"))
        self.outage_button.setText(i18n.tr("Chargement…"))
        self.message = QLabel()
        self.message.setStyleSheet(error_style(self))
        self.message.hide()
        self.queue_button = QToolButton()
        self.queue_button.setAutoRaise(True)
        self.queue_button.setAccessibleName(i18n.tr("Demandes en attente d'export, par organisme"))
        self.queue_button.setText(i18n.tr("Chargement…"))
        self.queue_button.clicked.connect(self.show_totals)
        self.provisional_label = QLabel()
        self.provisional_label.setToolTip(
            i18n.tr(
                "Organismes enregistrés au comptoir : un administrateur les confirme, corrige ou fusionne (Administration, Organismes) ; leurs demandes ne peuvent pas être mises en lot avant."
            )
        )
        self.provisional_label.hide()
        self.backup_label = QLabel(i18n.tr("Sauvegarde à faire"))  # short: the strip fits 1366 px
        self.backup_label.setStyleSheet(error_style(self))
        self.backup_label.setToolTip(
            i18n.tr(
                "La dernière sauvegarde de la base a plus de {hours} heures (ou il n'y en a pas). Un administrateur en fait une : « verifier backup now » ; elles se font aussi à la fermeture et toutes les heures tant que des demandes attendent.",
                hours=backups.STALE_HOURS,
            )
        )
        self.backup_label.hide()
        role = i18n.say(f"shell.role.{ctx.actor.role}")
        self.user_label = QLabel(i18n.tr("{login} ({role})", login=ctx.actor.login, role=role))
        self.popup = TotalsPopup(self)
        self.notice = AnswerNotice(ctx)
        self.notice.export_requested.connect(self.export_requested)
        self.notice.declared_up.connect(self.declared_up)
        self.notice.failed.connect(self.failed)
        self.server = ServerState(ctx)

        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.server)
        layout.addWidget(self.outage_button)
        layout.addWidget(self.notice)
        layout.addWidget(self.message, 1)
        layout.addStretch(0)
        layout.addWidget(self.provisional_label)
        layout.addWidget(self.backup_label)
        layout.addWidget(self.queue_button)
        layout.addWidget(_separator())
        layout.addWidget(self.user_label)

    def apply(self, status: ShellStatus) -> None:
        self.status = status
        self.message.hide()
        style = self.style()
        bold = QFont(self.font())
        if status.outages:
            parts = [
                i18n.tr("{code} en panne depuis {since}", code=o.operator_code, since=since_text(o.started_at))
                for o in status.outages
            ]
            tips = [
                i18n.tr(
                    "{name} ({code}) : en panne depuis le {since}{reason}",
                    name=o.operator_name,
                    code=o.operator_code,
                    since=since_text(o.started_at, datetime(1970, 1, 1, tzinfo=UTC)),
                    reason=i18n.tr(" – motif : {reason}", reason=o.reason) if o.reason else "",
                )
                for o in status.outages
            ]
            self.outage_button.setText(" · ".join(parts))
            self.outage_button.setToolTip("\n".join(tips))
            self.outage_button.setIcon(style.standardIcon(QStyle.StandardPixmap.SP_MessageBoxWarning))
            bold.setBold(True)
        else:
            self.outage_button.setText(i18n.tr("Aucun opérateur déclaré en panne"))
            self.outage_button.setToolTip("")
            self.outage_button.setIcon(style.standardIcon(QStyle.StandardPixmap.SP_DialogApplyButton))
        self.outage_button.setFont(bold)
        self.queue_button.setText(
            i18n.tr(
                "En attente d'export : {claims}, {amount}",
                claims=claims_text(status.count),
                amount=format_eur(status.amc),
            )
        )
        self.provisional_label.setText(provisional_text(status.provisional))
        self.provisional_label.setVisible(status.provisional > 0)
        self.backup_label.setVisible(status.backup_stale)
        self.queue_button.setToolTip(self.queue_tooltip())
        self.queue_button.setAccessibleDescription(self.queue_tooltip())
        self.outage_button.setAccessibleDescription(self.outage_button.toolTip())
        if self.popup.isVisible():
            self.popup.set_totals(status.totals)
        self.notice.follow(status.outages)

    def show_answer(self, operator_code: str, message: str) -> None:
        """An operator declared down answers its probe again: say so, with the two actions."""
        self.notice.show_answer(operator_code, message)

    def notify_answer(self, _operator_code: str, message: str) -> None:
        show_notification(self, message)

    def queue_tooltip(self) -> str:
        if self.status is None:
            return ""
        if not self.status.totals:
            return i18n.tr("Aucune demande en attente d'export.")
        lines = [
            i18n.tr(
                "{insurer} : {claims}, {amount}",
                insurer=t.insurer_name,
                claims=claims_text(t.count),
                amount=format_eur(t.amc),
            )
            for t in self.status.totals
        ]
        return "\n".join([*lines, i18n.tr("Cliquez pour la liste par organisme.")])

    def failed(self, sentence: str) -> None:
        if not connection.up and sentence == i18n.tr(
            "Le serveur de données ne répond pas : ce qui est saisi est gardé ; réessayez quand il sera revenu."
        ):
            return  # the server's state, on the left, says it already
        self.message.setText(sentence)
        self.message.show()

    def show_totals(self) -> None:
        self.popup.show_totals(self.status.totals if self.status else [], self.queue_button)


def _separator() -> QFrame:
    line = QFrame()
    line.setFrameShape(QFrame.Shape.VLine)
    line.setFrameShadow(QFrame.Shadow.Sunken)
    return line


# --- declaring an operator down or up -------------------------------------------------


class OutageDialog(QDialog):
    """Pick an operator (and a reason when declaring it down); the service runs off the GUI thread."""

    declared = Signal()

    def __init__(self, ctx: Context, status: ShellStatus | None, down: bool, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.down = down
        self._task: Task | None = None
        self.setWindowTitle(i18n.say("shell.outage.down_title" if down else "shell.outage.up_title"))
        operators = status.operators if status else []
        down_codes = {o.operator_code for o in status.outages} if status else set()
        if down:
            choices = [(o.code, f"{o.name} ({o.code})") for o in operators if o.code not in down_codes]
        else:
            choices = [
                (o.operator_code, f"{o.operator_name} ({o.operator_code})") for o in (status.outages if status else [])
            ]
        self.operator_combo = QComboBox()
        self.operator_combo.setAccessibleName(i18n.tr("Opérateur de tiers payant"))
        for code, label in choices:
            self.operator_combo.addItem(label, code)
        operator_label = QLabel(i18n.tr("&Opérateur :"))
        operator_label.setBuddy(self.operator_combo)
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.addRow(operator_label, self.operator_combo)
        self.reason_edit = QLineEdit()
        self.reason_edit.setMaxLength(500)
        self.reason_edit.setAccessibleName(i18n.tr("Motif de la panne (facultatif)"))
        self.reason_edit.setPlaceholderText(i18n.tr("Facultatif. Par exemple : serveur injoignable"))
        if down:
            reason_label = QLabel(i18n.ptr("shell.outage", "&Motif :"))
            reason_label.setBuddy(self.reason_edit)
            form.addRow(reason_label, self.reason_edit)
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.buttons = QDialogButtonBox()
        self.ok_button = self.buttons.addButton(
            i18n.say("shell.outage.declare_down" if down else "shell.outage.declare_up"),
            QDialogButtonBox.ButtonRole.AcceptRole,
        )
        self.buttons.addButton(i18n.tr("Annuler"), QDialogButtonBox.ButtonRole.RejectRole)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.message)
        layout.addWidget(self.buttons)
        if not choices:
            empty = (
                "shell.outage.no_operator"
                if not operators
                else ("shell.outage.none_left" if down else "shell.outage.none_down")
            )
            self._say(i18n.say(empty), error=False)
            self.ok_button.setEnabled(False)
            self.operator_combo.setEnabled(False)
        self.setMinimumWidth(self.fontMetrics().averageCharWidth() * 60)

    def _say(self, text: str, error: bool) -> None:
        self.message.setText(text)
        self.message.setStyleSheet(error_style(self) if error else "")
        self.operator_combo.setAccessibleDescription(text if error else "")

    def accept(self) -> None:
        code = self.operator_combo.currentData()
        if self._task is not None or not isinstance(code, str):
            return
        self.ok_button.setEnabled(False)
        if self.down:
            self._task = run_task(
                outages.declare_down,
                self.ctx,
                code,
                self.reason_edit.text(),
                on_done=self._done,
                on_failed=self._failed,
            )
        else:
            self._task = run_task(outages.declare_up, self.ctx, code, on_done=self._done, on_failed=self._failed)

    def _done(self, _info: object) -> None:
        self._task = None
        super().accept()
        self.declared.emit()

    def _failed(self, exc: BaseException) -> None:
        self._task = None
        self.ok_button.setEnabled(True)
        self._say(error_sentence(exc), error=True)
        self.operator_combo.setFocus()
