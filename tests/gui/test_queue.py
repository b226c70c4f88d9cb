"""The queue screen and an opened claim, driven through the real widgets on the demo data."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import shutil
import stat
from collections.abc import Iterator
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from PySide6.QtCore import QModelIndex, Qt, QUrl
from PySide6.QtWidgets import QSpinBox

from verifier import i18n, paths
from verifier.domain.states import ClaimStatus
from verifier.gui.queue import QueueView
from verifier.gui.queue.claim_dialog import ClaimDialog
from verifier.gui.queue.claim_models import QUANTITY, UNIT_PRICE
from verifier.gui.queue.model import AMC, CLAIM_ID_ROLE, NIR, NUMBER, PATIENT, STATUS, QueueModel
from verifier.gui.queue.texts import spaced_nir
from verifier.services import auth, claim_view, claims, demo, directory, patients, queue
from verifier.services.context import Context
from verifier.services.queue import QueueRow
from verifier.store import claims_query
from verifier.store.engine import Location

WAIT = 30_000


@pytest.fixture(scope="module")
def demo_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo database, built once; each test works on its own copy."""
    from tests.conftest import TEST_KDF
    from verifier.security import crypto

    crypto.set_default_kdf(TEST_KDF)
    folder = tmp_path_factory.mktemp("demo")
    demo.build(Location(sqlite_path=folder / "verifier.db"))
    return folder


@pytest.fixture
def ctx(demo_template: Path, tmp_path: Path) -> Iterator[Context]:
    folder = tmp_path / "db"
    shutil.copytree(demo_template, folder)
    context = auth.sign_in(Location(sqlite_path=folder / "verifier.db"), demo.DEMO_ADMIN, demo.DEMO_PASSWORD)
    yield context
    context.close()


class Opener:
    """Stands for QDesktopServices.openUrl: records what it was asked to open."""

    def __init__(self) -> None:
        self.urls: list[QUrl] = []

    def __call__(self, url: QUrl) -> bool:
        self.urls.append(url)
        return True


def make_view(qtbot, ctx: Context, opener: Opener | None = None) -> QueueView:  # type: ignore[no-untyped-def]
    view = QueueView(ctx, open_url=opener or Opener())
    qtbot.addWidget(view)
    view.resize(1366, 768)
    view.show()
    settle(qtbot, view)
    return view


def settle(qtbot, view: QueueView) -> None:  # type: ignore[no-untyped-def]
    """Wait until the rows and the totals of the current search are in."""
    qtbot.waitUntil(lambda: not view.model.loading and view.model.summary is not None, timeout=WAIT)


def cell(view: QueueView, row: int, col: int) -> str:
    return str(view.model.data(view.model.index(row, col)))


def search(qtbot, view: QueueView, text: str) -> None:  # type: ignore[no-untyped-def]
    view.filters.search_edit.clear()
    qtbot.keyClicks(view.filters.search_edit, text)  # one search per keystroke, as typed
    settle(qtbot, view)
    assert view.model.search.text == text


def row_of(view: QueueView, predicate) -> int:  # type: ignore[no-untyped-def]
    return next(i for i, r in enumerate(view.model.rows) if predicate(r))


def open_row(qtbot, view: QueueView, row: int) -> ClaimDialog:  # type: ignore[no-untyped-def]
    view.table.setFocus()
    view.table.setCurrentIndex(view.model.index(row, NUMBER))
    qtbot.keyClick(view.table, Qt.Key.Key_Return)
    dialog = view.dialog
    assert dialog is not None
    qtbot.waitUntil(lambda: dialog.detail is not None and dialog._task is None, timeout=WAIT)
    return dialog


