"""claims.csv: one row per claim line, for a person with a spreadsheet.

UTF-8 with a byte-order mark, `;` between cells, CRLF line ends, a header row: what a
French Excel opens by a double click with the accents right and the amounts as numbers
(decimal comma). claims.json carries the same values for programs. Every column is
described in docs/export-format.md; the order and names below are part of the format.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Sequence
from decimal import Decimal

from verifier.exports.rows import BundleHeader, ExportLine
from verifier.exports.values import (
    amount_fr,
    date_fr,
    datetime_fr,
    rate_fr,
    spreadsheet_text,
)

BOM = "\ufeff"

COLUMNS: tuple[str, ...] = (
    "claim_id",
    "claim_number",
    "claim_version",
    "previous_claim_id",
    "dispensed_on",
    "prescriber_rpps",
    "operator_down",
    "patient_surname",
    "patient_first_name",
    "patient_birth_date",
    "patient_nir",
    "patient_rank",
    "amo_fund",
    "member_number",
    "insurer_amc_number",
    "insurer_name",
    "check_method",
    "check_reference",
    "check_outcome",
    "checked_at",
    "guarantees",
    "line_position",
    "code",
    "code_kind",
    "label",
    "prestation_code",
    "quantity",
    "unit_price",
    "br_unit",
    "amo_rate",
    "price",
    "br",
    "amo",
    "tm",
    "amc",
    "patient_share",
    "expiry",
    "lot",
    "serial",
    "boxes",
    # Format 1.3: clinic claims. Empty on a pharmacy claim's lines, but claim_kind.
    "claim_kind",
    "stay_entry_number",
    "stay_admission",
    "stay_discharge",
    "stay_mode",
    "stay_dmt",
    "stay_exemption",
    "pec_obtained_on",
    "pec_valid_until",
    "care_kind",
    "practitioner_rpps",
    "optam",
    "amo_withheld",
    "participation",
    "days_paid",
    # format 1.5 (issue 13): what the line is, the per-box fee inside a box line (its part of
    # each amount: the product's part is the line's less this), the prescription's facts
    "line_kind",
    "box_fee_code",
    "box_fee_unit",
    "box_fee_price",
    "box_fee_br",
    "box_fee_amo",
    "box_fee_tm",
    "box_fee_amc",
    "box_fee_patient_share",
    "prescribed_on",
    "ald_two_part",
    "on_call",
)


Cell = str | Decimal | int | None


def cell(value: Cell) -> str:
    """One cell as every CSV the program writes has it: an amount with a decimal comma (a number
    to the spreadsheet, never escaped: "-1,00" is a number), an integer as is, and any text
    guarded against formulas (an insurer named "=HYPERLINK(…)" is shown, not run)."""
    if isinstance(value, Decimal):
        return amount_fr(value)
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return spreadsheet_text(value if isinstance(value, str) else None)


def spreadsheet_csv(columns: Sequence[str], rows: Iterable[Sequence[Cell]]) -> str:
    """A whole small CSV (a report) in the bundle's dialect: BOM, `;`, CRLF, every cell by `cell`."""
    out = io.StringIO()
    out.write(BOM)
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow(columns)
    writer.writerows([cell(v) for v in row] for row in rows)
    return out.getvalue()


def claim_cells(c: ExportLine) -> list[str]:
    """The cells every line of a claim repeats (`COLUMNS` up to `guarantees`)."""
    t = spreadsheet_text
    return [
        t(c.claim_id),
        str(c.claim_number),
        str(c.claim_version),
        t(c.previous_claim_id),
        date_fr(c.dispensed_on),
        t(c.prescriber_rpps),
        "1" if c.operator_down else "0",
        t(c.patient_surname),
        t(c.patient_first_name),
        t(c.patient_birth_date),
        t(c.patient_nir),
        str(c.patient_rank),
        t(c.amo_fund),
        t(c.member_number),
        t(c.insurer_amc_number),
        t(c.insurer_name),
        t(c.check_method),
        t(c.check_reference),
        t(c.check_outcome),
        datetime_fr(c.checked_at),
        t(c.guarantees),
    ]


