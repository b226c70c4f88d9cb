"""Setting up a site, signing in and out, users and passwords."""

from __future__ import annotations

import hmac
import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass

from verifier import i18n
from verifier.domain.errors import NotFound, Problem, ValidationError
from verifier.security.keyslots import RECOVERY_SLOT, AuthFailed, make_slot, new_recovery_code, unlock, unlock_counting
from verifier.services import authority, settings
from verifier.services.context import ADMIN, ROLES, Actor, Context
from verifier.store import audit_log, database
from verifier.store import users as user_store
from verifier.store.engine import Location, Store, ping_server
from verifier.store.engine import (
    database_failure as database_failure,  # for the command line, which never imports the store
)
from verifier.store.engine import (
    is_connection_error as is_connection_error,  # for the GUI, which never imports the store
)
from verifier.store.schema import Setting, Site, User
from verifier.store.types import utcnow

log = logging.getLogger(__name__)

MIN_PASSWORD = 12


@dataclass(frozen=True)
class SiteInput:
    name: str
    finess: str | None = None
    am_number: str | None = None
    address: str | None = None
    activities: tuple[str, ...] = (settings.PHARMACY,)


# Words French users build passwords from, which zxcvbn's English lists do not know; the
# login, name and site are added for each check.
FRENCH_COMMON = (
    "motdepasse",
    "azerty",
    "azertyuiop",
    "bonjour",
    "soleil",
    "jetaime",
    "doudou",
    "chouchou",
    "loulou",
    "pharmacie",
    "clinique",
    "mutuelle",
    "comptoir",
    "verifier",
    "marseille",
    "paris",
)
MIN_SCORE = 3  # zxcvbn: 0 (guessed at once) … 4; 3 withstands an offline attack on one slot for years


def password_problems(password: str, context: Sequence[str] = ()) -> list[Problem]:
    """What is wrong with a new password: too short, too repetitive, or too easy to guess for
    zxcvbn (common words, keyboard rows, dates, `password1234`), with `context` (the login, the
    display name) counted as known to the attacker."""
    problems = []
    if len(password) < MIN_PASSWORD:
        problems.append(Problem("password.short", {"minimum": MIN_PASSWORD}, "password"))
    elif len(set(password)) < 5:
        problems.append(Problem("password.weak", {}, "password"))
    else:
        from zxcvbn import zxcvbn  # loaded when a password is chosen, not at start-up

        # The login and each word of the name, as an attacker who knows the staff would try them.
        words = [w for item in context for w in re.split(r"[\W_]+", item.lower()) if len(w) >= 3]
        known = [*{w: None for w in (*(c.lower() for c in context if c), *words, *FRENCH_COMMON)}]
        personal = any(w in password.lower() for w in words if len(w) >= 5)  # zxcvbn misses "prénom.nom1"
        if personal or zxcvbn(password[:128], user_inputs=known)["score"] < MIN_SCORE:
            problems.append(Problem("password.guessable", {}, "password"))
    return problems


def login_problems(login: str) -> list[Problem]:
    if not login or len(login) > 64 or not login.replace(".", "").replace("-", "").replace("_", "").isalnum():
        return [Problem("user.login_invalid", {}, "login")]
    if login.startswith("@"):
        return [Problem("user.login_invalid", {}, "login")]
    return []


def database_exists(location: Location) -> bool:
    """Whether a site was set up there already (else the GUI opens the set-up assistant)."""
    return database.exists(location)


def server_holds_site(location: Location) -> bool:
    """Set-up's "test the connection": whether the server holds a site already.

    Raises ServerUnreachable with libpq's reason when the server cannot be reached.
    """
    if location.url is not None:
        ping_server(location.url)
    return database.exists(location)


def ping(ctx: Context) -> None:
    """One round trip to the database (ServerUnreachable while the server does not answer)."""
    ctx.store.ping()


