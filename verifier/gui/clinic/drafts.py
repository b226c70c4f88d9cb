"""The clinic screens' drafts: what is typed, as JSON-safe values, and back.

Money goes as text (``str(Decimal)``) and comes back through `parse_amount`, never through a
float. Amounts computed from the lines are not kept: they are computed again on restoring.
Anything unexpected in a draft raises `DraftError`; the form then opens empty.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from PySide6.QtWidgets import QComboBox

from verifier.domain.care import CareLine, LineKind
from verifier.domain.errors import ValidationError
from verifier.domain.money import parse_amount
from verifier.gui.clinic.care_lines import Entry
from verifier.gui.clinic.common import PecPanel
from verifier.gui.clinic.stay_panel import StayPanel

Payload = dict[str, Any]


class DraftError(ValueError):
    """A draft this version cannot read (damaged, or written by another version)."""


def part(data: Payload, key: str) -> Payload:
    """The sub-dictionary `key` of a draft."""
    value = data.get(key, {})
    if not isinstance(value, dict):
        raise DraftError(key)
    return value


def text(data: Payload, key: str, default: str = "") -> str:
    value = data.get(key, default)
    if not isinstance(value, str):
        raise DraftError(key)
    return value


def flag(data: Payload, key: str, default: bool = False) -> bool:
    value = data.get(key, default)
    if not isinstance(value, bool):
        raise DraftError(key)
    return value


def optional_text(data: Payload, key: str) -> str | None:
    value = data.get(key)
    if value is not None and not isinstance(value, str):
        raise DraftError(key)
    return value


def _amount(value: str | None, key: str) -> Decimal | None:
    if value is None:
        return None
    try:
        return parse_amount(value)
    except (ValidationError, TypeError) as exc:
        raise DraftError(key) from exc


def _rate(value: str | None) -> Decimal | None:
    if value is None:
        return None
    try:
        rate = Decimal(value)
    except InvalidOperation as exc:
        raise DraftError("amo_rate") from exc
    if not rate.is_finite() or rate < 0:
        raise DraftError("amo_rate")
    return rate


def entry_state(entry: Entry) -> Payload:
    """One line as the draft keeps it: its fields as text, and whether its quantity follows the dates."""
    line = entry.line
    return {
        "kind": line.kind.value,
        "code": line.code,
        "label": line.label,
        "quantity": str(line.quantity),
        "unit_price": str(line.unit_price),
        "br_unit": None if line.br_unit is None else str(line.br_unit),
        "amo_rate": None if line.amo_rate is None else str(line.amo_rate),
        "optam": line.optam,
        "practitioner_rpps": line.practitioner_rpps,
        "auto_quantity": entry.auto_quantity,
    }


def entry_of(data: object, kinds: tuple[LineKind, ...]) -> Entry:
    """The line `entry_state` wrote, if it is one this screen can hold; else `DraftError`."""
    if not isinstance(data, dict):
        raise DraftError("line")
    try:
        kind = LineKind(text(data, "kind"))
    except ValueError as exc:
        raise DraftError("kind") from exc
    if kind not in kinds:
        raise DraftError("kind")
    quantity = text(data, "quantity")
    if not quantity.isdigit() or not 1 <= int(quantity) <= 999:
        raise DraftError("quantity")
    price = _amount(text(data, "unit_price"), "unit_price")
    assert price is not None
    try:
        line = CareLine(
            kind,
            text(data, "code"),
            text(data, "label"),
            int(quantity),
            price,
            _amount(optional_text(data, "br_unit"), "br_unit"),
            _rate(optional_text(data, "amo_rate")),
            optam=flag(data, "optam", True),
            practitioner_rpps=optional_text(data, "practitioner_rpps"),
        )
    except (ValidationError, ValueError, TypeError) as exc:
        raise DraftError("line") from exc
    return Entry(line, flag(data, "auto_quantity"))


def entries_of(data: object, kinds: tuple[LineKind, ...]) -> list[Entry]:
    if data is None:
        return []
    if not isinstance(data, list):
        raise DraftError("lines")
    return [entry_of(item, kinds) for item in data]


def _choose(box: QComboBox, value: str, key: str) -> None:
    """Select the item of combo box `box` whose data is `value` (`DraftError` if there is none)."""
    index = box.findData(value)
    if index < 0:
        raise DraftError(key)
    box.setCurrentIndex(index)


def pec_state(pec: PecPanel) -> Payload:
    return {
        "method": pec.method(),
        "number": pec.number_edit.text(),
        "obtained_on": pec.obtained_edit.text(),
        "valid_until": pec.valid_edit.text(),
        "guarantees": pec.guarantees_edit.toPlainText(),
    }


def restore_pec(pec: PecPanel, data: Payload) -> None:
    _choose(pec.method_box, text(data, "method", str(pec.method_box.itemData(0))), "method")
    pec.number_edit.setText(text(data, "number"))
    pec.obtained_edit.setText(text(data, "obtained_on"))
    pec.valid_edit.setText(text(data, "valid_until"))
    pec.guarantees_edit.setPlainText(text(data, "guarantees"))


def stay_state(stay: StayPanel) -> Payload:
    return {
        "entry_number": stay.entry_edit.text(),
        "admission": stay.admission_edit.text(),
        "discharge": stay.discharge_edit.text(),
        "planned_discharge": stay.planned_edit.text(),
        "mode": stay.mode_edit.text(),
        "dmt": stay.dmt_edit.text(),
        "exemption": str(stay.exemption_box.currentData()),
        "psychiatry": stay.psychiatry_box.isChecked(),
    }


def restore_stay(stay: StayPanel, data: Payload) -> None:
    stay.entry_edit.setText(text(data, "entry_number"))
    stay.admission_edit.setText(text(data, "admission"))
    stay.discharge_edit.setText(text(data, "discharge"))
    stay.planned_edit.setText(text(data, "planned_discharge"))
    stay.mode_edit.setText(text(data, "mode", "03"))
    stay.dmt_edit.setText(text(data, "dmt"))
    _choose(stay.exemption_box, text(data, "exemption"), "exemption")
    stay.psychiatry_box.setChecked(flag(data, "psychiatry"))
