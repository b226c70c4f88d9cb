"""Moving a site from its embedded encrypted SQLite file to a PostgreSQL server.

`migrate_to` signs the administrator in on the file, copies every table into an empty
PostgreSQL database (store.copy), verifies the copy inside the same transaction, records
"site.migrated" on the target and commits; then signs in on the server as a last check.

Choices, and why:
- **The source is never written.** Signing in here unwraps the key from the key file and
  reads the file through a read-only engine: no "session.signed_in" event, no schema
  upgrade, no WAL checkpoint. The file stays a byte-exact backup of the site as it was
  (auth.sign_in would append to its audit log, so it is not used on the source). A wrong
  password still counts towards the slot's lockout, as at any sign-in.
- **Administrators only**, checked by the ordinary `Context.require_admin` on the source,
  whose role and active flag are read from the file.
- **Same data key.** Identity columns stay encrypted under the site's key and are copied
  as they are; the key slots (each user's wrapped copy of that key) move from the key
  file into the `key_slots` table, so everyone signs in with the same password afterwards.
- **Source at the newest schema only**: the target is made by the migrations at the
  source's revision, and a file at an older one is refused rather than upgraded behind the
  administrator's back (`verifier db upgrade` first, which keeps a backup).
- **Verified before commit**: every table's rows counted on both sides; the key opened
  from the copied slot with the administrator's password and the key fingerprint; one
  patient's surname decrypted on both sides; then "site.migrated" (table counts only, no
  personal data) is appended and the whole audit chain verified on the target. Any
  mismatch rolls the copy back, leaving the target empty.
"""

from __future__ import annotations

import hmac
import logging
import time
from dataclasses import dataclass

from verifier import i18n
from verifier.domain.errors import DomainError
from verifier.security.crypto import FieldCipher, key_check
from verifier.security.keyslots import AuthFailed, FileSlots, Slot, open_slot, unlock_counting
from verifier.services.context import Actor, Context
from verifier.store import audit_log, copy, database, migrate
from verifier.store import patients as patient_store
from verifier.store import users as user_store
from verifier.store.engine import Location, Store, postgres_engine
from verifier.store.schema import KeySlotRow, Setting
from verifier.store.session import Session

log = logging.getLogger(__name__)

_SAMPLE_COLUMN = "patients.surname"


class SiteMoveError(DomainError):
    """The move cannot start, or its verification failed (the target is left as it was)."""


@dataclass(frozen=True)
class MoveReport:
    source: str  # the file
    target: str  # the server database, password hidden
    revision: str
    tables: tuple[copy.TableCount, ...]
    sequences: tuple[str, ...]
    audit_events: int  # verified on the target, "site.migrated" included
    seconds: float

    @property
    def rows(self) -> int:
        return sum(t.target for t in self.tables)


@dataclass(frozen=True)
class _Sample:
    patient_id: str
    token: str
    plain: str


