"""Ceilings over which queueing a claim needs an administrator's password and a reason.

Domain notes: billing without the card is meant to be exceptional above 300 € per claim; a
pharmacy also limits what one insurer owes it, and a check made before the day of
dispensing may no longer be true. Over a ceiling, the claim is refused with
`CeilingExceeded` (listing every ceiling crossed); the counter asks an administrator, who
types their password and a reason; the claim is then queued with that `Override`, which is
stored on the claim and recorded in the audit log (the reason stays in the claim, not in
the log, since free text may name someone).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from verifier import i18n
from verifier.domain.errors import Problem, ValidationError
from verifier.domain.money import format_eur
from verifier.formatting import local_day, to_local
from verifier.security.keyslots import AuthFailed, unlock
from verifier.services.context import ADMIN
from verifier.services.settings import SiteSettings
from verifier.store import database
from verifier.store import users as user_store
from verifier.store.engine import Store
from verifier.store.session import Session


class CeilingExceeded(ValidationError):
    """Queueing needs an administrator's override; `problems` says which ceilings."""


@dataclass(frozen=True)
class Override:
    login: str
    password: str
    reason: str


def crossed(
    settings: SiteSettings,
    outstanding_before: Decimal,
    amc: Decimal,
    dispensed_on: date,
    checked_at: datetime,
) -> list[Problem]:
    """The ceilings a claim of `amc` would cross; `outstanding_before` is what the insurer owes already."""
    found = []
    if amc > settings.claim_amc_ceiling:
        found.append(
            Problem(
                "ceiling.claim", {"amount": format_eur(amc), "ceiling": format_eur(settings.claim_amc_ceiling)}, "amc"
            )
        )
    outstanding = outstanding_before + amc
    if outstanding > settings.insurer_outstanding_ceiling:
        found.append(
            Problem(
                "ceiling.insurer",
                {"amount": format_eur(outstanding), "ceiling": format_eur(settings.insurer_outstanding_ceiling)},
                "insurer",
            )
        )
    if settings.check_same_day and to_local(checked_at).date() < dispensed_on:
        found.append(Problem("ceiling.check_age", {"day": local_day(checked_at)}, "check"))
    return found


def authorise(store: Store, s: Session, override: Override) -> int:
    """The overriding administrator's user id, after checking their password; or a ValidationError."""
    problems = []
    if len(override.reason.strip()) < 5:
        problems.append(Problem("override.reason", {}, "reason"))
    user = user_store.by_login(s, override.login)
    if user is None or not user.active or user.role != ADMIN:
        problems.append(Problem("override.not_admin", {}, "login"))
    if problems:
        raise ValidationError(problems)
    assert user is not None
    try:
        unlock(database.slot_store(store.location), override.login, override.password)
    except AuthFailed as exc:
        raise ValidationError([Problem(exc.problem.code, exc.problem.params, "password")]) from None
    return user.id


i18n.register(
    {
        "ceiling.claim": i18n.N_(
            "La part complémentaire ({amount}) dépasse le plafond par demande ({ceiling}) : un administrateur doit autoriser."
        ),
        "ceiling.insurer": i18n.N_(
            "L'encours de cet organisme ({amount}) dépasserait son plafond ({ceiling}) : un administrateur doit autoriser."
        ),
        "ceiling.check_age": i18n.N_(
            "La vérification des droits date du {day}, avant le jour de délivrance : vérifiez à nouveau ou faites autoriser par un administrateur."
        ),
        "override.reason": i18n.N_("Indiquez la raison de l'autorisation (5 caractères au moins)."),
        "override.not_admin": i18n.N_("Seul un administrateur actif peut autoriser un dépassement."),
    }
)
