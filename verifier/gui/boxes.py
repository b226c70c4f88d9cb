"""The boxes of a line in words: lot, expiry, serial and how each was read (counter and claim window)."""

from __future__ import annotations

from dataclasses import replace

from verifier import i18n
from verifier.formatting import format_day
from verifier.services.claims import Box, LineDraft

i18n.register(
    {
        "counter.read.datamatrix": i18n.N_("DataMatrix"),
        "counter.read.ean13": i18n.N_("code-barres EAN-13"),
        "counter.read.cip7": i18n.N_("CIP7"),
        "counter.read.manual": i18n.N_("compté à la main"),
    }
)

READ_AS = ("datamatrix", "ean13", "cip7", "manual")


def scanned_boxes(line: LineDraft) -> tuple[Box, ...]:
    """The boxes with an identity a line holds (a line from before boxes: its one box, if any)."""
    if line.boxes:
        return line.boxes
    if line.lot or line.serial or line.expiry:
        return (Box(line.lot, line.expiry, line.serial, "datamatrix"),)
    return ()


def boxes_of(line: LineDraft) -> tuple[Box, ...]:
    """Every box of the line: those read, then one without identity per box counted by hand."""
    scanned = scanned_boxes(line)[: line.quantity]
    return scanned + (Box(),) * (line.quantity - len(scanned))


def with_boxes(line: LineDraft, boxes: tuple[Box, ...]) -> LineDraft:
    """`line` holding `boxes`; its own lot, expiry and serial only where every box agrees.

    The claim stores one lot/expiry/serial per line: a value shared by some boxes only would
    be claimed for all of them (issue 9: three boxes exported with the first one's serial).
    """
    line = replace(line, boxes=boxes[: line.quantity])
    every = boxes_of(line)

    def common(values: set[object]) -> object:
        return next(iter(values)) if len(values) == 1 else None

    return replace(
        line,
        lot=common({b.lot for b in every}),  # type: ignore[arg-type]
        expiry=common({b.expiry for b in every}),  # type: ignore[arg-type]
        serial=common({b.serial for b in every}) if len(every) == 1 else None,  # type: ignore[arg-type]
    )


def describe_boxes(line_number: int, boxes: tuple[Box, ...]) -> str:
    """ "Ligne 2, 3 boîte(s) : 1) lot AB12C, pér. 31/12/2027, n° série SN0001, DataMatrix ; 2) ..."."""
    described = []
    for number, box in enumerate(boxes, start=1):
        parts = []
        if box.lot:
            parts.append(i18n.tr("lot {lot}", lot=box.lot))
        if box.expiry:
            parts.append(i18n.tr("pér. {date}", date=format_day(box.expiry)))
        if box.serial:
            parts.append(i18n.tr("n° série {serial}", serial=box.serial))
        if not parts:
            parts.append(i18n.tr("sans lot ni n° de série"))
        parts.append(i18n.say(f"counter.read.{box.read_as if box.read_as in READ_AS else 'manual'}"))
        described.append(i18n.tr("{number}) {parts}", number=number, parts=", ".join(parts)))
    return i18n.ntr(
        "Ligne {line}, {count} boîte : {boxes}",
        "Ligne {line}, {count} boîtes : {boxes}",
        len(described),
        line=line_number,
        count=len(described),
        boxes=" ; ".join(described),
    )


__all__ = ["READ_AS", "boxes_of", "describe_boxes", "scanned_boxes", "with_boxes"]
