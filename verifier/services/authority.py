"""The administrators' authority: user rows signed with a key only administrators hold.

A counter user holds the database key, so `UPDATE users SET role='admin'` was enough to
become an administrator. Now each user row carries an Ed25519 signature of its login, role
and state (security.signing) made with the administrators' signing key, whose private half
is sealed to each administrator's key slot. `Context.require_admin` wants a row that
verifies *and* the signing key in hand: a role changed by SQL gives nothing.

Sites set up before this change get their key at the first sign-in of an administrator
(trust on first use: the roles stored then are taken as they are). The key follows the
administrators: sealed to a user made administrator, and replaced (every row signed again)
when an administrator is demoted or deactivated, so their old slot copies sign nothing that
verifies.
"""

from __future__ import annotations

import json
import logging

from verifier import i18n
from verifier.domain.errors import DomainError
from verifier.security import signing
from verifier.security.crypto import b64, unb64
from verifier.security.keyslots import with_admin_key
from verifier.store import audit_log, claims_write, database
from verifier.store import insurers as insurer_store
from verifier.store import users as user_store
from verifier.store.claims_write import ADMIN_PUBLIC_KEY, SITE_SETTINGS_KEY, SITE_SETTINGS_SIGNATURE_KEY
from verifier.store.engine import Store
from verifier.store.schema import Insurer, Operator, Setting, User
from verifier.store.session import Session

log = logging.getLogger(__name__)

PUBLIC_KEY = ADMIN_PUBLIC_KEY
ADMIN = "admin"
# The site settings' signature is a setting of its own, read with them by the claim queue.
SETTINGS_SIGNATURE = SITE_SETTINGS_SIGNATURE_KEY
# Recorded once, in the keyed audit chain, when the rows existing before they were signed
# (migration 0013) are taken as they are: never again, since removing it breaks the chain.
# (Defined in store.claims_write: the claim queue reads it too.)
DIRECTORY_SIGNED = claims_write.DIRECTORY_SIGNED


class AuthorityProblem(DomainError):
    """The signing key is missing or does not match the site's."""


def public_key(session: Session) -> bytes | None:
    row = session.get(Setting, PUBLIC_KEY)
    return stored_public_key(row.value if row is not None else None)


def stored_public_key(value: str | None) -> bytes | None:
    """The public key from its stored JSON text (None: a site without one yet)."""
    return unb64(value.strip('"')) if value is not None else None


def _set_public_key(session: Session, private: bytes) -> None:
    value = f'"{b64(signing.public_of(private))}"'
    row = session.get(Setting, PUBLIC_KEY)
    if row is None:
        session.add(Setting(key=PUBLIC_KEY, value=value))
    else:
        row.value = value


def sign_user(private: bytes, user: User) -> None:
    user.signature = signing.sign(private, signing.user_message(user.id, user.login, user.role, bool(user.active)))


def row_verifies(
    public: bytes | None, user_id: int, login: str, role: str, active: bool, signature: str | None
) -> bool:
    """Whether the row is as an administrator left it (True on a site without a key yet)."""
    if public is None:
        return True
    return signing.verifies(public, signing.user_message(user_id, login, role, active), signature)


def entries_key(session: Session) -> bytes | None:
    """The public key directory entries and signed settings are checked with; None before
    they were first signed (a site upgraded from schema 0012, until an administrator holding
    the key signs in): then they are taken as they are, as before the upgrade."""
    if audit_log.event_of(session, DIRECTORY_SIGNED, "site", "1") is None:
        return None
    return public_key(session)


def _insurer_message(ins: Insurer) -> bytes:
    return signing.insurer_message(
        ins.id,
        ins.amc_number,
        ins.name,
        ins.operator_id,
        ins.hotline,
        ins.portal,
        ins.batch_by,
        bool(ins.active),
        bool(ins.provisional),
        ins.export_protection or "passphrase",
        ins.export_certificate,
    )


def _operator_message(op: Operator) -> bytes:
    return signing.operator_message(
        op.id,
        op.code,
        op.name,
        op.health_url,
        bool(op.active),
        op.export_protection or "passphrase",
        op.export_certificate,
    )


def _entry_message(row: Insurer | Operator) -> bytes:
    return _insurer_message(row) if isinstance(row, Insurer) else _operator_message(row)


def entry_verifies(public: bytes | None, row: Insurer | Operator) -> bool:
    """Whether an insurer or operator is as an administrator left it. An insurer recorded at
    the counter and not yet confirmed carries no signature: it is trusted as what it says it
    is (provisional: its claims wait for an administrator)."""
    if public is None or (isinstance(row, Insurer) and row.provisional and row.signature is None):
        return True
    return signing.verifies(public, _entry_message(row), row.signature)


