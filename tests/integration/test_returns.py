"""Insurers' returns (all or nothing), the rejection worklist and reconciliation, both backends."""

from __future__ import annotations

import io
from collections.abc import Iterator
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from pypdf import PdfReader

from tests.factories import AMC, make_site, queued_claim
from verifier.domain.errors import ValidationError
from verifier.domain.states import ClaimStatus
from verifier.exports import reconciliation_pdf
from verifier.services import batches, claims, directory, reconciliation, returns
from verifier.services.context import Context
from verifier.store.engine import Location


@pytest.fixture
def exported(location: Location) -> Iterator[tuple[Context, list[claims.ClaimInfo]]]:
    ctx = make_site(location)
    made = [queued_claim(ctx, order=500 + i) for i in range(4)]
    batches.create_batch(ctx, directory.get_insurer(ctx, AMC).id)
    yield ctx, made
    ctx.close()


def _csv(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "retour.csv"
    path.write_text("claim_number;status;reason_code;reason_text;paid_amount;payment_date\n" + body, "utf-8")
    return path


def test_return_file_applies_every_answer(exported: tuple[Context, list[claims.ClaimInfo]], tmp_path: Path) -> None:
    ctx, (a, b, c, d) = exported
    day = (date.today() - timedelta(days=1)).isoformat()
    path = _csv(
        tmp_path,
        f"{a.number};accepted;;;;\n{b.number};rejected;ADH;Adhérent inconnu;;\n"
        f"{c.number};paid;;;9.80;{day}\n{a.number};paid;;;9.80;{day}\n",
    )
    report = returns.import_file(ctx, path)
    assert (report.accepted, report.rejected, report.paid) == (1, 1, 2)
    assert claims.get(ctx, a.id).status is ClaimStatus.PAID
    assert claims.get(ctx, b.id).status is ClaimStatus.REJECTED
    assert claims.get(ctx, d.id).status is ClaimStatus.EXPORTED
    assert "1 rejetée" in report.summary()


def test_one_bad_line_changes_nothing(exported: tuple[Context, list[claims.ClaimInfo]], tmp_path: Path) -> None:
    ctx, (a, b, c, _d) = exported
    day = date.today().isoformat()
    path = _csv(
        tmp_path,
        f"{a.number};accepted;;;;\n{b.number};rejected;;;;\n{c.number};paid;;;99.99;{day}\n"
        f"999999;accepted;;;;\nabc;paid;;;x;y\n",
    )
    with pytest.raises(ValidationError) as err:
        returns.import_file(ctx, path)
    text = str(err.value)
    assert "Ligne 6" in text  # the unreadable line, reported before anything is looked up
    path = _csv(
        tmp_path,
        f"{a.number};accepted;;;;\n{b.number};rejected;;;;\n{c.number};paid;;;99.99;{day}\n999999;accepted;;;;\n",
    )
    with pytest.raises(ValidationError) as err:
        returns.import_file(ctx, path)
    codes = [p.params["problem"] for p in err.value.problems]
    assert len(codes) == 3  # missing reason, wrong amount, unknown claim: every problem at once
    assert {claims.get(ctx, x.id).status for x in (a, b, c)} == {ClaimStatus.EXPORTED}


def test_json_return_and_manual_entry(exported: tuple[Context, list[claims.ClaimInfo]], tmp_path: Path) -> None:
    ctx, (a, b, _c, _d) = exported
    path = tmp_path / "retour.json"
    path.write_text(
        f'{{"returns": [{{"claim_number": {a.number}, "status": "rejected", '
        f'"reason_code": "DROITS", "reason_text": "Droits fermés"}}]}}',
        "utf-8",
    )
    assert returns.import_file(ctx, path).rejected == 1
    returns.record(ctx, returns.ReturnLine(b.number, "accepted"))
    assert claims.get(ctx, b.id).status is ClaimStatus.ACCEPTED
    with pytest.raises(ValidationError):
        returns.record(ctx, returns.ReturnLine(b.number, "accepted"))  # accepted twice


def test_reconciliation_and_ageing(exported: tuple[Context, list[claims.ClaimInfo]]) -> None:
    ctx, (a, b, _c, _d) = exported
    returns.record(ctx, returns.ReturnLine(a.number, "paid", paid_amount=Decimal("9.00"), payment_date=date.today()))
    returns.record(ctx, returns.ReturnLine(b.number, "rejected", reason_code="ADH"))
    queued_claim(ctx, order=600)
    r = reconciliation.reconcile(ctx)
    (line,) = r.lines
    assert line.queued == Decimal("9.80") and line.exported == Decimal("19.60")
    assert line.paid == Decimal("9.00") and line.short_paid == Decimal("0.80")
    assert line.rejected == Decimal("9.80") and line.outstanding == Decimal("29.40")
    assert line.ageing == [Decimal("29.40"), Decimal("0.00"), Decimal("0.00"), Decimal("0.00")]
    csv_text = reconciliation.to_csv(r)
    assert csv_text.startswith("\ufeffamc_number;insurer;queued") and "29,40" in csv_text
    pdf = reconciliation_pdf.render(r, "Pharmacie du Test")
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages)
    assert "Mutuelle Test" in text and "29,40" in text


def test_rejection_worklist(exported: tuple[Context, list[claims.ClaimInfo]]) -> None:
    ctx, (a, b, _c, _d) = exported
    for x in (a, b):
        returns.record(ctx, returns.ReturnLine(x.number, "rejected", reason_code="ADH", reason_text="Adhérent inconnu"))
    assert [w.claim_number for w in returns.worklist(ctx)] == [a.number, b.number]
    claims.rectify(ctx, a.id)
    claims.void(ctx, b.id, "Patient parti sans mutuelle")
    assert returns.worklist(ctx) == []