def test_table_lists_every_claim_with_masked_nirs_and_totals(qtbot, qtmodeltester, ctx: Context) -> None:  # type: ignore[no-untyped-def]
    view = make_view(qtbot, ctx)
    model = view.model
    expected = queue.summary(ctx, queue.Search())
    assert model.rowCount() == expected.total_count == 25
    numbers = [r.number for r in model.rows]
    assert numbers == sorted(numbers, reverse=True)  # newest first
    full = {patients.get(ctx, pid).nir for pid in {claims.get(ctx, r.id).patient_id for r in model.rows[:6]}}
    for row in range(model.rowCount()):
        shown = cell(view, row, NIR)
        assert "•" in shown and shown.replace(" ", "") not in full
        for col in range(model.columnCount()):
            assert all(nir not in cell(view, row, col).replace(" ", "") for nir in full)
    assert "25 demandes" in view.summary_label.text()
    assert view.totals_model.rowCount() == 3
    assert sum(t.count for t in view.totals_model.totals) == 25
    qtmodeltester.check(model)
    qtmodeltester.check(view.totals_model)


def test_filter_by_status_and_insurer(qtbot, ctx: Context) -> None:  # type: ignore[no-untyped-def]
    view = make_view(qtbot, ctx)
    combo = view.filters.status_combo
    combo.setCurrentIndex(combo.findData(ClaimStatus.REJECTED.value))
    settle(qtbot, view)
    assert view.model.rowCount() == 2
    assert {r.status for r in view.model.rows} == {ClaimStatus.REJECTED}
    assert {cell(view, r, STATUS) for r in range(2)} == {"Rejetée"}
    combo.setCurrentIndex(combo.findData(ClaimStatus.QUEUED.value))
    settle(qtbot, view)
    queued = view.model.rowCount()
    assert queued > 0 and {r.status for r in view.model.rows} == {ClaimStatus.QUEUED}
    insurer = next(i for i in directory.list_insurers(ctx) if i.name == view.model.rows[0].insurer_name)
    box = view.filters.insurer_combo
    box.setCurrentIndex(box.findData(insurer.id))
    settle(qtbot, view)
    assert 0 < view.model.rowCount() < queued
    assert {r.insurer_name for r in view.model.rows} == {insurer.name}
    assert view.model.summary is not None and view.model.summary.total_count == view.model.rowCount()
    qtbot.mouseClick(view.filters.clear_button, Qt.MouseButton.LeftButton)
    settle(qtbot, view)
    assert view.model.rowCount() == 25


def test_search_by_name_prefix_claim_number_and_exact_nir(qtbot, ctx: Context) -> None:  # type: ignore[no-untyped-def]
    view = make_view(qtbot, ctx)
    search(qtbot, view, "perron")
    assert view.model.rowCount() > 0
    assert {r.patient_name for r in view.model.rows} == {"PERRONNEAU Lucas"}
    search(qtbot, view, "martinval cl")
    assert {r.patient_name for r in view.model.rows} == {"MARTINVAL Claire"}
    target = queue.read_page(ctx, queue.Search()).rows[7]
    search(qtbot, view, str(target.number))
    assert [r.id for r in view.model.rows] == [target.id]
    nir = patients.get(ctx, claims.get(ctx, target.id).patient_id).nir
    search(qtbot, view, nir)
    assert view.model.rowCount() >= 1
    assert {r.patient_name for r in view.model.rows} == {target.patient_name}
    search(qtbot, view, nir[:10])  # a NIR must be typed in full: part of one finds nothing
    assert view.model.rowCount() == 0
    assert view.summary_label.text() == i18n.tr("Aucune demande ne correspond à la recherche.")
    # Escape clears the search, Down arrow goes to the list.
    qtbot.keyClick(view.filters.search_edit, Qt.Key.Key_Escape)
    settle(qtbot, view)
    assert view.filters.search_edit.text() == "" and view.model.rowCount() == 25
    view.focus_search()
    assert view.filters.search_edit.hasFocus()
    qtbot.keyClick(view.filters.search_edit, Qt.Key.Key_Down)
    assert view.table.hasFocus() and view.table.currentIndex().row() == 0


