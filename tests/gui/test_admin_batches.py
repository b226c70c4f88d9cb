"""The "when service returns" pages driven through their real widgets, on the demo database:
batches (made, exported, sent, voided), returns and rejections, reconciliation; and counter
staff refused by the services."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import io
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import pytest
from pypdf import PdfReader
from PySide6.QtCore import QCoreApplication, Qt, QThreadPool
from PySide6.QtWidgets import QFileDialog

from verifier.domain.money import format_eur
from verifier.domain.states import ClaimStatus
from verifier.gui.admin import AdminPanel
from verifier.gui.admin.batch_dialogs import ChooseClaimsDialog, ExportDialog, SentDialog, VoidBatchDialog
from verifier.gui.queue.void_dialog import VoidDialog
from verifier.services import auth, batches, claims, demo, directory, patients, queue, reconciliation
from verifier.services.context import Context
from verifier.store.engine import Location

ALPES, NORD, DEMO_SANTE = "90412345", "80123456", "12345678"  # Viamedis, Almerys, no operator
ADMIN_ONLY_BATCH = (
    "Seul un administrateur peut créer, exporter ou annuler un lot. Demandez à un administrateur de le faire."
)
ADMIN_ONLY_RETURN = (
    "Seul un administrateur peut enregistrer un retour d'organisme. Demandez à un administrateur de le faire."
)


@pytest.fixture(autouse=True)
def _data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("VERIFIER_DATA_DIR", str(tmp_path / "profile"))  # the default outbox goes there
    yield
    QThreadPool.globalInstance().waitForDone(30_000)


@pytest.fixture
def location(tmp_path: Path) -> Location:
    where = Location(sqlite_path=tmp_path / "demo.db")
    demo.build(where)
    return where


@pytest.fixture
def admin(location: Location) -> Iterator[Context]:
    ctx = auth.sign_in(location, demo.DEMO_ADMIN, demo.DEMO_PASSWORD)
    yield ctx
    QThreadPool.globalInstance().waitForDone(30_000)
    ctx.close()


def settle() -> None:
    """Let every background read end and report while the widgets still exist."""
    for _ in range(5):
        QThreadPool.globalInstance().waitForDone(30_000)
        QCoreApplication.processEvents()


@pytest.fixture
def panel(qtbot, admin: Context) -> Iterator[AdminPanel]:  # type: ignore[no-untyped-def]
    widget = AdminPanel(admin)
    qtbot.addWidget(widget)
    widget.resize(1366, 768)
    widget.show()
    page = widget.batches_page
    qtbot.waitUntil(lambda: page.loaded_once and not page.list_jobs.busy)
    yield widget
    settle()


def click(qtbot, button) -> None:  # type: ignore[no-untyped-def]
    assert button.isEnabled() and button.isVisible(), button.text()
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def insurer_id(ctx: Context, amc: str) -> int:
    return directory.get_insurer(ctx, amc).id


def claims_of(ctx: Context, amc: str, status: ClaimStatus) -> list[queue.QueueRow]:
    search = queue.Search(statuses=(status,), insurer_id=insurer_id(ctx, amc))
    return queue.read_page(ctx, search, sort="number", descending=False).rows


def expire_card(ctx: Context, claim_id: str) -> str:
    """The card of this claim's patient turns out to have expired before the claims were dispensed."""
    p = patients.get(ctx, claims.get(ctx, claim_id).patient_id)
    patients.save(
        ctx,
        patients.PatientInput(
            p.surname,
            p.first_name,
            p.birth_date.text,
            p.nir,
            str(p.rank),
            p.amo_fund or "",
            NORD,
            p.member_number or "",
            date.today() - timedelta(days=300),
            date.today() - timedelta(days=20),
        ),
    )
    return p.id


def wait_idle(qtbot, page) -> None:  # type: ignore[no-untyped-def]
    qtbot.waitUntil(lambda: not page.jobs.busy and not page.list_jobs.busy)


