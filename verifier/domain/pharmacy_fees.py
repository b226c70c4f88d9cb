"""The fees a pharmacy bills per prescription (issue 13), and the franchise it never claims.

A pharmacy's invoice for a prescription carries, besides its boxes (each priced with its
per-box dispensing fee), fees billed **once per prescription**, whose ticket modérateur the
complementary insurer owes under a contrat responsable (CSS R871-2):

* HDR, the dispensing fee per prescription;
* HDA, for a patient under 3 or aged 70 and over on the day of dispensing;
* HDE, when the prescription holds a drug of the "specific" list (a per-presentation flag);
* HC, a complex prescription (5 lines or more);
* GPN / GPD / GPF / UPH, the on-call fee: night, Sunday, public holiday, outside opening hours.

Prescription fees need a prescription with at least one reimbursable item. HDR, HDA and HDE
are reimbursed at 100 % when the prescription holds a drug of the R160-8 list (reimbursed at
100 %), else at the dated rate TAUX_HONORAIRES (70 %); HC at 100 % (R160-7); the on-call fees
at TAUX_GARDE. Amounts are dated values (verifier.domain.tariffs): a claim uses those in force
on its day. Every line is rounded as the boxes are (verifier.domain.claims): AMO = amount x
rate, half-up to the cent; TM = amount - AMO; the AMC pays its guarantee less the AMO.

The franchise (1 EUR per box since 31 March 2024, 50 EUR a year) is withheld by the AMO and may
never be paid by an AMC (CSS L871-1): it is computed to be printed on the receipt, never added
to an AMC amount. Docs: docs/pharmacy-fees.md, with the sources.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal
from enum import StrEnum

import holidays

from verifier.domain.claims import LineAmounts, LineInput, compute_line
from verifier.domain.coverage import PHAR, Guarantee
from verifier.domain.identifiers import BirthDate
from verifier.domain.money import to_cents
from verifier.domain.tariffs import (
    FRANCHISE_BOX,
    FRANCHISE_CAP,
    GPD,
    GPF,
    GPN,
    HC,
    HDA,
    HDE,
    HDR,
    RATE_FEES,
    RATE_ON_CALL,
    UPH,
    Tariffs,
)

RATE_100 = Decimal(100)
COMPLEX_LINES = 5  # HC from this many lines
AGE_YOUNG, AGE_OLD = 3, 70  # HDA: under 3, or 70 and over


class OnCall(StrEnum):
    """When a pharmacy on the on-call rota dispensed the prescription outside its opening hours."""

    NIGHT = "night"  # GPN, 20:00-08:00
    SUNDAY = "sunday"  # GPD, 08:00-20:00
    HOLIDAY = "holiday"  # GPF, 08:00-20:00
    OUTSIDE_HOURS = "outside_hours"  # UPH, a working day 08:00-20:00 outside opening hours


ON_CALL_CODES = {OnCall.NIGHT: GPN, OnCall.SUNDAY: GPD, OnCall.HOLIDAY: GPF, OnCall.OUTSIDE_HOURS: UPH}
MOVED_TO_100 = frozenset({HDR, HDA, HDE})  # R160-8: a drug of the list on the prescription


def is_public_holiday(day: date, alsace_moselle: bool = False) -> bool:
    """A French public holiday (Code du travail L3133-1; Easter Monday, Ascension, Whit Monday
    computed); Alsace-Moselle adds Good Friday and 26 December (L3134-13; holidays library,
    subdivision 57)."""
    calendar_ = holidays.country_holidays("FR", subdiv="57" if alsace_moselle else None, years=day.year)
    return day in calendar_


def on_call_context(moment: datetime) -> OnCall | None:
    """The on-call context a dispensing at `moment` (local time) falls in by the calendar:
    night (20:00-08:00) first, then a public holiday, then Sunday. The national holidays only:
    the Code du travail (L3134-1) leaves the sale of medicines out of Alsace-Moselle's local
    holidays. Outside opening hours on a working day is the pharmacist's to say."""
    if moment.time() >= time(20, 0) or moment.time() < time(8, 0):
        return OnCall.NIGHT
    if is_public_holiday(moment.date()):
        return OnCall.HOLIDAY
    if moment.weekday() == calendar.SUNDAY:
        return OnCall.SUNDAY
    return None


