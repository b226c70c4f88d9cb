"""The claim window shows each line's lot, expiry and serial, reached with the keyboard."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from PySide6.QtCore import Qt, QThreadPool
from PySide6.QtTest import QTest

from tests.factories import make_check, make_site, patient_input
from verifier.gui.queue.claim_dialog import ClaimDialog
from verifier.services import claims, patients
from verifier.services.context import Context
from verifier.store.engine import Location


@pytest.fixture
def ctx(tmp_path: Path) -> Iterator[Context]:
    ctx = make_site(Location(sqlite_path=tmp_path / "v.db"))
    yield ctx
    QThreadPool.globalInstance().waitForDone(10_000)
    ctx.close()


def test_the_claim_window_shows_the_boxes_of_the_line_under_the_cursor(qtbot, ctx: Context) -> None:  # type: ignore[no-untyped-def]
    p, _ = patients.save(ctx, patient_input())
    check = make_check(ctx, p.id)
    lines = [
        claims.LineDraft("Boîte sans code", "PH7", 1, Decimal("10.00"), Decimal(65)),
        claims.LineDraft(
            "Boîte scannée",
            "PH7",
            1,
            Decimal("5.00"),
            Decimal(65),
            code="3400922457116",
            code_kind="cip13",
            expiry=date(2027, 12, 31),
            lot="AB12C",
            serial="SN0001",
        ),
    ]
    info = claims.create(ctx, check.id, lines, queue_now=True)
    dialog = ClaimDialog(ctx, info.id)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.load(info.id)
    qtbot.waitUntil(lambda: dialog.detail is not None and dialog._task is None, timeout=10_000)
    dialog.lines.setFocus()
    dialog.lines.setCurrentIndex(dialog.lines_model.index(0, 0))
    assert "sans lot ni n° de série" in dialog.box_detail.text()
    QTest.keyClick(dialog.lines, Qt.Key.Key_Down)
    text = dialog.box_detail.text()
    assert dialog.box_detail.isVisible()
    assert text.startswith("Ligne 2, 1 boîte : 1) lot AB12C, pér. 31/12/2027, n° série SN0001")
    assert dialog.lines.accessibleDescription() == text
    dialog.close()


def test_each_box_is_stored_and_read_back_and_survives_a_correction(ctx: Context) -> None:
    """Issue 9 point 4: a DataMatrix, an EAN-13 and a CIP7 of one product stay three boxes."""
    p, _ = patients.save(ctx, patient_input())
    check = make_check(ctx, p.id)
    boxes = (
        claims.Box("AB12C", date(2027, 12, 31), "SN0001", "datamatrix"),
        claims.Box(read_as="ean13"),
        claims.Box(read_as="cip7"),
    )
    line = claims.LineDraft(
        "Boîte scannée", "PH7", 3, Decimal("5.00"), Decimal(65), code="3400922457116", code_kind="cip13", boxes=boxes
    )
    info = claims.create(ctx, check.id, [line], queue_now=True)
    stored = claims.get(ctx, info.id).lines[0][0]
    assert stored.boxes == boxes and (stored.lot, stored.serial) == (None, None)
    # A correction (new quantity) keeps the boxes it still counts.
    fixed = claims.update_lines(
        ctx,
        info.id,
        [
            claims.LineDraft(
                "Boîte scannée",
                "PH7",
                1,
                Decimal("5.00"),
                Decimal(65),
                code="3400922457116",
                code_kind="cip13",
                boxes=boxes[:1],
            )
        ],
    )
    assert claims.get(ctx, fixed.id).lines[0][0].boxes == boxes[:1]


def test_the_export_lists_every_box_of_a_line(ctx: Context, tmp_path: Path) -> None:
    """claims.csv exported lot AB12C / serial SN0001 for three boxes (issue 9 point 4)."""
    import csv
    import io

    from verifier.exports.bundle import open_bundle
    from verifier.services import batches

    p, _ = patients.save(ctx, patient_input())
    check = make_check(ctx, p.id)
    boxes = (
        claims.Box("AB12C", date(2027, 12, 31), "SN0001", "datamatrix"),
        claims.Box(read_as="ean13"),
        claims.Box(read_as="cip7"),
    )
    lines = [
        claims.LineDraft(
            "Boîte scannée",
            "PH7",
            3,
            Decimal("5.00"),
            Decimal(65),
            code="3400922457116",
            code_kind="cip13",
            boxes=boxes,
        ),
        claims.LineDraft("Sans boîte lue", "PH7", 1, Decimal("2.00"), Decimal(65)),
    ]
    info = claims.create(ctx, check.id, lines, queue_now=True)
    created = batches.create_batch(ctx, info.insurer_id)
    path = batches.export_batch(ctx, created.batch.id, tmp_path / "out")
    files = open_bundle(path)
    rows = list(csv.DictReader(io.StringIO(files["claims.csv"].decode("utf-8").removeprefix("\ufeff")), delimiter=";"))
    assert [(r["lot"], r["serial"], r["boxes"]) for r in rows] == [
        ("", "", "datamatrix|AB12C|31/12/2027|SN0001~ean13|||~cip7|||"),
        ("", "", ""),
    ]
    import json

    exported = json.loads(files["claims.json"])["claims"][0]["lines"][0]["boxes"]
    assert exported == [
        {"read_as": "datamatrix", "lot": "AB12C", "expiry": "2027-12-31", "serial": "SN0001"},
        {"read_as": "ean13", "lot": None, "expiry": None, "serial": None},
        {"read_as": "cip7", "lot": None, "expiry": None, "serial": None},
    ]
