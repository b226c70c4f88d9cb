"""Site settings kept in the database (shared by every counter): ceilings and the idle lock."""

from __future__ import annotations

import json
import logging
from dataclasses import asdict, dataclass, fields
from decimal import Decimal
from functools import lru_cache

from verifier import i18n
from verifier.domain.errors import Problem, ValidationError
from verifier.services import authority
from verifier.services.context import Context
from verifier.store import audit_log
from verifier.store.claims_write import SITE_SETTINGS_KEY
from verifier.store.schema import Setting
from verifier.store.session import Session

KEY = _KEY = SITE_SETTINGS_KEY  # read with each claim by store.claims_write.check_facts too

log = logging.getLogger(__name__)


# What a site does (issue 11): a pharmacy (officine) dispenses, an établissement de santé bills
# stays, a centre de santé bills consultations; a site may do several.
PHARMACY, CLINIC, CENTRE = "pharmacy", "clinic", "centre"
ACTIVITIES = (PHARMACY, CLINIC, CENTRE)


def activity_problems(chosen: tuple[str, ...] | list[str]) -> list[Problem]:
    if not chosen:
        return [Problem("settings.activities_none", {}, "activities")]
    unknown = [a for a in chosen if a not in ACTIVITIES]
    if unknown:
        return [
            Problem(
                "settings.activity_unknown",
                {"activity": ", ".join(unknown), "known": ", ".join(ACTIVITIES)},
                "activities",
            )
        ]
    return []


