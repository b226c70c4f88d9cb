"""Who pays what on a clinic's stay or a centre de santé's consultation.

One line model for every kind of line: what was charged, the BR, the AMO's share, the
ticket modérateur, the AMC's share and the patient's, each in euros to the cent, half-up per
line as for the pharmacy (`verifier.domain.claims.LineAmounts`). The rules, with their sources
and dates, are in docs/clinics.md; in short:

- frais de séjour: AMO 80 % of the BR, the patient's ticket modérateur 20 %, unless the stay
  is exempt (ALD-related, maternity, newborn, work accident, C2S…: AMO 100 %);
- when an act of the stay has a tariff >= 120 EUR (PAV), the ticket modérateur of the whole
  stay is replaced by one flat participation (24 EUR since 2019), taken once from the AMO's
  payment of the stay fees (or, without stay fees, of the first act);
- forfait journalier per day, discharge day included, none within one calendar day; no AMO;
  absorbed by the stay's ticket modérateur when that is larger (CSS L174-4: the patient pays
  the larger of the two), not by the PAV (then both are due);
- forfait patient urgences for an emergency visit without admission, reduced for ALD;
- room, accompanying person: the clinic's price, no AMO; TV and telephone: the patient;
- practitioners' fees: AMO on the BR only, never on the dépassement;
- consultation outside a stay: AMO 70 % of the BR, less the participation forfaitaire
  (2 EUR since 15 May 2024), which no AMC may pay (CSS L871-1).

The AMC pays what the item's guarantee allows, never more than what is left to pay on the
line, and, for a per-day guarantee with a yearly limit, only the days left in that calendar
year (`used_days`: what earlier claims of the same beneficiary to the same insurer used).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Context, Decimal, localcontext
from enum import StrEnum

from verifier import i18n
from verifier.domain import tariffs as t
from verifier.domain.care_guarantees import Basis, CareGuarantee, Item, find
from verifier.domain.claims import ClaimTotals, LineAmounts, total
from verifier.domain.errors import Problem, ValidationError
from verifier.domain.money import MAX_AMOUNT, PRECISION, to_cents

ZERO = Decimal("0.00")
HUNDRED = Decimal(100)


class LineKind(StrEnum):
    STAY_FEES = "stay_fees"  # frais de séjour (prix de journée, frais de salle d'opération…)
    DAILY_CHARGE = "fj"  # forfait journalier
    EMERGENCY = "fpu"  # forfait patient urgences
    FEE = "fee"  # a practitioner's act during the stay (CCAM/NGAP, BR and charged fee)
    ROOM = "room"  # chambre particulière, per day
    COMPANION = "companion"  # accompanying person, per day
    COMFORT = "comfort"  # TV, telephone: never covered
    CONSULTATION = "consultation"  # an act outside a stay (centre de santé, consultation externe)


class Exemption(StrEnum):
    """Why a stay's ticket modérateur (and the PAV) is not the patient's."""

    NONE = ""
    ALD = "ald"  # care related to an affection de longue durée
    MATERNITY = "maternity"  # from the 6th month of pregnancy to 12 days after birth
    NEWBORN = "newborn"  # a newborn's first 30 days
    WORK_ACCIDENT = "work_accident"  # accident du travail, maladie professionnelle
    SOLIDARITY = "solidarity"  # C2S, AME
    # From the 31st day of a stay the TM is not due either: bill days 31 on as their own
    # period with this exemption (an exemption here holds for the whole period).
    FROM_DAY_31 = "from_day_31"


# Exemptions that also spare the forfait journalier (ALD and a long stay do not).
FJ_EXEMPT = frozenset({Exemption.MATERNITY, Exemption.NEWBORN, Exemption.WORK_ACCIDENT, Exemption.SOLIDARITY})
# Exemptions that spare the forfait patient urgences; ALD and work accident reduce it.
FPU_EXEMPT = frozenset({Exemption.MATERNITY, Exemption.NEWBORN})
FPU_REDUCED = frozenset({Exemption.ALD, Exemption.WORK_ACCIDENT})
# Who pays no participation forfaitaire on a consultation (CSS L160-13 III).
PF_EXEMPT = frozenset({Exemption.MATERNITY, Exemption.NEWBORN, Exemption.SOLIDARITY})

# The AMO's rate where the line does not give its own.
DEFAULT_RATES = {LineKind.STAY_FEES: Decimal(80), LineKind.FEE: Decimal(80), LineKind.CONSULTATION: Decimal(70)}


@dataclass(frozen=True)
class Stay:
    """The facts of a stay (or of a consultation: admission = discharge = its day)."""

    admission: date
    discharge: date
    psychiatry: bool = False
    exemption: Exemption = Exemption.NONE
    under_18: bool = False  # spares the participation forfaitaire of a consultation
    pav: bool | None = None  # None: decided from the acts' tariffs

    def __post_init__(self) -> None:
        if self.discharge < self.admission:
            raise ValidationError([Problem("care.discharge_before_admission", {}, "discharge")])

    @property
    def days(self) -> int:
        """Days of the stay, discharge day included (FJ, room)."""
        return (self.discharge - self.admission).days + 1

    @property
    def daily_charge_days(self) -> int:
        """Days of forfait journalier: none within one calendar day."""
        return 0 if self.discharge == self.admission else self.days


@dataclass(frozen=True)
class CareLine:
    """One line of a stay's or a consultation's invoice.

    `unit_price` is what is charged per unit; `br_unit` the BR per unit (None where the AMO
    pays nothing: room, comfort, FJ, FPU). For FJ and FPU lines the unit price is taken
    from the tariffs by `compute` whatever is given. `optam` matters for fees only.
    """

    kind: LineKind
    code: str
    label: str
    quantity: int
    unit_price: Decimal
    br_unit: Decimal | None = None
    amo_rate: Decimal | None = None
    optam: bool = True
    practitioner_rpps: str | None = None


@dataclass(frozen=True)
class CareLineResult:
    line: CareLine
    amounts: LineAmounts
    withheld: Decimal = ZERO  # participation forfaitaire and PAV kept from the AMO's payment
    days_paid: int = 0  # days the AMC paid under a per-day guarantee
    notes: tuple[str, ...] = ()  # problem codes saying why (absorbed FJ, PAV, limit reached…)
    participation: Decimal = ZERO  # the part of `withheld` no AMC may pay (CSS L871-1): the patient's


@dataclass(frozen=True)
class CareInvoice:
    lines: list[CareLineResult]
    totals: ClaimTotals
    pav: bool
    days_used: dict[tuple[Item, int], int] = field(default_factory=dict)  # (item, year) -> days


def pav_applies(stay: Stay, lines: Sequence[CareLine], tariffs: t.Tariffs = t.DEFAULT) -> bool:
    """Whether the flat participation replaces the ticket modérateur of this stay."""
    if stay.exemption is not Exemption.NONE:
        return False
    if stay.pav is not None:
        return stay.pav
    threshold = tariffs.at(t.PAV_THRESHOLD, stay.discharge)
    return any(
        line.kind in (LineKind.FEE, LineKind.CONSULTATION) and (line.br_unit or ZERO) >= threshold for line in lines
    )


class _Flat:
    """What is left of each flat guarantee: "ACC 150 €" pays 150 € once per claim, shared by
    the lines it covers."""

    def __init__(self) -> None:
        self.paid: dict[Item, Decimal] = {}

    def left(self, guarantee: CareGuarantee) -> Decimal:
        return max(ZERO, guarantee.value - self.paid.get(guarantee.item, ZERO))

    def take(self, guarantee: CareGuarantee, amount: Decimal) -> None:
        self.paid[guarantee.item] = self.paid.get(guarantee.item, ZERO) + amount


def _amc(
    guarantee: CareGuarantee | None,
    br: Decimal,
    price: Decimal,
    amo_gross: Decimal,
    flat: _Flat,
    days: int = 0,
    day_price: Decimal | None = None,
) -> Decimal:
    """What the AMC pays on a line under `guarantee`: never more than what is left once the
    AMO's gross share is taken (the participation forfaitaire stays the patient's). A per-day
    guarantee pays `days` days, each at most what a day costs (`day_price`)."""
    if guarantee is None:
        return ZERO
    left = price - amo_gross
    if guarantee.basis is Basis.PERCENT_BR:
        cap = to_cents(br * guarantee.value / HUNDRED) - amo_gross
    elif guarantee.basis is Basis.PERCENT_ACTUAL:
        cap = to_cents(price * guarantee.value / HUNDRED) - amo_gross
    elif guarantee.basis is Basis.PER_DAY:
        per_day = guarantee.value if day_price is None else min(guarantee.value, day_price)
        cap = to_cents(per_day * days)
    else:
        cap = flat.left(guarantee)
    amc = max(ZERO, min(cap, left))
    if guarantee.basis is Basis.FLAT:
        flat.take(guarantee, amc)
    return amc


def _guarantee_for(line: CareLine, guarantees: Sequence[CareGuarantee]) -> CareGuarantee | None:
    match line.kind:
        case LineKind.STAY_FEES:
            return find(guarantees, Item.STAY)
        case LineKind.DAILY_CHARGE:
            return find(guarantees, Item.DAILY_CHARGE)
        case LineKind.EMERGENCY:
            return find(guarantees, Item.EMERGENCY)
        case LineKind.FEE:
            own = Item.FEES_OPTAM if line.optam else Item.FEES_NON_OPTAM
            return find(guarantees, own, Item.FEES)
        case LineKind.ROOM:
            return find(guarantees, Item.ROOM)
        case LineKind.COMPANION:
            return find(guarantees, Item.COMPANION)
        case LineKind.CONSULTATION:
            return find(
                guarantees, Item.CONSULTATION, Item.FEES_OPTAM if line.optam else Item.FEES_NON_OPTAM, Item.FEES
            )
        case _:
            return None


def _years(stay: Stay, quantity: int) -> list[int]:
    """The calendar year of each billed day, from admission on."""
    return [(stay.admission + timedelta(days=n)).year for n in range(quantity)]


def _daily_charge(stay: Stay, tariffs: t.Tariffs) -> Decimal:
    """The forfait journalier of the whole stay, each day at the value of that day."""
    code = t.FJ_PSY if stay.psychiatry else t.FJ
    first = stay.discharge - timedelta(days=stay.daily_charge_days - 1)
    return sum(
        (tariffs.at(code, first + timedelta(days=n)) for n in range(stay.daily_charge_days)),
        ZERO,
    )


def compute(
    stay: Stay,
    lines: Sequence[CareLine],
    guarantees: Sequence[CareGuarantee],
    tariffs: t.Tariffs = t.DEFAULT,
    used_days: Mapping[tuple[Item, int], int] | None = None,
) -> CareInvoice:
    """Every line's amounts and the totals; ValidationError if a line cannot be billed."""
    problems = [p for n, line in enumerate(lines, start=1) for p in _line_problems(line, n)]
    if problems:
        raise ValidationError(problems)
    used: dict[tuple[Item, int], int] = dict(used_days or {})
    spent: dict[tuple[Item, int], int] = {}
    pav = pav_applies(stay, lines, tariffs)
    pav_left = tariffs.at(t.PAV, stay.discharge) if pav else ZERO
    exempt = stay.exemption is not Exemption.NONE
    flat = _Flat()
    results: list[CareLineResult | None] = [None] * len(lines)
    with localcontext() as ctx:
        ctx.prec = PRECISION
        # Reimbursed lines first: the forfait journalier depends on their ticket modérateur.
        stay_tm = ZERO
        for n in _reimbursed_in_pav_order(lines):
            line = lines[n]
            price = to_cents(line.unit_price * line.quantity)
            br = to_cents((line.br_unit or ZERO) * line.quantity)
            notes: list[str] = []
            withheld = pf = ZERO
            rate = line.amo_rate if line.amo_rate is not None else DEFAULT_RATES[line.kind]
            if exempt or pav:
                amo_gross = br
                if exempt:
                    notes.append("care.note.exempt")
            else:
                amo_gross = to_cents(br * rate / HUNDRED)
            amo_gross = min(amo_gross, price)
            amo = amo_gross
            if pav_left > 0 and amo > 0:
                # The PAV is taken once per stay: from the stay fees, then the acts, as far as
                # each line's AMO share goes.
                withheld = min(pav_left, amo)
                pav_left -= withheld
                amo -= withheld
                amo_gross = amo  # the AMC may pay the PAV: it is the stay's ticket modérateur
                notes.append("care.note.pav")
            if line.kind is LineKind.CONSULTATION and not exempt_pf(stay):
                pf = min(tariffs.at(t.PF, stay.admission) * line.quantity, amo)
                withheld += pf
                amo -= pf
                notes.append("care.note.pf")
            if line.kind is LineKind.STAY_FEES:
                stay_tm += br - amo
            days = stay.days if line.kind is LineKind.STAY_FEES else line.quantity
            amc = _amc(_guarantee_for(line, guarantees), br, price, amo_gross, flat, days)
            results[n] = _result(line, price, br, amo, amc, withheld, 0, notes, pf)
        for n, line in enumerate(lines):
            if results[n] is not None:
                continue
            results[n] = _flat_line(stay, line, guarantees, tariffs, pav, stay_tm, used, spent, flat)
    done = [r for r in results if r is not None]
    return CareInvoice(done, total([r.amounts for r in done]), pav, spent)


