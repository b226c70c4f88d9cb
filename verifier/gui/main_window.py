"""The main window (a placeholder until the counter desk): the site's status and signing out."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC
from decimal import Decimal

from PySide6.QtCore import Qt, QThreadPool, Signal
from PySide6.QtGui import QAction, QCloseEvent, QFont, QKeySequence
from PySide6.QtWidgets import QGridLayout, QGroupBox, QLabel, QMainWindow, QVBoxLayout, QWidget

from verifier import i18n
from verifier.domain.money import format_eur
from verifier.gui.tasks import Task, error_sentence, error_style, run_task
from verifier.services import auth, claim_view, drugs, queue
from verifier.services.context import Context
from verifier.services.drugs import ReferenceInfo
from verifier.services.queue import InsurerTotal

i18n.register(
    {
        "main.title": ("verifier – {site}", "verifier – {site}"),
        "main.session_menu": ("&Session", "&Session"),
        "main.sign_out": ("Se &déconnecter", "Sign &out"),
        "main.refresh": ("&Actualiser", "&Refresh"),
        "main.signed_in_as": ("Connecté : {login} ({role})", "Signed in: {login} ({role})"),
        "main.role.admin": ("administrateur", "administrator"),
        "main.role.counter": ("comptoir", "counter"),
        "main.placeholder": (
            "Le poste de comptoir (vérifications de droits et demandes) s'affichera ici.",
            "The counter desk (coverage checks and claims) will appear here.",
        ),
        "main.queue_title": ("Demandes en attente d'export", "Claims awaiting export"),
        "main.insurer": ("Organisme", "Insurer"),
        "main.claims": ("Demandes", "Claims"),
        "main.amc": ("Part complémentaire", "Insurer's share"),
        "main.total": ("Total : {claims}, {amount}", "Total: {claims}, {amount}"),
        "main.claim_one": ("{n} demande", "{n} claim"),
        "main.claim_many": ("{n} demandes", "{n} claims"),
        "main.none_waiting": ("Aucune demande en attente d'export.", "No claim awaiting export."),
        "main.drugs_title": ("Base des médicaments", "Drug reference"),
        "main.drugs": ("{source}, version {date} : {count} présentations (chargée le {imported}).",
                       "{source}, version {date}: {count} presentations (loaded on {imported})."),
        "main.no_drugs": ("Aucune base des médicaments n'est chargée : un administrateur doit l'importer.",
                          "No drug reference is loaded: an administrator must import it."),
        "main.loading": ("Chargement…", "Loading…"),
    }
)


def claims_text(n: int) -> str:
    """'0 demande', '1 demande', '2 demandes' (French counts 0 and 1 as singular)."""
    one = n in (0, 1) if i18n.language() == "fr" else n == 1
    return i18n.tr("main.claim_one" if one else "main.claim_many", n=n)


def _number(n: int) -> str:
    text = f"{n:,}"
    return text.replace(",", "\u00a0") if i18n.language() == "fr" else text


@dataclass(frozen=True)
class Status:
    site_name: str
    totals: list[InsurerTotal]
    reference: ReferenceInfo | None


def load_status(ctx: Context) -> Status:
    """What the window shows, read through the services (off the GUI thread)."""
    return Status(claim_view.site(ctx).name, queue.awaiting_export(ctx), drugs.reference(ctx))


class MainWindow(QMainWindow):
    signed_out = Signal()  # the user signed out: show the sign-in window again
    closed = Signal()  # the window was closed: quit

    def __init__(self, ctx: Context, site: str | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx: Context | None = ctx
        self._switch_user = False
        self._task: Task | None = None
        self._set_title(site)

        self.sign_out_action = QAction(i18n.tr("main.sign_out"), self)
        self.sign_out_action.setShortcut(QKeySequence("Ctrl+L"))
        self.sign_out_action.triggered.connect(self.sign_out)
        self.refresh_action = QAction(i18n.tr("main.refresh"), self)
        self.refresh_action.setShortcut(QKeySequence(QKeySequence.StandardKey.Refresh))
        self.refresh_action.triggered.connect(self.refresh)
        menu = self.menuBar().addMenu(i18n.tr("main.session_menu"))
        menu.addAction(self.refresh_action)
        menu.addSeparator()
        menu.addAction(self.sign_out_action)
        toolbar = self.addToolBar(i18n.tr("main.session_menu"))
        toolbar.setObjectName("session")
        toolbar.setMovable(False)
        toolbar.addAction(self.refresh_action)
        toolbar.addAction(self.sign_out_action)

        role = i18n.tr(f"main.role.{ctx.actor.role}")
        who = QLabel(i18n.tr("main.signed_in_as", login=ctx.actor.login, role=role))
        placeholder = QLabel(i18n.tr("main.placeholder"))
        placeholder.setWordWrap(True)
        self.queue_box = QGroupBox(i18n.tr("main.queue_title"))
        self.queue_grid = QGridLayout(self.queue_box)
        self.queue_grid.setColumnStretch(0, 1)
        self.queue_grid.setHorizontalSpacing(24)
        self.total_label = QLabel(i18n.tr("main.loading"))
        self.drugs_box = QGroupBox(i18n.tr("main.drugs_title"))
        self.drugs_label = QLabel(i18n.tr("main.loading"))
        self.drugs_label.setWordWrap(True)
        QVBoxLayout(self.drugs_box).addWidget(self.drugs_label)
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setStyleSheet(error_style(self))
        self.message.hide()

        central = QWidget()
        layout = QVBoxLayout(central)
        layout.setContentsMargins(24, 16, 24, 16)
        layout.setSpacing(12)
        layout.addWidget(who)
        layout.addWidget(placeholder)
        layout.addWidget(self.message)
        layout.addWidget(self.queue_box)
        layout.addWidget(self.drugs_box)
        layout.addStretch(1)
        self.setCentralWidget(central)
        self.statusBar().showMessage(ctx.store.location.describe())
        self.resize(900, 600)
        self.refresh()

    def _set_title(self, site: str | None) -> None:
        self.setWindowTitle(i18n.tr("main.title", site=site) if site else "verifier")

    def refresh(self) -> None:
        if self.ctx is None or self._task is not None:
            return
        self._task = run_task(load_status, self.ctx, on_done=self._show_status, on_failed=self._failed)

    def _failed(self, exc: BaseException) -> None:
        self._task = None
        self.message.setText(error_sentence(exc))
        self.message.show()

    def _show_status(self, status: Status) -> None:
        self._task = None
        self.message.hide()
        self._set_title(status.site_name)
        grid = self.queue_grid
        while grid.count():
            item = grid.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None:
                widget.deleteLater()
        bold = QFont(self.font())
        bold.setWeight(QFont.Weight.Bold)
        right = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
        self.total_label = QLabel()
        self.total_label.setFont(bold)
        if status.totals:
            for col, key in enumerate(("main.insurer", "main.claims", "main.amc")):
                header = QLabel(i18n.tr(key))
                header.setFont(bold)
                grid.addWidget(header, 0, col, right if col else Qt.AlignmentFlag.AlignLeft)
            for row, t in enumerate(status.totals, start=1):
                grid.addWidget(QLabel(t.insurer_name), row, 0)
                grid.addWidget(QLabel(_number(t.count)), row, 1, right)
                grid.addWidget(QLabel(format_eur(t.amc)), row, 2, right)
        else:
            grid.addWidget(QLabel(i18n.tr("main.none_waiting")), 0, 0, 1, 3)
        count = sum(t.count for t in status.totals)
        amount = sum((t.amc for t in status.totals), Decimal("0.00"))
        self.total_label.setText(i18n.tr("main.total", claims=claims_text(count), amount=format_eur(amount)))
        grid.addWidget(self.total_label, grid.rowCount(), 0, 1, 3)
        ref = status.reference
        if ref is None:
            self.drugs_label.setText(i18n.tr("main.no_drugs"))
            return
        imported = ref.imported_at if ref.imported_at.tzinfo else ref.imported_at.replace(tzinfo=UTC)
        fmt = "%d/%m/%Y" if i18n.language() == "fr" else "%Y-%m-%d"
        self.drugs_label.setText(i18n.tr("main.drugs", source=ref.source, date=ref.snapshot_date,
                                         count=_number(ref.count), imported=imported.astimezone().strftime(fmt)))

    def _end_session(self) -> None:
        ctx, self.ctx = self.ctx, None
        if ctx is None:
            return
        if self._task is not None:  # a figures read still running: let it finish with the store
            QThreadPool.globalInstance().waitForDone(5_000)
        try:
            auth.sign_out(ctx)
        except Exception as exc:  # noqa: BLE001 - signing out must always close the store
            error_sentence(exc)  # logs it
            ctx.close()

    def sign_out(self) -> None:
        self._switch_user = True
        self.close()

    def closeEvent(self, event: QCloseEvent) -> None:
        self._end_session()
        event.accept()
        (self.signed_out if self._switch_user else self.closed).emit()
