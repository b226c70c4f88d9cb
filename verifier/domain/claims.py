"""The amounts of a claim: who pays what on each line, to the cent.

Per line: price = quantity x unit price; BR = quantity x BR per unit; AMO = BR x AMO rate
(never more than the price); ticket modérateur TM = BR - AMO; AMC = BR x guarantee rate
- AMO (the guarantee is written in % of the BR *including* the AMO part), never negative
and never more than what remains of the price after the AMO; patient = the rest.

Every amount is rounded half-up to the cent once, on the line, and the patient share is
what remains, so amo + amc + patient == price holds exactly on every line and on the
totals. Totals are sums of rounded lines, never recomputed from unrounded values: that is
how the insurer adds them up too.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, fields
from decimal import Decimal, localcontext

from verifier import i18n
from verifier.domain.coverage import (
    PHN,
    Guarantee,
    guarantee_for,
    is_known_prestation,
    normalize_prestation_code,
)
from verifier.domain.errors import DomainError, Problem, ValidationError
from verifier.domain.money import (
    MAX_AMOUNT,
    PRECISION,
    decimal_places,
    format_eur,
    format_rate,
    normalize_rate,
    require_decimal,
    to_cents,
)

MIN_QUANTITY = 1
MAX_QUANTITY = 999
ZERO = Decimal("0.00")
HUNDRED = Decimal(100)

i18n.register(
    {
        "line.unknown_prestation": i18n.N_(
            "Le code de prestation « {code} » est inconnu : utilisez PH7, PH4, PH2, PH1, PMR, PM4, PMH, PHN ou un code LPP à 7 chiffres."
        ),
        "line.quantity_out_of_range": i18n.N_(
            "La quantité {quantity} doit être comprise entre {minimum} et {maximum} : corrigez-la."
        ),
        "line.price_negative": i18n.N_("Le prix unitaire ne peut pas être négatif : saisissez le prix public TTC."),
        "line.price_too_precise": i18n.N_(
            "Le prix unitaire {amount} a plus de deux décimales : arrondissez-le au centime."
        ),
        "line.price_too_large": i18n.N_("Le prix unitaire dépasse {maximum} : vérifiez la saisie."),
        "line.br_negative": i18n.N_("La base de remboursement ne peut pas être négative : corrigez-la."),
        "line.br_too_precise": i18n.N_(
            "La base de remboursement {amount} a plus de deux décimales : arrondissez-la au centime."
        ),
        "line.br_too_large": i18n.N_("La base de remboursement dépasse {maximum} : vérifiez la saisie."),
        "line.amo_rate_out_of_range": i18n.N_(
            "Le taux AMO de {rate} % doit être compris entre 0 et 100 % : corrigez-le."
        ),
        "line.amo_rate_too_precise": i18n.N_("Le taux AMO de {rate} % a plus de deux décimales : arrondissez-le."),
        "line.phn_reimbursed": i18n.N_(
            "Un produit non remboursable (PHN) ne peut pas avoir de taux AMO : mettez le taux à 0 % ou choisissez un autre code de prestation."
        ),
        "claim.amounts_inconsistent": i18n.N_(
            "Les montants calculés de la demande sont incohérents : ne l'envoyez pas et signalez le problème à l'assistance."
        ),
    }
)


@dataclass(frozen=True)
class LineInput:
    """One billed line as entered: what the calculation needs, validated on creation.

    - `prestation_code`: PH7, PH4, PH2, PH1, PMR, PM4, PMH, PHN, LPP or a 7-digit LPP
      code (stripped and upper-cased);
    - `quantity`: an int from 1 to 999;
    - `unit_price`: public price per unit (TTC), 0 to `MAX_AMOUNT`, at most 2 decimals;
    - `amo_rate`: percent of the BR paid by the AMO, 0 to 100, at most 2 decimals; not
      checked against the code's usual rate (Alsace-Moselle, ALD... pay more), but a
      PHN line must have 0;
    - `br_unit`: base de remboursement per unit, same limits as the price; None means
      equal to the unit price. It may differ from the price either way (a generic
      under a TFR, a device sold above its tariff).

    Raises ValidationError carrying every problem at once, TypeError for floats.
    """

    prestation_code: str
    quantity: int
    unit_price: Decimal
    amo_rate: Decimal
    br_unit: Decimal | None = None

    def __post_init__(self) -> None:
        if isinstance(self.quantity, bool) or not isinstance(self.quantity, int):
            raise TypeError(f"quantity must be an int, not {type(self.quantity).__name__}")
        code = normalize_prestation_code(self.prestation_code)
        unit_price = require_decimal(self.unit_price, "unit_price")
        amo_rate = require_decimal(self.amo_rate, "amo_rate")
        br_unit = None if self.br_unit is None else require_decimal(self.br_unit, "br_unit")

        problems: list[Problem] = []
        if not is_known_prestation(code):
            problems.append(Problem("line.unknown_prestation", {"code": code}, field="prestation_code"))
        if not MIN_QUANTITY <= self.quantity <= MAX_QUANTITY:
            problems.append(
                Problem(
                    "line.quantity_out_of_range",
                    {"quantity": self.quantity, "minimum": MIN_QUANTITY, "maximum": MAX_QUANTITY},
                    field="quantity",
                )
            )
        problems += _amount_problems(unit_price, "unit_price", "line.price")
        if br_unit is not None:
            problems += _amount_problems(br_unit, "br_unit", "line.br")
        if not 0 <= amo_rate <= HUNDRED:
            problems.append(Problem("line.amo_rate_out_of_range", {"rate": format_rate(amo_rate)}, field="amo_rate"))
        elif decimal_places(normalize_rate(amo_rate)) > 2:
            problems.append(Problem("line.amo_rate_too_precise", {"rate": format_rate(amo_rate)}, field="amo_rate"))
        elif code == PHN and amo_rate != 0:
            problems.append(Problem("line.phn_reimbursed", field="amo_rate"))
        if problems:
            raise ValidationError(problems)
        object.__setattr__(self, "prestation_code", code)
        # Stored normalised (exact: validated above) so equal inputs compare and print equal.
        object.__setattr__(self, "unit_price", to_cents(unit_price))
        object.__setattr__(self, "amo_rate", normalize_rate(amo_rate))
        object.__setattr__(self, "br_unit", None if br_unit is None else to_cents(br_unit))

    @property
    def effective_br_unit(self) -> Decimal:
        """The BR per unit actually used: `br_unit`, or the unit price when it is None."""
        return self.unit_price if self.br_unit is None else self.br_unit


def _amount_problems(value: Decimal, field: str, prefix: str) -> list[Problem]:
    """Problems of a per-unit amount: negative, more than 2 decimals, too large."""
    if value < 0:
        return [Problem(f"{prefix}_negative", field=field)]
    if value > MAX_AMOUNT:
        return [Problem(f"{prefix}_too_large", {"maximum": format_eur(MAX_AMOUNT)}, field=field)]
    # Trailing zeros do not count: 1.500 is a whole number of cents, 1.505 is not.
    if decimal_places(normalize_rate(value)) > 2:
        return [Problem(f"{prefix}_too_precise", {"amount": f"{value:f}"}, field=field)]
    return []


@dataclass(frozen=True)
class LineAmounts:
    """Who pays what on one line, every amount in euros to the cent."""

    price: Decimal
    br: Decimal
    amo: Decimal
    tm: Decimal
    amc: Decimal
    patient: Decimal


@dataclass(frozen=True)
class ClaimTotals:
    """The sums of a claim's lines (same meaning as `LineAmounts`)."""

    price: Decimal
    br: Decimal
    amo: Decimal
    tm: Decimal
    amc: Decimal
    patient: Decimal