def test_sort_by_number_and_amount_but_not_by_encrypted_name(qtbot, ctx: Context) -> None:  # type: ignore[no-untyped-def]
    view = make_view(qtbot, ctx)
    header = view.table.horizontalHeader()
    view.table.sortByColumn(NUMBER, Qt.SortOrder.AscendingOrder)
    settle(qtbot, view)
    numbers = [r.number for r in view.model.rows]
    assert numbers == sorted(numbers) and len(numbers) == 25
    view.table.sortByColumn(AMC, Qt.SortOrder.DescendingOrder)
    settle(qtbot, view)
    keys = [(r.amc, r.number) for r in view.model.rows]
    assert keys == sorted(keys, reverse=True) and len(keys) == 25
    assert view.model.sort_key == "amc"
    # The patient's name is encrypted: no sort, the indicator stays, a tooltip says why.
    generation = view.model.generation
    view.table.sortByColumn(PATIENT, Qt.SortOrder.AscendingOrder)
    assert header.sortIndicatorSection() == AMC and view.model.generation == generation
    tip = view.model.headerData(PATIENT, Qt.Orientation.Horizontal, Qt.ItemDataRole.ToolTipRole)
    assert "chiffrés" in tip
    view.table.sortByColumn(STATUS, Qt.SortOrder.AscendingOrder)
    settle(qtbot, view)
    order = [list(ClaimStatus).index(r.status) for r in view.model.rows]
    assert order == sorted(order)


def test_pages_are_fetched_as_the_user_scrolls(qtbot, qtmodeltester, ctx: Context) -> None:  # type: ignore[no-untyped-def]
    model = QueueModel(ctx, page_size=10)
    model.reload()
    qtbot.waitUntil(lambda: not model.loading and model.summary is not None, timeout=WAIT)
    assert model.rowCount() == 10 and model.canFetchMore(QModelIndex())
    assert model.summary is not None and model.summary.total_count == 25
    model.fetchMore(QModelIndex())
    qtbot.waitUntil(lambda: model.rowCount() == 20, timeout=WAIT)
    model.fetchMore(QModelIndex())
    qtbot.waitUntil(lambda: model.rowCount() == 25 and not model.loading, timeout=WAIT)
    assert not model.canFetchMore(QModelIndex())
    numbers = [r.number for r in model.rows]
    assert numbers == sorted(numbers, reverse=True) and len(set(numbers)) == 25
    qtmodeltester.check(model)
    # A view asks for pages until its viewport is full.
    view = QueueView(ctx, open_url=Opener())
    qtbot.addWidget(view)
    view.model.page_size = 5
    view.refresh()
    view.resize(1366, 768)
    view.show()
    qtbot.waitUntil(lambda: view.model.rowCount() >= 15 and not view.model.loading, timeout=WAIT)
    assert view.model.rowCount() % 5 == 0 or view.model.rowCount() == 25


def test_open_claim_shows_full_nir_history_and_versions(qtbot, qtmodeltester, ctx: Context) -> None:  # type: ignore[no-untyped-def]
    view = make_view(qtbot, ctx)
    row = row_of(view, lambda r: r.version == 2)
    dialog = open_row(qtbot, view, row)
    d = dialog.detail
    assert d is not None and d.claim.version == 2
    assert dialog.fields["nir"].text() == spaced_nir(d.patient.nir)
    assert "•" not in dialog.fields["nir"].text()
    assert dialog.history_model.rowCount() >= 1
    sentences = [
        dialog.history_model.data(dialog.history_model.index(i, 2)) for i in range(dialog.history_model.rowCount())
    ]
    assert any("Version 2 créée" in s for s in sentences)
    assert dialog.versions_model.rowCount() == 2
    assert dialog.lines_model.rowCount() == len(d.claim.lines)
    for model in (dialog.lines_model, dialog.history_model, dialog.versions_model):
        qtmodeltester.check(model)
    # Open the first version (rejected) from the versions tab.
    dialog.tabs.setCurrentIndex(2)
    dialog.versions.setFocus()
    dialog.versions.setCurrentIndex(dialog.versions_model.index(0, 0))
    with qtbot.waitSignal(dialog.loaded, timeout=WAIT):
        qtbot.mouseClick(dialog.open_version_button, Qt.MouseButton.LeftButton)
    first = dialog.detail
    assert first is not None and first.claim.version == 1 and first.claim.status is ClaimStatus.REJECTED
    assert first.rejection_code == "ADH" and "ADH" in dialog.notes.text()
    assert not dialog.rectify_button.isEnabled()  # already rectified: only the latest version is
    assert not dialog.correct_button.isEnabled() and dialog.receipt_button.isEnabled()
    created = [
        dialog.history_model.data(dialog.history_model.index(i, 2)) for i in range(dialog.history_model.rowCount())
    ]
    assert created[0].startswith("Demande créée") and any("Rejetée par l'organisme (motif ADH)" in s for s in created)
    dialog.close()


