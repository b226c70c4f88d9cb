"""The prise en charge (PEC): a clinic's coverage check for a stay.

Before or at admission the clinic asks the AMC what it will pay: through the operator's
portal, or by fax or telephone when the portal is down, sometimes on paper. The answer is a
PEC number, its validity, and the covered items with their guarantees (docs/clinics.md).
A PEC can be recorded before admission and the invoice made at discharge; `problems_at_discharge`
then says whether the PEC still covers the stay as it happened.

The mode de traitement (MT) and the discipline médico-tarifaire (DMT) come from the stay's
invoice to the AMO (S3404, UNOCAM mode opératoire): MT two digits, DMT three.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from verifier import i18n
from verifier.domain.care import Stay
from verifier.domain.care_guarantees import CareGuarantee
from verifier.domain.errors import Checked, Problem


class PecMethod(StrEnum):
    PORTAL = "portal"
    FAX = "fax"
    PHONE = "phone"
    PAPER = "paper"


# Modes de traitement verifier names (others are accepted with a warning).
MODES = {
    "03": i18n.N_("hospitalisation complète"),
    "04": i18n.N_("hospitalisation de jour"),
    "23": i18n.N_("chirurgie ou anesthésie ambulatoire"),
}
NUMBER_MAX = 30
_MT = re.compile(r"[0-9]{2}")
_DMT = re.compile(r"[0-9]{3}")


@dataclass(frozen=True)
class PriseEnCharge:
    method: PecMethod
    number: str  # the AMC's PEC number; empty only for a paper PEC without one
    obtained_on: date
    valid_until: date | None
    admission: date
    planned_discharge: date | None
    mode: str  # MT
    dmt: str
    guarantees: tuple[CareGuarantee, ...]

    def mode_label(self) -> str:
        text = MODES.get(self.mode)
        return i18n.tr(text) if text else self.mode


def check_pec(
    method: PecMethod,
    number: str,
    obtained_on: date,
    valid_until: date | None,
    admission: date,
    planned_discharge: date | None,
    mode: str,
    dmt: str,
    guarantees: Sequence[CareGuarantee],
    today: date,
) -> Checked[PriseEnCharge]:
    """The PEC as entered, or every problem with it; an unusual MT is a warning."""
    number = " ".join(number.split())
    mode, dmt = mode.strip(), dmt.strip()
    problems: list[Problem] = []
    warnings: list[Problem] = []
    if not number and method is not PecMethod.PAPER:
        problems.append(Problem("pec.number_missing", {}, "pec_number"))
    elif len(number) > NUMBER_MAX:
        problems.append(Problem("pec.number_too_long", {"maximum": NUMBER_MAX}, "pec_number"))
    if obtained_on > today:
        problems.append(Problem("pec.obtained_future", {}, "obtained_on"))
    if valid_until is not None and valid_until < obtained_on:
        problems.append(Problem("pec.validity_before_obtained", {}, "valid_until"))
    if planned_discharge is not None and planned_discharge < admission:
        problems.append(Problem("pec.discharge_before_admission", {}, "planned_discharge"))
    if valid_until is not None and admission > valid_until:
        problems.append(Problem("pec.admission_after_validity", {"date": _day(valid_until)}, "admission"))
    if not _MT.fullmatch(mode):
        problems.append(Problem("pec.mode_format", {"mode": mode}, "mode"))
    elif mode not in MODES:
        warnings.append(Problem("pec.mode_unusual", {"mode": mode, "known": ", ".join(MODES)}, "mode"))
    if not _DMT.fullmatch(dmt):
        problems.append(Problem("pec.dmt_format", {"dmt": dmt}, "dmt"))
    if not guarantees:
        problems.append(Problem("pec.no_guarantee", {}, "guarantees"))
    if problems:
        return Checked(None, tuple(problems), tuple(warnings))
    pec = PriseEnCharge(
        method, number, obtained_on, valid_until, admission, planned_discharge, mode, dmt, tuple(guarantees)
    )
    return Checked.good(pec, tuple(warnings))


def problems_at_discharge(pec: PriseEnCharge, stay: Stay) -> list[Problem]:
    """Why this PEC does not cover the stay as it happened (invoice made at discharge)."""
    found = []
    if stay.admission != pec.admission:
        found.append(Problem("pec.other_admission", {"date": _day(pec.admission)}, "admission"))
    found += expiry_problems(pec.valid_until, stay.discharge)
    return found


def expiry_problems(valid_until: date | None, discharge: date) -> list[Problem]:
    """A PEC that ends before the discharge does not cover the stay's last days."""
    if valid_until is not None and discharge > valid_until:
        return [Problem("pec.expired_before_discharge", {"date": _day(valid_until)}, "discharge")]
    return []


def _day(d: date) -> str:
    return d.strftime("%d/%m/%Y")


i18n.register(
    {
        "pec.number_missing": i18n.N_(
            "Le numéro de prise en charge manque : recopiez celui donné par l'organisme (portail, fax ou téléphone)."
        ),
        "pec.number_too_long": i18n.N_("Le numéro de prise en charge dépasse {maximum} caractères : vérifiez-le."),
        "pec.obtained_future": i18n.N_("La prise en charge est datée dans le futur : vérifiez la date d'obtention."),
        "pec.validity_before_obtained": i18n.N_(
            "La fin de validité précède la date d'obtention : vérifiez les deux dates."
        ),
        "pec.discharge_before_admission": i18n.N_("La sortie prévue précède l'entrée : corrigez l'une des deux."),
        "pec.admission_after_validity": i18n.N_(
            "L'entrée est après la fin de validité de la prise en charge ({date}) : demandez-en une nouvelle."
        ),
        "pec.mode_format": i18n.N_("Le mode de traitement « {mode} » doit compter 2 chiffres (03, 04, 23…)."),
        "pec.mode_unusual": i18n.N_("Le mode de traitement {mode} est inhabituel (connus : {known}) : vérifiez-le."),
        "pec.dmt_format": i18n.N_("La discipline médico-tarifaire « {dmt} » doit compter 3 chiffres."),
        "pec.no_guarantee": i18n.N_(
            "Aucune garantie n'est saisie : recopiez les postes couverts par la prise en charge (« FJ 100 % FR »…)."
        ),
        "pec.other_admission": i18n.N_(
            "La prise en charge a été donnée pour une entrée le {date} : vérifiez la date d'entrée ou demandez-en une nouvelle."
        ),
        "pec.expired_before_discharge": i18n.N_(
            "La prise en charge n'est valable que jusqu'au {date}, avant la sortie : demandez une prolongation à l'organisme."
        ),
    }
)