# --------------------------------------------------------------------------- batches


def test_insurers_batched_per_operator_share_one_batch(  # type: ignore[no-untyped-def]
    qtbot, qtmodeltester, panel: AdminPanel, admin: Context
) -> None:
    page = panel.batches_page
    panel.tabs.setCurrentWidget(page)
    sante = directory.get_insurer(admin, DEMO_SANTE)  # no operator in the demo: now Viamedis, batched through it
    directory.update_insurer(
        admin, sante.id, name=sante.name, operator_code="VIAMEDIS", hotline=None, portal=None, batch_by="operator"
    )
    queued = claims_of(admin, DEMO_SANTE, ClaimStatus.QUEUED)
    page.refresh()
    wait_idle(qtbot, page)
    row = next(r for r in page.ready_model.rows() if r.amc_number == DEMO_SANTE)
    column = [c.title for c in page.ready_model.COLUMNS].index("admin.batch.col.batch_to")
    index = page.ready_model.index(page.ready_model.rows().index(row), column)
    assert page.ready_model.data(index) == "commun, opérateur VIAMEDIS"
    qtmodeltester.check(page.ready_model)
    assert page.select_insurers({sante.id}) == 1
    with qtbot.waitSignal(panel.changed):
        click(qtbot, page.create_button)
    wait_idle(qtbot, page)
    assert page.status.text().startswith(
        f"Lot n° 000001 créé pour Opérateur Viamedis : {len(queued)} demande{'s' if len(queued) > 1 else ''}, "
    )
    qtbot.waitUntil(
        lambda: page.selected_batch() is not None and page.selected_batch().insurer_name == "Opérateur Viamedis"
    )
    batch = page.selected_batch()
    assert batch is not None and batch.info.for_operator and batch.info.claim_count == len(queued)
    assert {claims.get(admin, r.id).status for r in queued} == {ClaimStatus.EXPORTED}


def _state_shown(page, batch_id: int) -> str:  # type: ignore[no-untyped-def]
    """The "État" cell of a batch, as the page shows it."""
    model = page.batch_model
    row = [r.info.id for r in model.rows()].index(batch_id)
    column = [c.title for c in model.COLUMNS].index("admin.batch.col.status")
    return str(model.data(model.index(row, column)))