def test_void_a_queued_claim_needs_a_reason(qtbot, ctx: Context) -> None:  # type: ignore[no-untyped-def]
    view = make_view(qtbot, ctx)
    row = row_of(view, lambda r: r.status is ClaimStatus.QUEUED)
    claim_id = view.model.rows[row].id
    dialog = open_row(qtbot, view, row)
    assert dialog.void_button.isEnabled() and dialog.correct_button.isEnabled()
    assert not dialog.rectify_button.isEnabled()
    qtbot.mouseClick(dialog.void_button, Qt.MouseButton.LeftButton)
    void = dialog.void_dialog
    assert void is not None and void.isVisible()
    qtbot.mouseClick(void.confirm_button, Qt.MouseButton.LeftButton)  # no reason given
    refused = i18n.tr("Indiquez pourquoi la demande est annulée.")
    qtbot.waitUntil(lambda: void.message.text() == refused, timeout=WAIT)
    assert void.isVisible() and claims.get(ctx, claim_id).status is ClaimStatus.QUEUED
    qtbot.keyClicks(void.reason_edit, "Saisie en double")
    with qtbot.waitSignal(view.changed, timeout=WAIT):
        qtbot.keyClick(void.reason_edit, Qt.Key.Key_Return)
    assert not void.isVisible()
    qtbot.waitUntil(lambda: dialog.detail is not None and dialog.detail.claim.status is ClaimStatus.VOID, timeout=WAIT)
    assert "Saisie en double" in dialog.notes.text()
    assert not dialog.void_button.isEnabled() and not dialog.correct_button.isEnabled()
    settle(qtbot, view)
    assert view.model.rows[row_of(view, lambda r: r.id == claim_id)].status is ClaimStatus.VOID


def test_rectify_the_rejected_claim_opens_its_new_version(qtbot, ctx: Context) -> None:  # type: ignore[no-untyped-def]
    view = make_view(qtbot, ctx)
    row = row_of(
        view, lambda r: r.status is ClaimStatus.REJECTED and len(claim_view.detail(ctx, r.id).versions) == 1
    )  # not rectified yet
    rejected = view.model.rows[row]
    dialog = open_row(qtbot, view, row)
    assert dialog.rectify_button.isEnabled() and not dialog.correct_button.isEnabled()
    with qtbot.waitSignal(view.changed, timeout=WAIT):
        qtbot.mouseClick(dialog.rectify_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.detail is not None and dialog.detail.claim.id != rejected.id, timeout=WAIT)
    new = dialog.detail
    assert new is not None and new.claim.version == 2 and new.claim.status is ClaimStatus.DRAFT
    assert [v.id for v in new.versions] == [rejected.id, new.claim.id]
    assert dialog.correct_button.isEnabled() and not dialog.rectify_button.isEnabled()
    settle(qtbot, view)
    assert any(r.id == new.claim.id and r.version == 2 for r in view.model.rows)