def latest_birthday(birth: BirthDate) -> date:
    """The latest calendar day a birth date can mean: itself, or for a lunar date (00 parts or a
    day the month lacks) the last day of its month, or of its year when the month is unknown.
    Ages are then never overstated: a patient is 70 only once surely 70."""
    exact = birth.as_date()
    if exact is not None:
        return exact
    month = birth.month if 1 <= birth.month <= 12 else 12
    last = calendar.monthrange(birth.year, month)[1]
    day = birth.day if 1 <= birth.day <= last else last
    return date(birth.year, month, day)


def earliest_birthday(birth: BirthDate) -> date:
    """The earliest calendar day a birth date can mean (see latest_birthday): a child is under
    3 only while surely under 3."""
    exact = birth.as_date()
    if exact is not None:
        return exact
    month = birth.month if 1 <= birth.month <= 12 else 1
    last = calendar.monthrange(birth.year, month)[1]
    day = birth.day if 1 <= birth.day <= last else (1 if birth.day == 0 else last)
    return date(birth.year, month, day)


def age_on(born: date, day: date) -> int:
    """Completed years on `day`; born on 29 February, a year is completed on 1 March."""
    years = day.year - born.year
    if (day.month, day.day) < (born.month, born.day):
        years -= 1
    return years


def age_fee_due(birth: BirthDate, day: date) -> bool:
    """HDA: under 3 years, or 70 years and over, on the day of dispensing (lunar dates: only
    when the age is certain whatever day was meant)."""
    return age_on(earliest_birthday(birth), day) < AGE_YOUNG or age_on(latest_birthday(birth), day) >= AGE_OLD


@dataclass(frozen=True)
class Prescription:
    """What the fees of a prescription depend on."""

    dispensed_on: date
    lines: int  # distinct lines of the prescription dispensed
    reimbursable: bool  # at least one item the AMO reimburses
    has_100_percent_drug: bool  # a drug reimbursed at 100 % on it (R160-8)
    has_specific_drug: bool  # a drug of the HDE list on it
    on_call: OnCall | None = None
    birth: BirthDate | None = None


@dataclass(frozen=True)
class PrescriptionForm:
    """What the counter records of a pharmacy claim's prescription, besides its prescriber:
    its date, a two-part ALD form (one prescription: one set of fees), the on-call context the
    pharmacist gave, a generic refused without "non substituable" on it (no tiers payant), and
    the fees the clerk removed, each with the reason given: (code, reason)."""

    prescribed_on: date | None = None
    ald_two_part: bool = False
    on_call: OnCall | None = None
    generic_refused: bool = False
    removed_fees: tuple[tuple[str, str], ...] = ()

    @property
    def removed_codes(self) -> frozenset[str]:
        return frozenset(code for code, _ in self.removed_fees)


@dataclass(frozen=True)
class FeeLine:
    """One fee of the invoice, with its amounts (AMC under the guarantee given)."""

    code: str
    amount: Decimal
    amo_rate: Decimal
    amo: Decimal
    tm: Decimal
    amc: Decimal
    patient: Decimal


def line_amounts(code: str, amount: Decimal, amo_rate: Decimal, guarantee_rate: Decimal | None) -> FeeLine:
    """The amounts of one fee: a line of its own, computed as any line is
    (verifier.domain.claims.compute_line); the guarantee's rate is in % of the base, AMO
    included; None: no AMC."""
    guarantee = None if guarantee_rate is None else Guarantee(PHAR, guarantee_rate)
    a = compute_line(LineInput(code, 1, amount, amo_rate), guarantee)
    return FeeLine(code, amount, amo_rate, a.amo, a.tm, a.amc, a.patient)


def fee_codes(p: Prescription) -> list[str]:
    """The fees the prescription brings, in invoice order (none without a reimbursable item)."""
    if not p.reimbursable or p.lines < 1:
        return []
    codes = [HDR]
    if p.birth is not None and age_fee_due(p.birth, p.dispensed_on):
        codes.append(HDA)
    if p.has_specific_drug:
        codes.append(HDE)
    if p.lines >= COMPLEX_LINES:
        codes.append(HC)
    if p.on_call is not None:
        codes.append(ON_CALL_CODES[p.on_call])
    return codes


def amo_rate(code: str, p: Prescription, tariffs: Tariffs) -> Decimal:
    """The AMO rate of a fee on this prescription: 100 % for HC (R160-7) and for HDR, HDA and
    HDE with a drug of the R160-8 list; else the dated rate in force."""
    if code == HC or (code in MOVED_TO_100 and p.has_100_percent_drug):
        return RATE_100
    return tariffs.at(RATE_FEES if code in MOVED_TO_100 else RATE_ON_CALL, p.dispensed_on)