def test_operator_back_create_a_batch_export_it_and_mark_it_sent(  # type: ignore[no-untyped-def]
    qtbot, qtmodeltester, panel: AdminPanel, admin: Context, tmp_path: Path, monkeypatch
) -> None:
    page = panel.batches_page
    queued = claims_of(admin, NORD, ClaimStatus.QUEUED)
    assert len(queued) == 7
    late_patient = expire_card(admin, queued[0].id)
    late = {r.number for r in queued if claims.get(admin, r.id).patient_id == late_patient}
    assert 0 < len(late) < len(queued)

    panel.show_export_for_operator("ALMERYS")  # what the shell does when Almerys answers again
    assert panel.tabs.currentWidget() is page
    qtbot.waitUntil(lambda: "Almerys répond à nouveau" in page.status.text())
    assert [r.amc_number for r in page.selected_ready()] == [NORD]
    assert page.create_button.hasFocus()
    qtmodeltester.check(page.ready_model)
    qtmodeltester.check(page.batch_model)

    with qtbot.waitSignal(panel.changed):
        click(qtbot, page.create_button)
        qtbot.waitUntil(lambda: page.refused_box.isVisible())
    made = len(queued) - len(late)
    assert page.status.text().startswith(
        f"Lot n° 000001 créé pour Prévoyance Fictive du Nord : {made} demande{'s' if made > 1 else ''}, "
    )
    late_text = "demande incomplète reste" if len(late) == 1 else "demandes incomplètes restent"
    assert f"{len(late)} {late_text} en attente" in page.status.text()
    qtmodeltester.check(page.refused_model)
    refused = [page.refused_model.row(r) for r in range(page.refused_model.rowCount())]
    assert {r.claim_number for r in refused} == late
    assert all(r.reasons.startswith("L'attestation n'était plus valable à la date de délivrance") for r in refused)
    qtbot.waitUntil(
        lambda: page.selected_batch() is not None and page.selected_batch().insurer_name == "Prévoyance Fictive du Nord"
    )
    batch = page.selected_batch()
    assert batch is not None and batch.info.status == "exported" and batch.info.claim_count == made
    assert [r.amc_number for r in page.ready_model.rows()] == [DEMO_SANTE, NORD]  # the refused stay queued
    assert page.export_button.hasFocus()
    # made, but no file written yet: the page says so, not "exporté"
    assert _state_shown(page, batch.info.id) == "créé, à exporter"

    # export to a folder picked in the dialog
    outbox = tmp_path / "outbox-picked"
    outbox.mkdir()
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", lambda *a, **k: str(outbox))
    click(qtbot, page.export_button)
    dialog = page.dialog
    assert isinstance(dialog, ExportDialog) and dialog.isVisible()
    assert dialog.outbox_edit.text() == str(tmp_path / "profile" / "outbox")
    click(qtbot, dialog.choose_button)
    assert dialog.outbox_edit.text() == str(outbox)
    assert dialog.encryption_box.currentData() == "passphrase"  # encrypted unless said otherwise
    dialog.encryption_box.setCurrentIndex(dialog.encryption_box.findData("none"))  # plain, chosen
    click(qtbot, dialog.save_button)
    qtbot.waitUntil(lambda: not dialog.isVisible())
    qtbot.waitUntil(lambda: "exporté" in page.status.text())
    written = page.last_export
    assert written is not None and written.parent == outbox and written.is_file() and written.stat().st_size > 0
    assert str(written) in page.status.text()
    qtbot.waitUntil(lambda: _state_shown(page, batch.info.id) == "exporté")
    assert batches.get(admin, batch.info.id).state == "exported"

    # again, encrypted with a passphrase: each mistake is said under its field
    click(qtbot, page.export_button)
    dialog = page.dialog
    assert isinstance(dialog, ExportDialog)
    dialog.outbox_edit.setText(str(outbox))
    dialog.encryption_box.setCurrentIndex(dialog.encryption_box.findData("passphrase"))
    assert dialog.passphrase_edit.isVisible() and not dialog.certificate_edit.isVisible()
    dialog.passphrase_edit.setText("courte")
    dialog.confirm_edit.setText("autre")
    click(qtbot, dialog.save_button)
    message = dialog.form.messages["confirm"]
    assert message.isVisible() and message.text() == "La confirmation ne correspond pas à la phrase secrète."
    dialog.confirm_edit.setText("courte")
    click(qtbot, dialog.save_button)
    message = dialog.form.messages["passphrase"]
    qtbot.waitUntil(lambda: message.isVisible())
    assert message.text().startswith("La phrase secrète ne compte que 6 caractères")
    click(qtbot, dialog.generate_button)
    phrase = dialog.passphrase_edit.text()
    assert len(phrase) >= 12 and dialog.confirm_edit.text() == phrase
    click(qtbot, dialog.save_button)
    qtbot.waitUntil(lambda: not dialog.isVisible())
    assert page.last_export is not None and page.last_export.suffix == ".p7m" and page.last_export.is_file()

    # mark it sent by post, yesterday
    click(qtbot, page.sent_button)
    sent = page.dialog
    assert isinstance(sent, SentDialog)
    sent.date_edit.setDate(sent.date_edit.date().addDays(-1))
    sent.channel_box.setCurrentIndex(sent.channel_box.findData("post"))
    with qtbot.waitSignal(panel.changed):
        click(qtbot, sent.save_button)
    qtbot.waitUntil(lambda: "marqué envoyé" in page.status.text())
    yesterday = date.today() - timedelta(days=1)
    assert page.status.text() == (f"Lot n° 000001 marqué envoyé (courrier postal, le {yesterday:%d/%m/%Y}).")
    info = batches.get(admin, batch.id)
    assert info.status == "sent" and info.channel == "post"
    qtbot.waitUntil(lambda: page.selected_batch() is not None and page.selected_batch().info.status == "sent")
    assert not page.void_button.isEnabled() and not page.sent_button.isEnabled() and page.export_button.isEnabled()
    row = page.batch_proxy.mapFromSource(
        page.batch_model.index(page.batch_model.rows().index(page.selected_batch()), 6)
    )
    assert page.batch_proxy.data(row) == f"{yesterday:%d/%m/%Y}"