def migrate_to(source: Location, login: str, password: str, target_url: str) -> MoveReport:
    """Copy the site at `source` (an SQLite file) into the empty PostgreSQL database at `target_url`."""
    started = time.monotonic()
    if source.sqlite_path is None:
        raise SiteMoveError("site_move.source_not_file", where=source.describe())
    target = Location.parse(target_url)
    if target.url is None or not target.url.startswith("postgresql"):
        raise SiteMoveError("site_move.target_not_postgres", where=target.describe())
    if not database.exists(source):
        raise database.DatabaseMissing("db.missing", where=source.describe())
    slots = FileSlots.for_database(source.sqlite_path)
    opened = unlock_counting(slots, login, password, upgrade=False)[0]  # the source is left as it was
    key = opened.db_key
    src = Store(copy.readonly_sqlite_engine(source.sqlite_path, key), FieldCipher(key), source)
    src.admin_key = opened.admin_key
    try:
        with src.read() as s:
            src.set_audit_key(audit_log.load_key(s, src.cipher))
        ctx = Context(src, _actor(src, login))
        revision = migrate.current_revision(src.engine)
        if revision != migrate.head_revision():
            raise SiteMoveError(
                "site_move.source_not_head",
                where=source.describe(),
                current=revision or "—",
                head=migrate.head_revision(),
            )
        ctx.require_admin("migrate_site")  # reads the schema of the head (users.signature)
        sample = _sample(src)
        file_slots = [slot for name in slots.names() if (slot := slots.get(name)) is not None]
        result = _copy(src, target, revision, file_slots, key, login, password, sample)
    finally:
        src.close()
    _check_sign_in(target, login, password, sample)
    events = next(t.target for t in result.tables if t.table == "audit_events") + 1  # site.migrated
    report = MoveReport(
        source.describe(),
        target.describe(),
        revision,
        result.tables,
        result.sequences,
        events,
        time.monotonic() - started,
    )
    log.info("site moved to PostgreSQL: %d tables, %d rows, %.1f s", len(report.tables), report.rows, report.seconds)
    return report


def _actor(store: Store, login: str) -> Actor:
    with store.read() as s:
        user = user_store.sign_in_row(s, login)  # an older schema is refused after this, with its sentence
        if user is None or not user.active:
            raise AuthFailed("auth.failed")
        return Actor(user.id, login, user.role)


def _sample(store: Store) -> _Sample | None:
    """One patient's encrypted surname and its plaintext, to decrypt again on the target."""
    with store.read() as s:
        row = patient_store.first_encrypted_surname(s)
    if row is None:
        return None
    patient_id, token = row
    return _Sample(patient_id, token, store.cipher.decrypt(token, _SAMPLE_COLUMN) or "")


def _copy(
    src: Store,
    target: Location,
    revision: str,
    slots: list[Slot],
    key: bytes,
    login: str,
    password: str,
    sample: _Sample | None,
) -> copy.CopyResult:
    def finish(session: Session, counts: tuple[copy.TableCount, ...]) -> None:
        for c in counts:
            if not c.matches:
                raise SiteMoveError(
                    "site_move.count_mismatch", table=c.table, source=c.source + c.added, target=c.target
                )
        _check_key(session, login, password, key)
        _check_sample(session, FieldCipher(key), sample)
        audit_key = audit_log.load_key(session, FieldCipher(key))  # copied with the settings
        session.info[audit_log.AUDIT_KEY_INFO] = audit_key.key if audit_key is not None else None
        audit_log.append(
            session,
            login,
            "site.migrated",
            "site",
            "1",
            {
                "from": "sqlite",
                "revision": revision,
                "tables": {c.table: c.target for c in counts},
            },
        )
        # The whole chain, from the genesis to this event: proves the copied events intact
        # and in order, and the new one linked to them (the source is not walked first: a
        # broken chain is found here all the same, and the copy is rolled back).
        chain = audit_log.verify(session, audit_key)
        copied = next(c.target for c in counts if c.table == "audit_events")
        if chain.broken_at is not None or chain.events != copied + 1:
            raise SiteMoveError(
                "site_move.chain_broken", seq=chain.broken_at or chain.events, reason=chain.reason or "count"
            )

    assert target.url is not None
    engine = postgres_engine(target.url, pooled=False)
    try:
        with database.reachable():
            return copy.copy_site(src.engine, engine, revision, slots, key_check(key), finish)
    except copy.TargetNotEmpty as exc:
        raise SiteMoveError(
            "site_move.target_not_empty",
            where=target.describe(),
            tables=", ".join(exc.tables[:5]) + (" …" if len(exc.tables) > 5 else ""),
        ) from None
    except copy.CopyFailed as exc:
        log.warning("site move failed at %s: %s", exc.step, exc.reason)
        raise SiteMoveError("site_move.copy_failed", step=exc.step, reason=exc.reason) from None
    finally:
        engine.dispose()


