"""Insurers' returns: accepted, rejected (with a reason), paid — from a file or typed in.

An import is all-or-nothing: every line is checked first, and a file with an unknown claim
number, a wrong amount or a bad line is refused with a report of every problem and
changes nothing. The format is documented in docs/export-format.md ("Return files").
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path

from verifier import i18n
from verifier.domain.errors import Problem, ValidationError
from verifier.domain.states import ClaimStatus, can_transition
from verifier.services.context import Context
from verifier.store import audit_log, claims_write
from verifier.store.types import utcnow

STATUSES = {s.value: s for s in (ClaimStatus.ACCEPTED, ClaimStatus.REJECTED, ClaimStatus.PAID)}
MAX_BYTES = 20_000_000


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


def _line_problem(n: int, code: str, **params: object) -> Problem:
    return Problem(
        "returns.line", {"line": n, "problem": i18n.say(code, **params)}
    )  # a line of the file, not of a claim


def _parse_row(n: int, row: dict[str, str]) -> tuple[ReturnLine | None, list[Problem]]:
    problems = []
    raw_number = (row.get("claim_number") or "").strip()
    number = int(raw_number) if raw_number.isdigit() else None
    if number is None:
        problems.append(_line_problem(n, "returns.bad_number"))
    status = (row.get("status") or "").strip().lower()
    if status not in STATUSES:
        problems.append(_line_problem(n, "returns.bad_status"))
    paid: Decimal | None = None
    if (row.get("paid_amount") or "").strip():
        try:
            paid = Decimal(row["paid_amount"].strip())
            if paid != paid.quantize(Decimal("0.01")) or paid < 0:
                raise InvalidOperation
            paid = paid.quantize(Decimal("0.01"))
        except InvalidOperation:
            problems.append(_line_problem(n, "returns.bad_amount"))
            paid = None
    when: date | None = None
    if (row.get("payment_date") or "").strip():
        try:
            when = date.fromisoformat(row["payment_date"].strip())
        except ValueError:
            problems.append(_line_problem(n, "returns.bad_date"))
    if problems:
        return None, problems
    assert number is not None
    return ReturnLine(
        number,
        status,
        (row.get("reason_code") or "").strip() or None,
        (row.get("reason_text") or "").strip() or None,
        paid,
        when,
        n,
    ), []


def parse_file(path: Path) -> list[ReturnLine]:
    """Read a return file (CSV with a header, `;` or `,`, UTF-8 or Windows-1252; or JSON)."""
    if path.stat().st_size > MAX_BYTES:
        raise ValidationError([Problem("returns.too_big", {}, "file")])
    data = path.read_bytes()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("cp1252")
    rows: list[dict[str, str]]
    if text.lstrip().startswith(("[", "{")):
        try:
            loaded = json.loads(text)
        except json.JSONDecodeError:
            raise ValidationError([Problem("returns.bad_json", {}, "file")]) from None
        items = loaded.get("returns") if isinstance(loaded, dict) else loaded
        if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
            raise ValidationError([Problem("returns.bad_json", {}, "file")])
        rows = [{k: "" if v is None else str(v) for k, v in i.items()} for i in items]
    else:
        sample = text.split("\n", 1)[0]
        reader = csv.DictReader(io.StringIO(text), delimiter=";" if sample.count(";") >= sample.count(",") else ",")
        if not reader.fieldnames or "claim_number" not in [f.strip() for f in reader.fieldnames]:
            raise ValidationError([Problem("returns.no_header", {}, "file")])
        rows = [{(k or "").strip(): (v or "") for k, v in r.items()} for r in reader]
    lines, problems = [], []
    for n, row in enumerate(rows, start=1 if text.lstrip().startswith(("[", "{")) else 2):
        line, found = _parse_row(n, row)
        problems += found
        if line is not None:
            lines.append(line)
    if problems:
        raise ValidationError(problems)
    if not lines:
        raise ValidationError([Problem("returns.empty", {}, "file")])
    return lines


def apply(ctx: Context, lines: list[ReturnLine], source: str) -> ImportReport:
    """Apply every answer in one transaction, or none of them (every problem reported)."""
    ctx.require_admin("record_return")
    with ctx.store.write() as s:
        found = claims_write.by_numbers_for_update(s, [line.claim_number for line in lines])
        problems: list[Problem] = []
        state: dict[int, ClaimStatus] = {}
        seen: set[tuple[int, str]] = set()
        for i, line in enumerate(lines, start=1):
            n = line.source_line or i
            claim = found.get(line.claim_number)
            if claim is None:
                problems.append(_line_problem(n, "returns.unknown_claim", number=line.claim_number))
                continue
            if (line.claim_number, line.status) in seen:
                problems.append(_line_problem(n, "returns.duplicate", number=line.claim_number))
                continue
            seen.add((line.claim_number, line.status))
            current = state.get(line.claim_number, ClaimStatus(claim.status))
            target = STATUSES[line.status]
            if not can_transition(current, target):
                problems.append(
                    _line_problem(n, "returns.bad_transition", number=line.claim_number, status=current.label())
                )
                continue
            if target is ClaimStatus.REJECTED and not line.reason_code:
                problems.append(_line_problem(n, "returns.reason_missing"))
            if target is ClaimStatus.PAID:
                if line.paid_amount is None or line.payment_date is None:
                    problems.append(_line_problem(n, "returns.paid_missing"))
                elif line.paid_amount <= 0 or line.paid_amount > claim.amc:
                    problems.append(_line_problem(n, "returns.wrong_amount", number=line.claim_number))
                elif line.payment_date > date.today():
                    problems.append(_line_problem(n, "returns.future_date"))
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


def import_file(ctx: Context, path: Path) -> ImportReport:
    ctx.require_admin("record_return")
    return apply(ctx, parse_file(path), path.name)


def record(ctx: Context, line: ReturnLine) -> ImportReport:
    """One answer typed in from a letter or a portal: the same checks as a file."""
    return apply(ctx, [line], "manual")


i18n.register(
    {
        "returns.line": i18n.N_("Ligne {line} : {problem}"),
        "returns.bad_number": i18n.N_("numéro de demande absent ou illisible."),
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
        "returns.bad_json": i18n.N_("Le fichier JSON est illisible : attendu une liste de réponses."),
        "returns.no_header": i18n.N_("La première ligne doit nommer les colonnes (claim_number;status;…)."),
        "returns.empty": i18n.N_("Le fichier ne contient aucune réponse."),
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