def test_choose_claims_then_void_the_batch(qtbot, qtmodeltester, panel: AdminPanel, admin: Context) -> None:  # type: ignore[no-untyped-def]
    page = panel.batches_page
    panel.tabs.setCurrentWidget(page)
    wait_idle(qtbot, page)
    target = insurer_id(admin, DEMO_SANTE)
    assert page.select_insurers({target}) == 1
    click(qtbot, page.choose_button)
    dialog = page.dialog
    assert isinstance(dialog, ChooseClaimsDialog)
    qtbot.waitUntil(lambda: dialog.model.rowCount() == 8)
    qtmodeltester.check(dialog.model)
    assert dialog.count_label.text().startswith("8 demandes cochées sur 8")
    click(qtbot, dialog.none_button)
    assert not dialog.create_button.isEnabled()
    first, second = dialog.proxy.index(0, 0), dialog.proxy.index(1, 0)
    for index in (first, second):  # Space on the current row ticks it
        dialog.view.setCurrentIndex(index)
        qtbot.keyClick(dialog.view, Qt.Key.Key_Space)
    chosen = {dialog.model.claim(dialog.proxy.mapToSource(i).row()).id for i in (first, second)}
    assert set(dialog.model.checked_ids()) == chosen
    click(qtbot, dialog.create_button)
    qtbot.waitUntil(lambda: "créé pour Complémentaire Démo Santé : 2 demandes" in page.status.text())
    assert not page.refused_box.isVisible()
    qtbot.waitUntil(
        lambda: page.selected_batch() is not None and page.selected_batch().insurer_name == "Complémentaire Démo Santé"
    )
    assert {claims.get(admin, c).status for c in chosen} == {ClaimStatus.EXPORTED}
    assert len(claims_of(admin, DEMO_SANTE, ClaimStatus.QUEUED)) == 6

    click(qtbot, page.void_button)
    void = page.dialog
    assert isinstance(void, VoidBatchDialog)
    click(qtbot, void.save_button)  # no reason: the service says so under the field
    message = void.form.messages["reason"]
    qtbot.waitUntil(lambda: message.isVisible())
    assert message.text() == "Indiquez pourquoi le lot est annulé."
    void.reason_edit.setText("Mauvaises demandes choisies")
    with qtbot.waitSignal(panel.changed):
        click(qtbot, void.save_button)
    qtbot.waitUntil(lambda: page.status.text().endswith("annulé : ses 2 demandes sont de nouveau en attente."))
    assert {claims.get(admin, c).status for c in chosen} == {ClaimStatus.QUEUED}
    qtbot.waitUntil(lambda: page.selected_batch() is not None and page.selected_batch().info.status == "void")
    assert not (page.export_button.isEnabled() or page.sent_button.isEnabled() or page.void_button.isEnabled())
    ready = {r.amc_number: r.count for r in page.ready_model.rows()}
    assert ready[DEMO_SANTE] == 8


# --------------------------------------------------------------------------- returns