def _sign_entry(private: bytes, row: Insurer | Operator) -> None:
    row.signature = signing.sign(private, _entry_message(row))


def sign_entries(session: Session, store: Store, *rows: Insurer | Operator) -> None:
    """Sign directory rows an administrator just wrote (flushed first: the id is signed)."""
    if store.admin_key is None:
        raise AuthorityProblem("authority.key_missing")
    session.flush()
    for row in rows:
        _sign_entry(store.admin_key, row)


def setting_verifies(public: bytes | None, key: str, value: str | None, signature: str | None) -> bool:
    """Whether a signed site setting (the site settings, the tariffs added) is as an
    administrator saved it (no row: the defaults, nothing to verify)."""
    if public is None or value is None:
        return True
    return signing.verifies(public, signing.setting_message(key, value), signature)


def settings_verify(public: bytes | None, value: str | None, signature: str | None) -> bool:
    return setting_verifies(public, SITE_SETTINGS_KEY, value, signature)


def signature_key(key: str) -> str:
    """Where a signed setting's signature is kept: a setting of its own."""
    return SETTINGS_SIGNATURE if key == SITE_SETTINGS_KEY else f"{key}.signature"


def _put_setting(session: Session, key: str, value: str) -> None:
    row = session.get(Setting, key)
    if row is None:
        session.add(Setting(key=key, value=value))
    else:
        row.value = value


def sign_setting_with(session: Session, private: bytes, key: str) -> None:
    session.flush()
    row = session.get(Setting, key)
    if row is not None:
        signature = signing.sign(private, signing.setting_message(key, row.value))
        _put_setting(session, signature_key(key), json.dumps(signature))


def sign_setting(session: Session, store: Store, key: str = SITE_SETTINGS_KEY) -> None:
    """Sign a site setting an administrator just saved."""
    if store.admin_key is None:
        raise AuthorityProblem("authority.key_missing")
    sign_setting_with(session, store.admin_key, key)


def stored_signature(session: Session, key: str = SITE_SETTINGS_KEY) -> str | None:
    row = session.get(Setting, signature_key(key))
    return None if row is None else str(json.loads(row.value))


def setting_trusted(session: Session, key: str) -> bool:
    row = session.get(Setting, key)
    return setting_verifies(
        entries_key(session), key, None if row is None else row.value, stored_signature(session, key)
    )


# The settings an administrator's signature covers; other settings are the machinery's own
# (keys, anchors, counters), protected otherwise.
TARIFFS_KEY = "tariffs"  # the tariffs an administrator added (services.tariffs)
SIGNED_SETTINGS = (SITE_SETTINGS_KEY, TARIFFS_KEY)


def _resign(session: Session, private: bytes, old_public: bytes | None, first_use: bool) -> dict[str, int]:
    """Sign again, with `private`, the directory rows and settings that verify under
    `old_public` (all of them on first use); those that do not stay as they are: refused."""
    counts = {"insurers": 0, "operators": 0, "settings": 0}
    rows: list[Insurer | Operator] = [*insurer_store.every_insurer(session), *insurer_store.every_operator(session)]
    for row in rows:
        if isinstance(row, Insurer) and row.provisional and row.signature is None:
            continue
        if first_use or entry_verifies(old_public, row):
            _sign_entry(private, row)
            counts["insurers" if isinstance(row, Insurer) else "operators"] += 1
    for key in SIGNED_SETTINGS:
        stored = session.get(Setting, key)
        if stored is not None and (
            first_use or setting_verifies(old_public, key, stored.value, stored_signature(session, key))
        ):
            sign_setting_with(session, private, key)
            counts["settings"] += 1
    return counts


def _sign_directory_once(session: Session, private: bytes, login: str) -> None:
    """The directory and settings as they are, signed once when the site gets signed rows
    (a new key, or the first administrator sign-in after migration 0013)."""
    if audit_log.event_of(session, DIRECTORY_SIGNED, "site", "1") is not None:
        return
    counts = _resign(session, private, None, first_use=True)
    audit_log.append(session, login, DIRECTORY_SIGNED, "site", "1", {"signed": counts})
    log.info("directory and settings signed: %s", counts)


def holds_key(store: Store, public: bytes | None) -> bool:
    """Whether the signed-in user holds the site's signing key (True on a site without one)."""
    if public is None:
        return True
    return store.admin_key is not None and signing.public_of(store.admin_key) == public