def _check_key(session: Session, login: str, password: str, key: bytes) -> None:
    """Sign in on the copied slot, in the transaction: the same key must come out."""
    row = session.get(KeySlotRow, login)
    fingerprint = session.get(Setting, copy.KEY_CHECK_SETTING)
    slot = None if row is None else open_slot(Slot.parse(row.name, row.kind, row.data), password)
    opened = None if slot is None else slot.db_key
    if (
        opened is None
        or not hmac.compare_digest(opened, key)
        or fingerprint is None
        or fingerprint.value.strip('"') != key_check(opened)
    ):
        raise SiteMoveError("site_move.key_failed")


def _check_sample(session: Session, cipher: FieldCipher, sample: _Sample | None) -> None:
    if sample is None:
        return
    token = patient_store.encrypted_surname(session, sample.patient_id)
    if token != sample.token or cipher.decrypt(token, _SAMPLE_COLUMN) != sample.plain:
        raise SiteMoveError("site_move.sample_failed")


def _check_sign_in(target: Location, login: str, password: str, sample: _Sample | None) -> None:
    """After commit, the ordinary way in: key from the `key_slots` table, then a decryption."""
    try:
        store = database.open_store(target, login, password)
    except (AuthFailed, database.DatabaseUnreachable) as exc:
        raise SiteMoveError("site_move.reopen_failed", reason=str(exc)) from None
    try:
        if sample is not None:
            with store.read() as s:
                _check_sample(s, store.cipher, sample)
    finally:
        store.close()


i18n.register(
    {
        "action.migrate_site": i18n.N_("déplacer le site vers un serveur PostgreSQL"),
        "site_move.source_not_file": i18n.N_(
            "La base {where} est déjà sur un serveur : seule une base embarquée (fichier) se déplace ainsi ; indiquez le fichier avec --db."
        ),
        "site_move.target_not_postgres": i18n.N_(
            "La destination {where} n'est pas une adresse PostgreSQL : écrivez-la postgresql://utilisateur@serveur:5432/base."
        ),
        "site_move.source_not_head": i18n.N_(
            "Le fichier {where} est au schéma {current} et non au dernier ({head}) : lancez d'abord « verifier db upgrade », puis recommencez."
        ),
        "site_move.target_not_empty": i18n.N_(
            "La base de destination {where} n'est pas vide (tables : {tables}) ; rien n'a été modifié : indiquez une base PostgreSQL nouvellement créée (createdb)."
        ),
        "site_move.copy_failed": i18n.N_(
            "La copie a échoué à l'étape « {step} » ({reason}) ; la destination est restée vide et le fichier n'a pas changé : corrigez la cause (voir le journal) puis recommencez."
        ),
        "site_move.count_mismatch": i18n.N_(
            "Vérification échouée : la table {table} compte {source} lignes dans le fichier et {target} sur le serveur ; la destination est restée vide : recommencez."
        ),
        "site_move.chain_broken": i18n.N_(
            "Le journal d'audit ne se vérifie pas après la copie (événement n° {seq}, {reason}) ; la destination est restée vide : lancez « verifier audit verify » sur le fichier pour trouver l'altération."
        ),
        "site_move.key_failed": i18n.N_(
            "Vérification échouée : la clé ouverte depuis les emplacements de clés copiés n'est pas celle du site ; la destination est restée vide : vérifiez le fichier « .keys » puis recommencez."
        ),
        "site_move.sample_failed": i18n.N_(
            "Vérification échouée : une identité chiffrée ne se déchiffre pas de même sur le serveur ; la destination est restée vide : recommencez et signalez-le si cela se reproduit."
        ),
        "site_move.reopen_failed": i18n.N_(
            "La copie est enregistrée sur le serveur mais la connexion de contrôle a échoué ({reason}) : supprimez la base du serveur, gardez le fichier et recommencez."
        ),
    }
)
