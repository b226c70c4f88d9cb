"""Insurers (AMC) and tiers-payant operators: the directory administrators keep.

Adding, editing and (de)activating need an administrator; reading does not (the counter
picks insurers from it). Every change is written to the audit log with the AMC number or
the operator code, never anything about a patient. A whole directory can be imported from
a CSV file, all or nothing (see `import_insurers_csv` and docs/administration.md).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from verifier import i18n
from verifier.domain.errors import NotFound, Problem, ValidationError
from verifier.domain.identifiers import check_amc_number
from verifier.services import authority
from verifier.services.context import Context
from verifier.store import audit_log
from verifier.store import insurers as insurer_store
from verifier.store import outages as outage_store
from verifier.store.schema import Insurer, Operator
from verifier.store.session import Session
from verifier.store.types import utcnow

# Column sizes of the store (PostgreSQL enforces them; say so before it does).
NAME_MAX, HOTLINE_MAX, URL_MAX = 200, 40, 500
BATCH_BY = ("insurer", "operator")
# How a recipient's batches are encrypted unless the administrator chooses plain for one
# export: a passphrase read to it by telephone, or its X.509 certificate (issue 12).
PASSPHRASE, CERTIFICATE = "passphrase", "certificate"
PROTECTIONS = (PASSPHRASE, CERTIFICATE)

# The tiers-payant operators of the domain notes, by code: a CSV directory may name them
# before they are in the database (they are then created with this name). Any other code
# must have been added by hand first, so that a typo never creates a phantom operator.
KNOWN_OPERATORS: dict[str, str] = {
    "VIAMEDIS": "Viamedis",
    "ALMERYS": "Almerys",
    "SPSANTE": "SP Santé",
    "ISANTE": "iSanté",
    "SANTECLAIR": "Santéclair",
    "KALIXIA": "Kalixia",
    "CARTEBLANCHE": "Carte Blanche",
    "ITELIS": "Itelis",
    "ACTIL": "Actil",
    "SEVEANE": "Seveane",
}


@dataclass(frozen=True)
class Certificate:
    """A recipient's certificate as the administrator sees it."""

    subject: str
    not_after: datetime
    fingerprint: str


@dataclass(frozen=True)
class OperatorInfo:
    id: int
    code: str
    name: str
    health_url: str | None
    active: bool
    export_protection: str = PASSPHRASE
    certificate: Certificate | None = None
    # False: the row was changed outside verifier (its administrators' signature fails):
    # its batches are refused until an administrator checks it and saves it again.
    trusted: bool = True


@dataclass(frozen=True)
class InsurerInfo:
    id: int
    amc_number: str
    name: str
    operator_code: str | None
    hotline: str | None
    portal: str | None
    batch_by: str
    active: bool
    provisional: bool = False  # recorded at the counter, an administrator has not confirmed it yet
    export_protection: str = PASSPHRASE
    certificate: Certificate | None = None
    trusted: bool = True  # as OperatorInfo.trusted


def certificate_of(pem: str | None) -> Certificate | None:
    if not pem:
        return None
    from verifier.exports.bundle import summarize_certificate  # cryptography: loaded when needed

    try:
        found = summarize_certificate(pem.encode("ascii"))
    except (ValidationError, UnicodeEncodeError):
        # Stored, then expired (or changed by SQL): shown as unusable, refused at export.
        return Certificate("?", datetime.min.replace(tzinfo=UTC), "")
    return Certificate(found.subject, found.not_after, found.fingerprint)


def _operator_info(op: Operator, public: bytes | None) -> OperatorInfo:
    return OperatorInfo(
        op.id,
        op.code,
        op.name,
        op.health_url,
        op.active,
        op.export_protection or PASSPHRASE,
        certificate_of(op.export_certificate),
        authority.entry_verifies(public, op),
    )


def _insurer_info(ins: Insurer, public: bytes | None) -> InsurerInfo:
    return InsurerInfo(
        ins.id,
        ins.amc_number,
        ins.name,
        ins.operator.code if ins.operator else None,
        ins.hotline,
        ins.portal,
        ins.batch_by,
        ins.active,
        ins.provisional,
        ins.export_protection or PASSPHRASE,
        certificate_of(ins.export_certificate),
        authority.entry_verifies(public, ins),
    )


def _signed(s: Session, ctx: Context, *rows: Insurer | Operator) -> bytes | None:
    """Sign the rows an administrator just wrote; the site's public key, for the infos."""
    authority.sign_entries(s, ctx.store, *rows)
    return authority.entries_key(s)


def _opt(text: str | None) -> str | None:
    """Optional free text: stripped, None when empty."""
    return (text or "").strip() or None


def _too_long(text: str | None, maximum: int, field_name: str, code: str) -> list[Problem]:
    count = len((text or "").strip())
    return [Problem(code, {"maximum": maximum, "count": count}, field_name)] if count > maximum else []