def exempt_pf(stay: Stay) -> bool:
    return stay.under_18 or stay.exemption in PF_EXEMPT


def _reimbursed_in_pav_order(lines: Sequence[CareLine]) -> list[int]:
    """The reimbursed lines, stay fees first then acts, each group in its order: the order
    the PAV is taken in."""
    stay = [n for n, line in enumerate(lines) if line.kind is LineKind.STAY_FEES]
    acts = [n for n, line in enumerate(lines) if line.kind in (LineKind.FEE, LineKind.CONSULTATION)]
    return stay + acts


def _flat_line(
    stay: Stay,
    line: CareLine,
    guarantees: Sequence[CareGuarantee],
    tariffs: t.Tariffs,
    pav: bool,
    stay_tm: Decimal,
    used: dict[tuple[Item, int], int],
    spent: dict[tuple[Item, int], int],
    flat: _Flat,
) -> CareLineResult:
    """A line the AMO does not reimburse: FJ, FPU, room, companion, comfort."""
    notes: list[str] = []
    guarantee = _guarantee_for(line, guarantees)
    if line.kind is LineKind.DAILY_CHARGE:
        full = _daily_charge(stay, tariffs)
        if stay.exemption in FJ_EXEMPT:
            # Paid by the AMO: shown, the patient owes nothing.
            return _result(line, full, full, full, ZERO, ZERO, 0, ["care.note.fj_exempt"])
        absorbed = ZERO if pav else min(full, stay_tm)
        if absorbed:
            notes.append("care.note.fj_absorbed")
        price = full - absorbed
        amc = _amc(guarantee, ZERO, price, ZERO, flat, stay.daily_charge_days)
        return _result(line, price, ZERO, ZERO, amc, ZERO, 0, notes)
    if line.kind is LineKind.EMERGENCY:
        if stay.exemption in FPU_EXEMPT:
            return _result(line, ZERO, ZERO, ZERO, ZERO, ZERO, 0, ["care.note.fpu_exempt"])
        code = t.FPU_REDUCED if stay.exemption in FPU_REDUCED else t.FPU
        price = tariffs.at(code, stay.admission) * line.quantity
        amc = _amc(guarantee, ZERO, price, ZERO, flat, line.quantity)
        return _result(line, price, ZERO, ZERO, amc, ZERO, 0, notes)
    price = to_cents(line.unit_price * line.quantity)
    if line.kind is LineKind.COMFORT or guarantee is None:
        return _result(line, price, ZERO, ZERO, ZERO, ZERO, 0, notes)
    days = 0
    if guarantee.basis is Basis.PER_DAY:
        for year in _years(stay, line.quantity):
            key = (guarantee.item, year)
            limit = guarantee.days_per_year
            if limit is not None and used.get(key, 0) + spent.get(key, 0) >= limit:
                if "care.note.limit_reached" not in notes:
                    notes.append("care.note.limit_reached")
                continue
            spent[key] = spent.get(key, 0) + 1
            days += 1
    amc = _amc(guarantee, ZERO, price, ZERO, flat, days, line.unit_price)
    return _result(line, price, ZERO, ZERO, amc, ZERO, days, notes)