def line_cells(x: ExportLine) -> list[str]:
    """The cells of the line itself (`COLUMNS` from `line_position`)."""
    t = spreadsheet_text
    return [
        str(x.line_position),
        t(x.code),
        t(x.code_kind),
        t(x.label),
        t(x.prestation_code),
        str(x.quantity),
        amount_fr(x.unit_price),
        amount_fr(x.br_unit),
        rate_fr(x.amo_rate),
        amount_fr(x.price),
        amount_fr(x.br),
        amount_fr(x.amo),
        amount_fr(x.tm),
        amount_fr(x.amc),
        amount_fr(x.patient_share),
        date_fr(x.expiry),
        t(x.lot),
        t(x.serial),
        t(boxes_cell(x)),
    ]


def boxes_cell(x: ExportLine) -> str:
    """Every box read, "~" between boxes, "|" between read_as, lot, expiry and serial (neither
    character can be in a lot or serial: GS1 character set 82): `datamatrix|AB12C|31/12/2027|SN1~ean13|||`."""
    return "~".join(f"{b.read_as}|{b.lot or ''}|{date_fr(b.expiry)}|{b.serial or ''}" for b in x.boxes)


def care_cells(x: ExportLine) -> list[str]:
    """The clinic cells (`COLUMNS` from `claim_kind`): the claim's stay, then the line's care facts."""
    t = spreadsheet_text
    st, care = x.stay, x.care
    stay = (
        [
            t(st.entry_number),
            date_fr(st.admission),
            date_fr(st.discharge),
            t(st.mode),
            t(st.dmt),
            t(st.exemption),
            date_fr(st.pec_obtained_on),
            date_fr(st.pec_valid_until),
        ]
        if st is not None
        else [""] * 8
    )
    line = (
        [
            t(care.kind),
            t(care.practitioner_rpps),
            "" if care.optam is None else ("1" if care.optam else "0"),
            amount_fr(care.withheld),
            amount_fr(care.participation),
            str(care.days_paid),
        ]
        if care is not None
        else [""] * 6
    )
    return [t(x.claim_kind), *stay, *line]


def fee_cells(x: ExportLine) -> list[str]:
    """The format 1.5 cells (`COLUMNS` from `line_kind`)."""
    f, p = x.box_fee, x.prescription
    fee = (
        [
            spreadsheet_text(f.code),
            amount_fr(f.unit),
            *map(amount_fr, (f.price, f.br, f.amo, f.tm, f.amc, f.patient_share)),
        ]
        if f is not None
        else [""] * 8
    )
    facts = (
        [date_fr(p.prescribed_on), "1" if p.ald_two_part else "0", spreadsheet_text(p.on_call)]
        if p is not None
        else [""] * 3
    )
    return [spreadsheet_text(x.line_kind), *fee, *facts]


def row(line: ExportLine) -> list[str]:
    """All the cells of one line, in `COLUMNS` order (text cells guarded against formulas)."""
    return claim_cells(line) + line_cells(line) + care_cells(line) + fee_cells(line)


class CsvWriter:
    """Writes claims.csv in text chunks through `emit` (the caller encodes and stores them)."""

    def __init__(self, header: BundleHeader, emit: Callable[[str], None]) -> None:
        self._emit = emit
        self._buffer = io.StringIO()
        self._csv = csv.writer(self._buffer, delimiter=";", lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
        self._buffer.write(BOM)
        self._csv.writerow(COLUMNS)

    def write_claim(self, lines: Sequence[ExportLine]) -> None:
        shared = claim_cells(lines[0])
        self._csv.writerows([shared + line_cells(line) + care_cells(line) + fee_cells(line) for line in lines])
        if self._buffer.tell() > 1 << 20:
            self._flush()

    def close(self) -> None:
        self._flush()

    def _flush(self) -> None:
        self._emit(self._buffer.getvalue())
        self._buffer.seek(0)
        self._buffer.truncate()