def _insurer_field_problems(
    name: str, hotline: str | None, portal: str | None, batch_by: str, operator_code: str | None = None
) -> list[Problem]:
    problems = []
    if batch_by == "operator" and not _opt(operator_code):
        problems.append(Problem("insurer.batch_by_needs_operator", {}, "batch_by"))
    if not name.strip():
        problems.append(Problem("insurer.name_missing", {}, "name"))
    problems += _too_long(name, NAME_MAX, "name", "insurer.too_long")
    problems += _too_long(hotline, HOTLINE_MAX, "hotline", "insurer.too_long")
    problems += _too_long(portal, URL_MAX, "portal", "insurer.too_long")
    if batch_by not in BATCH_BY:
        problems.append(Problem("insurer.batch_by_invalid", {}, "batch_by"))
    return problems


def _operator_field_problems(name: str, health_url: str | None) -> list[Problem]:
    problems = []
    if not name.strip():
        problems.append(Problem("operator.name_missing", {}, "name"))
    problems += _too_long(name, NAME_MAX, "name", "operator.too_long")
    url = _opt(health_url)
    if url is not None:
        if not url.lower().startswith(("http://", "https://")) or any(c.isspace() for c in url):
            problems.append(Problem("operator.url_invalid", {}, "health_url"))
        problems += _too_long(url, URL_MAX, "health_url", "operator.too_long")
    return problems


def _operator_by_code(s: Session, code: str) -> Operator | None:
    return outage_store.operator_by_code(s, code.strip().upper())


def add_operator(ctx: Context, code: str, name: str, health_url: str | None = None) -> OperatorInfo:
    ctx.require_admin("manage_directory")
    code = code.strip().upper()
    problems = []
    if not code or len(code) > 40:
        problems.append(Problem("operator.code_invalid", {}, "code"))
    problems += _operator_field_problems(name, health_url)
    with ctx.store.write() as s:
        if code and outage_store.operator_by_code(s, code) is not None:
            problems.append(Problem("operator.exists", {"code": code}, "code"))
        if problems:
            raise ValidationError(problems)
        op = Operator(code=code, name=name.strip(), health_url=_opt(health_url), active=True)
        s.add(op)
        s.flush()
        audit_log.append(s, ctx.actor.login, "operator.created", "operator", str(op.id), {"code": code})
        return _operator_info(op, _signed(s, ctx, op))


def add_insurer(
    ctx: Context,
    amc_number: str,
    name: str,
    operator_code: str | None = None,
    hotline: str | None = None,
    portal: str | None = None,
    batch_by: str = "insurer",
) -> InsurerInfo:
    ctx.require_admin("manage_directory")
    checked = check_amc_number(amc_number)
    problems = [Problem(p.code, p.params, "amc_number") for p in checked.problems]
    problems += _insurer_field_problems(name, hotline, portal, batch_by, operator_code)
    with ctx.store.write() as s:
        operator = None
        new_operator = False
        if operator_code:
            operator = outage_store.operator_by_code(s, operator_code.strip().upper())
            known = KNOWN_OPERATORS.get(operator_code.strip().upper())
            if operator is None and known is not None:
                # An operator of the known list is created with its first insurer, as the
                # directory import does (the set-up assistant offers the list).
                operator = Operator(code=operator_code.strip().upper(), name=known, health_url=None, active=True)
                new_operator = True
            elif operator is None:
                problems.append(Problem("operator.unknown", {"code": operator_code}, "operator"))
        if checked.value and insurer_store.amc_number_taken(s, checked.value):
            problems.append(Problem("insurer.exists", {"amc": checked.value}, "amc_number"))
        if problems:
            raise ValidationError(problems)
        assert checked.value is not None
        if new_operator and operator is not None:
            s.add(operator)
            s.flush()
            audit_log.append(
                s, ctx.actor.login, "operator.created", "operator", str(operator.id), {"code": operator.code}
            )
        ins = Insurer(
            amc_number=checked.value,
            name=name.strip(),
            operator=operator,
            hotline=_opt(hotline),
            portal=_opt(portal),
            batch_by=batch_by,
            active=True,
        )
        s.add(ins)
        s.flush()
        audit_log.append(s, ctx.actor.login, "insurer.created", "insurer", str(ins.id), {"amc": ins.amc_number})
        if new_operator and operator is not None:
            authority.sign_entries(s, ctx.store, operator)
        return _insurer_info(ins, _signed(s, ctx, ins))