def test_correct_a_draft_quantity(qtbot, ctx: Context) -> None:  # type: ignore[no-untyped-def]
    view = make_view(qtbot, ctx)
    row = row_of(view, lambda r: r.status is ClaimStatus.DRAFT and r.version == 1)
    claim_id = view.model.rows[row].id
    before = claims.get(ctx, claim_id)
    dialog = open_row(qtbot, view, row)
    qtbot.mouseClick(dialog.correct_button, Qt.MouseButton.LeftButton)
    assert dialog.editing and dialog.save_button.isVisible() and not dialog.void_button.isEnabled()
    index = dialog.lines_model.index(0, QUANTITY)
    dialog.lines.setCurrentIndex(index)
    qtbot.keyClick(dialog.lines, Qt.Key.Key_F2)
    (spin,) = [w for w in dialog.lines.findChildren(QSpinBox) if w.isVisible()]
    wanted = before.lines[0][0].quantity % 3 + 1  # 1 -> 2 -> 3 -> 1: always a change
    spin.selectAll()
    qtbot.keyClicks(spin, str(wanted))
    qtbot.keyClick(spin, Qt.Key.Key_Return)  # the delegate commits on the next turn of the event loop
    qtbot.waitUntil(lambda: dialog.lines_model.drafts[0].quantity == wanted, timeout=WAIT)
    assert dialog.lines_model.amounts[0] is not None and dialog.lines_model.amounts[0].price == (
        before.lines[0][0].unit_price * wanted
    )
    # A price that is not an amount is refused with the domain's sentence, nothing else changes.
    assert not dialog.lines_model.setData(dialog.lines_model.index(0, UNIT_PRICE), "douze")
    assert "n'est pas un montant" in dialog.message.text() and "Ligne 1" in dialog.message.text()
    with qtbot.waitSignal(view.changed, timeout=WAIT):
        qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(
        lambda: (
            not dialog.editing
            and dialog._task is None
            and dialog.detail is not None
            and dialog.detail.claim.lines[0][0].quantity == wanted
        ),
        timeout=WAIT,
    )
    after = claims.get(ctx, claim_id)
    assert after.lines[0][0].quantity == wanted and after.status is ClaimStatus.DRAFT
    unit = before.lines[0][0].unit_price
    assert after.lines[0][1].price == unit * wanted
    assert after.price != before.price
    assert any(
        "Lignes corrigées" in str(dialog.history_model.data(dialog.history_model.index(i, 2)))
        for i in range(dialog.history_model.rowCount())
    )
    assert dialog.fields["price"].text().replace("\u00a0", " ").startswith(f"{after.price:.2f}".replace(".", ","))


def test_receipt_is_a_private_pdf_file_given_to_the_opener(qtbot, ctx: Context) -> None:  # type: ignore[no-untyped-def]
    opener = Opener()
    view = make_view(qtbot, ctx, opener)
    dialog = open_row(qtbot, view, 0)
    qtbot.mouseClick(dialog.receipt_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: len(opener.urls) == 1, timeout=WAIT)
    path = Path(opener.urls[0].toLocalFile())
    assert path.read_bytes().startswith(b"%PDF")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert path.parent == paths.receipts_dir()  # the one receipts folder, the counter's too
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700


def test_claim_ids_in_rows_match_the_service(qtbot, ctx: Context) -> None:  # type: ignore[no-untyped-def]
    view = make_view(qtbot, ctx)
    ids = [view.model.data(view.model.index(r, 0), CLAIM_ID_ROLE) for r in range(view.model.rowCount())]
    rows: list[QueueRow] = queue.read_page(ctx, queue.Search(), limit=100).rows
    assert ids == [r.id for r in rows]
    assert all(isinstance(r.amc, Decimal) for r in rows)


def expected_order(rows: list[QueueRow], sort: str, descending: bool, insurer_rank: dict[str, int]) -> list[int]:
    """The order `queue.read_page` promises, computed here from every row."""
    statuses = list(ClaimStatus)

    def key(r: QueueRow) -> tuple[object, ...]:
        group: object = {
            "number": 0,
            "dispensed_on": r.dispensed_on,
            "amc": r.amc,
            "insurer": insurer_rank[r.insurer_name],
            "status": statuses.index(r.status),
            "operator_down": r.operator_down,
        }[sort]
        return (group, r.number)

    return [r.number for r in sorted(rows, key=key, reverse=descending)]