def initialise(
    location: Location, site: SiteInput, login: str, display_name: str, password: str
) -> tuple[Context, str]:
    """Create the database, the site and its first administrator.

    Returns the signed-in context and a recovery code, shown once, that can reset an
    administrator's password.
    """
    problems = login_problems(login) + password_problems(password, (login, display_name))
    if not site.name.strip():
        problems.append(Problem("site.name_missing", {}, "site_name"))
    problems += settings.activity_problems(site.activities)
    if problems:
        raise ValidationError(problems)
    store, key = database.create(location, login, password)
    recovery = new_recovery_code()
    now = utcnow()
    with store.write() as s:
        private = authority.create(s, store)
        s.add(
            Site(
                id=1,
                name=site.name.strip(),
                finess=site.finess,
                am_number=site.am_number,
                address=site.address,
                created_at=now,
            )
        )
        if site.activities != (settings.PHARMACY,):
            chosen = settings.SiteSettings(activities=",".join(a for a in settings.ACTIVITIES if a in site.activities))
            s.add(Setting(key=settings.KEY, value=chosen.to_json()))
            authority.sign_setting_with(s, private, settings.KEY)
        user = User(login=login, display_name=display_name.strip() or login, role=ADMIN, active=True, created_at=now)
        s.add(user)
        s.flush()
        authority.sign_user(private, user)
        actor = Actor(user.id, login, ADMIN)
        audit_log.append(s, login, "site.created", "site", "1")
        audit_log.append(s, login, "user.created", "user", str(user.id), {"role": ADMIN})
        # A new site's directory and settings are signed as they are written: nothing to take on trust.
        audit_log.append(s, login, authority.DIRECTORY_SIGNED, "site", "1", {"signed": {}})
    slots = database.slot_store(location)
    slots.put(make_slot(RECOVERY_SLOT, "recovery", key, recovery, admin_key=private))
    authority.seal_for(store, login)
    log.info("site initialised at %s", location.describe())
    return Context(store, actor), recovery


def _actor_for(store: Store, login: str) -> Actor:
    with store.read() as s:
        user = user_store.sign_in_row(s, login)  # the columns every schema has (db status reads old ones)
        if user is None or not user.active:
            raise AuthFailed("auth.failed")
        return Actor(user.id, login, user.role)


def sign_in(location: Location, login: str, password: str) -> Context:
    store = database.open_store(location, login, password)
    try:
        actor = _actor_for(store, login)
        if store.rotation is not None:  # a key rotation a crash interrupted: finished first
            from verifier.services import keys

            keys.finish(store)
        actor = Actor(actor.user_id, actor.login, authority.at_sign_in(store, login, actor.user_id, actor.role))
    except BaseException:
        store.close()
        raise
    events: list[audit_log.Event] = []
    if store.failures_before_sign_in:
        # Failed attempts cannot be written while they happen (the database key is what they
        # did not get): the user's next sign-in records how many there were.
        events.append(("session.failed_attempts", "user", str(actor.user_id), {"count": store.failures_before_sign_in}))
    events.append(("session.signed_in", "user", str(actor.user_id), None))
    with store.write() as s:
        audit_log.append_many(s, login, events)
    database.write_anchor(store)
    return Context(store, actor)


def sign_out(ctx: Context) -> None:
    with ctx.store.write() as s:
        audit_log.append(s, ctx.actor.login, "session.signed_out", "user", str(ctx.actor.user_id))
    ctx.close()


def add_user(ctx: Context, login: str, display_name: str, role: str, password: str) -> int:
    ctx.require_admin("add_user")
    problems = login_problems(login) + password_problems(password, (login, display_name))
    if len(display_name) > 200:
        problems.append(Problem("user.display_name_long", {}, "display_name"))
    if role not in ROLES:
        problems.append(Problem("user.role_invalid", {"roles": ", ".join(ROLES)}, "role"))
    slots = database.slot_store(ctx.store.location)
    with ctx.store.read() as s:
        if user_store.login_taken(s, login):
            problems.append(Problem("user.exists", {"login": login}, "login"))
    if problems:
        raise ValidationError(problems)
    key = unlock_key_of(ctx)
    slots.put(make_slot(login, "user", key, password, admin_key=ctx.store.admin_key if role == ADMIN else None))
    try:
        with ctx.store.write() as s:
            user = User(
                login=login, display_name=display_name.strip() or login, role=role, active=True, created_at=utcnow()
            )
            s.add(user)
            s.flush()
            authority.sign_changed(s, ctx.store, user)
            audit_log.append(s, ctx.actor.login, "user.created", "user", str(user.id), {"role": role})
            return user.id
    except Exception:
        slots.remove(login)  # no slot without its user
        raise


def unlock_key_of(ctx: Context) -> bytes:
    return ctx.store.cipher.database_key


def verify_password(ctx: Context, password: str) -> None:
    """Raise AuthFailed unless `password` is the signed-in user's (unlocking a locked counter).

    Slow on purpose (Argon2): call it off the GUI thread. Failures count towards the slot's
    lockout exactly as signing in does, and every attempt is audited.
    """
    slots = database.slot_store(ctx.store.location)
    try:
        key = unlock(slots, ctx.actor.login, password)
        if not hmac.compare_digest(key, ctx.store.cipher.database_key):
            raise AuthFailed("auth.failed")
    except AuthFailed:
        with ctx.store.write() as s:
            audit_log.append(s, ctx.actor.login, "session.unlock_failed", "user", str(ctx.actor.user_id))
        raise
    with ctx.store.write() as s:
        audit_log.append(s, ctx.actor.login, "session.unlocked", "user", str(ctx.actor.user_id))


