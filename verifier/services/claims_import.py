"""Claims described in a JSON file (docs/claims-import.md), queued all or nothing.

The vocabulary is the export's claims.json: `patient`, `insurer.amc_number`,
`coverage_check`, `lines` with `quantity`, `unit_price`, `amo_rate`... Every problem is
reported with its JSON path (`$.claims[2].lines[0].quantity`). Each claim has an id, given
(`claim_id`, a UUID) or derived from the sender's `reference`, so that importing the same
file twice queues nothing new (services.counter).
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from verifier import i18n
from verifier.domain.coverage import Guarantee
from verifier.domain.errors import DomainError, Problem
from verifier.services import counter
from verifier.services.claims import ClaimInfo, LineDraft
from verifier.services.context import Context
from verifier.services.counter import CheckFields, Form
from verifier.services.patients import PatientInput

# Ids derived from a sender's reference: the same reference always gives the same claim id.
REFERENCE_NAMESPACE = uuid.UUID("6f1c5a0e-8a57-4a8e-9d3b-2f3c4e5d6a7b")

_PATIENT_FIELDS = {
    "surname",
    "first_name",
    "birth_date",
    "nir",
    "rank",
    "amo_fund",
    "member_number",
    "card_valid_from",
    "card_valid_to",
}
_CHECK_FIELDS = {"method", "outcome", "reference", "guarantees", "note"}


@dataclass(frozen=True)
class PathProblem:
    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}"


class ImportRefused(Exception):
    def __init__(self, problems: list[PathProblem]) -> None:
        super().__init__("\n".join(map(str, problems)))
        self.problems = problems


@dataclass(frozen=True)
class Imported:
    claims: list[tuple[ClaimInfo, bool]]  # (claim, already queued by an earlier import)

    @property
    def new_count(self) -> int:
        return sum(1 for _, already in self.claims if not already)


class JsonReader:
    def __init__(self) -> None:
        self.problems: list[PathProblem] = []

    def bad(self, path: str, key: str, **params: object) -> None:
        self.problems.append(PathProblem(path, i18n.say(key, **params)))

    def obj(self, value: Any, path: str) -> dict[str, Any] | None:
        if not isinstance(value, dict):
            self.bad(path, "import.not_object")
            return None
        return value

    def text(self, o: dict[str, Any], key: str, path: str, required: bool = True) -> str:
        value = o.get(key)
        if value is None:
            if required:
                self.bad(f"{path}.{key}", "import.missing")
            return ""
        if not isinstance(value, str):
            self.bad(f"{path}.{key}", "import.not_text")
            return ""
        return value

    def integer(self, o: dict[str, Any], key: str, path: str) -> int:
        value = o.get(key)
        if not isinstance(value, int) or isinstance(value, bool):
            self.bad(f"{path}.{key}", "import.not_integer" if value is not None else "import.missing")
            return 0
        return value

    def decimal(self, o: dict[str, Any], key: str, path: str, required: bool = True) -> Decimal | None:
        value = o.get(key)
        if value is None and not required:
            return None
        if not isinstance(value, str):
            self.bad(f"{path}.{key}", "import.not_amount" if value is not None else "import.missing")
            return None
        try:
            number = Decimal(value)
        except InvalidOperation:
            number = Decimal("NaN")
        if not number.is_finite():
            self.bad(f"{path}.{key}", "import.not_amount")
            return None
        return number

    def day(self, o: dict[str, Any], key: str, path: str, required: bool = False) -> date | None:
        value = o.get(key)
        if value is None:
            if required:
                self.bad(f"{path}.{key}", "import.missing")
            return None
        try:
            if isinstance(value, str) and len(value) == 10:
                return date.fromisoformat(value)
        except ValueError:
            pass
        self.bad(f"{path}.{key}", "import.not_date")
        return None

    def form(self, value: Any, path: str) -> Form | None:
        c = self.obj(value, path)
        if c is None:
            return None
        before = len(self.problems)
        claim_id = c.get("claim_id")
        reference = c.get("reference")
        if claim_id is not None:
            try:
                claim_id = str(uuid.UUID(claim_id)) if isinstance(claim_id, str) else None
            except ValueError:
                claim_id = None
            if claim_id is None:
                self.bad(f"{path}.claim_id", "import.not_uuid")
        elif isinstance(reference, str) and reference.strip():
            claim_id = str(uuid.uuid5(REFERENCE_NAMESPACE, reference.strip()))
        else:
            self.bad(path, "import.no_id")
        p = self.obj(c.get("patient"), f"{path}.patient") or {}
        pp = f"{path}.patient"
        insurer = self.obj(c.get("insurer"), f"{path}.insurer") or {}
        patient = PatientInput(
            self.text(p, "surname", pp),
            self.text(p, "first_name", pp),
            self.text(p, "birth_date", pp),
            self.text(p, "nir", pp),
            str(p.get("rank", 1)),
            self.text(p, "amo_fund", pp, False),
            self.text(insurer, "amc_number", f"{path}.insurer"),
            self.text(p, "member_number", pp, False),
            self.day(p, "card_valid_from", pp),
            self.day(p, "card_valid_to", pp),
        )
        k = self.obj(c.get("coverage_check"), f"{path}.coverage_check") or {}
        kp = f"{path}.coverage_check"
        guarantees = []
        raw = k.get("guarantees", [])
        if not isinstance(raw, list):
            self.bad(f"{kp}.guarantees", "import.not_list")
            raw = []
        for i, g in enumerate(raw):
            gp = f"{kp}.guarantees[{i}]"
            go = self.obj(g, gp)
            if go is not None:
                rate = self.decimal(go, "rate", gp)
                if rate is not None:
                    guarantees.append(Guarantee(self.text(go, "domain", gp), rate, bool(go.get("covers_ph2", False))))
        check = CheckFields(
            self.text(k, "method", kp),
            self.text(k, "outcome", kp),
            self.text(k, "reference", kp, False),
            tuple(guarantees),
            self.text(k, "note", kp, False),
        )
        lines = []
        raw_lines = c.get("lines")
        if not isinstance(raw_lines, list):
            self.bad(f"{path}.lines", "import.not_list")
            raw_lines = []
        for i, x in enumerate(raw_lines):
            lp = f"{path}.lines[{i}]"
            lo = self.obj(x, lp)
            if lo is None:
                continue
            lines.append(
                LineDraft(
                    self.text(lo, "label", lp),
                    self.text(lo, "prestation_code", lp),
                    self.integer(lo, "quantity", lp),
                    self.decimal(lo, "unit_price", lp) or Decimal("0"),
                    self.decimal(lo, "amo_rate", lp) or Decimal("0"),
                    self.text(lo, "code", lp, False),
                    self.text(lo, "code_kind", lp, False) or "manual",
                    self.decimal(lo, "br_unit", lp, False),
                    self.day(lo, "expiry", lp),
                    self.text(lo, "lot", lp, False) or None,
                    self.text(lo, "serial", lp, False) or None,
                )
            )
        dispensed = self.day(c, "dispensed_on", path, required=True)
        prescriber = self.text(c, "prescriber_rpps", path, False) or None
        if len(self.problems) > before or dispensed is None:
            return None
        return Form(patient, check, tuple(lines), dispensed, prescriber, None, claim_id)


def _path_of(claim_path: str, problem: Problem) -> str:
    """The JSON path of what a service's problem concerns (line 2's quantity, the surname...)."""
    field = problem.field
    if problem.line is not None:
        return f"{claim_path}.lines[{problem.line - 1}]" + (f".{field}" if field else "")
    if not field:
        return claim_path
    if field == "amc_number":
        return f"{claim_path}.insurer.amc_number"
    if field in _PATIENT_FIELDS:
        return f"{claim_path}.patient.{field}"
    if field in _CHECK_FIELDS:
        return f"{claim_path}.coverage_check.{field}"
    return f"{claim_path}.{field}"


def parse(text: str) -> list[Form]:
    """The file's claims, or ImportRefused with every problem and its JSON path."""
    r = JsonReader()
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ImportRefused(
            [
                PathProblem(
                    "$",
                    i18n.tr(
                        "ce n'est pas du JSON valide (ligne {line}, colonne {column}).",
                        line=exc.lineno,
                        column=exc.colno,
                    ),
                )
            ]
        ) from None
    root = r.obj(doc, "$")
    forms: list[Form] = []
    if root is not None:
        raw = root.get("claims")
        if not isinstance(raw, list) or not raw:
            r.bad("$.claims", "import.no_claims")
        else:
            for i, c in enumerate(raw):
                form = r.form(c, f"$.claims[{i}]")
                if form is not None:
                    forms.append(form)
            ids = [f.claim_id for f in forms]
            for i, f in enumerate(forms):
                if ids.index(f.claim_id) != i:
                    r.bad(f"$.claims[{i}]", "import.duplicate_id")
    if r.problems:
        raise ImportRefused(r.problems)
    return forms