def record_provisional_insurer(
    ctx: Context, amc_number: str, name: str, operator_code: str | None = None
) -> InsurerInfo:
    """An insurer missing from the directory, recorded at the counter from what the card shows.

    Any signed-in user may do it, so that a claim can be queued when no administrator is
    there; the insurer stays "to be confirmed" (its claims cannot be batched) until an
    administrator confirms, corrects or merges it.
    """
    checked = check_amc_number(amc_number)
    problems = [Problem(p.code, p.params, "amc_number") for p in checked.problems]
    problems += _insurer_field_problems(name, None, None, "insurer")
    with ctx.store.write() as s:
        operator = None
        if _opt(operator_code):
            assert operator_code is not None
            operator = _operator_by_code(s, operator_code)
            if operator is None:
                problems.append(Problem("operator.unknown", {"code": operator_code.strip()}, "operator"))
        if checked.value and insurer_store.amc_number_taken(s, checked.value):
            problems.append(Problem("insurer.exists", {"amc": checked.value}, "amc_number"))
        if problems:
            raise ValidationError(problems)
        assert checked.value is not None
        ins = Insurer(
            amc_number=checked.value,
            name=name.strip(),
            operator=operator,
            batch_by="insurer",
            active=True,
            provisional=True,
            recorded_by=ctx.actor.user_id,
            recorded_at=utcnow(),
        )
        s.add(ins)
        s.flush()
        audit_log.append(
            s, ctx.actor.login, "insurer.recorded_provisional", "insurer", str(ins.id), {"amc": ins.amc_number}
        )
        # Not signed: a counter has no signing key; provisional, its claims wait for an administrator.
        return _insurer_info(ins, authority.entries_key(s))


def count_provisional(ctx: Context) -> int:
    """How many insurers recorded at the counter wait for an administrator."""
    with ctx.store.read() as s:
        return insurer_store.count_provisional(s)


def _provisional(s: Session, insurer_id: int) -> Insurer:
    ins = s.get(Insurer, insurer_id)
    if ins is None:
        raise NotFound("insurer.missing")
    if not ins.provisional:
        raise ValidationError([Problem("insurer.not_provisional", {"amc": ins.amc_number}, None)])
    return ins


def confirm_insurer(ctx: Context, insurer_id: int) -> InsurerInfo:
    """The administrator checked the provisional insurer: it joins the directory as it is."""
    ctx.require_admin("manage_directory")
    with ctx.store.write() as s:
        ins = _provisional(s, insurer_id)
        ins.provisional = False
        audit_log.append(s, ctx.actor.login, "insurer.confirmed", "insurer", str(ins.id), {"amc": ins.amc_number})
        return _insurer_info(ins, _signed(s, ctx, ins))


def correct_insurer(
    ctx: Context, insurer_id: int, *, amc_number: str, name: str, operator_code: str | None
) -> InsurerInfo:
    """Correct what was typed at the counter (number, name, operator) and confirm the insurer."""
    ctx.require_admin("manage_directory")
    checked = check_amc_number(amc_number)
    problems = [Problem(p.code, p.params, "amc_number") for p in checked.problems]
    problems += _insurer_field_problems(name, None, None, "insurer")
    with ctx.store.write() as s:
        ins = _provisional(s, insurer_id)
        operator = None
        if _opt(operator_code):
            assert operator_code is not None
            operator = _operator_by_code(s, operator_code)
            if operator is None:
                problems.append(Problem("operator.unknown", {"code": operator_code.strip()}, "operator"))
        if checked.value and checked.value != ins.amc_number and insurer_store.amc_number_taken(s, checked.value):
            problems.append(Problem("insurer.exists_merge", {"amc": checked.value}, "amc_number"))
        if problems:
            raise ValidationError(problems)
        old_amc = ins.amc_number
        changed = _apply(ins, {"amc_number": checked.value, "name": name.strip(), "operator": operator})
        ins.provisional = False
        audit_log.append(
            s,
            ctx.actor.login,
            "insurer.corrected",
            "insurer",
            str(ins.id),
            {"amc": ins.amc_number, "was": old_amc, "fields": changed},
        )
        return _insurer_info(ins, _signed(s, ctx, ins))


def merge_insurer(ctx: Context, provisional_id: int, into_id: int) -> InsurerInfo:
    """The provisional insurer is one already in the directory: its claims, checks and
    patients move to that entry and the provisional row is removed, in one transaction."""
    ctx.require_admin("manage_directory")
    with ctx.store.write() as s:
        ins = _provisional(s, provisional_id)
        into = s.get(Insurer, into_id)
        if into is None:
            raise NotFound("insurer.missing")
        if into.id == ins.id or into.provisional:
            raise ValidationError([Problem("insurer.merge_target_invalid", {}, "into")])
        moved = insurer_store.move_references(s, ins.id, into.id)
        amc = ins.amc_number
        s.delete(ins)
        s.flush()
        audit_log.append(
            s,
            ctx.actor.login,
            "insurer.merged",
            "insurer",
            str(into.id),
            {"amc": into.amc_number, "from_amc": amc, **moved},
        )
        return _insurer_info(into, authority.entries_key(s))


def list_operators(ctx: Context, include_inactive: bool = False) -> list[OperatorInfo]:
    with ctx.store.read() as s:
        public = authority.entries_key(s)
        return [_operator_info(o, public) for o in outage_store.operators(s, include_inactive)]


def list_insurers(ctx: Context, text: str = "", include_inactive: bool = False) -> list[InsurerInfo]:
    """Insurers whose AMC number starts with, or name contains, `text`."""
    with ctx.store.read() as s:
        public = authority.entries_key(s)
        return [_insurer_info(i, public) for i in insurer_store.matching(s, text.strip(), include_inactive)]


