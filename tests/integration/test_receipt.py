"""The patient's receipt PDF: its text carries the claim number, the people and the right totals."""

from __future__ import annotations

import io
from pathlib import Path

from pypdf import PdfReader

from tests.factories import line, make_check, make_site, patient_input
from verifier import i18n
from verifier.services import claim_view, claims, patients
from verifier.store.engine import Location


def _text(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def test_receipt_text_in_french_and_english(tmp_path: Path) -> None:
    ctx = make_site(Location(sqlite_path=tmp_path / "v.db"))
    try:
        p, _ = patients.save(ctx, patient_input(birth="31/02/1980"))
        check = make_check(ctx, p.id)
        c = claims.create(
            ctx, check.id, [line(), line("4.50", "30", 2, "PH4"), line("8.19", "15", 1, "PH2")], queue_now=True
        )
        pdf = claim_view.receipt_pdf(ctx, c.id)
        assert pdf.startswith(b"%PDF")
        text = _text(pdf)
        assert f"Demande n° {c.number_text}" in text
        assert "DURANDEAU Élodie" in text and "31/02/1980" in text
        assert "HOT-12345" in text and "Appel à la plateforme" in text
        # totals: price 27,19 ; AMO 6,50 + 2,70 + 1,23 = 10,43 ; AMC 3,50 + 6,30 + 0 = 9,80 ; patient 6,96
        for amount in ("27,19 €", "10,43 €", "9,80 €", "6,96 €"):
            assert amount.replace(" ", "\u00a0") in text or amount in text, amount
        assert "Signature du patient" in text
        # Four reimbursed boxes at 1 EUR: the franchise is shown, outside the AMC amounts (issue 13).
        assert "Franchise médicale estimée : 4,00" in text.replace("\u00a0", " ")
        i18n.set_language("en")
        english = _text(claim_view.receipt_pdf(ctx, c.id))
        assert f"Claim no. {c.number_text}" in english and "€9.80" in english
    finally:
        ctx.close()


def test_receipt_times_are_paris_time_in_winter_and_summer(tmp_path: Path) -> None:
    from dataclasses import replace
    from datetime import UTC, datetime

    from verifier.exports.receipt import render_receipt

    ctx = make_site(Location(sqlite_path=tmp_path / "v.db"))
    try:
        p, _ = patients.save(ctx, patient_input())
        c = claims.create(ctx, make_check(ctx, p.id).id, [line()], queue_now=True)
        d = claim_view.detail(ctx, c.id)
        for utc, local in (
            (datetime(2026, 1, 15, 8, 53, tzinfo=UTC), "15/01/2026 09:53"),
            (datetime(2026, 7, 15, 8, 53, tzinfo=UTC), "15/07/2026 10:53"),
        ):
            checked = replace(d, check=replace(d.check, checked_at=utc))
            text = _text(render_receipt(checked, claim_view.site(ctx), printed_at=utc))
            assert text.count(local) == 2, text  # when checked, and when printed
            assert "08:53" not in text
    finally:
        ctx.close()


def test_receipts_go_to_one_private_folder_whole(tmp_path: Path) -> None:
    import shutil
    import stat

    from verifier import paths

    folder = paths.receipts_dir()
    assert paths.receipts_dir() == folder and stat.S_IMODE(folder.stat().st_mode) == 0o700
    ctx = make_site(Location(sqlite_path=tmp_path / "v.db"))
    try:
        p, _ = patients.save(ctx, patient_input())
        c = claims.create(ctx, make_check(ctx, p.id).id, [line()], queue_now=True)
        path = claim_view.save_receipt(ctx, c.id, folder / "recu-test.pdf")
    finally:
        ctx.close()
    assert path.read_bytes().startswith(b"%PDF") and stat.S_IMODE(path.stat().st_mode) == 0o600
    assert sorted(q.name for q in folder.iterdir() if q.name.startswith((".recu-test", "recu-test"))) == [
        "recu-test.pdf"
    ]
    shutil.rmtree(folder)  # gone (a cleaner emptied /tmp): the next receipt gets a new private folder
    again = paths.receipts_dir()
    assert again != folder and again.is_dir() and stat.S_IMODE(again.stat().st_mode) == 0o700


def test_no_franchise_on_a_minor_s_receipt(tmp_path: Path) -> None:
    from datetime import date

    ctx = make_site(Location(sqlite_path=tmp_path / "v.db"))
    try:
        p, _ = patients.save(ctx, patient_input(birth=f"02/01/{date.today().year - 17}", order=202))
        c = claims.create(ctx, make_check(ctx, p.id).id, [line()], queue_now=True)
        assert "Franchise" not in _text(claim_view.receipt_pdf(ctx, c.id))
    finally:
        ctx.close()