def import_claims(ctx: Context, text: str) -> Imported:
    """Queue every claim of the file in one transaction, or none (ImportRefused)."""
    forms = parse(text)
    done: list[tuple[ClaimInfo, bool]] = []
    problems: list[PathProblem] = []

    class _Abort(Exception):
        pass

    try:
        with ctx.store.transaction():
            for i, form in enumerate(forms):
                try:
                    claim, _, already = counter.store(ctx, form)
                    done.append((claim, already))
                except DomainError as exc:
                    items = getattr(exc, "problems", None) or []
                    if items:
                        problems.extend(PathProblem(_path_of(f"$.claims[{i}]", p), p.message()) for p in items)
                    else:
                        problems.append(PathProblem(f"$.claims[{i}]", str(exc)))
                    raise _Abort from exc
    except _Abort:
        raise ImportRefused(problems) from None
    return Imported(done)


i18n.register(
    {
        "import.not_object": i18n.N_("un objet JSON est attendu ici."),
        "import.not_list": i18n.N_("une liste JSON est attendue ici."),
        "import.missing": i18n.N_("valeur obligatoire manquante."),
        "import.not_text": i18n.N_("un texte est attendu ici."),
        "import.not_integer": i18n.N_("un nombre entier est attendu ici."),
        "import.not_amount": i18n.N_('un montant en texte est attendu, par exemple "12.50".'),
        "import.not_date": i18n.N_('une date AAAA-MM-JJ est attendue, par exemple "2026-12-05".'),
        "import.not_uuid": i18n.N_("claim_id doit être un UUID."),
        "import.no_id": i18n.N_("chaque demande doit avoir un claim_id (UUID) ou une reference de l'expéditeur."),
        "import.duplicate_id": i18n.N_("cette demande a le même identifiant qu'une autre du fichier."),
        "import.no_claims": i18n.N_("le fichier doit contenir une liste « claims » non vide."),
    }
)