def get_operator(ctx: Context, code: str) -> OperatorInfo:
    with ctx.store.read() as s:
        op = _operator_by_code(s, code)
        if op is None:
            raise NotFound("operator.unknown", code=code.strip())
        return _operator_info(op, authority.entries_key(s))


def get_insurer(ctx: Context, amc_or_id: str | int) -> InsurerInfo:
    with ctx.store.read() as s:
        if isinstance(amc_or_id, int):
            ins = s.get(Insurer, amc_or_id)
        else:
            ins = insurer_store.by_amc_number(s, amc_or_id.strip())
        if ins is None:
            raise NotFound("insurer.not_found", amc=str(amc_or_id))
        return _insurer_info(ins, authority.entries_key(s))


def update_insurer(
    ctx: Context,
    insurer_id: int,
    *,
    name: str,
    operator_code: str | None,
    hotline: str | None,
    portal: str | None,
    batch_by: str,
) -> InsurerInfo:
    """Change an insurer's details (its AMC number stays: it identifies it on claims)."""
    ctx.require_admin("manage_directory")
    problems = _insurer_field_problems(name, hotline, portal, batch_by, operator_code)
    with ctx.store.write() as s:
        ins = s.get(Insurer, insurer_id)
        if ins is None:
            raise NotFound("insurer.missing")
        operator = None
        if _opt(operator_code):
            assert operator_code is not None
            operator = _operator_by_code(s, operator_code)
            if operator is None:
                problems.append(Problem("operator.unknown", {"code": operator_code.strip()}, "operator"))
        if problems:
            raise ValidationError(problems)
        was_trusted = authority.entry_verifies(authority.entries_key(s), ins)
        changed = _apply(
            ins,
            {
                "name": name.strip(),
                "operator": operator,
                "hotline": _opt(hotline),
                "portal": _opt(portal),
                "batch_by": batch_by,
            },
        )
        if changed or not was_trusted:
            # Saved from the form that shows every field: a row changed outside verifier is
            # vouched for again here, and that is on record.
            audit_log.append(
                s,
                ctx.actor.login,
                "insurer.updated",
                "insurer",
                str(ins.id),
                {"amc": ins.amc_number, "fields": changed, **({} if was_trusted else {"signed_again": True})},
            )
        return _insurer_info(ins, _signed(s, ctx, ins))


def _apply(row: Insurer | Operator, values: dict[str, object]) -> list[str]:
    """Set the attributes that differ; the sorted names of those that changed."""
    changed = []
    for name, value in values.items():
        if getattr(row, name) != value:
            setattr(row, name, value)
            changed.append(name)
    return sorted(changed)


def set_insurer_active(ctx: Context, insurer_id: int, active: bool) -> InsurerInfo:
    """Deactivate an insurer (the counter no longer offers it; its claims stay) or reactivate it."""
    ctx.require_admin("manage_directory")
    with ctx.store.write() as s:
        ins = s.get(Insurer, insurer_id)
        if ins is None:
            raise NotFound("insurer.missing")
        public = authority.entries_key(s)
        if ins.active != active:
            trusted = authority.entry_verifies(public, ins)
            ins.active = active
            action = "insurer.activated" if active else "insurer.deactivated"
            audit_log.append(s, ctx.actor.login, action, "insurer", str(ins.id), {"amc": ins.amc_number})
            if trusted:  # a row changed outside verifier stays refused: (de)activating vouches for nothing else
                authority.sign_entries(s, ctx.store, ins)
        return _insurer_info(ins, public)


def update_operator(ctx: Context, operator_id: int, *, name: str, health_url: str | None) -> OperatorInfo:
    """Change an operator's name or the address probed to see whether it is back."""
    ctx.require_admin("manage_directory")
    problems = _operator_field_problems(name, health_url)
    if problems:
        raise ValidationError(problems)
    with ctx.store.write() as s:
        op = s.get(Operator, operator_id)
        if op is None:
            raise NotFound("operator.missing")
        was_trusted = authority.entry_verifies(authority.entries_key(s), op)
        changed = _apply(op, {"name": name.strip(), "health_url": _opt(health_url)})
        if changed or not was_trusted:
            audit_log.append(
                s,
                ctx.actor.login,
                "operator.updated",
                "operator",
                str(op.id),
                {"code": op.code, "fields": changed, **({} if was_trusted else {"signed_again": True})},
            )
        return _operator_info(op, _signed(s, ctx, op))


def set_operator_active(ctx: Context, operator_id: int, active: bool) -> OperatorInfo:
    """Deactivate an operator (hidden from the lists; its insurers keep it) or reactivate it."""
    ctx.require_admin("manage_directory")
    with ctx.store.write() as s:
        op = s.get(Operator, operator_id)
        if op is None:
            raise NotFound("operator.missing")
        public = authority.entries_key(s)
        if op.active != active:
            trusted = authority.entry_verifies(public, op)
            op.active = active
            action = "operator.activated" if active else "operator.deactivated"
            audit_log.append(s, ctx.actor.login, action, "operator", str(op.id), {"code": op.code})
            if trusted:
                authority.sign_entries(s, ctx.store, op)
        return _operator_info(op, public)