def _return_file(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "retour.csv"
    path.write_text("claim_number;status;reason_code;reason_text;paid_amount;payment_date\n" + body, "utf-8")
    return path


def test_return_files_typed_answers_and_the_rejection_worklist(  # type: ignore[no-untyped-def]
    qtbot, qtmodeltester, panel: AdminPanel, admin: Context, tmp_path: Path, monkeypatch
) -> None:
    page = panel.returns_page
    panel.tabs.setCurrentWidget(page)
    qtbot.waitUntil(lambda: page.model.rowCount() == 1)
    qtmodeltester.check(page.model)
    (exported,) = claims_of(admin, ALPES, ClaimStatus.EXPORTED)
    (accepted,) = claims_of(admin, ALPES, ClaimStatus.ACCEPTED)
    yesterday = (date.today() - timedelta(days=1)).isoformat()

    # one bad line: the report lists it and nothing changes
    bad = _return_file(tmp_path, f"{exported.number};accepted;;;;\n999999;accepted;;;;\n")
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(bad), ""))
    click(qtbot, page.file_button)
    qtbot.waitUntil(lambda: page.file_details.isVisible())
    assert page.file_result.text().startswith("retour.csv est refusé ; rien n'a été enregistré.")
    # line 3 of the file: the header is line 1, as a spreadsheet numbers it
    assert page.file_details.toPlainText() == "Ligne 3 : la demande n° 999999 n'existe pas ici."
    assert claims.get(admin, exported.id).status is ClaimStatus.EXPORTED

    # a good file: every answer recorded
    good = _return_file(
        tmp_path, f"{exported.number};accepted;;;;\n{accepted.number};paid;;;{accepted.amc};{yesterday}\n"
    )
    with qtbot.waitSignal(panel.changed):
        page.import_file(good)
    qtbot.waitUntil(lambda: "Retour importé" in page.file_result.text())
    assert page.file_result.text() == "retour.csv : Retour importé : 1 acceptée(s), 0 rejetée(s), 1 payée(s)."
    assert not page.file_details.isVisible()
    assert claims.get(admin, exported.id).status is ClaimStatus.ACCEPTED
    assert claims.get(admin, accepted.id).status is ClaimStatus.PAID

    # an answer typed from a letter: the service's refusal, then the rejection recorded
    page.number_edit.setText(f"{exported.number:07d}")
    page.status_box.setCurrentIndex(page.status_box.findData("rejected"))
    assert page.code_edit.isEnabled() and not page.amount_edit.isEnabled()
    click(qtbot, page.record_button)
    qtbot.waitUntil(lambda: "code motif" in page.manual_result.text())
    assert page.manual_result.text() == "Un rejet doit donner son code motif."
    page.code_edit.setText("ADH")
    page.text_edit.setText("Adhérent inconnu")
    with qtbot.waitSignal(panel.changed):
        qtbot.keyClick(page.text_edit, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: "Réponse enregistrée" in page.manual_result.text())
    assert claims.get(admin, exported.id).status is ClaimStatus.REJECTED
    page.number_edit.setText("12a")
    click(qtbot, page.record_button)
    assert page.form.messages["claim_number"].text() == ("Saisissez le numéro de la demande (des chiffres).")

    # the worklist: both rejections; rectify one (it leaves), void the other (it leaves)
    qtbot.waitUntil(lambda: page.model.rowCount() == 2)
    qtmodeltester.check(page.model)
    numbers = [page.model.rejection(r).claim_number for r in range(page.model.rowCount())]
    assert exported.number in numbers
    page.select(page.model.rejection(numbers.index(exported.number)).claim_id)
    with qtbot.waitSignal(panel.changed):
        click(qtbot, page.rectify_button)
    qtbot.waitUntil(lambda: "rectifiée" in page.status.text())
    assert page.status.text().startswith(f"Demande n° {exported.number:07d} rectifiée : la version 2 porte le n° ")
    qtbot.waitUntil(lambda: page.model.rowCount() == 1)
    assert exported.number not in [page.model.rejection(0).claim_number]
    page.view.selectRow(0)
    other = page.model.rejection(0)
    click(qtbot, page.void_button)
    void = page.dialog
    assert isinstance(void, VoidDialog) and void.isVisible()
    void.reason_edit.setText("Patient parti sans ses droits")
    with qtbot.waitSignal(panel.changed):
        click(qtbot, void.confirm_button)
    qtbot.waitUntil(lambda: page.model.rowCount() == 0)
    assert claims.get(admin, other.claim_id).status is ClaimStatus.VOID
    assert page.work_count.text() == "Aucun rejet à traiter."


