"""A clinic's guarantees: what an AMC contract pays per item of a stay or a consultation.

Contracts print them item by item, in four ways (docs/clinics.md):

- a percentage of the BR *including* the AMO part: "HONO OPTAM 200 % BR", "SEJOUR 100 % BR";
- a percentage of the actual expense (frais réels), AMO part included: "FJ 100 % FR";
- an amount per day (or night), often with a number of days a year: "CP 50 €/j 60 j/an";
- a flat amount: "ACC 150 €".

`parse_guarantee` reads what staff type into a `CareGuarantee`, naming every problem;
`responsible_contract_warnings` says which clauses of a *contrat responsable* (CSS R871-2) a
set of guarantees does not meet, as warnings: the guarantee printed on the card is what the
AMC pays, even when it breaks a rule.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from verifier import i18n
from verifier.domain.errors import Problem, ValidationError
from verifier.domain.money import decimal_places, format_rate, normalize_rate


class Item(StrEnum):
    """What a guarantee covers."""

    STAY = "SEJ"  # frais de séjour
    DAILY_CHARGE = "FJ"  # forfait journalier
    FEES_OPTAM = "HONO_OPTAM"  # honoraires of a doctor in OPTAM (or secteur 1)
    FEES_NON_OPTAM = "HONO_NON_OPTAM"  # honoraires of a secteur 2 doctor outside OPTAM
    FEES = "HONO"  # honoraires, whoever the doctor (when the card does not tell them apart)
    ROOM = "CP"  # chambre particulière
    COMPANION = "ACC"  # accompanying person's bed and meals
    EMERGENCY = "FPU"  # forfait patient urgences
    CONSULTATION = "CONS"  # consultations and acts outside a stay


class Basis(StrEnum):
    PERCENT_BR = "%BR"  # percent of the BR, AMO part included
    PERCENT_ACTUAL = "%FR"  # percent of the actual expense, AMO part included
    PER_DAY = "EUR/J"  # euros per day, up to `days_per_year` days a calendar year
    FLAT = "EUR"  # euros, once per claim


MAX_PERCENT = Decimal(1000)
MAX_AMOUNT = Decimal(10000)
MAX_DAYS_PER_YEAR = 366

# What staff type for each item (accents, case, spaces and dashes do not matter).
_ITEM_WORDS: dict[str, Item] = {
    "SEJ": Item.STAY,
    "SEJOUR": Item.STAY,
    "FRAIS DE SEJOUR": Item.STAY,
    "FS": Item.STAY,
    "FJ": Item.DAILY_CHARGE,
    "FORFAIT JOURNALIER": Item.DAILY_CHARGE,
    "FORFAIT HOSPITALIER": Item.DAILY_CHARGE,
    "HONO OPTAM": Item.FEES_OPTAM,
    "HONORAIRES OPTAM": Item.FEES_OPTAM,
    "HONO NON OPTAM": Item.FEES_NON_OPTAM,
    "HONORAIRES NON OPTAM": Item.FEES_NON_OPTAM,
    "HONO": Item.FEES,
    "HONORAIRES": Item.FEES,
    "CP": Item.ROOM,
    "CHAMBRE": Item.ROOM,
    "CHAMBRE PARTICULIERE": Item.ROOM,
    "ACC": Item.COMPANION,
    "ACCOMPAGNANT": Item.COMPANION,
    "LIT ACCOMPAGNANT": Item.COMPANION,
    "FPU": Item.EMERGENCY,
    "URGENCES": Item.EMERGENCY,
    "CONS": Item.CONSULTATION,
    "CONSULTATION": Item.CONSULTATION,
    "CONSULTATIONS": Item.CONSULTATION,
}

_NUMBER = r"(\d+(?:[.,]\d+)?)"
_PERCENT = re.compile(rf"^{_NUMBER}\s*%\s*(BR|FR|FRAIS REELS|DE LA BR|DES FRAIS REELS)?$")
_PER_DAY = re.compile(
    rf"^{_NUMBER}\s*(?:€|EUR|EUROS?)?\s*/\s*(?:J|JOUR|N|NUIT)"
    rf"(?:\s*,?\s*(\d+)\s*(?:J|JOURS?|N|NUITS?)\s*(?:/|PAR)\s*AN)?$"
)
_FLAT = re.compile(rf"^{_NUMBER}\s*(?:€|EUR|EUROS?)$")
_VALUE_START = re.compile(r"\d")


@dataclass(frozen=True)
class CareGuarantee:
    item: Item
    basis: Basis
    value: Decimal  # a percentage, or euros
    days_per_year: int | None = None  # PER_DAY only; None: no yearly limit

    def text(self) -> str:
        """As a card prints it: "CP 50 €/j 60 j/an", "HONO OPTAM 200 % BR"."""
        item = self.item.value.replace("_", " ")
        if self.basis is Basis.PERCENT_BR:
            return f"{item} {format_rate(self.value)} % BR"
        if self.basis is Basis.PERCENT_ACTUAL:
            return f"{item} {format_rate(self.value)} % FR"
        amount = format_rate(self.value)
        if self.basis is Basis.FLAT:
            return f"{item} {amount} €"
        limit = f" {self.days_per_year} j/an" if self.days_per_year else ""
        return f"{item} {amount} €/j{limit}"


def _plain(text: str) -> str:
    """Upper case, no accents, one space between words, no dashes."""
    decomposed = unicodedata.normalize("NFKD", text)
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    bare = bare.upper().replace("-", " ").replace("\u00a0", " ").replace("\u202f", " ")
    return " ".join(bare.split())


def parse_guarantee(text: str) -> CareGuarantee:
    """What staff typed ("CP 50 €/j 60 j/an") as a guarantee; ValidationError naming each problem."""
    plain = _plain(text)
    if not plain:
        raise ValidationError([Problem("care_guarantee.empty", {}, "guarantee")])
    start = _VALUE_START.search(plain)
    words = plain[: start.start()].strip() if start else plain
    value_text = plain[start.start() :].strip() if start else ""
    problems: list[Problem] = []
    item = _ITEM_WORDS.get(words)
    if item is None:
        items = ", ".join(sorted({i.value.replace("_", " ") for i in Item}))
        problems.append(Problem("care_guarantee.item", {"item": words or text.strip(), "items": items}, "guarantee"))
    if not value_text:
        problems.append(Problem("care_guarantee.value_missing", {"text": text.strip()}, "guarantee"))
        raise ValidationError(problems)
    guarantee = _value(item or Item.STAY, value_text, text.strip(), problems)
    if problems or guarantee is None:
        raise ValidationError(problems)
    return guarantee


def _number(text: str) -> Decimal:
    return Decimal(text.replace(",", "."))  # the patterns let only digits and one mark through


def _value(item: Item, value_text: str, original: str, problems: list[Problem]) -> CareGuarantee | None:
    if m := _PERCENT.match(value_text):
        rate = normalize_rate(_number(m.group(1)))
        kind = m.group(2) or "BR"
        basis = Basis.PERCENT_ACTUAL if "FR" in kind or "FRAIS" in kind else Basis.PERCENT_BR
        if not 0 <= rate <= MAX_PERCENT:
            problems.append(
                Problem(
                    "care_guarantee.percent_range",
                    {"rate": format_rate(rate), "maximum": format_rate(MAX_PERCENT)},
                    "guarantee",
                )
            )
        elif decimal_places(rate) > 2:
            problems.append(Problem("care_guarantee.too_precise", {"value": format_rate(rate)}, "guarantee"))
        return CareGuarantee(item, basis, rate)
    per_day = _PER_DAY.match(value_text)
    flat = _FLAT.match(value_text)
    if per_day or flat:
        match = per_day or flat
        assert match is not None
        amount = normalize_rate(_number(match.group(1)))
        if not 0 < amount <= MAX_AMOUNT:
            problems.append(
                Problem("care_guarantee.amount_range", {"amount": format_rate(amount), "maximum": "10000"}, "guarantee")
            )
        elif decimal_places(amount) > 2:
            problems.append(Problem("care_guarantee.too_precise", {"value": format_rate(amount)}, "guarantee"))
        if flat:
            return CareGuarantee(item, Basis.FLAT, amount)
        days = int(per_day.group(2)) if per_day and per_day.group(2) else None
        if days is not None and not 1 <= days <= MAX_DAYS_PER_YEAR:
            problems.append(Problem("care_guarantee.days_range", {"days": days}, "guarantee"))
        return CareGuarantee(item, Basis.PER_DAY, amount, days)
    problems.append(Problem("care_guarantee.value", {"text": original}, "guarantee"))
    return None


def parse_guarantees(texts: Sequence[str]) -> list[CareGuarantee]:
    """Several guarantees, every problem of every one at once (each placed on its line);
    one item twice is refused."""
    problems: list[Problem] = []
    found: list[CareGuarantee] = []
    for n, text in enumerate(texts, start=1):
        if not text.strip():
            continue
        try:
            g = parse_guarantee(text)
        except ValidationError as exc:
            problems += [p.on_line(n) for p in exc.problems]
            continue
        if any(other.item is g.item for other in found):
            problems.append(Problem("care_guarantee.twice", {"item": g.item.value.replace("_", " ")}, "guarantee", n))
        found.append(g)
    if problems:
        raise ValidationError(problems)
    return found


def find(guarantees: Sequence[CareGuarantee], *items: Item) -> CareGuarantee | None:
    """The first of `items` the guarantees cover, in the order asked."""
    for item in items:
        for g in guarantees:
            if g.item is item:
                return g
    return None


def responsible_contract_warnings(guarantees: Sequence[CareGuarantee]) -> list[Problem]:
    """The contrat-responsable clauses these guarantees miss (CSS R871-2), as warnings."""
    warnings: list[Problem] = []
    fj = find(guarantees, Item.DAILY_CHARGE)
    if fj is None or fj.basis is not Basis.PERCENT_ACTUAL or fj.value < 100:
        warnings.append(Problem("care_guarantee.responsible_fj", {}, "guarantee"))
    stay = find(guarantees, Item.STAY)
    if stay is not None and stay.basis is Basis.PERCENT_BR and stay.value < 100:
        warnings.append(Problem("care_guarantee.responsible_tm", {"rate": format_rate(stay.value)}, "guarantee"))
    optam = find(guarantees, Item.FEES_OPTAM, Item.FEES)
    non_optam = find(guarantees, Item.FEES_NON_OPTAM)
    if non_optam is not None and non_optam.basis is Basis.PERCENT_BR:
        if non_optam.value > 200:
            warnings.append(
                Problem("care_guarantee.responsible_non_optam", {"rate": format_rate(non_optam.value)}, "guarantee")
            )
        if optam is not None and optam.basis is Basis.PERCENT_BR and non_optam.value > optam.value - 20:
            warnings.append(
                Problem(
                    "care_guarantee.responsible_gap",
                    {"optam": format_rate(optam.value), "non_optam": format_rate(non_optam.value)},
                    "guarantee",
                )
            )
    return warnings


i18n.register(
    {
        "care_guarantee.empty": i18n.N_(
            "La garantie est vide : tapez-la comme sur l'attestation, par exemple « FJ 100 % FR »."
        ),
        "care_guarantee.item": i18n.N_(
            "« {item} » n'est pas un poste connu : utilisez l'un de {items}, puis le montant (« CP 50 €/j 60 j/an »)."
        ),
        "care_guarantee.value_missing": i18n.N_(
            "« {text} » ne dit pas combien : ajoutez « 100 % BR », « 100 % FR », « 50 €/j » ou un montant."
        ),
        "care_guarantee.value": i18n.N_(
            "« {text} » ne se lit pas : écrivez « 200 % BR », « 100 % FR », « 50 €/j 60 j/an » ou « 150 € »."
        ),
        "care_guarantee.percent_range": i18n.N_("Le taux {rate} % doit être compris entre 0 et {maximum} %."),
        "care_guarantee.amount_range": i18n.N_("Le montant {amount} € doit être supérieur à 0 et au plus {maximum} €."),
        "care_guarantee.too_precise": i18n.N_("{value} a trop de décimales : deux au plus."),
        "care_guarantee.days_range": i18n.N_("{days} jours par an : le nombre doit aller de 1 à 366."),
        "care_guarantee.twice": i18n.N_("Le poste {item} est saisi deux fois : gardez une seule garantie par poste."),
        "care_guarantee.responsible_fj": i18n.N_(
            "Contrat responsable : le forfait journalier doit être pris en charge sans limite de durée (« FJ 100 % FR », CSS R871-2)."
        ),
        "care_guarantee.responsible_tm": i18n.N_(
            "Contrat responsable : les frais de séjour doivent être couverts à 100 % BR au moins (tout le ticket modérateur), la carte dit {rate} %."
        ),
        "care_guarantee.responsible_non_optam": i18n.N_(
            "Contrat responsable : hors OPTAM, le dépassement est couvert à 100 % BR au plus (200 % BR en tout), la carte dit {rate} %."
        ),
        "care_guarantee.responsible_gap": i18n.N_(
            "Contrat responsable : hors OPTAM, la garantie ({non_optam} % BR) doit être inférieure d'au moins 20 points à celle des médecins OPTAM ({optam} % BR)."
        ),
    }
)
