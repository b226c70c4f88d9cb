"""Insurers' returns: accepted, rejected (with a reason), paid — from a file or typed in.

An import is all-or-nothing: every line is checked first, and a file with an unknown claim
number, a wrong amount or a bad line is refused with a report of every problem and
changes nothing. A return file answers one batch (an insurer's or an operator's): a file
whose lines answer claims of other batches is refused as a whole, naming those lines. A
file that cannot be read as a return file (binary, UTF-16, nested JSON, huge numbers or
cells) is refused with a sentence, never an unexpected error. The format is documented in
docs/export-format.md ("Return files").
"""

from __future__ import annotations

import csv
import io
import json
import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from verifier import i18n
from verifier.domain.errors import Problem, ValidationError
from verifier.domain.states import ClaimStatus, can_transition
from verifier.services.context import Context
from verifier.store import audit_log, claims_write
from verifier.store import batches as batch_store
from verifier.store.types import utcnow

STATUSES = {s.value: s for s in (ClaimStatus.ACCEPTED, ClaimStatus.REJECTED, ClaimStatus.PAID)}
MAX_BYTES = 20_000_000
MAX_LINE_CHARS = 10_000  # a return line is a few hundred characters; longer is not a return file
MAX_CELL_CHARS = 2_000  # the reason text kept is 500 characters; more is refused, not cut silently
MAX_NUMBER_DIGITS = 18  # claim numbers fit a 64-bit integer, as the database stores them
MAX_CODE_CHARS = 20  # the rejection code column's width
MAX_LISTED = 20  # lines named in one sentence; the rest are counted
_FIELDS = ("claim_number", "status", "reason_code", "reason_text", "paid_amount", "payment_date")


@dataclass(frozen=True)
class ReturnLine:
    """One answer about one claim, as the insurer sent it (or as typed from a letter)."""

    claim_number: int
    status: str  # "accepted", "rejected" or "paid", as in the file (a ClaimStatus value)
    reason_code: str | None = None
    reason_text: str | None = None
    paid_amount: Decimal | None = None
    payment_date: date | None = None
    source_line: int | None = None  # where it stands in its file (the header is line 1)
    source_path: str | None = None  # in a JSON file, where it stands ("$[0]"); None in a CSV file


@dataclass(frozen=True)
class ImportReport:
    accepted: int
    rejected: int
    paid: int

    def summary(self) -> str:
        return i18n.tr(
            "Retour importé : {accepted} acceptée(s), {rejected} rejetée(s), {paid} payée(s).",
            accepted=self.accepted,
            rejected=self.rejected,
            paid=self.paid,
        )


def _line_problem(n: int, code: str, path: str | None = None, field: str | None = None, /, **params: object) -> Problem:
    """A problem of one line of a CSV file ("Ligne 3 : …") or one answer of a JSON file ("$[1].status : …")."""
    text = i18n.say(code, **params)
    if path is None:  # a line of the file, not of a claim: Problem.line stays None
        return Problem("returns.line", {"line": n, "problem": text})
    where = f"{path}.{field}" if field else path
    return Problem("returns.item", {"path": where, "problem": text}, where)


def _file_problem(code: str, **params: object) -> ValidationError:
    return ValidationError([Problem(code, dict(params), "file")])


