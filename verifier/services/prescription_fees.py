"""The fee lines a pharmacy prescription brings (issue 13): computed by the rules of
verifier.domain.pharmacy_fees, at the tariffs in force on the dispensing day (shipped and
added by administrators), and returned as ordinary lines the counter shows and can remove:
each fee is a line of its own, with its code, rate and amounts."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal

from verifier import i18n
from verifier.domain import pharmacy_acts
from verifier.domain import pharmacy_fees as pf
from verifier.domain import tariffs as t
from verifier.domain.coverage import FEE_CODES, is_lpp, line_kind, normalize_prestation_code
from verifier.domain.errors import ValidationError
from verifier.domain.identifiers import BirthDate
from verifier.services import drugs, patients, tariffs
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
    """What the fees depend on, from the items of the prescription: its boxes, devices and
    preparations. Fees already there and the pharmacist's acts (a vaccination, a rapid test:
    billed on their own, not dispensed on the prescription) do not count."""
    items = [line for line in lines if line_kind(line.prestation_code) == "item"]
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
    specific_drug: bool | None = None,
    on_call: pf.OnCall | None = None,
    removed: frozenset[str] = frozenset(),
) -> list[LineDraft]:
    """The prescription's lines with its fees computed again: fee lines already there are
    replaced (a line added or removed changes HC, a 100 % drug the rates). `specific_drug`
    None: HDE when a line is a presentation of the specific list. Fees in `removed` (taken
    off by the clerk, with a reason) are not added again."""
    items = [replace(line) for line in lines if not is_fee(line)]
    if specific_drug is None:
        specific_drug = has_specific_drug(ctx, items)
    fees = fee_lines(ctx, items, dispensed_on, birth, specific_drug=specific_drug, on_call=on_call)
    return items + [fee for fee in fees if fee.prestation_code not in removed]


def has_specific_drug(ctx: Context, lines: list[LineDraft]) -> bool:
    """A line of the prescription is a presentation flagged as a specific drug (HDE)."""
    codes = {line.code for line in lines if line.code_kind == "cip13" and line.code}
    return bool(codes) and bool(codes & set(drugs.specific_list(ctx)))


def birth_of(ctx: Context, patient_id: str) -> BirthDate:
    """A recorded patient's birth date."""
    return patients.get(ctx, patient_id).birth_date


@dataclass(frozen=True)
class ActOffer:
    """A pharmacist's act as the counter offers it: its amounts in force on the day, the usual
    one first (empty: the pharmacist types it)."""

    code: str
    label: str
    amo_rate: Decimal
    amounts: tuple[Decimal, ...]


def act_offer(ctx: Context, code: str, day: date) -> ActOffer | None:
    """The act billed with `code` (RVA, TRD, AKI...), or None when `code` is not an act."""
    act = pharmacy_acts.act_of(code)
    if act is None:
        return None
    values = tariffs.current(ctx)
    amounts = []
    for key in act.amounts:
        try:
            amounts.append(values.at(key, day))
        except ValidationError:
            continue  # no value yet on that day: the pharmacist types it
    return ActOffer(act.code, i18n.tr(act.label), act.amo_rate, tuple(amounts))


def act_line(offer: ActOffer, amount: Decimal) -> LineDraft:
    """The line of an act at `amount` (one of the offer's, or typed)."""
    return LineDraft(offer.label[:300], offer.code, 1, amount, offer.amo_rate, code=offer.code, code_kind="manual")