def _result(
    line: CareLine,
    price: Decimal,
    br: Decimal,
    amo: Decimal,
    amc: Decimal,
    withheld: Decimal,
    days: int,
    notes: list[str],
    participation: Decimal = ZERO,
) -> CareLineResult:
    price, br, amo, amc = to_cents(price), to_cents(br), to_cents(amo), to_cents(amc)
    amounts = LineAmounts(price=price, br=br, amo=amo, tm=br - amo, amc=amc, patient=price - amo - amc)
    return CareLineResult(line, amounts, to_cents(withheld), days, tuple(notes), to_cents(participation))


def _line_problems(line: CareLine, n: int) -> list[Problem]:
    problems: list[Problem] = []
    if not 1 <= line.quantity <= 999:
        problems.append(Problem("care.quantity", {"quantity": line.quantity}, "quantity", n))
    for name, value in (("unit_price", line.unit_price), ("br_unit", line.br_unit)):
        # Checked before any comparison or arithmetic: NaN, 1E+999999 or 5,000 digits would break them.
        if value is not None and (
            not value.is_finite()
            or abs(value) > MAX_AMOUNT
            or value != value.quantize(Decimal("0.01"), context=Context(prec=PRECISION))
        ):
            problems.append(Problem("care.amount", {}, name, n))
    if problems and problems[-1].code == "care.amount":
        return problems
    if line.unit_price < 0 or (line.br_unit is not None and line.br_unit < 0):
        problems.append(Problem("care.negative", {}, "unit_price", n))
    if line.amo_rate is not None and (not line.amo_rate.is_finite() or not 0 <= line.amo_rate <= HUNDRED):
        problems.append(Problem("care.rate", {"rate": f"{line.amo_rate:f}"}, "amo_rate", n))
    if line.kind in (LineKind.FEE, LineKind.CONSULTATION, LineKind.STAY_FEES) and line.br_unit is None:
        problems.append(Problem("care.br_missing", {"code": line.code}, "br_unit", n))
    if line.kind in (LineKind.FEE, LineKind.CONSULTATION) and line.br_unit is not None:
        if line.unit_price < line.br_unit:
            problems.append(Problem("care.below_br", {"code": line.code}, "unit_price", n))
    if line.kind is LineKind.STAY_FEES and line.br_unit is not None and line.unit_price != line.br_unit:
        problems.append(Problem("care.stay_fees_br", {}, "unit_price", n))
    return problems