def create(session: Session, store: Store) -> bytes:
    """A new signing key for a new site: public half stored, the signer keeps the private one."""
    private = signing.new_signing_key()
    _set_public_key(session, private)
    store.admin_key = private
    return private


def _seal_for_admins(store: Store, private: bytes, admins: set[str], renew: bool = False) -> None:
    """The key sealed to every administrator's slot that lacks it (to all of them when
    `renew`: a new key), and taken out of every other slot."""
    slots = database.slot_store(store.location)
    for name in slots.names():
        slot = slots.get(name)
        if slot is None or not slot.revocable:
            continue
        # The recovery code resets an administrator: it carries the key too.
        holder = name in admins or slot.kind == "recovery"
        if holder and (renew or slot.admin is None):
            slots.update(name, lambda s: with_admin_key(s, private))
        elif not holder and slot.admin is not None:
            slots.update(name, lambda s: with_admin_key(s, None))


def _signed_admins(session: Session, public: bytes | None) -> set[str]:
    return {
        u.login
        for u in user_store.everyone(session)
        if u.role == ADMIN and u.active and row_verifies(public, u.id, u.login, u.role, bool(u.active), u.signature)
    }


def at_sign_in(store: Store, login: str, user_id: int, role: str) -> str:
    """The role the user signs in with, once the row's signature is checked.

    Establishes the key on a site that has none (first administrator to sign in), and seals
    it to administrators who lack it when its holder signs in. A row that does not verify
    gives the counter's role, and is recorded."""
    with store.write() as s:
        public = public_key(s)
        user = s.get(User, user_id)
        assert user is not None
        if public is None:
            if role != ADMIN:
                return role
            private = create(s, store)
            for u in user_store.everyone(s):
                sign_user(private, u)
            audit_log.append(s, login, "authority.created", "site", "1")
            _sign_directory_once(s, private, login)
            admins = _signed_admins(s, signing.public_of(private))
            log.info("administrators' signing key created")
        else:
            if role == ADMIN and store.admin_key is not None and signing.public_of(store.admin_key) != public:
                # This administrator holds the real key and the database names another: replaced
                # by SQL. Their rights stay refused, with that reason (Context.require_admin).
                audit_log.append(s, login, "authority.key_mismatch", "site", "1")
                log.error("the administrators' public key in the database is not the one this administrator holds")
                return role
            if not row_verifies(public, user.id, user.login, user.role, bool(user.active), user.signature):
                audit_log.append(s, login, "user.signature_invalid", "user", str(user_id))
                log.warning("user %s: the row's signature does not verify; no administrator rights", user_id)
                store.admin_key = None
                return "counter" if role == ADMIN else role
            if role != ADMIN or not holds_key(store, public):
                return role
            assert store.admin_key is not None  # holds_key
            private = store.admin_key
            _sign_directory_once(s, private, login)
            admins = _signed_admins(s, public)
    _seal_for_admins(store, private, admins)
    return role


def sign_changed(session: Session, store: Store, user: User) -> None:
    """Sign a user row an administrator just changed (added, role or state)."""
    if store.admin_key is None:
        raise AuthorityProblem("authority.key_missing")
    sign_user(store.admin_key, user)


def seal_for(store: Store, login: str) -> None:
    """Give a user just made administrator the signing key (their slot, no password needed)."""
    if store.admin_key is None:
        return
    slots = database.slot_store(store.location)
    slot = slots.get(login)
    if slot is not None and slot.revocable:
        key = store.admin_key
        slots.update(login, lambda s: with_admin_key(s, key))


def replace_key(store: Store, actor: str) -> None:
    """A new signing key: every row signed again, sealed to the administrators left, the old
    one worthless (an administrator was demoted or deactivated)."""
    with store.write() as s:
        old_public = public_key(s)
        private = create(s, store)
        for u in user_store.everyone(s):
            sign_user(private, u)
        # Entries changed by SQL under the old key stay refused under the new one.
        _resign(s, private, old_public, first_use=False)
        admins = _signed_admins(s, signing.public_of(private))
        audit_log.append(s, actor, "authority.replaced", "site", "1")
    _seal_for_admins(store, private, admins, renew=True)
    log.info("administrators' signing key replaced")


i18n.register(
    {
        "authority.key_missing": i18n.N_(
            "Votre accès ne contient pas encore la clé de signature des administrateurs : demandez à un autre administrateur de se connecter une fois, puis reconnectez-vous."
        ),
    }
)
