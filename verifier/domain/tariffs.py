"""Dated reference values of French health insurance that a clinic's invoice depends on.

Each value holds from its date until the next one of the same code: a claim uses the value
in force on the day it concerns (the day of discharge for a stay's flat charges, the day of
the act for a consultation). The administrator can add a later value when a decree changes
one (`Tariffs.with_values`); the shipped ones are below with their sources
(docs/clinics.md gives the details and the links).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from verifier import i18n
from verifier.domain.errors import Problem, ValidationError
from verifier.domain.money import require_decimal, to_cents

# The codes, and what each is.
FJ = "FJ"  # forfait journalier hospitalier, per day (CSS L174-4)
FJ_PSY = "FJ_PSY"  # the same in a psychiatric service
PAV = "PAV"  # participation forfaitaire replacing the ticket modérateur (acts >= 120 EUR)
PAV_THRESHOLD = "PAV_SEUIL"  # the tariff from which an act brings the PAV
FPU = "FPU"  # forfait patient urgences (emergency visit without admission)
FPU_REDUCED = "FPU_MIN"  # the reduced FPU (ALD, work accident < 2/3)
PF = "PF"  # participation forfaitaire on a doctor's act (CSS L160-13 II), never paid by an AMC
G = "G"  # NGAP letter G: a general practitioner's consultation

# A pharmacy's fees per prescription and its on-call fees (issue 13, domain.pharmacy_fees),
# the franchise on boxes (withheld by the AMO, never paid by an AMC) and its yearly cap.
HDR, HDA, HDE, HC = "HDR", "HDA", "HDE", "HC"
GPN, GPD, GPF, UPH = "GPN", "GPD", "GPF", "UPH"
FRANCHISE_BOX, FRANCHISE_CAP = "FRANCHISE_BOITE", "FRANCHISE_PLAFOND"
# AMO rates (percent) where the sources disagree or are silent: dated values too.
RATE_FEES, RATE_ON_CALL = "TAUX_HONORAIRES", "TAUX_GARDE"
RATE_CODES = (RATE_FEES, RATE_ON_CALL)

# A pharmacist's acts with a shipped amount (domain.pharmacy_acts): the act's code, or a
# second price of the same act (with the pharmacist's prescription, with an antibiotic).
RVA, RVA_PRESCRIPTION, VGP, INJ, TAC = "RVA", "RVA_PRESCRIPTION", "VGP", "INJ", "TAC"
TRD, TRD_ANTIBIOTIC, PEE, PEE_ANTIBIOTIC = "TRD", "TRD_ANTIBIOTIQUE", "PEE", "PEE_ANTIBIOTIQUE"
ACT_TARIFFS = (RVA, RVA_PRESCRIPTION, VGP, INJ, TAC, TRD, TRD_ANTIBIOTIC, PEE, PEE_ANTIBIOTIC)

CODES: tuple[str, ...] = (FJ, FJ_PSY, PAV, PAV_THRESHOLD, FPU, FPU_REDUCED, PF, G)
CODES += (HDR, HDA, HDE, HC, GPN, GPD, GPF, UPH, FRANCHISE_BOX, FRANCHISE_CAP, RATE_FEES, RATE_ON_CALL)
CODES += ACT_TARIFFS


@dataclass(frozen=True)
class Tariff:
    """`amount` euros for `code` from `since` (inclusive) on."""

    code: str
    since: date
    amount: Decimal
    source: str = ""

    def __post_init__(self) -> None:
        amount = require_decimal(self.amount, "amount")
        problems = []
        if self.code not in CODES:
            problems.append(Problem("tariff.unknown_code", {"code": self.code, "codes": ", ".join(CODES)}, "code"))
        if amount < 0 or to_cents(amount) != amount:
            problems.append(Problem("tariff.bad_amount", {"amount": f"{amount:f}"}, "amount"))
        elif self.code in RATE_CODES and amount > 100:
            problems.append(Problem("tariff.bad_rate", {"amount": f"{amount:f}"}, "amount"))
        if problems:
            raise ValidationError(problems)


# Shipped values: the older ones too, so that a claim about an earlier stay is right.
SHIPPED: tuple[Tariff, ...] = (
    Tariff(FJ, date(2010, 1, 1), Decimal("18.00"), "forfait journalier depuis le 1er janvier 2010"),
    Tariff(FJ, date(2018, 1, 1), Decimal("20.00"), "forfait journalier depuis le 1er janvier 2018 (MSA, ameli.fr)"),
    Tariff(FJ_PSY, date(2010, 1, 1), Decimal("13.50"), "forfait journalier depuis le 1er janvier 2010"),
    Tariff(FJ_PSY, date(2018, 1, 1), Decimal("15.00"), "forfait journalier depuis le 1er janvier 2018 (MSA, ameli.fr)"),
    Tariff(PAV, date(2011, 1, 1), Decimal("18.00"), "participation de 18 euros (CSS R160-16)"),
    Tariff(PAV, date(2019, 1, 1), Decimal("24.00"), "ameli.fr, le forfait à 24 euros (depuis le 1er janvier 2019)"),
    Tariff(
        PAV_THRESHOLD,
        date(2011, 1, 1),
        Decimal("120.00"),
        "ameli.fr, le forfait à 24 euros (acte >= 120 euros ou coefficient >= 60)",
    ),
    Tariff(FPU, date(2022, 1, 1), Decimal("19.61"), "forfait patient urgences (JO du 29 décembre 2021, MSA)"),
    Tariff(FPU_REDUCED, date(2022, 1, 1), Decimal("8.49"), "forfait patient urgences (JO du 29 décembre 2021, MSA)"),
    Tariff(PF, date(2005, 1, 1), Decimal("1.00"), "participation forfaitaire de 1 euro (CSS L160-13 II)"),
    Tariff(PF, date(2024, 5, 15), Decimal("2.00"), "participation forfaitaire de 2 euros depuis le 15 mai 2024"),
    Tariff(G, date(2023, 11, 1), Decimal("26.50"), "G à 26,50 euros depuis le 1er novembre 2023"),
    Tariff(
        G,
        date(2024, 12, 22),
        Decimal("30.00"),
        "G à 30 euros depuis le 22 décembre 2024 (convention médicale 2024-2029)",
    ),
    # Pharmacy (docs/pharmacy-fees.md gives the sources, quoted, and where they disagree).
    Tariff(HDR, date(2019, 1, 1), Decimal("0.51"), "ameli.fr, honoraires de dispensation (12 février 2019)"),
    Tariff(HDR, date(2025, 1, 8), Decimal("0.61"), "avenant 1 à la convention de 2022 (JO du 7 juillet 2024) ; presse"),
    Tariff(HDA, date(2019, 1, 1), Decimal("0.51"), "ameli.fr, honoraires de dispensation (12 février 2019)"),
    Tariff(HDA, date(2020, 1, 1), Decimal("1.58"), "Le Pharmacien de France, janvier 2020"),
    Tariff(HDA, date(2026, 1, 1), Decimal("1.68"), "avenant 1 à la convention de 2022 ; Le Quotidien du pharmacien"),
    Tariff(HDE, date(2019, 1, 1), Decimal("2.04"), "Le Pharmacien de France, janvier 2020 (valeur 2019)"),
    Tariff(HDE, date(2020, 1, 1), Decimal("3.57"), "Le Pharmacien de France, janvier 2020"),
    Tariff(HC, date(2015, 1, 1), Decimal("0.51"), "honoraire d'ordonnance complexe (0,50 euro HT)"),
    Tariff(HC, date(2020, 1, 1), Decimal("0.31"), "avenant 19 ; Le Pharmacien de France, janvier 2020"),
    # The AMO rate of HDR, HDA and HDE, in percent: 70 % (FSPF, Assurance Maladie quoted by
    # the press); the worked example used 65 %. An administrator corrects it by adding a
    # dated value. Moved to 100 % by a drug of the R160-8 list whatever this value.
    Tariff(
        RATE_FEES, date(2019, 1, 1), Decimal("70.00"), "Le Pharmacien de France, janvier 2020 : pris en charge à 70 %"
    ),
    # On call (avenant 1, JO du 7 juillet 2024), per prescription, outside opening hours only.
    Tariff(
        GPN,
        date(2019, 1, 1),
        Decimal("8.00"),
        "garde de nuit avant 2025 (Le Quotidien du pharmacien, 2018) ; début à vérifier",
    ),
    Tariff(GPN, date(2025, 1, 8), Decimal("10.00"), "avenant 1 : la nuit, de 20 h à 0 h et de 6 h à 8 h"),
    Tariff(
        GPD,
        date(2019, 1, 1),
        Decimal("5.00"),
        "dimanche avant 2025 (Le Quotidien du pharmacien, 2018) ; début à vérifier",
    ),
    Tariff(GPD, date(2025, 1, 8), Decimal("6.00"), "avenant 1 : les dimanches et jours fériés, de 8 h à 20 h"),
    Tariff(
        GPF,
        date(2019, 1, 1),
        Decimal("5.00"),
        "jour férié avant 2025 (Le Quotidien du pharmacien, 2018) ; début à vérifier",
    ),
    Tariff(GPF, date(2025, 1, 8), Decimal("6.00"), "avenant 1 : les dimanches et jours fériés, de 8 h à 20 h"),
    Tariff(
        UPH, date(2019, 1, 1), Decimal("2.00"), "avenant 1 : le jour, hors des heures d'ouverture, 2 euros (inchangé)"
    ),
    # Not found in any source: the AMO rate of the on-call fees. The 65 % (TM 35 %).
    Tariff(RATE_ON_CALL, date(2019, 1, 1), Decimal("65.00"), "taux non trouvé dans les sources : à corriger si besoin"),
    Tariff(FRANCHISE_BOX, date(2008, 1, 1), Decimal("0.50"), "CSS D160-9 a) : 0,5 euro par boîte"),
    Tariff(FRANCHISE_BOX, date(2024, 3, 31), Decimal("1.00"), "CSS D160-9 a) (décret 2024-114) : 1 euro par boîte"),
    Tariff(FRANCHISE_CAP, date(2008, 1, 1), Decimal("50.00"), "CSS D160-10 : 50 euros par année civile"),
    # A pharmacist's acts (docs/pharmacy-fees.md: ameli.fr, avenant 1, the pharmacy press).
    Tariff(
        RVA, date(2022, 11, 7), Decimal("7.50"), "Le Moniteur des pharmacies, 2 janvier 2024 : injection, 7,50 euros"
    ),
    Tariff(
        RVA_PRESCRIPTION,
        date(2023, 8, 10),
        Decimal("9.60"),
        "avenant 1, article 6 (JO du 7 juillet 2024) : prescription et injection, 9,6 euros",
    ),
    Tariff(VGP, date(2019, 1, 1), Decimal("6.30"), "vaccination antigrippale avant le 7 novembre 2022 (presse)"),
    Tariff(VGP, date(2022, 11, 7), Decimal("7.50"), "Le Quotidien du pharmacien : code acte VGP à 7,50 euros"),
    Tariff(
        INJ, date(2021, 1, 1), Decimal("7.90"), "Le Moniteur des pharmacies, 2 janvier 2024 : code acte INJ, 7,90 euros"
    ),
    Tariff(TAC, date(2020, 1, 1), Decimal("0.01"), "convention pharmaceutique 2022 : adhésion, 0,01 euro"),
    Tariff(
        TRD, date(2024, 6, 18), Decimal("10.00"), "décret 2024-550 ; presse : test négatif ou ordonnance conditionnelle"
    ),
    Tariff(
        TRD_ANTIBIOTIC,
        date(2024, 6, 18),
        Decimal("15.00"),
        "décret 2024-550 ; presse : test et antibiotique sans ordonnance",
    ),
    Tariff(PEE, date(2024, 6, 18), Decimal("10.00"), "presse : test négatif ou ordonnance conditionnelle"),
    Tariff(PEE_ANTIBIOTIC, date(2024, 6, 18), Decimal("15.00"), "presse : test et antibiotique sans ordonnance"),
)


class Tariffs:
    """The values in force, shipped ones plus the administrator's."""

    def __init__(self, values: Iterable[Tariff] = SHIPPED) -> None:
        by_code: dict[str, list[Tariff]] = {}
        for t in values:
            by_code.setdefault(t.code, []).append(t)
        for code, found in by_code.items():
            found.sort(key=lambda t: t.since)
            days = [t.since for t in found]
            if len(set(days)) != len(days):
                raise ValidationError([Problem("tariff.same_day", {"code": code}, "since")])
        self._by_code = by_code

    def with_values(self, extra: Iterable[Tariff]) -> Tariffs:
        """These values and `extra` (a later value of a code takes over from its date)."""
        return Tariffs([t for found in self._by_code.values() for t in found] + list(extra))

    def at(self, code: str, day: date) -> Decimal:
        """The value of `code` in force on `day`; ValidationError before its first value."""
        found = [t for t in self._by_code.get(code, ()) if t.since <= day]
        if not found:
            raise ValidationError([Problem("tariff.none_yet", {"code": code, "date": day.strftime("%d/%m/%Y")})])
        return found[-1].amount


DEFAULT = Tariffs()

i18n.register(
    {
        "tariff.unknown_code": i18n.N_("Le code de tarif {code} est inconnu : codes possibles {codes}."),
        "tariff.bad_amount": i18n.N_(
            "Le montant {amount} ne convient pas : un montant positif, au centime, est attendu."
        ),
        "tariff.bad_rate": i18n.N_("Un taux de {amount} % ne convient pas : un taux entre 0 et 100 est attendu."),
        "tariff.same_day": i18n.N_("Le tarif {code} a deux valeurs le même jour : gardez-en une seule."),
        "tariff.none_yet": i18n.N_(
            "Aucune valeur du tarif {code} n'est connue au {date} : vérifiez les dates du séjour."
        ),
    }
)
