"""Retention: settled claims do not keep their patients' identities for ever.

`purge` replaces, for every patient whose claims are all settled (paid, void or rejected)
and who has had no claim, check or change for `identity_retention_months` (a site setting,
36 by default: docs/security.md), the surname, first name, birth date, NIR and member
number with a pseudonym ("ANONYME-…"), and forgets the member numbers and notes of their
coverage checks and their name search tokens. Amounts, claims, batches, returns and the
audit chain stay as they were (the chain never held an identity), so totals, reconciliation
and `audit verify` are unchanged. Audited (`retention.purged`, counts only).

Like every destructive administrator action it is refused while claims are queued.
"""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta

from verifier import i18n
from verifier.domain.errors import DomainError
from verifier.services import settings
from verifier.services.context import Context
from verifier.services.patients import nir_index
from verifier.store import audit_log
from verifier.store import retention as retention_store

log = logging.getLogger(__name__)

PSEUDONYM = "ANONYME-"
_NO_BIRTH = "01/01/1900"


class RetentionRefused(DomainError):
    pass


@dataclass(frozen=True)
class PurgeResult:
    patients: int
    claims: int
    cutoff: datetime


def cutoff(months: int, now: datetime | None = None) -> datetime:
    return (now or datetime.now(UTC)) - timedelta(days=round(months * 30.44))


def set_months(ctx: Context, months: int) -> int:
    """Change the retention (administrators; 12 to 120 months, audited with the settings)."""
    saved = settings.save(ctx, replace(settings.load(ctx), identity_retention_months=months))
    return saved.identity_retention_months


def purge(ctx: Context, dry_run: bool = False, now: datetime | None = None) -> PurgeResult:
    """Pseudonymise the patients past retention (or, `dry_run`, only count them)."""
    ctx.require_admin("purge")
    months = settings.load(ctx).identity_retention_months
    limit = cutoff(months, now)
    cipher = ctx.store.cipher
    with ctx.store.write() as s:
        queued = retention_store.queued_count(s)
        if queued:
            raise RetentionRefused("retention.queued", count=queued)
        found = retention_store.purgeable(s, limit)
        todo = [p for p in found if not (cipher.decrypt(p.surname_enc, "patients.surname") or "").startswith(PSEUDONYM)]
        ids = [p.id for p in todo]
        result = PurgeResult(len(todo), retention_store.claims_of(s, ids), limit)
        if dry_run or not todo:
            return result
        for p in todo:
            alias = PSEUDONYM + secrets.token_hex(4).upper()
            p.surname_enc = cipher.encrypt(alias, "patients.surname") or ""
            p.first_name_enc = cipher.encrypt("", "patients.first_name") or ""
            p.birth_date_enc = cipher.encrypt(_NO_BIRTH, "patients.birth_date") or ""
            p.nir_enc = cipher.encrypt("", "patients.nir") or ""
            p.member_number_enc = None
            p.nir_bidx = nir_index(cipher, alias)  # unique: no search by NIR finds it any more
        retention_store.forget_check_details(s, ids)
        audit_log.append(
            s,
            ctx.actor.login,
            "retention.purged",
            "site",
            "1",
            {
                "patients": result.patients,
                "claims": result.claims,
                "months": months,
                "cutoff": limit.date().isoformat(),
            },
        )
    log.info("retention: %d patients pseudonymised (%d claims)", result.patients, result.claims)
    return result


i18n.register(
    {
        "retention.queued": i18n.N_(
            "Purge refusée : des demandes sont en file d'attente ({count}). Exportez-les (ou annulez-les) d'abord : aucune action destructive ne se fait tant que des demandes attendent."
        ),
    }
)
