"""Prestation codes and the mutuelle guarantees that cover them.

The mutuelle card lists guarantees by domain (PHAR for the pharmacy, sometimes LPP for
devices), each as a percentage of the base de remboursement (BR) *including* the AMO
part. This module decides which guarantee, if any, applies to a billed line; the
arithmetic itself lives in `verifier.domain.claims`.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from verifier import i18n
from verifier.domain.errors import Problem, ValidationError
from verifier.domain.money import (
    decimal_places,
    format_rate,
    normalize_rate,
    require_decimal,
)

# AMO rate (percent of the BR) usually attached to each prestation code. LPP devices have
# no single rate: it is given per item (usually 60%). The rate actually billed is entered
# per line, because some régimes and situations (Alsace-Moselle, ALD, maternity) pay more.
PRESTATION_RATES: dict[str, Decimal | None] = {
    "PH7": Decimal(65),
    "PH4": Decimal(30),
    "PH2": Decimal(15),
    "PH1": Decimal(100),
    "PMR": Decimal(65),
    "PM4": Decimal(35),
    "PMH": Decimal(35),
    "PHN": Decimal(0),
    "LPP": None,
    # A pharmacy's fees per prescription and on-call fees (issue 13, domain.pharmacy_fees):
    # billed once per prescription as lines of their own, at the rate the service computes
    # (dated, domain.tariffs); the usual one here. HDR/HDA/HDE move to 100 % when the
    # prescription holds a drug of the R160-8 list.
    "HDR": Decimal(70),
    "HDA": Decimal(70),
    "HDE": Decimal(70),
    "HC": Decimal(100),
    "GPN": Decimal(65),
    "GPD": Decimal(65),
    "GPF": Decimal(65),
    "UPH": Decimal(65),
}
# The acts' usual AMO rates (domain.pharmacy_acts has their labels and amounts).
ACT_RATES: dict[str, Decimal] = {
    **dict.fromkeys(("RVA", "VGP", "TRD", "PEE", "AKI", "AKS", "AOI", "AOS", "ASI", "ASS"), Decimal(70)),
    **dict.fromkeys(("BMI", "BMT", "BMS"), Decimal(70)),
    **dict.fromkeys(("INJ", "TAC", "AC1", "AC2", "AC3", "AC4"), Decimal(100)),
}
PRESTATION_RATES.update(ACT_RATES)
# The fees among them: their ticket modérateur is paid under the pharmacy guarantee (PHAR).
FEE_CODES = frozenset({"HDR", "HDA", "HDE", "HC", "GPN", "GPD", "GPF", "UPH"})

# A pharmacist's acts (vaccination, rapid tests, interviews): lines of their own (issue 13,
# domain.pharmacy_acts), their ticket modérateur paid under the pharmacy guarantee (PHAR).
ACT_CODES = frozenset(ACT_RATES)


def line_kind(prestation_code: str) -> str:
    """What a pharmacy line is, as the export names it: "fee" (per prescription or on call),
    "act" (a pharmacist's act) or "item" (a box, a device, a preparation)."""
    code = normalize_prestation_code(prestation_code)
    return "fee" if code in FEE_CODES else "act" if code in ACT_CODES else "item"


LPP = "LPP"
PHAR = "PHAR"
PH2 = "PH2"
PHN = "PHN"

# Drugs and preparations covered by the PHAR domain (the 15% drugs, PH2, are not: a
# pharmacy that applied PHAR to a 15% drug was refused payment).
PHAR_CODES = frozenset({"PH7", "PH4", "PH1", "PMR", "PM4", "PMH"}) | FEE_CODES | frozenset(ACT_RATES)
# Medicines: boxes and preparations, the lines that bear the franchise (CSS D160-9), not the
# fees nor the pharmacist's acts.
DRUG_CODES = frozenset({"PH7", "PH4", "PH2", "PH1", "PMR", "PM4", "PMH"})

_RATE_TO_CODE: dict[Decimal, str] = {
    Decimal(65): "PH7",
    Decimal(30): "PH4",
    Decimal(15): "PH2",
    Decimal(100): "PH1",
    Decimal(0): PHN,
}

# A device is billed with its 7-digit LPP code.
_LPP_CODE = re.compile(r"[0-9]{7}")

DOMAIN_MAX_LENGTH = 10
GUARANTEE_MAX_RATE = Decimal(1000)

i18n.register(
    {
        "prestation.unknown_rate": i18n.N_(
            "Aucun code de prestation ne correspond au taux de {rate} % : choisissez le code de prestation vous-même."
        ),
        "guarantee.domain_empty": i18n.N_(
            "Le domaine de la garantie est vide : recopiez le code imprimé sur la carte de mutuelle, par exemple PHAR."
        ),
        "guarantee.domain_too_long": i18n.N_(
            "Le domaine de garantie « {domain} » dépasse {maximum} caractères : recopiez seulement le code imprimé sur la carte."
        ),
        "guarantee.rate_out_of_range": i18n.N_(
            "Le taux de garantie de {rate} % doit être compris entre 0 et {maximum} % de la BR : corrigez-le."
        ),
        "guarantee.rate_too_precise": i18n.N_(
            "Le taux de garantie de {rate} % a plus de deux décimales : arrondissez-le."
        ),
        "coverage.unknown_prestation": i18n.N_(
            "Le code de prestation « {code} » est inconnu : utilisez PH7, PH4, PH2, PH1, PMR, PM4, PMH, PHN ou un code LPP à 7 chiffres."
        ),
        "coverage.not_reimbursable": i18n.N_(
            "Ce produit n'est pas remboursable (PHN) : la mutuelle ne le prend pas en charge, le patient le règle."
        ),
        "coverage.ph2_not_covered": i18n.N_(
            "La garantie PHAR ne couvre pas les médicaments remboursés à 15 % (PH2) : faites régler le ticket modérateur par le patient, sauf si la carte de mutuelle les mentionne."
        ),
        "coverage.no_guarantee": i18n.N_(
            "Aucune garantie {domain} n'est saisie pour ce patient : vérifiez la carte de mutuelle ou faites régler la part complémentaire par le patient."
        ),
    }
)


def normalize_prestation_code(code: str) -> str:
    """`code` stripped and upper-cased; a 7-digit LPP code stays as typed."""
    if not isinstance(code, str):
        raise TypeError(f"prestation code must be a str, not {type(code).__name__}")
    return code.strip().upper()


def is_lpp(code: str) -> bool:
    """Whether `code` bills a device: the generic "LPP" or a 7-digit LPP code."""
    normalized = normalize_prestation_code(code)
    return normalized == LPP or _LPP_CODE.fullmatch(normalized) is not None


def is_known_prestation(code: str) -> bool:
    """Whether `code` is one of `PRESTATION_RATES` or a 7-digit LPP code."""
    return normalize_prestation_code(code) in PRESTATION_RATES or is_lpp(code)


def prestation_for_rate(rate: Decimal | None) -> str:
    """The drug prestation code usually billed at an AMO `rate` (percent).

    65 -> PH7, 30 -> PH4, 15 -> PH2, 100 -> PH1, None or 0 -> PHN. Any other rate (35 is
    both PM4 and PMH, 60 is a device) has no single answer: ValidationError
    ``prestation.unknown_rate``.
    """
    if rate is None:
        return PHN
    value = require_decimal(rate, "rate")
    code = _RATE_TO_CODE.get(value)
    if code is None:
        raise ValidationError(
            [
                Problem(
                    "prestation.unknown_rate",
                    {"rate": format_rate(value)},
                    field="prestation_code",
                )
            ]
        )
    return code


@dataclass(frozen=True)
class Guarantee:
    """One guarantee read from the mutuelle card.

    `domain` is the code printed on the card (PHAR, LPP, ...), kept as free text but
    stripped and upper-cased. `rate` is a percentage of the BR *including* the AMO part:
    100 means AMO + AMC = 100% of the BR (the AMC pays the ticket modérateur), 200 also
    pays above the BR. `covers_ph2` is set only when the card says the 15% drugs are
    covered too. Raises ValidationError with every problem; TypeError for a float rate.
    """

    domain: str
    rate: Decimal
    covers_ph2: bool = False

    def __post_init__(self) -> None:
        if not isinstance(self.domain, str):
            raise TypeError(f"domain must be a str, not {type(self.domain).__name__}")
        rate = require_decimal(self.rate, "rate")
        domain = self.domain.strip().upper()
        problems: list[Problem] = []
        if not domain:
            problems.append(Problem("guarantee.domain_empty", field="domain"))
        elif len(domain) > DOMAIN_MAX_LENGTH:
            problems.append(
                Problem(
                    "guarantee.domain_too_long",
                    {"domain": domain, "maximum": DOMAIN_MAX_LENGTH},
                    field="domain",
                )
            )
        if not 0 <= rate <= GUARANTEE_MAX_RATE:
            problems.append(
                Problem(
                    "guarantee.rate_out_of_range",
                    {"rate": format_rate(rate), "maximum": format_rate(GUARANTEE_MAX_RATE)},
                    field="rate",
                )
            )
        elif decimal_places(normalize_rate(rate)) > 2:
            problems.append(Problem("guarantee.rate_too_precise", {"rate": format_rate(rate)}, field="rate"))
        if problems:
            raise ValidationError(problems)
        # Frozen dataclass: store the normalised values through object.__setattr__.
        object.__setattr__(self, "domain", domain)
        object.__setattr__(self, "rate", normalize_rate(rate))
        object.__setattr__(self, "covers_ph2", bool(self.covers_ph2))


def _find(domain: str, guarantees: Sequence[Guarantee]) -> Guarantee | None:
    """The first guarantee of `domain` (a card lists each domain once; first one wins)."""
    for guarantee in guarantees:
        if guarantee.domain == domain:
            return guarantee
    return None


def guarantee_for(prestation_code: str, guarantees: Sequence[Guarantee]) -> Guarantee | None:
    """The guarantee that pays the AMC share of a line billed with `prestation_code`.

    Drugs and preparations (PH7, PH4, PH1, PMR, PM4, PMH) use PHAR. Devices (LPP or a
    7-digit code) use an LPP guarantee when the card has one, PHAR otherwise. PH2 uses
    PHAR only when that guarantee says `covers_ph2`. PHN and unknown codes: None.
    """
    code = normalize_prestation_code(prestation_code)
    if is_lpp(code):
        return _find(LPP, guarantees) or _find(PHAR, guarantees)
    if code in PHAR_CODES:
        return _find(PHAR, guarantees)
    if code == PH2:
        phar = _find(PHAR, guarantees)
        return phar if phar is not None and phar.covers_ph2 else None
    return None


def coverage_problem(prestation_code: str, guarantees: Sequence[Guarantee]) -> Problem | None:
    """Why the mutuelle does not pay a line billed with `prestation_code`, or None.

    Codes: ``coverage.unknown_prestation``, ``coverage.not_reimbursable`` (PHN),
    ``coverage.ph2_not_covered``, ``coverage.no_guarantee`` (no PHAR/LPP guarantee).
    """
    code = normalize_prestation_code(prestation_code)
    if not is_known_prestation(code):
        return Problem("coverage.unknown_prestation", {"code": code}, field="prestation_code")
    if code == PHN:
        return Problem("coverage.not_reimbursable", field="prestation_code")
    if guarantee_for(code, guarantees) is not None:
        return None
    if code == PH2 and _find(PHAR, guarantees) is not None:
        return Problem("coverage.ph2_not_covered", field="prestation_code")
    return Problem("coverage.no_guarantee", {"domain": PHAR}, field="prestation_code")