def reset_password(ctx: Context, login: str, new_password: str) -> None:
    """An administrator gives a user who forgot their password a new one.

    The administrator holds the database key (signed in), so the user's slot is simply
    re-wrapped under the new password; the user should change it at their next sign-in.
    """
    ctx.require_admin("manage_users")
    problems = password_problems(new_password)
    if problems:
        raise ValidationError(problems)
    with ctx.store.write() as s:
        user = user_store.by_login(s, login)
        if user is None:
            raise NotFound("user.not_found", login=login)
        admin_key = ctx.store.admin_key if user.role == ADMIN else None
        database.slot_store(ctx.store.location).put(
            make_slot(login, "user", unlock_key_of(ctx), new_password, admin_key=admin_key)
        )
        audit_log.append(s, ctx.actor.login, "user.password_reset", "user", str(user.id))


def change_password(ctx: Context, old_password: str, new_password: str) -> None:
    problems = password_problems(new_password)
    if problems:
        raise ValidationError(problems)
    slots = database.slot_store(ctx.store.location)
    opened = unlock_counting(slots, ctx.actor.login, old_password)[0]
    slots.put(make_slot(ctx.actor.login, "user", opened.db_key, new_password, admin_key=opened.admin_key))
    with ctx.store.write() as s:
        audit_log.append(s, ctx.actor.login, "user.password_changed", "user", str(ctx.actor.user_id))


def reset_with_recovery(location: Location, recovery_code: str, login: str, new_password: str) -> None:
    """Give an administrator a new password using the recovery code printed at set-up."""
    problems = password_problems(new_password)
    if problems:
        raise ValidationError(problems)
    slots = database.slot_store(location)
    opened = unlock_counting(slots, RECOVERY_SLOT, recovery_code.strip().upper())[0]
    key = opened.db_key
    store = database.open_with_key(location, key)
    try:
        with store.write() as s:
            user = user_store.by_login(s, login)
            if user is None or user.role != ADMIN:
                raise NotFound("user.not_admin", login=login)
            slots.put(make_slot(login, "user", key, new_password, admin_key=opened.admin_key))
            audit_log.append(s, "@recovery", "user.password_reset", "user", str(user.id))
    finally:
        store.close()


i18n.register(
    {
        "password.short": i18n.N_(
            "Le mot de passe doit compter au moins {minimum} caractères. Choisissez une phrase plus longue."
        ),
        "password.guessable": i18n.N_(
            "Ce mot de passe se devine trop facilement (mot courant, suite de chiffres ou de touches, date, identifiant). Prenez plutôt quatre ou cinq mots sans lien entre eux."
        ),
        "password.weak": i18n.N_("Ce mot de passe est trop répétitif. Mélangez davantage de caractères différents."),
        "user.login_invalid": i18n.N_(
            "L'identifiant doit compter 1 à 64 lettres, chiffres, points, tirets ou soulignés."
        ),
        "user.role_invalid": i18n.N_("Rôle inconnu. Choisissez parmi : {roles}."),
        "user.exists": i18n.N_("L'identifiant « {login} » est déjà pris. Choisissez-en un autre."),
        "user.not_found": i18n.N_("Aucun utilisateur « {login} »."),
        "user.display_name_long": i18n.N_("Le nom affiché ne peut dépasser 200 caractères."),
        "user.not_admin": i18n.N_(
            "« {login} » n'est pas un administrateur : le code de secours ne sert qu'aux administrateurs."
        ),
        "user.self_deactivate": i18n.N_(
            "Vous ne pouvez pas désactiver votre propre compte. Demandez à un autre administrateur."
        ),
        "site.name_missing": i18n.N_("Indiquez le nom de l'officine ou de l'établissement."),
    }
)


def schema_revisions(ctx: Context) -> tuple[str | None, str]:
    """The database's schema revision and the newest this version knows."""
    from verifier.store import migrate

    return migrate.current_revision(ctx.store.engine), migrate.head_revision()


def schema_status(location: Location, login: str, password: str) -> tuple[str | None, str]:
    """`db status`: the schema revision and the newest this version knows, read with the user's
    password and nothing written: no upgrade, no sign-in event."""
    from verifier.store import migrate

    store = database.open_store(location, login, password, upgrade=False)
    try:
        _actor_for(store, login)  # an active user of this site, as any command needs
        return migrate.current_revision(store.engine), migrate.head_revision()
    finally:
        store.close()
