"""claims.json: the batch for programs, nested (batch > claims > lines), schema in docs/.

Written as it streams: the batch part first, then one claim per line of text inside the
`claims` array, so the file never has to be built in memory. Keys come in a fixed order
(not sorted: the order reads top-down like the slip), text is UTF-8 as is (no \\u
escapes), amounts are strings with a dot and two decimals ("12.50") so that no reader
turns them into binary floats, dates are ISO 8601 (`2026-11-29`, `2026-11-29T08:15:00Z`).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from typing import Any

from verifier.exports.rows import FORMAT_VERSION, BundleHeader, ExportLine
from verifier.exports.values import amount, date_iso, datetime_iso, rate

_dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), allow_nan=False).encode


def batch_part(header: BundleHeader) -> dict[str, Any]:
    """What describes the batch: also the start of manifest.json."""
    return {
        "format_version": FORMAT_VERSION,
        "batch": {
            "id": header.batch_id,
            "number": header.batch_number,
            "created_at": datetime_iso(header.created_at),
        },
        "site": {
            "name": header.site_name,
            "finess": header.site_finess,
            "am_number": header.site_am_number,
            "address": header.site_address,
        },
        # The recipient: an insurer, or (format 1.1) an operator for all of its insurers
        # batched together; then `insurer` is null and each claim names its insurer.
        "insurer": None
        if header.for_operator
        else {
            "amc_number": header.insurer_amc_number,
            "name": header.insurer_name,
            "operator_code": header.operator_code,
        },
        "operator": {"code": header.operator_code, "name": header.operator_name} if header.for_operator else None,
        "insurers": [
            {"amc_number": p.amc_number, "name": p.name, "claim_count": p.claim_count, "amc": amount(p.total_amc)}
            for p in header.insurers
        ],
        "claim_count": header.claim_count,
        "line_count": header.line_count,
        "totals": {
            "price": amount(header.total_price),
            "br": amount(header.total_br),
            "amo": amount(header.total_amo),
            "tm": amount(header.total_tm),
            "amc": amount(header.total_amc),
            "patient_share": amount(header.total_patient),
        },
    }


def _stay(c: ExportLine) -> dict[str, Any] | None:
    st = c.stay
    if st is None:
        return None
    return {
        "entry_number": st.entry_number,
        "admission": date_iso(st.admission),
        "discharge": date_iso(st.discharge),
        "mode": st.mode,
        "dmt": st.dmt,
        "exemption": st.exemption,
        "pec_obtained_on": date_iso(st.pec_obtained_on),
        "pec_valid_until": date_iso(st.pec_valid_until),
    }


def _care(x: ExportLine) -> dict[str, Any]:
    """A clinic line's own keys (format 1.3); none on a pharmacy line."""
    care = x.care
    if care is None:
        return {}
    return {
        "care": {
            "kind": care.kind,
            "practitioner_rpps": care.practitioner_rpps,
            "optam": care.optam,
            "amo_withheld": amount(care.withheld),
            "participation": amount(care.participation),
            "days_paid": care.days_paid,
        }
    }


def _fee(x: ExportLine) -> dict[str, Any]:
    """Format 1.5: what the line is, and a box line's per-box fee (its part of each amount)."""
    out: dict[str, Any] = {"line_kind": x.line_kind}
    f = x.box_fee
    if f is not None:
        out["box_fee"] = {
            "code": f.code,
            "unit": amount(f.unit),
            "price": amount(f.price),
            "br": amount(f.br),
            "amo": amount(f.amo),
            "tm": amount(f.tm),
            "amc": amount(f.amc),
            "patient_share": amount(f.patient_share),
        }
    return out


def claim_object(lines: Sequence[ExportLine]) -> dict[str, Any]:
    """One claim with its patient, coverage check, amounts and lines; a stay or consultation
    (format 1.3) also has `kind` and `stay`, its lines `care`."""
    c = lines[0]
    extra: dict[str, Any] = {"kind": c.claim_kind, "stay": _stay(c)} if c.claim_kind != "pharmacy" else {}
    p = c.prescription
    if p is not None:  # format 1.5
        extra["prescription"] = {
            "prescribed_on": date_iso(p.prescribed_on),
            "ald_two_part": p.ald_two_part,
            "on_call": p.on_call,
        }
    return {
        "claim_id": c.claim_id,
        "claim_number": c.claim_number,
        **extra,
        "version": c.claim_version,
        "previous_claim_id": c.previous_claim_id,
        "dispensed_on": date_iso(c.dispensed_on),
        "prescriber_rpps": c.prescriber_rpps,
        "operator_down": c.operator_down,
        "patient": {
            "surname": c.patient_surname,
            "first_name": c.patient_first_name,
            "birth_date": c.patient_birth_date,
            "nir": c.patient_nir,
            "rank": c.patient_rank,
            "amo_fund": c.amo_fund,
            "member_number": c.member_number,
        },
        "insurer": {"amc_number": c.insurer_amc_number, "name": c.insurer_name},
        "coverage_check": {
            "method": c.check_method,
            "reference": c.check_reference,
            "outcome": c.check_outcome,
            "checked_at": datetime_iso(c.checked_at),
            "guarantees": c.guarantees,
        },
        "amounts": {
            "price": amount(c.claim_price),
            "amo": amount(c.claim_amo),
            "amc": amount(c.claim_amc),
            "patient_share": amount(c.claim_patient_share),
        },
        "lines": [
            {
                "position": x.line_position,
                "code": x.code,
                "code_kind": x.code_kind,
                "label": x.label,
                "prestation_code": x.prestation_code,
                "quantity": x.quantity,
                "unit_price": amount(x.unit_price),
                "br_unit": amount(x.br_unit),
                "amo_rate": rate(x.amo_rate),
                "price": amount(x.price),
                "br": amount(x.br),
                "amo": amount(x.amo),
                "tm": amount(x.tm),
                "amc": amount(x.amc),
                "patient_share": amount(x.patient_share),
                "expiry": date_iso(x.expiry),
                "lot": x.lot,
                "serial": x.serial,
                "boxes": [
                    {"read_as": b.read_as, "lot": b.lot, "expiry": date_iso(b.expiry), "serial": b.serial}
                    for b in x.boxes
                ],
                **_care(x),
                **_fee(x),
            }
            for x in lines
        ],
    }


class JsonWriter:
    """Writes claims.json in text chunks through `emit`."""

    def __init__(self, header: BundleHeader, emit: Callable[[str], None]) -> None:
        self._emit = emit
        start = _dumps(batch_part(header))
        # Reopen the object to append the claims array after the batch part.
        self._parts: list[str] = [start[:-1], ',"claims":[']
        self._size = 0
        self._first = True

    def write_claim(self, lines: Sequence[ExportLine]) -> None:
        text = _dumps(claim_object(lines))
        self._parts.append("\n" + text if self._first else ",\n" + text)
        self._first = False
        self._size += len(text)
        if self._size > 1 << 20:
            self._flush()

    def close(self) -> None:
        self._parts.append("\n]}\n")
        self._flush()

    def _flush(self) -> None:
        self._emit("".join(self._parts))
        self._parts.clear()
        self._size = 0