# --------------------------------------------------------------------------- reconciliation


def test_reconciliation_figures_csv_and_pdf(
    qtbot,
    qtmodeltester,
    panel: AdminPanel,
    admin: Context,  # type: ignore[no-untyped-def]
    tmp_path: Path,
    monkeypatch,
) -> None:
    page = panel.reconciliation_page
    panel.tabs.setCurrentWidget(page)
    qtbot.waitUntil(lambda: page.model.rowCount() == 4)  # three insurers and the total
    qtmodeltester.check(page.model)
    expected = reconciliation.reconcile(admin)
    assert page.title.text() == f"Rapprochement par organisme au {date.today():%d/%m/%Y}"
    model = page.model
    headers = [model.headerData(c, Qt.Orientation.Horizontal) for c in range(model.columnCount())]
    assert headers == [
        "Organisme",
        "En attente",
        "Exporté",
        "Accepté",
        "Payé",
        "Rejeté",
        "Restant dû",
        "Payé en moins",
        "0–30 j",
        "31–60 j",
        "61–90 j",
        "90+ j",
    ]
    for r, line in enumerate(expected.lines):
        texts = [model.data(model.index(r, c)) for c in range(model.columnCount())]
        assert texts[0] == f"{line.insurer_name} ({line.amc_number})"
        assert texts[1:8] == [
            format_eur(v)
            for v in (
                line.queued,
                line.exported,
                line.accepted,
                line.paid,
                line.rejected,
                line.outstanding,
                line.short_paid,
            )
        ]
        assert texts[8:] == [format_eur(b) for b in line.ageing]
    total = [model.data(model.index(3, c)) for c in range(model.columnCount())]
    assert total[0] == "Total" and total[6] == format_eur(expected.total("outstanding"))
    assert model.data(model.index(3, 0), Qt.ItemDataRole.FontRole).bold()
    alpes = [line.insurer_name for line in expected.lines].index("Mutuelle Exemple des Alpes")
    assert model.data(model.index(alpes, 5), Qt.ItemDataRole.ToolTipRole) == "18,14\u00a0€ : 2 demandes"

    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(tmp_path / "rapprochement"), ""))
    click(qtbot, page.csv_button)
    qtbot.waitUntil(lambda: page.last_saved is not None)
    csv_path = tmp_path / "rapprochement.csv"
    assert page.last_saved == csv_path and page.status.text() == f"Rapprochement enregistré : {csv_path}"
    assert csv_path.read_bytes() == reconciliation.to_csv(expected).encode("utf-8")  # the figures shown
    text = csv_path.read_text("utf-8")
    assert text.startswith("\ufeffamc_number;insurer;queued;") and "Prévoyance Fictive du Nord" in text

    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(tmp_path / "rapprochement.pdf"), ""))
    click(qtbot, page.pdf_button)
    qtbot.waitUntil(lambda: page.last_saved == tmp_path / "rapprochement.pdf" and not page.save_jobs.busy)
    pdf = PdfReader(io.BytesIO((tmp_path / "rapprochement.pdf").read_bytes()))
    content = "".join(p.extract_text() for p in pdf.pages)
    assert "Pharmacie de démonstration" in content and "Rapprochement par organisme" in content
    assert "Mutuelle Exemple des Alpes" in content


# --------------------------------------------------------------------------- counter staff