@dataclass(frozen=True)
class SiteSettings:
    """Defaults follow the domain notes: billing without the card is exceptional above 300 €."""

    claim_amc_ceiling: Decimal = Decimal("300.00")  # AMC amount of one pharmacy claim or consultation
    # AMC amount of one stay: under a PEC the AMC agreed beforehand, and a surgical stay
    # owes it hundreds of euros (docs/clinics.md).
    stay_amc_ceiling: Decimal = Decimal("5000.00")
    insurer_outstanding_ceiling: Decimal = Decimal("5000.00")  # AMC not yet paid, per insurer
    check_same_day: bool = True  # a check older than the day of dispensing needs an override
    idle_lock_minutes: int = 5
    expiry_warning_days: int = 30  # a box expiring within this many days of dispensing is flagged
    scan_separator: str = "auto"  # what the scanners send for the DataMatrix group separator
    check_reuse_days: int = 7  # the counter offers to reuse a patient's last check up to this age (0: never)
    activities: str = PHARMACY  # what the site does, comma-separated (ACTIVITIES): set at set-up
    # How long a patient whose claims are all settled keeps their identity (services.retention;
    # docs/security.md says why 36).
    identity_retention_months: int = 36

    def activity_set(self) -> tuple[str, ...]:
        return tuple(a for a in ACTIVITIES if a in self.activities.split(","))

    def to_json(self) -> str:
        data = {k: str(v) if isinstance(v, Decimal) else v for k, v in asdict(self).items()}
        return json.dumps(data, sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> SiteSettings:
        raw = json.loads(text)
        known = {f.name: f for f in fields(cls)}
        values: dict[str, object] = {}
        for name, value in raw.items():
            if name not in known:
                continue
            default = getattr(cls(), name)
            values[name] = Decimal(value) if isinstance(default, Decimal) else type(default)(value)
        return cls(**values)  # type: ignore[arg-type]


def problems(s: SiteSettings) -> list[Problem]:
    found = []
    if not Decimal("0") < s.claim_amc_ceiling <= Decimal("100000"):
        found.append(Problem("settings.ceiling_range", {}, "claim_amc_ceiling"))
    if not Decimal("0") < s.stay_amc_ceiling <= Decimal("1000000"):
        found.append(Problem("settings.ceiling_range", {}, "stay_amc_ceiling"))
    if not Decimal("0") < s.insurer_outstanding_ceiling <= Decimal("10000000"):
        found.append(Problem("settings.ceiling_range", {}, "insurer_outstanding_ceiling"))
    if not 0 <= s.check_reuse_days <= 90:
        found.append(Problem("settings.reuse_range", {}, "check_reuse_days"))
    if not 1 <= s.idle_lock_minutes <= 120:
        found.append(Problem("settings.idle_range", {}, "idle_lock_minutes"))
    if not 0 <= s.expiry_warning_days <= 365:
        found.append(Problem("settings.expiry_range", {}, "expiry_warning_days"))
    if not 12 <= s.identity_retention_months <= 120:
        found.append(Problem("settings.retention_range", {}, "identity_retention_months"))
    if s.scan_separator not in SCAN_SEPARATORS:
        found.append(Problem("settings.separator_unknown", {}, "scan_separator"))
    found += activity_problems([a for a in s.activities.split(",") if a])
    return found


# What scanners are set up to send for the group separator (ASCII 29). "auto": GS itself
# and any character a lot or serial cannot hold (GS1 character set 82) - "~", "|", "^",
# "#", "@", "<GS>"... Choosing one restricts the separator to GS and that stand-in.
SCAN_SEPARATORS = ("auto", "gs", "~", "|", "^", "#", "@", "<GS>")


@lru_cache(maxsize=8)
def parsed(text: str | None, signature: str | None = None, public_key: str | None = None) -> SiteSettings:
    """Settings from their stored JSON, signature and the administrators' public key (each
    as stored); cached, since every queued claim reads them. Settings whose signature fails
    (changed by SQL: a counter raising a ceiling) give way to the defaults."""
    if not text:
        return SiteSettings()
    if not _verify(text, signature, public_key):
        log.warning(
            "the site settings were changed outside verifier: the defaults apply until an administrator saves them"
        )
        return SiteSettings()
    return SiteSettings.from_json(text)


def _verify(text: str | None, signature: str | None, public_key: str | None) -> bool:
    return authority.settings_verify(
        authority.stored_public_key(public_key), text, None if signature is None else str(json.loads(signature))
    )


def load(ctx: Context) -> SiteSettings:
    with ctx.store.read() as s:
        return load_in(s)


def _stored(session: Session, key: str) -> str | None:
    row = session.get(Setting, key)
    return None if row is None else row.value


def _public(session: Session) -> str | None:
    """The public key as stored, once the settings were first signed (authority.entries_key)."""
    return None if authority.entries_key(session) is None else _stored(session, authority.PUBLIC_KEY)


def load_in(session: Session) -> SiteSettings:
    return parsed(_stored(session, _KEY), _stored(session, authority.SETTINGS_SIGNATURE), _public(session))


def tampered(ctx: Context) -> bool:
    """Whether stored settings were changed outside verifier (the defaults apply meanwhile)."""
    with ctx.store.read() as s:
        text = _stored(s, _KEY)
        return text is not None and not _verify(text, _stored(s, authority.SETTINGS_SIGNATURE), _public(s))


def save(ctx: Context, new: SiteSettings) -> SiteSettings:
    ctx.require_admin("settings")
    found = problems(new)
    if found:
        raise ValidationError(found)
    with ctx.store.write() as s:
        row = s.get(Setting, _KEY)
        if row is None:
            s.add(Setting(key=_KEY, value=new.to_json()))
        else:
            row.value = new.to_json()
        audit_log.append(s, ctx.actor.login, "settings.changed", "settings", _KEY, json.loads(new.to_json()))
        authority.sign_setting(s, ctx.store)
    return new


i18n.register(
    {
        "settings.ceiling_range": i18n.N_("Le plafond doit être un montant positif raisonnable."),
        "settings.expiry_range": i18n.N_("L'alerte de péremption se règle entre 0 et 365 jours."),
        "settings.separator_unknown": i18n.N_("Choisissez le séparateur dans la liste."),
        "settings.reuse_range": i18n.N_("Indiquez un âge de reprise des vérifications entre 0 et 90 jours."),
        "settings.retention_range": i18n.N_("La durée de conservation des identités se règle entre 12 et 120 mois."),
        "settings.idle_range": i18n.N_("Le verrouillage automatique se règle entre 1 et 120 minutes."),
        "action.settings": i18n.N_("modifier les réglages"),
        "settings.activities_none": i18n.N_(
            "Cochez au moins une activité : officine, établissement de santé ou centre de santé."
        ),
        "settings.activity_unknown": i18n.N_("Activité inconnue : {activity} (connues : {known})."),
    }
)
