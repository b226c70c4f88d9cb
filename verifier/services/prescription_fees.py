"""The fee lines a pharmacy prescription brings (issue 13): computed by the rules of
verifier.domain.pharmacy_fees, at the tariffs in force on the dispensing day (shipped and
added by administrators), and returned as ordinary lines the counter shows and can remove:
each fee is a line of its own, with its code, rate and amounts."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal

from verifier import i18n
from verifier.domain import pharmacy_fees as pf
from verifier.domain import tariffs as t
from verifier.domain.coverage import FEE_CODES, is_lpp, normalize_prestation_code
from verifier.domain.identifiers import BirthDate
from verifier.services import patients, tariffs
from verifier.services.claims import LineDraft
from verifier.services.context import Context

HUNDRED = Decimal(100)

LABELS = {
    t.HDR: i18n.N_("Honoraire de dispensation par ordonnance"),
    t.HDA: i18n.N_("Honoraire lié à l'âge (moins de 3 ans, 70 ans et plus)"),
    t.HDE: i18n.N_("Honoraire pour médicament spécifique"),
    t.HC: i18n.N_("Honoraire d'ordonnance complexe (5 lignes et plus)"),
    t.GPN: i18n.N_("Honoraire de garde de nuit"),
    t.GPD: i18n.N_("Honoraire de garde du dimanche"),
    t.GPF: i18n.N_("Honoraire de garde d'un jour férié"),
    t.UPH: i18n.N_("Honoraire hors des heures d'ouverture"),
}


def is_fee(line: LineDraft) -> bool:
    return normalize_prestation_code(line.prestation_code) in FEE_CODES


def prescription_of(
    lines: list[LineDraft],
    dispensed_on: date,
    birth: BirthDate | None,
    *,
    specific_drug: bool = False,
    on_call: pf.OnCall | None = None,
) -> pf.Prescription:
    """What the fees depend on, from the lines of the prescription (fees already there aside)."""
    items = [line for line in lines if not is_fee(line)]
    drugs = [line for line in items if not is_lpp(line.prestation_code)]
    return pf.Prescription(
        dispensed_on,
        lines=len(items),
        reimbursable=any(line.amo_rate > 0 for line in items),
        has_100_percent_drug=any(line.amo_rate == HUNDRED for line in drugs),
        has_specific_drug=specific_drug,
        on_call=on_call,
        birth=birth,
    )


def fee_lines(
    ctx: Context,
    lines: list[LineDraft],
    dispensed_on: date,
    birth: BirthDate | None,
    *,
    specific_drug: bool = False,
    on_call: pf.OnCall | None = None,
) -> list[LineDraft]:
    """The fee lines the prescription brings, to add to its lines (none when it has no
    reimbursable item). The patient's birth date (as typed, lunar dates too) decides the age
    fee; None: no age fee."""
    p = prescription_of(lines, dispensed_on, birth, specific_drug=specific_drug, on_call=on_call)
    values = tariffs.current(ctx)
    return [
        LineDraft(i18n.tr(LABELS[code]), code, 1, values.at(code, dispensed_on), pf.amo_rate(code, p, values))
        for code in pf.fee_codes(p)
    ]


def with_fees(
    ctx: Context,
    lines: list[LineDraft],
    dispensed_on: date,
    birth: BirthDate | None,
    *,
    specific_drug: bool = False,
    on_call: pf.OnCall | None = None,
) -> list[LineDraft]:
    """The prescription's lines with its fees computed again: fee lines already there are
    replaced (a line added or removed changes HC, a 100 % drug the rates)."""
    items = [replace(line) for line in lines if not is_fee(line)]
    return items + fee_lines(ctx, items, dispensed_on, birth, specific_drug=specific_drug, on_call=on_call)


def birth_of(ctx: Context, patient_id: str) -> BirthDate:
    """A recorded patient's birth date."""
    return patients.get(ctx, patient_id).birth_date