def test_counter_staff_are_refused_by_the_services(qtbot, location: Location, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    ctx = auth.sign_in(location, demo.DEMO_COUNTER, demo.DEMO_PASSWORD)
    try:
        panel = AdminPanel(ctx)
        qtbot.addWidget(panel)
        panel.show()
        assert panel.banner.isVisible()

        page = panel.batches_page
        panel.tabs.setCurrentWidget(page)
        qtbot.waitUntil(lambda: page.ready_model.rowCount() == 2)
        page.select_insurers({r.id for r in page.ready_model.rows()})
        for button in (page.create_button, page.choose_button, page.export_button, page.sent_button, page.void_button):
            assert not button.isEnabled()
        page.create_selected()  # even if the button were reached, the service refuses, in a sentence
        qtbot.waitUntil(lambda: page.status.isVisibleTo(page) and not page.jobs.busy)
        assert page.status.text() == ADMIN_ONLY_BATCH
        assert not page.refused_box.isVisible()
        page.select_batch(page.batch_model.batch(0).id)
        page.export_batch()
        page.choose_claims()
        assert page.dialog is None

        returns_page = panel.returns_page
        panel.tabs.setCurrentWidget(returns_page)
        assert not returns_page.file_button.isEnabled() and not returns_page.record_button.isEnabled()
        returns_page.number_edit.setText("22")
        returns_page.record()
        qtbot.waitUntil(lambda: returns_page.manual_result.text() == ADMIN_ONLY_RETURN)
        path = _return_file(tmp_path, "22;accepted;;;;\n")
        returns_page.import_file(path)
        qtbot.waitUntil(lambda: returns_page.file_result.text() == ADMIN_ONLY_RETURN)
        qtbot.waitUntil(lambda: returns_page.model.rowCount() == 1)
        returns_page.view.selectRow(0)
        assert not returns_page.rectify_button.isEnabled() and not returns_page.void_button.isEnabled()
        returns_page.rectify()
        returns_page.void()
        assert returns_page.dialog is None and not returns_page.jobs.busy

        recon = panel.reconciliation_page
        panel.tabs.setCurrentWidget(recon)
        qtbot.waitUntil(lambda: recon.status.text() == ADMIN_ONLY_RETURN and not recon.jobs.busy)
        assert recon.model.rowCount() == 0
        assert not recon.csv_button.isEnabled() and not recon.pdf_button.isEnabled()
        assert claims.get(ctx, claims_of(ctx, ALPES, ClaimStatus.EXPORTED)[0].id).status is ClaimStatus.EXPORTED
        settle()
    finally:
        QThreadPool.globalInstance().waitForDone(30_000)
        ctx.close()


def test_a_sentence_on_the_batches_page_moves_nothing(qtbot, panel: AdminPanel) -> None:  # type: ignore[no-untyped-def]
    from PySide6.QtCore import QPoint

    page = panel.batches_page
    panel.tabs.setCurrentWidget(page)
    panel.resize(1366, 700)
    qtbot.waitUntil(lambda: page.batch_view.isVisible())

    def where() -> tuple[int, int, int]:
        return tuple(w.mapTo(page, QPoint(0, 0)).y() for w in (page.export_button, page.batch_view, page.create_button))  # type: ignore[return-value]

    before = where()
    page.status.say("Lot n° 000001 exporté : /tmp/lot.zip. Transmettez-le à l'organisme, puis marquez-le envoyé.")
    assert page.status.isVisible()
    assert where() == before
    page.status.refuse("Aucune demande en attente pour cet organisme.")
    assert where() == before
    page.status.say("")
    assert not page.status.isVisible() and where() == before


def test_the_page_says_how_many_insurers_wait_for_confirmation(qtbot, panel: AdminPanel, admin: Context) -> None:  # type: ignore[no-untyped-def]
    page = panel.batches_page
    assert "à confirmer" not in page.ready_label.text()
    directory.record_provisional_insurer(admin, "31234567", "Mutuelle du Coin")
    page.refresh()
    qtbot.waitUntil(lambda: "1 organisme à confirmer" in page.ready_label.text(), timeout=10_000)
    assert "restent en attente" in page.ready_label.text()