@pytest.mark.parametrize("small", [claims_query.SMALL, 1], ids=["few-claims-sorted", "index-walked"])
def test_keyset_pages_follow_every_order_on_both_backends(
    location: Location, small: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Service level: page by page (4 rows each) in every order gives every claim once, in order.

    With `small` = 1, SQLite takes the path meant for large filters (walk the order's index
    and check the filter on the way) even on the demo's 25 claims.
    """
    monkeypatch.setattr(claims_query, "SMALL", small)
    demo.build(location)
    ctx = auth.sign_in(location, demo.DEMO_ADMIN, demo.DEMO_PASSWORD)
    try:
        names = sorted((i.name, i.id) for i in directory.list_insurers(ctx, include_inactive=True))
        rank = {name: n for n, (name, _) in enumerate(names)}
        queued = queue.list_claims(ctx, queue.Search(statuses=(ClaimStatus.QUEUED,))).rows
        insurer_id = dict(names)[queued[0].insurer_name]
        searches = [
            queue.Search(),
            queue.Search(statuses=(ClaimStatus.QUEUED,)),
            queue.Search(text="perron"),
            queue.Search(statuses=(ClaimStatus.QUEUED,), insurer_id=insurer_id),
            queue.Search(date_from=date.today() - timedelta(days=4), text="l"),
        ]
        for search in searches:
            every = queue.list_claims(ctx, search, limit=500).rows
            assert every
            for sort in queue.SORTS:
                for descending in (True, False):
                    got: list[int] = []
                    after = None
                    while True:
                        page = queue.read_page(ctx, search, sort, descending, after, limit=4)
                        got += [r.number for r in page.rows]
                        if page.next is None:
                            break
                        after = page.next
                    assert got == expected_order(every, sort, descending, rank), (search, sort, descending)
        summary = queue.summary(ctx, queue.Search(statuses=(ClaimStatus.QUEUED,)))
        assert summary.total_count == len(queue.list_claims(ctx, queue.Search(statuses=(ClaimStatus.QUEUED,))).rows)
    finally:
        ctx.close()


def test_every_input_has_a_buddy_and_an_accessible_name(qtbot, ctx: Context) -> None:  # type: ignore[no-untyped-def]
    from PySide6.QtWidgets import QComboBox, QDateEdit, QLabel, QLineEdit, QWidget

    view = make_view(qtbot, ctx)
    dialog = open_row(qtbot, view, row_of(view, lambda r: r.status is ClaimStatus.QUEUED))
    void = dialog.void_claim()
    assert void is not None
    for root in (view, void):
        inputs: list[QWidget] = [
            w
            for kind in (QLineEdit, QComboBox, QDateEdit)
            for w in root.findChildren(kind)
            if not isinstance(w.parent(), (QComboBox, QDateEdit))
        ]
        buddies = {id(label.buddy()) for label in root.findChildren(QLabel) if label.buddy() is not None}
        assert inputs
        for w in inputs:
            assert w.accessibleName(), w
            assert id(w) in buddies, w.accessibleName()
    assert view.table.accessibleName() and view.totals.accessibleName()
    assert dialog.lines.accessibleName() and dialog.history.accessibleName() and dialog.versions.accessibleName()
    void.reject()


def test_the_claim_window_says_what_the_prescription_recorded(qtbot, ctx: Context) -> None:  # type: ignore[no-untyped-def]
    """Issue 13: the demo's claim whose age fee was removed shows the fee and the reason."""
    view = make_view(qtbot, ctx)
    row = row_of(
        view,
        lambda r: (p := claims.get(ctx, r.id).prescription) is not None and p.removed_fees,
    )
    dialog = open_row(qtbot, view, row)
    assert "honoraire HDA retiré : Âge non vérifiable : carte illisible" in dialog.notes.text()
    assert dialog.notes.text().startswith("Ordonnance du ")
