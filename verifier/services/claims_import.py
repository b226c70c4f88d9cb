"""Claims described in a JSON file (docs/claims-import.md), queued all or nothing.

The vocabulary is the export's claims.json: `patient`, `insurer.amc_number`,
`coverage_check`, `lines` with `quantity`, `unit_price`, `amo_rate`... Every problem is
reported with its JSON path (`$.claims[2].lines[0].quantity`). Each claim has an id, given
(`claim_id`, a UUID) or derived from the sender's `reference`, so that importing the same
file twice queues nothing new (services.counter).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from verifier.domain.care import CareLine, Stay
from verifier.domain.coverage import Guarantee
from verifier.domain.errors import DomainError, Problem
from verifier.domain.states import ClaimKind
from verifier.services import counter, stays
from verifier.services.claims import ClaimInfo, LineDraft
from verifier.services.context import Context
from verifier.services.counter import CheckFields, Form
from verifier.services.json_reader import ImportRefused, JsonReader, PathProblem, load_json
from verifier.services.patients import PatientInput
from verifier.services.stays import PecFields, StayFields, StayForm

__all__ = ["ImportRefused", "Imported", "PathProblem", "import_claims", "parse"]

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
class Imported:
    claims: list[tuple[ClaimInfo, bool]]  # (claim, already queued by an earlier import)

    @property
    def new_count(self) -> int:
        return sum(1 for _, already in self.claims if not already)


class ClaimReader(JsonReader):
    """Reads the claims of an import file."""

    def form(self, value: Any, path: str) -> Form | StayForm | None:
        c = self.obj(value, path)
        if c is None:
            return None
        kind = c.get("kind", ClaimKind.PHARMACY.value)
        if kind in (ClaimKind.STAY.value, ClaimKind.CONSULTATION.value):
            return self.stay_form(c, path, ClaimKind(kind))
        if kind != ClaimKind.PHARMACY.value:
            self.bad(f"{path}.kind", "import.kind", kinds=", ".join(k.value for k in ClaimKind))
            return None
        return self.pharmacy_form(c, path)

    def claim_id(self, c: dict[str, Any], path: str) -> str | None:
        """The claim's id: given, or derived from the sender's reference."""
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
        return claim_id

    def patient(self, c: dict[str, Any], path: str) -> PatientInput:
        p = self.obj(c.get("patient"), f"{path}.patient") or {}
        pp = f"{path}.patient"
        insurer = self.obj(c.get("insurer"), f"{path}.insurer") or {}
        return PatientInput(
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

    def stay_form(self, c: dict[str, Any], path: str, kind: ClaimKind) -> StayForm | None:
        """A stay (`pec`, `stay`) or a consultation (`coverage_check`, `date`) with care lines."""
        before = len(self.problems)
        claim_id = self.claim_id(c, path)
        patient = self.patient(c, path)
        if kind is ClaimKind.STAY:
            k = self.obj(c.get("pec"), f"{path}.pec") or {}
            kp = f"{path}.pec"
            st = self.obj(c.get("stay"), f"{path}.stay") or {}
            sp = f"{path}.stay"
            admission = self.day(st, "admission", sp, required=True)
            stay = StayFields(
                admission or date.min,
                self.day(st, "discharge", sp),
                self.day(st, "planned_discharge", sp),
                self.text(st, "entry_number", sp, False),
                self.text(st, "mode", sp),
                self.text(st, "dmt", sp),
                self.text(st, "exemption", sp, False),
                self.flag(st, "psychiatry", sp),
                self.flag(st, "under_18", sp),
            )
            number = self.text(k, "number", kp, False)
            obtained = self.day(k, "obtained_on", kp, required=True)
            valid_until = self.day(k, "valid_until", kp)
        else:
            k = self.obj(c.get("coverage_check"), f"{path}.coverage_check") or {}
            kp = f"{path}.coverage_check"
            day = self.day(c, "date", path, required=True)
            admission = day
            stay = StayFields(
                day or date.min,
                day,
                exemption=self.text(c, "exemption", path, False),
                under_18=self.flag(c, "under_18", path),
            )
            number = self.text(k, "reference", kp, False)
            obtained, valid_until = day, None
        raw = k.get("guarantees", [])
        if not isinstance(raw, list):
            self.bad(f"{kp}.guarantees", "import.not_list")
            raw = []
        texts = []
        for i, g in enumerate(raw):
            if isinstance(g, str):
                texts.append(g)
            else:
                self.bad(f"{kp}.guarantees[{i}]", "import.not_text")
        pec = PecFields(
            self.text(k, "method", kp),
            number,
            obtained or date.min,
            valid_until,
            tuple(texts),
            self.text(k, "note", kp, False),
        )
        lines: list[CareLine] = []
        raw_lines = c.get("lines")
        if not isinstance(raw_lines, list):
            self.bad(f"{path}.lines", "import.not_list")
            raw_lines = []
        dates = None
        if admission is not None and stay.discharge is not None and stay.discharge >= admission:
            dates = Stay(admission, stay.discharge)
        for i, x in enumerate(raw_lines):
            line = self.care_line(x, f"{path}.lines[{i}]", dates)
            if line is not None:
                lines.append(line)
        if len(self.problems) > before or admission is None or obtained is None:
            return None
        return StayForm(kind, patient, pec, stay, tuple(lines), None, claim_id)

    def pharmacy_form(self, c: dict[str, Any], path: str) -> Form | None:
        before = len(self.problems)
        claim_id = self.claim_id(c, path)
        patient = self.patient(c, path)
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


# Where a stay's problem points in the file.
_STAY_FIELDS = {
    "admission": "stay.admission",
    "discharge": "stay.discharge",
    "planned_discharge": "stay.planned_discharge",
    "entry_number": "stay.entry_number",
    "mode": "stay.mode",
    "dmt": "stay.dmt",
    "exemption": "stay.exemption",
    "pec_method": "pec.method",
    "pec_number": "pec.number",
    "obtained_on": "pec.obtained_on",
    "valid_until": "pec.valid_until",
    "guarantees": "pec.guarantees",
}


def _stay_path_of(claim_path: str, problem: Problem, kind: ClaimKind = ClaimKind.STAY) -> str:
    if kind is ClaimKind.CONSULTATION and problem.field in ("admission", "discharge", "exemption"):
        # a consultation's day and exemption are the claim's own keys
        return f"{claim_path}." + ("exemption" if problem.field == "exemption" else "date")
    if kind is ClaimKind.CONSULTATION and problem.field in ("guarantees", "pec_number", "pec_method"):
        return f"{claim_path}.coverage_check." + {"guarantees": "guarantees", "pec_number": "reference"}.get(
            problem.field, "method"
        )
    if problem.line is not None or problem.field in _PATIENT_FIELDS or problem.field == "amc_number":
        return _path_of(claim_path, problem)
    if problem.field in _STAY_FIELDS:
        return f"{claim_path}.{_STAY_FIELDS[problem.field]}"
    return _path_of(claim_path, problem)


def parse(text: str) -> list[Form | StayForm]:
    """The file's claims, or ImportRefused with every problem and its JSON path."""
    r = ClaimReader()
    doc = load_json(text)
    root = r.obj(doc, "$")
    forms: list[Form | StayForm] = []
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
                    if isinstance(form, StayForm):
                        claim, _, already = stays.store(ctx, form)
                    else:
                        claim, _, already = counter.store(ctx, form)
                    done.append((claim, already))
                except DomainError as exc:
                    items = getattr(exc, "problems", None) or []
                    if items:
                        at = f"$.claims[{i}]"
                        problems.extend(
                            PathProblem(
                                _stay_path_of(at, p, form.kind) if isinstance(form, StayForm) else _path_of(at, p),
                                p.message(),
                            )
                            for p in items
                        )
                    else:
                        problems.append(PathProblem(f"$.claims[{i}]", str(exc)))
                    raise _Abort from exc
    except _Abort:
        raise ImportRefused(problems) from None
    return Imported(done)