def _protection_problems(protection: str, certificate_pem: bytes | None) -> tuple[list[Problem], str | None]:
    """What is wrong with the protection chosen, and the certificate as stored (PEM text)."""
    if protection not in PROTECTIONS:
        return [Problem("directory.protection_unknown", {"known": ", ".join(PROTECTIONS)}, "protection")], None
    if protection == PASSPHRASE:
        return [], None
    if not certificate_pem:
        return [Problem("directory.certificate_missing", {}, "certificate")], None
    from verifier.exports.bundle import summarize_certificate  # cryptography: loaded when needed

    try:
        summarize_certificate(certificate_pem)
        text = certificate_pem.decode("ascii")
    except ValidationError as exc:
        return list(exc.problems), None
    except UnicodeDecodeError:
        return [Problem("export.certificate_unreadable", field="certificate")], None
    return [], text.strip() + "\n"


def read_certificate(path: Path) -> bytes:
    """A certificate file chosen by the administrator, checked; refused with its sentence."""
    try:
        pem = path.read_bytes()[:1_000_000]
    except OSError as exc:
        raise ValidationError(
            [
                Problem(
                    "admin.batch.certificate_unreadable",
                    {"file": path.name, "reason": exc.strerror or type(exc).__name__},
                    "certificate",
                )
            ]
        ) from None
    problems, _ = _protection_problems(CERTIFICATE, pem)
    if problems:
        raise ValidationError(problems)
    return pem


def set_export_protection(
    ctx: Context,
    *,
    insurer_id: int | None = None,
    operator_id: int | None = None,
    protection: str,
    certificate_pem: bytes | None = None,
    certificate_file: Path | None = None,
) -> InsurerInfo | OperatorInfo:
    """How the batches of this insurer (or operator) are encrypted by default: a passphrase
    read to it, or its certificate (checked: RSA, in its validity, for key encipherment),
    given as PEM bytes or a file, or the one on record when neither is given. Signed with
    the other fields: a certificate swapped by SQL is refused at export. Nothing is written
    when the choice is refused; nothing is recorded when it does not change."""
    ctx.require_admin("manage_directory")
    if certificate_file is not None:
        certificate_pem = read_certificate(certificate_file)
    if protection not in PROTECTIONS:
        raise ValidationError(_protection_problems(protection, None)[0])
    with ctx.store.write() as s:
        row: Insurer | Operator | None = (
            s.get(Insurer, insurer_id) if insurer_id is not None else s.get(Operator, operator_id)
        )
        if row is None:
            raise NotFound("insurer.missing" if insurer_id is not None else "operator.missing")
        if protection == CERTIFICATE and certificate_pem is None and row.export_certificate:
            certificate_pem = row.export_certificate.encode("ascii", "replace")  # the one on record
        problems, pem = _protection_problems(protection, certificate_pem)
        if problems:
            raise ValidationError(problems)
        public = authority.entries_key(s)
        if (row.export_protection, row.export_certificate) == (protection, pem):
            return _insurer_info(row, public) if isinstance(row, Insurer) else _operator_info(row, public)
        row.export_protection, row.export_certificate = protection, pem
        entity, key = ("insurer", "amc") if isinstance(row, Insurer) else ("operator", "code")
        ident = row.amc_number if isinstance(row, Insurer) else row.code
        details: dict[str, object] = {key: ident, "protection": protection}
        if pem is not None:
            assert certificate_pem is not None
            from verifier.exports.bundle import summarize_certificate

            details["certificate_sha256"] = summarize_certificate(certificate_pem).fingerprint
        audit_log.append(s, ctx.actor.login, f"{entity}.protection_set", entity, str(row.id), details)
        public = _signed(s, ctx, row)
        return _insurer_info(row, public) if isinstance(row, Insurer) else _operator_info(row, public)


# --------------------------------------------------------------------------- CSV directory

CSV_MAX_BYTES = 5_000_000
CSV_COLUMNS = ("amc_number", "name", "operator", "hotline", "portal")
CSV_REQUIRED = ("amc_number", "name")
# Header names: the documented English ones, and the French ones an administrator may type.
CSV_HEADERS: dict[str, str] = {
    "amc_number": "amc_number",
    "amc": "amc_number",
    "numero_amc": "amc_number",
    "numéro_amc": "amc_number",
    "name": "name",
    "nom": "name",
    "operator": "operator",
    "operateur": "operator",
    "opérateur": "operator",
    "hotline": "hotline",
    "telephone": "hotline",
    "téléphone": "hotline",
    "portal": "portal",
    "portail": "portal",
}
CREATED, UPDATED, UNCHANGED = "created", "updated", "unchanged"