def fees(p: Prescription, tariffs: Tariffs, guarantee_rate: Decimal | None) -> list[FeeLine]:
    """Each fee of the prescription as its own line, at the tariff in force on its day."""
    return [
        line_amounts(code, tariffs.at(code, p.dispensed_on), amo_rate(code, p, tariffs), guarantee_rate)
        for code in fee_codes(p)
    ]


def franchise(box_amo: list[Decimal], day: date, tariffs: Tariffs, already_this_year: Decimal, exempt: bool) -> Decimal:
    """The franchise the AMO withholds on the reimbursed boxes dispensed on `day` (the AMO
    amount of each box given): the per-box amount in force, never more than a box's AMO amount
    (D160-9), up to what is left of the yearly cap (D160-10). Never part of an AMC amount."""
    if exempt or not box_amo:
        return Decimal("0.00")
    per_box = tariffs.at(FRANCHISE_BOX, day)
    withheld = sum((min(per_box, amo) for amo in box_amo if amo > 0), Decimal("0.00"))
    left = tariffs.at(FRANCHISE_CAP, day) - already_this_year
    return to_cents(max(Decimal("0.00"), min(withheld, left)))


def franchise_exempt(birth: BirthDate | None, day: date, maternity: bool, c2s_or_ame: bool) -> bool:
    """Exempt from the franchise: under 18 on 1 January of the year (D160-12; certainly, for a
    lunar date), the maternity insurance period (from 4 months before the expected birth,
    D160-3), C2S (L160-15) or AME."""
    minor = birth is not None and age_on(earliest_birthday(birth), date(day.year, 1, 1)) < 18
    return minor or maternity or c2s_or_ame


# -- the per-box fee, split from the box's price as the invoice shows it ---------------------

BOX_FEE_DIGITS = {"PH1": "1", "PH2": "2", "PH4": "4", "PH7": "7"}
THREE_MONTH_FEE_FROM = Decimal("2.00")  # 2,76 EUR (a 3-month box, HG) against 1,02 EUR (HD)


def box_fee_code(prestation_code: str, fee_unit: Decimal) -> str | None:
    """HD1/2/4/7 (a box) or HG1/2/4/7 (a 3-month box), the digit being the drug's rate code;
    None for a line that is not a drug of PH1/PH2/PH4/PH7."""
    digit = BOX_FEE_DIGITS.get(prestation_code)
    if digit is None:
        return None
    return ("HG" if fee_unit >= THREE_MONTH_FEE_FROM else "HD") + digit


@dataclass(frozen=True)
class BoxSplit:
    """A box line as the invoice shows it: the product at its price without the fee, then the
    fee. The two add up to the line exactly, every amount: the fee part is computed as a line
    of its own (same quantity, rate and guarantee) and the product part is what remains."""

    product_code: str
    product_unit: Decimal
    product: LineAmounts
    fee_code: str
    fee_unit: Decimal
    fee: LineAmounts


def split_box(
    prestation_code: str,
    quantity: int,
    unit_price: Decimal,
    amo_rate: Decimal,
    amounts: LineAmounts,
    fee_unit: Decimal | None,
    guarantee: Guarantee | None,
) -> BoxSplit | None:
    """The line split into product and per-box fee, or None when it cannot be split honestly
    (no fee known, not a drug of PH1-PH7, or a part that would go below zero: a BR under the
    fee, an AMC capped...). Totals never change: the parts are the line's amounts shared."""
    if fee_unit is None or not 0 < fee_unit < unit_price:
        return None
    code = box_fee_code(prestation_code, fee_unit)
    if code is None:
        return None
    fee = compute_line(LineInput(prestation_code, quantity, fee_unit, amo_rate), guarantee)
    product = LineAmounts(
        price=amounts.price - fee.price,
        br=amounts.br - fee.br,
        amo=amounts.amo - fee.amo,
        tm=amounts.tm - fee.tm,
        amc=amounts.amc - fee.amc,
        patient=amounts.patient - fee.patient,
    )
    if any(getattr(product, name) < 0 for name in ("price", "br", "amo", "tm", "amc", "patient")):
        return None
    if product.amo + product.amc + product.patient != product.price:
        return None
    return BoxSplit(prestation_code, unit_price - fee_unit, product, code, fee_unit, fee)