i18n.register(
    {
        "care.discharge_before_admission": i18n.N_(
            "La date de sortie précède la date d'entrée : corrigez l'une des deux."
        ),
        "care.quantity": i18n.N_("La quantité {quantity} ne convient pas : de 1 à 999."),
        "care.rate": i18n.N_("Le taux AMO {rate} % ne convient pas : de 0 à 100 %."),
        "care.negative": i18n.N_("Un montant est négatif : saisissez le prix tel qu'il est facturé."),
        "care.amount": i18n.N_("Ce montant ne convient pas : au centime près et au plus 999 999 999,99 €."),
        "care.br_missing": i18n.N_("L'acte {code} n'a pas de base de remboursement : saisissez-la."),
        "care.below_br": i18n.N_(
            "L'acte {code} est facturé sous sa base de remboursement : le prix facturé est au moins la BR."
        ),
        "care.stay_fees_br": i18n.N_(
            "Les frais de séjour sont facturés à leur base de remboursement : le prix et la BR doivent être égaux."
        ),
        "care.note.exempt": i18n.N_("exonéré du ticket modérateur : l'AMO paie 100 % de la BR"),
        "care.note.pav": i18n.N_("participation forfaitaire de l'acte lourd retenue sur ce séjour"),
        "care.note.pf": i18n.N_("participation forfaitaire retenue par l'AMO, jamais payée par la complémentaire"),
        "care.note.fj_exempt": i18n.N_("forfait journalier pris en charge par l'AMO"),
        "care.note.fj_absorbed": i18n.N_("forfait journalier imputé sur le ticket modérateur"),
        "care.note.fpu_exempt": i18n.N_("patient exonéré du forfait urgences"),
        "care.note.limit_reached": i18n.N_("plafond annuel de jours atteint"),
    }
)