@dataclass(frozen=True)
class ImportLine:
    """What one line of a directory file did to the insurer of its AMC number."""

    line: int
    amc_number: str
    outcome: str  # CREATED, UPDATED (it existed and something changed) or UNCHANGED
    active: bool  # False: an existing insurer that stays deactivated

    def message(self) -> str:
        text = i18n.say(f"insurer.csv_{self.outcome}", line=self.line, amc=self.amc_number)
        return text if self.active else f"{text} {i18n.say('insurer.csv_still_inactive')}"


@dataclass(frozen=True)
class ImportReport:
    """What an accepted directory file changed."""

    lines: tuple[ImportLine, ...]
    operators_created: tuple[str, ...]
    encoding: str  # "utf-8" or "cp1252"
    separator: str  # ";" or ","

    def count(self, outcome: str) -> int:
        return sum(1 for line in self.lines if line.outcome == outcome)

    @property
    def created(self) -> int:
        return self.count(CREATED)

    @property
    def updated(self) -> int:
        return self.count(UPDATED)

    def summary(self) -> str:
        """One sentence: how many insurers were added, updated, left as they were."""
        text = i18n.tr(
            "Organismes ajoutés : {created} ; mis à jour : {updated} ; inchangés : {unchanged}.",
            created=self.created,
            updated=self.updated,
            unchanged=self.count(UNCHANGED),
        )
        if self.operators_created:
            text += " " + i18n.tr("Opérateurs ajoutés : {codes}.", codes=", ".join(self.operators_created))
        return text

    def details(self) -> list[str]:
        """A sentence for each line about an insurer that already existed."""
        return [line.message() for line in self.lines if line.outcome != CREATED]


@dataclass
class _Row:
    line: int
    values: dict[str, str] = field(default_factory=dict)  # the header's columns only

    def get(self, column: str) -> str:
        return self.values.get(column, "")


def _line_problem(line: int, reason: Problem) -> Problem:
    # The reason is rendered when the message is, in the language of that moment.
    return Problem("insurer.csv_line", {"line": line, "reason": reason}, reason.field)


def _decode(data: bytes) -> tuple[str, str]:
    try:
        return data.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252"), "cp1252"
    except UnicodeDecodeError:
        raise ValidationError([Problem("insurer.csv_encoding")]) from None


def _header(cells: Sequence[str], line: int) -> tuple[list[str], list[Problem]]:
    columns: list[str] = []
    problems: list[Problem] = []
    for cell in cells:
        key = cell.strip().lower().replace(" ", "_").replace("-", "_")
        column = CSV_HEADERS.get(key)
        if column is None:
            problems.append(
                Problem("insurer.csv_unknown_column", {"column": cell.strip(), "expected": ";".join(CSV_COLUMNS)})
            )
        elif column in columns:
            problems.append(Problem("insurer.csv_duplicate_column", {"column": cell.strip()}))
        columns.append(column or "")
    for required in CSV_REQUIRED:
        if required not in columns:
            problems.append(
                Problem("insurer.csv_missing_column", {"column": required, "expected": ";".join(CSV_COLUMNS)})
            )
    return columns, [_line_problem(line, p) for p in problems]


