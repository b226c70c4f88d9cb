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

import logging

from verifier import i18n
from verifier.domain.errors import DomainError
from verifier.security import signing
from verifier.security.crypto import b64, unb64
from verifier.security.keyslots import with_admin_key
from verifier.store import audit_log, database
from verifier.store import users as user_store
from verifier.store.engine import Store
from verifier.store.schema import Setting, User
from verifier.store.session import Session

log = logging.getLogger(__name__)

PUBLIC_KEY = "admin.public_key"
ADMIN = "admin"


class AuthorityProblem(DomainError):
    """The signing key is missing or does not match the site's."""


def public_key(session: Session) -> bytes | None:
    row = session.get(Setting, PUBLIC_KEY)
    return unb64(row.value.strip('"')) if row is not None else None


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
        private = create(s, store)
        for u in user_store.everyone(s):
            sign_user(private, u)
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