def _parse_row(n: int, row: dict[str, str], path: str | None = None) -> tuple[ReturnLine | None, list[Problem]]:
    problems = []

    def bad(field: str, code: str, **params: object) -> None:
        problems.append(_line_problem(n, code, path, field, **params))

    # Only the reason text can be long and still make sense; a long number, code, status or
    # date is refused by its own check below.
    text_length = len(row.get("reason_text") or "")
    if text_length > MAX_CELL_CHARS:
        bad("reason_text", "returns.cell_too_long", column="reason_text", length=text_length, most=MAX_CELL_CHARS)
    raw_number = (row.get("claim_number") or "").strip()
    number: int | None = None
    # isascii: str.isdigit() also says yes to "²" or "٣", which int() then refuses.
    if raw_number.isascii() and raw_number.isdigit():
        if len(raw_number.lstrip("0")) > MAX_NUMBER_DIGITS:
            bad("claim_number", "returns.number_too_long", digits=len(raw_number), most=MAX_NUMBER_DIGITS)
        else:
            number = int(raw_number)
    else:
        bad("claim_number", "returns.bad_number")
    status = (row.get("status") or "").strip().lower()
    if status not in STATUSES:
        bad("status", "returns.bad_status")
    reason_code = (row.get("reason_code") or "").strip() or None
    if reason_code is not None and len(reason_code) > MAX_CODE_CHARS:
        bad("reason_code", "returns.code_too_long", most=MAX_CODE_CHARS)
    paid: Decimal | None = None
    raw_paid = (row.get("paid_amount") or "").strip()
    if raw_paid:
        try:
            paid = Decimal(raw_paid)
            if not paid.is_finite() or paid != paid.quantize(Decimal("0.01")) or paid < 0:
                raise InvalidOperation
            paid = paid.quantize(Decimal("0.01"))
        except InvalidOperation:  # also a number too long for the 28 digits of the context
            bad("paid_amount", "returns.bad_amount")
            paid = None
    when: date | None = None
    raw_date = (row.get("payment_date") or "").strip()
    if raw_date:
        try:
            if len(raw_date) != 10:  # fromisoformat also reads "20261215" and week dates
                raise ValueError
            when = date.fromisoformat(raw_date)
        except ValueError:
            bad("payment_date", "returns.bad_date")
    if problems or number is None:
        return None, problems
    return ReturnLine(
        number,
        status,
        reason_code,
        (row.get("reason_text") or "").strip() or None,
        paid,
        when,
        n,
        path,
    ), []


def _read(path: Path) -> bytes:
    try:
        if path.stat().st_size > MAX_BYTES:
            raise _file_problem("returns.too_big")
        with path.open("rb") as f:
            data = f.read(MAX_BYTES + 1)  # a file growing while read is still bounded
    except OSError:
        raise _file_problem("returns.unreadable") from None
    if len(data) > MAX_BYTES:
        raise _file_problem("returns.too_big")
    return data