def compute_line(line: LineInput, guarantee: Guarantee | None) -> LineAmounts:
    """The amounts of `line`, the AMC share paid under `guarantee` (None: no AMC).

    The guarantee is used as given: choosing whether it applies (PH2, PHN...) is
    `guarantee_for`'s job, done by `compute_claim`.
    """
    # A private context so that nobody's global decimal settings change our cents.
    with localcontext() as ctx:
        ctx.prec = PRECISION
        price = to_cents(line.quantity * line.unit_price)
        br = to_cents(line.quantity * line.effective_br_unit)
        # The AMO never pays more than the price, even when the BR is above it.
        amo = min(to_cents(br * line.amo_rate / HUNDRED), price)
        tm = br - amo
        if guarantee is None:
            amc = ZERO
        else:
            # The guarantee's rate includes the AMO part: subtract what the AMO paid,
            # then cap at what is left of the price so that the patient never goes below 0.
            amc = to_cents(br * guarantee.rate / HUNDRED) - amo
            amc = max(ZERO, min(amc, price - amo))
        patient = price - amo - amc
    return LineAmounts(
        price=price,
        br=br,
        amo=amo,
        tm=tm,
        amc=to_cents(amc),
        patient=to_cents(patient),
    )


def total(lines: Sequence[LineAmounts]) -> ClaimTotals:
    """The sums of `lines`; zeros for an empty claim."""

    def column(name: str) -> Decimal:
        return to_cents(sum((getattr(line, name) for line in lines), ZERO))

    return ClaimTotals(**{f.name: column(f.name) for f in fields(ClaimTotals)})


def compute_claim(lines: Sequence[LineInput], guarantees: Sequence[Guarantee]) -> tuple[list[LineAmounts], ClaimTotals]:
    """Every line's amounts (each under the guarantee that applies to it) and the totals."""
    amounts = [compute_line(line, guarantee_for(line.prestation_code, guarantees)) for line in lines]
    return amounts, total(amounts)


def check_invariants(amounts: LineAmounts | ClaimTotals) -> None:
    """Raise DomainError ``claim.amounts_inconsistent`` unless the amounts add up.

    Checks: every amount is a Decimal to the cent and not negative; amo + amc + patient
    == price; tm == br - amo. Meant as a last guard before a claim is stored or exported.
    """
    values = [getattr(amounts, f.name) for f in fields(amounts)]
    consistent = (
        all(isinstance(v, Decimal) and v.is_finite() and v >= 0 for v in values)
        and all(decimal_places(normalize_rate(v)) <= 2 for v in values)
        and amounts.amo + amounts.amc + amounts.patient == amounts.price
        and amounts.tm == amounts.br - amounts.amo
    )
    if not consistent:
        raise DomainError("claim.amounts_inconsistent")
