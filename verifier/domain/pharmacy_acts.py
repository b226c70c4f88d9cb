"""A pharmacist's acts billed to the AMO, whose ticket modérateur the AMC pays (issue 13).

Vaccination (RVA, VGP, INJ), rapid tests (TRD sore throat, PEE cystitis), the enrolment in
a patient-support programme (TAC) and its interviews (AVK, AOD, asthma, medication review,
oral anticancer drugs). Each act is a line of its own with its code as the prestation code,
at its AMO rate; its amount is a dated value (verifier.domain.tariffs) when one was found in
the sources, a choice between two when the act has two prices (the injection alone or with
the pharmacist's prescription; a test with or without an antibiotic dispensed), and typed by
the pharmacist when none was (the interviews, billed step by step since 8 January 2025).
Sources and what is unverified: docs/pharmacy-fees.md.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from verifier import i18n
from verifier.domain.coverage import ACT_RATES


@dataclass(frozen=True)
class Act:
    """One act: its code, what it is, and the tariff codes of its shipped amounts, the usual
    one first (none: the pharmacist types the amount). Its AMO rate is the code's usual one
    (verifier.domain.coverage.ACT_RATES)."""

    code: str
    label: str  # French, marked for translation
    amounts: tuple[str, ...] = ()

    @property
    def amo_rate(self) -> Decimal:
        return ACT_RATES[self.code]


ACTS: tuple[Act, ...] = (
    Act("RVA", i18n.N_("Vaccination par le pharmacien (hors grippe et Covid)"), ("RVA", "RVA_PRESCRIPTION")),
    Act("VGP", i18n.N_("Vaccination contre la grippe par le pharmacien"), ("VGP",)),
    Act("INJ", i18n.N_("Injection du vaccin contre la Covid-19"), ("INJ",)),
    Act("TRD", i18n.N_("Test rapide d'orientation diagnostique de l'angine"), ("TRD", "TRD_ANTIBIOTIQUE")),
    Act("PEE", i18n.N_("Test rapide de la cystite (bandelette urinaire)"), ("PEE", "PEE_ANTIBIOTIQUE")),
    Act("TAC", i18n.N_("Adhésion à un accompagnement pharmaceutique"), ("TAC",)),
    Act("AKI", i18n.N_("Accompagnement AVK, première année")),
    Act("AKS", i18n.N_("Accompagnement AVK, années suivantes")),
    Act("AOI", i18n.N_("Accompagnement AOD, première année")),
    Act("AOS", i18n.N_("Accompagnement AOD, années suivantes")),
    Act("ASI", i18n.N_("Accompagnement asthme, première année")),
    Act("ASS", i18n.N_("Accompagnement asthme, années suivantes")),
    Act("BMI", i18n.N_("Bilan partagé de médication, première année")),
    Act("BMT", i18n.N_("Bilan partagé de médication, suivi avec changement de traitement")),
    Act("BMS", i18n.N_("Bilan partagé de médication, suivi sans changement de traitement")),
    Act("AC1", i18n.N_("Accompagnement anticancéreux oraux (traitement au long cours), première année")),
    Act("AC2", i18n.N_("Accompagnement anticancéreux oraux (autres traitements), première année")),
    Act("AC3", i18n.N_("Accompagnement anticancéreux oraux (traitement au long cours), années suivantes")),
    Act("AC4", i18n.N_("Accompagnement anticancéreux oraux (autres traitements), années suivantes")),
)

BY_CODE = {act.code: act for act in ACTS}
ACT_CODES = frozenset(BY_CODE)


def act_of(code: str) -> Act | None:
    """The act billed with `code` (any case, spaces around), or None."""
    return BY_CODE.get(code.strip().upper())