def _decode(data: bytes) -> str:
    """UTF-8 (with or without a byte-order mark), else Windows-1252; anything else is refused."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise _file_problem("returns.utf16")
    if b"\x00" in data:  # UTF-16 without a mark, or not text at all
        raise _file_problem("returns.binary")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise ValidationError([_line_problem(line, "returns.bad_byte", byte=f"0x{data[exc.start]:02X}")]) from None


def _json_rows(text: str) -> list[tuple[int, str, dict[str, str]]]:
    """(answer number, JSON path, cells as text) for each answer of a JSON return file."""
    try:
        # Numbers are kept as their text: a 5,000-digit integer is refused as a claim number or
        # an amount rather than failing int(); constants (NaN) are refused as amounts.
        loaded = json.loads(text, parse_int=str, parse_float=str, parse_constant=str)
    except json.JSONDecodeError as exc:
        raise _file_problem("returns.bad_json_at", line=exc.lineno, column=exc.colno) from None
    except RecursionError:
        raise _file_problem("returns.json_too_deep") from None
    root = "$"
    items: Any = loaded
    if isinstance(loaded, dict):
        root, items = "$.returns", loaded.get("returns")
    if not isinstance(items, list):
        raise _file_problem("returns.bad_json")
    rows: list[tuple[int, str, dict[str, str]]] = []
    problems = []
    for i, item in enumerate(items):
        path = f"{root}[{i}]"
        if not isinstance(item, dict):
            problems.append(_line_problem(i + 1, "returns.not_object", path))
            continue
        cells: dict[str, str] = {}
        for key in _FIELDS:
            value = item.get(key)
            if isinstance(value, (dict, list)):
                problems.append(_line_problem(i + 1, "returns.not_scalar", path, key))
            elif value is not None:
                cells[key] = value if isinstance(value, str) else json.dumps(value)
        rows.append((i + 1, path, cells))
    if problems:
        raise ValidationError(problems)
    return rows


def _csv_rows(text: str) -> list[tuple[int, str | None, dict[str, str]]]:
    """(line number, None, cells) for each row of a CSV return file; the header is line 1."""
    for n, physical in enumerate(re.split(r"\r\n|\r|\n", text), start=1):
        if len(physical) > MAX_LINE_CHARS:
            raise ValidationError([_line_problem(n, "returns.line_too_long", most=MAX_LINE_CHARS)])
    sample = text.split("\n", 1)[0]
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=";" if sample.count(";") >= sample.count(",") else ",")
    rows: list[tuple[int, str | None, dict[str, str]]] = []
    try:
        header = [h.strip() for h in next(reader, [])]
        if "claim_number" not in header:
            raise _file_problem("returns.no_header")
        for cells in reader:
            if not any(c.strip() for c in cells):
                continue  # a blank line
            row = {name: value for name, value in zip(header, cells, strict=False) if name in _FIELDS}
            rows.append((reader.line_num, None, row))
    except csv.Error:  # an unclosed quote, a cell over the csv module's own limit
        raise ValidationError([_line_problem(reader.line_num, "returns.bad_csv")]) from None
    return rows


def parse_file(path: Path) -> list[ReturnLine]:
    """Read a return file (CSV with a header, `;` or `,`, UTF-8 or Windows-1252; or JSON)."""
    text = _decode(_read(path))
    if not text.strip():
        raise _file_problem("returns.empty")
    is_json = text.lstrip().startswith(("[", "{"))
    rows = _json_rows(text) if is_json else _csv_rows(text)
    lines, problems = [], []
    for n, where, row in rows:
        line, found = _parse_row(n, row, where)
        problems += found
        if line is not None:
            lines.append(line)
    if problems:
        raise ValidationError(problems)
    if not lines:
        raise _file_problem("returns.empty")
    return lines


def _where(line: ReturnLine, i: int) -> str:
    if line.source_path is not None:
        return line.source_path
    return i18n.tr("ligne {line}", line=line.source_line or i)


def _problem_at(line: ReturnLine, i: int, code: str, **params: object) -> Problem:
    return _line_problem(line.source_line or i, code, line.source_path, **params)


def _one_batch(
    s: Any, lines: list[ReturnLine], found: dict[int, Any], batch_id: int | None
) -> tuple[list[Problem], set[int]]:
    """The lines whose claims are not in the file's batch (the one named, else the first line's
    claim's), as one problem naming them, and those claims' numbers; nothing when every known
    claim is in that batch."""
    if batch_id is not None:
        chosen = batch_store.get(s, batch_id) if 0 < batch_id < 2**63 else None
        if chosen is None:
            raise ValidationError([Problem("returns.no_such_batch", {"id": batch_id}, "batch")])
        reference, first = chosen.id, None
    else:
        in_batch = [(i, ln) for i, ln in enumerate(lines, 1) if getattr(found.get(ln.claim_number), "batch_id", None)]
        if not in_batch:
            return [], set()  # no claim of the file is in a batch: each line's own problem says why
        first = in_batch[0]
        reference = found[first[1].claim_number].batch_id
    stray = [
        (i, ln)
        for i, ln in enumerate(lines, 1)
        if ln.claim_number in found and found[ln.claim_number].batch_id != reference
    ]
    if not stray:
        return [], set()
    insurers, operators = batch_store.recipient_names(s)
    batches: dict[int, Any] = {}

    def batch_text(batch_id: int | None) -> str:
        if batch_id is None:
            return i18n.tr("dans aucun lot")
        if batch_id not in batches:
            batches[batch_id] = batch_store.get(s, batch_id)
        b = batches[batch_id]
        name = operators.get(b.operator_id, "") if b.operator_id is not None else insurers.get(b.insurer_id, "")
        return i18n.tr("lot n° {number} de {recipient}", number=format(b.number, "06d"), recipient=name)

    listed = [
        i18n.tr(
            "{where} (demande n° {number}, {batch})",
            where=_where(ln, i),
            number=ln.claim_number,
            batch=batch_text(found[ln.claim_number].batch_id),
        )
        for i, ln in stray[:MAX_LISTED]
    ]
    if len(stray) > MAX_LISTED:
        listed.append(i18n.tr("et {count} autre(s)", count=len(stray) - MAX_LISTED))
    if first is None:
        why = i18n.say("returns.batch_named")
    elif first[1].source_path is not None:
        why = i18n.say("returns.batch_first_path", path=first[1].source_path)
    else:
        why = i18n.say("returns.batch_first_line", line=first[1].source_line or first[0])
    problem = Problem(
        "returns.other_batch",
        {"batch": batch_text(reference), "why": why, "lines": " ; ".join(listed), "count": len(stray)},
        "file",
    )
    return [problem], {ln.claim_number for _i, ln in stray}


def apply(ctx: Context, lines: list[ReturnLine], source: str, batch_id: int | None = None) -> ImportReport:
    """Apply every answer in one transaction, or none of them (every problem reported).

    Every answer must be about a claim of one batch: `batch_id` when given, else the batch of
    the first line whose claim is in a batch."""
    ctx.require_admin("record_return")
    with ctx.store.write() as s:
        found = claims_write.by_numbers_for_update(s, [line.claim_number for line in lines])
        problems, strays = _one_batch(s, lines, found, batch_id)
        state: dict[int, ClaimStatus] = {}
        seen: set[tuple[int, str]] = set()
        for i, line in enumerate(lines, start=1):
            claim = found.get(line.claim_number)
            if claim is None:
                problems.append(_problem_at(line, i, "returns.unknown_claim", number=line.claim_number))
                continue
            if line.claim_number in strays:
                continue  # named by the one-batch problem; more about an answer to another batch would not help
            if (line.claim_number, line.status) in seen:
                problems.append(_problem_at(line, i, "returns.duplicate", number=line.claim_number))
                continue
            seen.add((line.claim_number, line.status))
            current = state.get(line.claim_number, ClaimStatus(claim.status))
            target = STATUSES[line.status]
            if not can_transition(current, target):
                problems.append(
                    _problem_at(line, i, "returns.bad_transition", number=line.claim_number, status=current.label())
                )
                continue
            if target is ClaimStatus.REJECTED and not line.reason_code:
                problems.append(_problem_at(line, i, "returns.reason_missing"))
            if target is ClaimStatus.PAID:
                if line.paid_amount is None or line.payment_date is None:
                    problems.append(_problem_at(line, i, "returns.paid_missing"))
                elif line.paid_amount <= 0 or line.paid_amount > claim.amc:
                    problems.append(_problem_at(line, i, "returns.wrong_amount", number=line.claim_number))
                elif line.payment_date > date.today():
                    problems.append(_problem_at(line, i, "returns.future_date"))
            state[line.claim_number] = target
        if problems:
            raise ValidationError(problems)
        now = utcnow()
        counts = dict.fromkeys(STATUSES.values(), 0)
        events: list[audit_log.Event] = []
        for line in lines:
            claim = found[line.claim_number]
            status = STATUSES[line.status]
            claim.status = status
            claim.updated_at = now
            if status is ClaimStatus.REJECTED:
                claim.rejection_code, claim.rejection_text = line.reason_code, (line.reason_text or "")[:500] or None
            if status is ClaimStatus.PAID:
                claim.paid_amount, claim.paid_on = line.paid_amount, line.payment_date
            counts[status] += 1
            events.append(
                (
                    f"claim.{status.value}",
                    "claim",
                    claim.id,
                    {"number": claim.number, "code": line.reason_code, "source": source},
                )
            )
        events.append(
            ("returns.imported", "returns", None, {"source": source, **{k.value: n for k, n in counts.items()}})
        )
        audit_log.append_many(s, ctx.actor.login, events)
        return ImportReport(counts[ClaimStatus.ACCEPTED], counts[ClaimStatus.REJECTED], counts[ClaimStatus.PAID])


def import_file(ctx: Context, path: Path, batch_id: int | None = None) -> ImportReport:
    """Import a return file answering one batch: `batch_id` when the user names it, else the
    batch of the first line's claim. Refused as a whole, with every problem, or applied whole."""
    ctx.require_admin("record_return")
    return apply(ctx, parse_file(path), path.name, batch_id)