def _read_insurers_csv(path: Path) -> tuple[list[_Row], list[Problem], str, str]:
    """Rows of a directory file with every problem found without the database.

    Returns (rows, problems, encoding, separator). Raises ValidationError when the file
    cannot be read at all (missing, too big, not text, no header).
    """
    try:
        if path.stat().st_size > CSV_MAX_BYTES:
            raise ValidationError([Problem("insurer.csv_too_big", {"maximum": CSV_MAX_BYTES // 1_000_000})])
        data = path.read_bytes()
    except OSError as exc:
        raise ValidationError(
            [Problem("insurer.csv_unreadable", {"path": str(path), "error": exc.strerror or exc})]
        ) from exc
    text, encoding = _decode(data)
    first = next((line for line in text.splitlines() if line.strip()), None)
    if first is None:
        raise ValidationError([Problem("insurer.csv_empty", {"expected": ";".join(CSV_COLUMNS)})])
    separator = ";" if ";" in first else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=separator)
    columns: list[str] | None = None
    rows: list[_Row] = []
    problems: list[Problem] = []
    try:
        for cells in reader:
            if not any(c.strip() for c in cells):
                continue
            if columns is None:
                columns, header_problems = _header(cells, reader.line_num)
                if header_problems:
                    raise ValidationError(header_problems)
                continue
            number = reader.line_num
            extra = [c for c in cells[len(columns) :] if c.strip()]
            if extra:
                problems.append(
                    _line_problem(
                        number,
                        Problem(
                            "insurer.csv_too_many_fields",
                            {"count": len(cells), "expected": len(columns), "separator": separator},
                        ),
                    )
                )
                continue
            padded = [c.strip() for c in cells] + [""] * (len(columns) - len(cells))
            rows.append(_Row(number, dict(zip(columns, padded))))
    except csv.Error as exc:
        problems.append(_line_problem(reader.line_num, Problem("insurer.csv_syntax", {"error": str(exc)})))
    if not rows and not problems:
        raise ValidationError([Problem("insurer.csv_no_lines")])
    seen: dict[str, int] = {}
    for row in rows:
        checked = check_amc_number(row.get("amc_number"))
        reasons = [Problem(p.code, p.params, "amc_number") for p in checked.problems]
        if checked.value is not None:
            if checked.value in seen:
                reasons.append(
                    Problem("insurer.csv_duplicate", {"amc": checked.value, "first": seen[checked.value]}, "amc_number")
                )
            else:
                seen[checked.value] = row.line
            row.values["amc_number"] = checked.value
        reasons += _insurer_field_problems(row.get("name"), row.get("hotline"), row.get("portal"), "insurer")
        if "operator" in row.values:  # an absent column leaves each insurer's operator as it is
            row.values["operator"] = row.get("operator").upper()
            if len(row.get("operator")) > 40:
                reasons.append(Problem("operator.code_invalid", {}, "operator"))
        problems += [_line_problem(row.line, r) for r in reasons]
    return rows, problems, encoding, separator


def import_insurers_csv(ctx: Context, path: Path) -> ImportReport:
    """Import a directory of insurers from a CSV file: all of it, or nothing.

    Format (docs/administration.md): UTF-8 or Windows-1252, `;` or `,` separated, a header
    row naming the columns `amc_number;name;operator;hotline;portal` (the first two are
    required; the French names numero_amc, nom, operateur, telephone, portail are accepted).
    A line whose AMC number exists updates that insurer (columns absent from the header are
    left as they are; an empty cell clears the value); otherwise it adds one. The operator
    is an operator code: one already in the directory, or one of KNOWN_OPERATORS (created
    then). A file with any bad line is refused with every problem, each naming its line
    (ValidationError), and changes nothing.
    """
    ctx.require_admin("manage_directory")
    rows, problems, encoding, separator = _read_insurers_csv(Path(path))
    with ctx.store.write() as s:
        operators = {op.code: op for op in outage_store.operators(s)}
        for row in rows:
            code = row.get("operator")
            if code and code not in operators and code not in KNOWN_OPERATORS:
                problems.append(_line_problem(row.line, Problem("operator.unknown", {"code": code}, "operator")))
        if problems:
            raise ValidationError(sorted(problems, key=lambda p: int(str(p.params["line"]))))
        return _write_directory(ctx, s, rows, operators, encoding, separator)


def _write_directory(
    ctx: Context, s: Session, rows: list[_Row], operators: dict[str, Operator], encoding: str, separator: str
) -> ImportReport:
    events: list[audit_log.Event] = []
    created_ops: list[str] = []
    for code in dict.fromkeys(row.get("operator") for row in rows):
        if code and code not in operators:
            operators[code] = Operator(code=code, name=KNOWN_OPERATORS[code], health_url=None, active=True)
            s.add(operators[code])
            created_ops.append(code)
    s.flush()
    events += [
        ("operator.created", "operator", str(operators[c].id), {"code": c, "source": "csv"}) for c in created_ops
    ]
    existing = {ins.amc_number: ins for ins in insurer_store.every_insurer(s)}
    public = authority.entries_key(s)
    # A row changed outside verifier is updated but not vouched for: it stays refused until
    # an administrator checks it in its form (a CSV line shows only some of its fields).
    trusted = {amc for amc, ins in existing.items() if authority.entry_verifies(public, ins)}
    results: list[tuple[_Row, Insurer, str]] = []
    for row in rows:
        values: dict[str, object] = {"name": row.get("name")}
        if "operator" in row.values:
            values["operator"] = operators[row.get("operator")] if row.get("operator") else None
        for column in ("hotline", "portal"):
            if column in row.values:
                values[column] = _opt(row.get(column))
        ins = existing.get(row.get("amc_number"))
        if ins is None:
            ins = Insurer(amc_number=row.get("amc_number"), batch_by="insurer", active=True)
            _apply(ins, {"operator": None, "hotline": None, "portal": None} | values)
            s.add(ins)
            results.append((row, ins, CREATED))
        else:
            changed = _apply(ins, values)
            results.append((row, ins, UPDATED if changed else UNCHANGED))
            if changed:
                events.append(
                    (
                        "insurer.updated",
                        "insurer",
                        str(ins.id),
                        {"amc": ins.amc_number, "fields": changed, "source": "csv"},
                    )
                )
    s.flush()
    authority.sign_entries(
        s,
        ctx.store,
        *(operators[c] for c in created_ops),
        *(
            ins
            for _, ins, outcome in results
            if outcome == CREATED or (outcome == UPDATED and ins.amc_number in trusted and not ins.provisional)
        ),
    )
    events += [
        ("insurer.created", "insurer", str(ins.id), {"amc": ins.amc_number, "source": "csv"})
        for _, ins, outcome in results
        if outcome == CREATED
    ]
    report = ImportReport(
        tuple(ImportLine(row.line, ins.amc_number, outcome, ins.active) for row, ins, outcome in results),
        tuple(created_ops),
        encoding,
        separator,
    )
    events.append(
        (
            "insurer.csv_imported",
            "insurer",
            None,
            {
                "created": report.created,
                "updated": report.updated,
                "unchanged": report.count(UNCHANGED),
                "operators_created": len(created_ops),
            },
        )
    )
    audit_log.append_many(s, ctx.actor.login, events)
    return report


i18n.register(
    {
        "directory.protection_unknown": i18n.N_("Protection inconnue (connues : {known})."),
        "directory.certificate_missing": i18n.N_(
            "Choisissez le fichier du certificat de l'organisme (PEM), qu'il vous a transmis."
        ),
        "operator.code_invalid": i18n.N_("Donnez un code d'opérateur (1 à 40 caractères), par exemple VIAMEDIS."),
        "operator.name_missing": i18n.N_("Indiquez le nom de l'opérateur."),
        "operator.exists": i18n.N_("L'opérateur {code} existe déjà."),
        "operator.unknown": i18n.N_("Opérateur inconnu : {code}. Ajoutez-le d'abord."),
        "insurer.name_missing": i18n.N_("Indiquez le nom de l'organisme complémentaire."),
        "insurer.batch_by_needs_operator": i18n.N_(
            "Des lots par opérateur demandent un opérateur : choisissez l'opérateur de cet organisme, ou des lots par organisme."
        ),
        "insurer.batch_by_invalid": i18n.N_("Le regroupement des lots doit être « insurer » ou « operator »."),
        "insurer.not_provisional": i18n.N_("L'organisme n° AMC {amc} est déjà confirmé : modifiez-le plutôt."),
        "insurer.exists_merge": i18n.N_(
            "Un organisme porte déjà le numéro AMC {amc} : fusionnez plutôt l'organisme à confirmer avec lui."
        ),
        "insurer.merge_target_invalid": i18n.N_("Choisissez un autre organisme, déjà confirmé, avec lequel fusionner."),
        "insurer.exists": i18n.N_("Un organisme porte déjà le numéro AMC {amc}."),
        "insurer.not_found": i18n.N_(
            "Aucun organisme avec le numéro AMC {amc}. Vérifiez le numéro sur l'attestation ou ajoutez l'organisme."
        ),
        "insurer.missing": i18n.N_("Cet organisme n'existe plus. Actualisez la liste."),
        "operator.missing": i18n.N_("Cet opérateur n'existe plus. Actualisez la liste."),
        "insurer.too_long": i18n.N_("Ce champ accepte {maximum} caractères au plus ; {count} ont été saisis."),
        "operator.too_long": i18n.N_("Ce champ accepte {maximum} caractères au plus ; {count} ont été saisis."),
        "operator.url_invalid": i18n.N_(
            "L'adresse de supervision doit commencer par http:// ou https:// et ne contenir aucun espace."
        ),
        "insurer.csv_line": i18n.N_("Ligne {line} : {reason}"),
        "insurer.csv_unreadable": i18n.N_("Le fichier {path} n'a pas pu être lu ({error})."),
        "insurer.csv_too_big": i18n.N_("Ce fichier dépasse {maximum} Mo : ce n'est pas un annuaire d'organismes."),
        "insurer.csv_encoding": i18n.N_(
            "Le fichier n'est ni en UTF-8 ni en Windows-1252 : enregistrez-le en « CSV UTF-8 » depuis votre tableur."
        ),
        "insurer.csv_empty": i18n.N_("Le fichier est vide. La première ligne doit nommer les colonnes : {expected}."),
        "insurer.csv_no_lines": i18n.N_("Le fichier ne contient que la ligne d'en-tête : aucun organisme à importer."),
        "insurer.csv_unknown_column": i18n.N_("colonne inconnue « {column} » (colonnes attendues : {expected})."),
        "insurer.csv_duplicate_column": i18n.N_("la colonne « {column} » apparaît deux fois."),
        "insurer.csv_missing_column": i18n.N_(
            "la colonne obligatoire « {column} » manque (colonnes attendues : {expected})."
        ),
        "insurer.csv_too_many_fields": i18n.N_(
            "{count} champs au lieu de {expected} : un nom contenant « {separator} » doit être entre guillemets."
        ),
        "insurer.csv_syntax": i18n.N_("ligne illisible ({error})."),
        "insurer.csv_duplicate": i18n.N_("le numéro AMC {amc} figure déjà ligne {first}."),
        "insurer.csv_created": i18n.N_("Ligne {line} : organisme {amc} ajouté."),
        "insurer.csv_updated": i18n.N_("Ligne {line} : l'organisme {amc} existait déjà ; il a été mis à jour."),
        "insurer.csv_unchanged": i18n.N_("Ligne {line} : l'organisme {amc} existait déjà, à l'identique."),
        "insurer.csv_still_inactive": i18n.N_("Il reste désactivé."),
        "insurer.csv_summary": i18n.N_(
            "Organismes ajoutés : {created} ; mis à jour : {updated} ; inchangés : {unchanged}."
        ),
        "insurer.csv_operators_created": i18n.N_("Opérateurs ajoutés : {codes}."),
    }
)