def record(ctx: Context, line: ReturnLine) -> ImportReport:
    """One answer typed in from a letter or a portal: the same checks as a file."""
    return apply(ctx, [line], "manual")


i18n.register(
    {
        "returns.line": i18n.N_("Ligne {line} : {problem}"),
        "returns.bad_number": i18n.N_("numéro de demande absent ou illisible (un nombre entier, par exemple 1287)."),
        "returns.bad_status": i18n.N_("statut inconnu (accepted, rejected ou paid)."),
        "returns.bad_amount": i18n.N_("montant payé illisible (écrire 12.50)."),
        "returns.bad_date": i18n.N_("date de paiement illisible (écrire AAAA-MM-JJ)."),
        "returns.unknown_claim": i18n.N_("la demande n° {number} n'existe pas ici."),
        "returns.duplicate": i18n.N_("la demande n° {number} a déjà cette réponse plus haut dans le fichier."),
        "returns.bad_transition": i18n.N_("la demande n° {number} est « {status} » : cette réponse ne s'applique pas."),
        "returns.reason_missing": i18n.N_("un rejet doit donner son code motif."),
        "returns.paid_missing": i18n.N_("un paiement doit donner le montant et la date."),
        "returns.wrong_amount": i18n.N_(
            "le montant payé de la demande n° {number} est nul ou dépasse la part demandée."
        ),
        "returns.future_date": i18n.N_("la date de paiement est dans le futur."),
        "returns.too_big": i18n.N_("Le fichier est trop gros pour un retour (20 Mo au plus)."),
        "returns.bad_json": i18n.N_(
            "$ : le fichier JSON doit être une liste de réponses (ou un objet dont « returns » est cette liste) ; rien n'a été enregistré."
        ),
        "returns.no_header": i18n.N_("La première ligne doit nommer les colonnes (claim_number;status;…)."),
        "returns.empty": i18n.N_("Le fichier ne contient aucune réponse."),
        "returns.item": i18n.N_("{path} : {problem}"),
        "returns.unreadable": i18n.N_(
            "Le fichier ne peut pas être lu : vérifiez qu'il existe, qu'il n'est pas ouvert ailleurs et que vous avez le droit de le lire."
        ),
        "returns.utf16": i18n.N_(
            "Le fichier est en UTF-16 : enregistrez-le en UTF-8 (dans un tableur : « CSV UTF-8 ») puis importez-le à nouveau ; rien n'a été enregistré."
        ),
        "returns.binary": i18n.N_(
            "Ce n'est pas un fichier de retour (CSV ou JSON) : il contient des octets nuls, comme un fichier binaire ou en UTF-16. Choisissez le fichier CSV ou JSON de l'organisme, enregistré en UTF-8 ; rien n'a été enregistré."
        ),
        "returns.bad_byte": i18n.N_(
            "l'octet {byte} n'est ni de l'UTF-8 ni du Windows-1252 : enregistrez le fichier en UTF-8 puis importez-le à nouveau ; rien n'a été enregistré."
        ),
        "returns.bad_json_at": i18n.N_(
            "Le fichier n'est pas du JSON valide (ligne {line}, colonne {column}) : demandez un fichier corrigé à l'organisme ; rien n'a été enregistré."
        ),
        "returns.json_too_deep": i18n.N_(
            "$ : le JSON est trop imbriqué pour un fichier de retour (attendu une liste d'objets) : demandez un fichier corrigé à l'organisme ; rien n'a été enregistré."
        ),
        "returns.not_object": i18n.N_("chaque réponse doit être un objet JSON (claim_number, status…)."),
        "returns.not_scalar": i18n.N_("un texte ou un nombre est attendu ici, pas une liste ni un objet."),
        "returns.line_too_long": i18n.N_(
            "ligne de plus de {most} caractères : ce n'est pas une ligne de retour ; vérifiez le fichier ou demandez-en un corrigé à l'organisme."
        ),
        "returns.bad_csv": i18n.N_(
            "ligne CSV illisible (guillemet non fermé ou cellule démesurée) : corrigez-la ou demandez un fichier corrigé à l'organisme."
        ),
        "returns.cell_too_long": i18n.N_(
            "la colonne {column} a {length} caractères ({most} au plus) : corrigez-la ou demandez un fichier corrigé à l'organisme."
        ),
        "returns.number_too_long": i18n.N_(
            "numéro de demande de {digits} chiffres ({most} au plus) : ce n'est pas un numéro de demande, vérifiez la colonne claim_number."
        ),
        "returns.code_too_long": i18n.N_("le code motif a plus de {most} caractères : abrégez-le."),
        "returns.no_such_batch": i18n.N_(
            "Le lot {id} n'existe pas ici : vérifiez l'identifiant du lot (liste des lots) ; rien n'a été enregistré."
        ),
        "returns.batch_first_line": i18n.N_("celui de la demande de la ligne {line}"),
        "returns.batch_first_path": i18n.N_("celui de la demande en {path}"),
        "returns.batch_named": i18n.N_("celui choisi pour ce fichier"),
        "returns.other_batch": i18n.N_(
            "Un fichier de retour répond à un seul lot, ici le {batch} ({why}) ; ces réponses sont pour des demandes d'autres lots : {lines}. Le fichier est refusé et rien n'a été enregistré : demandez à l'organisme un fichier par lot, ou retirez ces lignes et importez-les dans un fichier à part."
        ),
    }
)


@dataclass(frozen=True)
class Rejection:
    claim_id: str
    claim_number: int
    version: int
    reason_code: str | None
    reason_text: str | None
    amc: Decimal
    insurer_name: str


def worklist(ctx: Context) -> list[Rejection]:
    """Rejected claims still waiting for a decision: rectify (new version) or void."""
    from verifier.store.reconciliation import open_rejections

    with ctx.store.read() as s:  # readable by all: the counter rectifies rejected claims
        return [Rejection(*row) for row in open_rejections(s)]
