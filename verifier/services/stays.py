"""Stays and consultations billed to the AMC: the clinic's counter, import and demo use case.

A stay is recorded with its PEC (the clinic's coverage check: method, number, validity, the
guarantees it names) at or before admission; it stays open, a draft visible as such in the
queue, until the invoice is made at discharge (`discharge`): then every line is computed by
`domain.care` with the tariffs of its dates and the claim is queued. A stay known whole
(discharged already, or imported from the clinic's own software) and a consultation are
recorded and queued at once (`submit`). Patient, check, claim and stay are stored in one
transaction or not at all, as at the pharmacy counter (services.counter).

Ceilings: a stay's AMC amount is held against the site's per-stay ceiling (the AMC agreed to
the stay in its PEC, and a surgical stay owes hundreds of euros), a consultation's against
the per-claim ceiling of the pharmacy; the insurer's outstanding ceiling holds for all. The
"check on the day of dispensing" ceiling does not apply to a stay, whose PEC is asked
before admission by design: the PEC's validity is checked instead.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal

from verifier import i18n
from verifier.domain import tariffs as t
from verifier.domain.care import DEFAULT_RATES, CareInvoice, CareLine, Exemption, LineKind, Stay, compute
from verifier.domain.care_guarantees import CareGuarantee, Item, parse_guarantees, responsible_contract_warnings
from verifier.domain.claims import LineAmounts, total
from verifier.domain.errors import DomainError, NotFound, Problem, ValidationError
from verifier.domain.identifiers import check_rpps
from verifier.domain.pec import PecMethod, check_pec, expiry_problems, problems_at_discharge
from verifier.domain.states import CheckMethod, ClaimKind, ClaimStatus, check_transition
from verifier.services import checks, claims, patients, tariffs
from verifier.services.ceilings import Override
from verifier.services.checks import CheckInput
from verifier.services.claims import ClaimInfo
from verifier.services.context import Context
from verifier.services.counter import Submitted
from verifier.services.patients import PatientInput
from verifier.store import audit_log, claims_write
from verifier.store import stays as stay_store
from verifier.store.schema import Claim, ClaimStay, CoverageCheck
from verifier.store.session import Session
from verifier.store.types import utcnow

# How the PEC was obtained, as the coverage check records it.
CHECK_METHOD = {
    PecMethod.PORTAL: CheckMethod.PORTAL,
    PecMethod.FAX: CheckMethod.FAX,
    PecMethod.PHONE: CheckMethod.HOTLINE,
    PecMethod.PAPER: CheckMethod.CARD,
}
PEC_METHOD = {v: k for k, v in CHECK_METHOD.items()}
# What a method may be called in a form or a file: the PEC's words and the check's.
METHOD_WORDS = {**{m.value: m for m in PecMethod}, "hotline": PecMethod.PHONE, "card": PecMethod.PAPER}
# Claims whose days count against a guarantee's yearly limit: sent or about to be, and paid.
COUNTED = (ClaimStatus.QUEUED, ClaimStatus.EXPORTED, ClaimStatus.ACCEPTED, ClaimStatus.PAID)
CARE_KINDS = (ClaimKind.STAY, ClaimKind.CONSULTATION)
ENTRY_NUMBER_MAX = 20
CODE_MAX = 8  # a prestation code (PJ, FJ, CP), a CCAM code (7 characters) or an NGAP letter
# The kinds of line each kind of claim bills: no consultation line in a stay (its 2 €
# participation is not due in hospital), no stay line in a consultation.
LINE_KINDS = {
    ClaimKind.STAY: (
        LineKind.STAY_FEES,
        LineKind.DAILY_CHARGE,
        LineKind.FEE,
        LineKind.ROOM,
        LineKind.COMPANION,
        LineKind.COMFORT,
        LineKind.EMERGENCY,
    ),
    ClaimKind.CONSULTATION: (LineKind.CONSULTATION,),
}
# Lines billed per day of the stay: never more days than the stay has.
PER_DAY_KINDS = (LineKind.ROOM, LineKind.COMPANION, LineKind.COMFORT)
# Per-day lines whose days are counted by year (domain.care: room and companion).
_PER_DAY_ITEMS = (Item.ROOM, Item.COMPANION)


@dataclass(frozen=True)
class PecFields:
    """The stay's PEC, or a consultation's check, as entered."""

    method: str  # PecMethod value, or "card"/"hotline"
    number: str  # the PEC number, or the check's reference
    obtained_on: date
    valid_until: date | None
    guarantees: tuple[str, ...]  # as typed: "FJ 100 % FR", "CP 50 €/j 60 j/an"
    note: str = ""


@dataclass(frozen=True)
class StayFields:
    admission: date
    discharge: date | None = None  # None: the stay is open, invoiced at discharge
    planned_discharge: date | None = None
    entry_number: str = ""
    mode: str = "03"  # MT
    dmt: str = ""
    exemption: str = ""
    psychiatry: bool = False
    under_18: bool = False
    pav: bool | None = None  # None: decided from the acts' tariffs


@dataclass(frozen=True)
class StayForm:
    """What the clinic's counter (or an imported file) says about one stay or consultation."""

    kind: ClaimKind
    patient: PatientInput
    pec: PecFields
    stay: StayFields
    lines: tuple[CareLine, ...] = ()
    override: Override | None = None
    claim_id: str | None = None  # made once per form: retries send the same


@dataclass(frozen=True)
class CareLineInfo:
    """A stored care line: what was billed and who pays what."""

    kind: LineKind
    code: str
    label: str
    quantity: int
    unit_price: Decimal
    br_unit: Decimal
    amo_rate: Decimal
    optam: bool | None
    practitioner_rpps: str | None
    amounts: LineAmounts
    withheld: Decimal
    participation: Decimal
    days_paid: int

    def as_line(self) -> CareLine:
        """The line as entered, to compute again (an open stay's lines at discharge)."""
        computed = self.kind in (LineKind.DAILY_CHARGE, LineKind.EMERGENCY)  # priced from the tariffs
        return CareLine(
            self.kind,
            self.code,
            self.label,
            self.quantity,
            Decimal("0") if computed else self.unit_price,
            self.br_unit if self.kind in (LineKind.STAY_FEES, LineKind.FEE, LineKind.CONSULTATION) else None,
            self.amo_rate if self.kind in (LineKind.STAY_FEES, LineKind.FEE, LineKind.CONSULTATION) else None,
            True if self.optam is None else self.optam,
            self.practitioner_rpps,
        )


@dataclass(frozen=True)
class OpenStay:
    """A stay recorded with its PEC, to invoice at discharge."""

    claim_id: str
    number: int
    patient_name: str
    admission: date
    entry_number: str | None

    @property
    def number_text(self) -> str:
        return claims.format_number(self.number)


@dataclass(frozen=True)
class StayInfo:
    """What a stay or consultation claim adds to its ClaimInfo."""

    claim_id: str
    kind: ClaimKind
    entry_number: str | None
    admission: date
    discharge: date | None
    planned_discharge: date | None
    mode: str
    dmt: str
    exemption: Exemption
    psychiatry: bool
    under_18: bool
    pav: bool | None
    pec_method: PecMethod
    pec_number: str | None
    pec_obtained_on: date
    pec_valid_until: date | None
    guarantees: tuple[str, ...]
    lines: list[CareLineInfo] = field(default_factory=list)
    patient_id: str = ""

    @property
    def is_open(self) -> bool:
        return self.discharge is None


def method_of(text: str) -> PecMethod | None:
    return METHOD_WORDS.get(text.strip().lower())


def _exemption(text: str) -> Exemption | None:
    try:
        return Exemption(text.strip())
    except ValueError:
        return None


def _guarantees(texts: Sequence[str]) -> tuple[list[CareGuarantee], list[Problem]]:
    try:
        return parse_guarantees(list(texts)), []
    except ValidationError as exc:
        # Said with the guarantee's text; `line` is kept for care lines only.
        return [], [replace(p, field="guarantees", line=None) for p in exc.problems]


def _check_form(ctx: Context, form: StayForm, today: date) -> tuple[list[CareGuarantee], list[Problem], list[Problem]]:
    """The guarantees, and every problem and warning of the form's stay part (not the patient)."""
    problems: list[Problem] = []
    warnings: list[Problem] = []
    st, pec = form.stay, form.pec
    if form.kind not in CARE_KINDS:
        raise ValueError(form.kind)
    method = method_of(pec.method)
    if method is None:
        problems.append(Problem("stay.method", {"methods": ", ".join(sorted(METHOD_WORDS))}, "pec_method"))
    if _exemption(st.exemption) is None:
        problems.append(
            Problem("stay.exemption", {"values": ", ".join(e.value for e in Exemption if e.value)}, "exemption")
        )
    if len(st.entry_number.strip()) > ENTRY_NUMBER_MAX:
        problems.append(Problem("stay.entry_number", {"maximum": ENTRY_NUMBER_MAX}, "entry_number"))
    if st.discharge is not None and st.discharge < st.admission:
        problems.append(Problem("care.discharge_before_admission", {}, "discharge"))
    if form.kind is ClaimKind.CONSULTATION and st.discharge not in (None, st.admission):
        problems.append(Problem("stay.consultation_one_day", {}, "discharge"))
    if st.discharge is not None and st.discharge > today:
        problems.append(Problem("stay.discharge_future", {}, "discharge"))
    guarantees, found = _guarantees(pec.guarantees)
    problems += found
    if form.kind is ClaimKind.STAY and method is not None:
        checked = check_pec(
            method,
            pec.number,
            pec.obtained_on,
            pec.valid_until,
            st.admission,
            st.planned_discharge,
            st.mode,
            st.dmt,
            guarantees,
            today,
        )
        problems += [p for p in checked.problems if not (p.code == "pec.no_guarantee" and found)]
        warnings += checked.warnings
        if checked.value is not None and st.discharge is not None:
            problems += problems_at_discharge(checked.value, Stay(st.admission, st.discharge))
    elif form.kind is ClaimKind.CONSULTATION:
        if not pec.guarantees:
            problems.append(Problem("pec.no_guarantee", {}, "guarantees"))
        if method is not None and method is not PecMethod.PAPER and not pec.number.strip():
            problems.append(Problem("check.reference_missing", {}, "pec_number"))
    dates = None
    if st.discharge is not None and st.discharge >= st.admission:
        dates = Stay(st.admission, st.discharge)
    problems += line_problems(form.kind, form.lines, dates)
    warnings += responsible_contract_warnings(guarantees)
    return guarantees, problems, warnings


def line_problems(kind: ClaimKind, lines: Sequence[CareLine], stay: Stay | None) -> list[Problem]:
    """What is wrong with the lines for this kind of claim and, once its dates are known, this
    stay (the arithmetic's own checks are domain.care's)."""
    problems: list[Problem] = []
    allowed = LINE_KINDS[kind]
    for n, line in enumerate(lines, start=1):
        if line.kind not in allowed:
            names = ", ".join(care_label(k) for k in allowed)
            problems.append(Problem("stay.line_kind", {"kind": care_label(line.kind), "kinds": names}, "kind", n))
        if len(line.code.strip()) > CODE_MAX:
            problems.append(Problem("stay.code_long", {"maximum": CODE_MAX}, "code", n))
        if line.practitioner_rpps:
            checked = check_rpps(line.practitioner_rpps).problems
            problems += [Problem(p.code, p.params, "practitioner_rpps", n) for p in checked]
        if line.kind is LineKind.EMERGENCY and line.quantity != 1:
            problems.append(Problem("stay.fpu_once", {}, "quantity", n))
        if stay is None:
            continue
        if line.kind in PER_DAY_KINDS and line.quantity > stay.days:
            problems.append(Problem("stay.too_many_days", {"days": stay.days}, "quantity", n))
        if line.kind is LineKind.DAILY_CHARGE and stay.daily_charge_days == 0:
            problems.append(Problem("stay.fj_same_day", {}, "kind", n))
    return problems


def _stay_of(st: StayFields | ClaimStay, discharge: date) -> Stay:
    """The domain's stay from the form's fields or the stored row, ending on `discharge`."""
    return Stay(
        st.admission,
        discharge,
        psychiatry=st.psychiatry,
        exemption=_exemption(st.exemption) or Exemption.NONE,
        under_18=st.under_18,
        pav=st.pav if isinstance(st, StayFields) else None,  # stored: decided again at the invoice
    )


def _used_days(s: Session, patient_id: str, insurer_id: int, claim_id: str) -> dict[tuple[Item, int], int]:
    """Days this patient's earlier claims to this insurer used under per-day guarantees, by item and year."""
    used: dict[tuple[Item, int], int] = {}
    for text in stay_store.days_used_texts(s, patient_id, insurer_id, COUNTED, claim_id):
        for key, days in json.loads(text).items():
            item, year = key.split(":")
            used[(Item(item), int(year))] = used.get((Item(item), int(year)), 0) + int(days)
    return used


def _days_json(invoice: CareInvoice) -> str:
    return json.dumps({f"{item.value}:{year}": days for (item, year), days in sorted(invoice.days_used.items())})


def _unit_price(line: CareLine, stay: Stay, values: t.Tariffs) -> Decimal:
    """What a unit of the line costs: the tariff for the forfaits, the charged price otherwise."""
    if line.kind is LineKind.DAILY_CHARGE:
        return values.at(t.FJ_PSY if stay.psychiatry else t.FJ, stay.discharge)
    if line.kind is LineKind.EMERGENCY:
        reduced = stay.exemption in (Exemption.ALD, Exemption.WORK_ACCIDENT)
        return values.at(t.FPU_REDUCED if reduced else t.FPU, stay.admission)
    return line.unit_price


def _line_rows(invoice: CareInvoice, stay: Stay, values: t.Tariffs) -> list[dict[str, object]]:
    rows = []
    for pos, r in enumerate(invoice.lines, start=1):
        line, a = r.line, r.amounts
        rate = line.amo_rate if line.amo_rate is not None else DEFAULT_RATES.get(line.kind, Decimal(0))
        rows.append(
            {
                "position": pos,
                "code": line.code.strip()[:13],
                "code_kind": "care",
                "label": (line.label.strip() or care_label(line.kind))[:300],
                "prestation_code": line.code.strip()[:8],
                # The forfait journalier is billed for the stay's days, whatever was typed.
                "quantity": stay.daily_charge_days if line.kind is LineKind.DAILY_CHARGE else line.quantity,
                "unit_price": _unit_price(line, stay, values),
                "br_unit": line.br_unit if line.br_unit is not None else Decimal("0.00"),
                "amo_rate": rate,
                "price": a.price,
                "br": a.br,
                "amo": a.amo,
                "tm": a.tm,
                "amc": a.amc,
                "patient_share": a.patient,
                "care_kind": line.kind.value,
                "practitioner_rpps": line.practitioner_rpps or None,
                "optam": line.optam if line.kind in (LineKind.FEE, LineKind.CONSULTATION) else None,
                "withheld": r.withheld,
                "participation": r.participation,
                "days_paid": r.days_paid,
            }
        )
    return rows


def _queue_problems(
    facts: claims_write.CheckFacts, kind: ClaimKind, line_count: int, amc: Decimal, day: date
) -> list[Problem]:
    problems = claims.queue_problems(facts, line_count, amc, day)
    if kind is ClaimKind.STAY:
        # The dates checked against the card are the admission's; a PEC may be older.
        problems = [p for p in problems if p.code != "claim.future"]
    return problems


def _bill(
    ctx: Context,
    s: Session,
    facts: claims_write.CheckFacts,
    kind: ClaimKind,
    stay: Stay,
    lines: Sequence[CareLine],
    guarantees: Sequence[CareGuarantee],
    claim_id: str,
    override: Override | None,
) -> tuple[CareInvoice, list[dict[str, object]], int | None, list[Problem]]:
    """The invoice of the stay, checked for queueing: (invoice, line rows, overriding admin, ceilings crossed)."""
    values = tariffs.current(ctx)
    # Two stays of one patient invoiced at once on two workstations must not both take the
    # same days of a yearly limit: the patient's row is locked until the commit (PostgreSQL;
    # SQLite's writer holds the whole database already).
    stay_store.lock_patient(s, facts.patient_id)
    used = _used_days(s, facts.patient_id, facts.insurer_id, claim_id)
    invoice = compute(stay, lines, guarantees, values, used)
    problems = _queue_problems(facts, kind, len(lines), invoice.totals.amc, stay.admission)
    if problems:
        raise ValidationError(problems)
    override_by, over = claims.check_ceilings(ctx, s, facts, invoice.totals.amc, stay.admission, override, kind)
    return invoice, _line_rows(invoice, stay, values), override_by, over


def _line_key(line: CareLine) -> tuple[object, ...]:
    """A line as the service reads it: what two sendings of one invoice must share. The
    forfaits' price and days come from the tariffs and the dates, not from the line."""
    computed = line.kind in (LineKind.DAILY_CHARGE, LineKind.EMERGENCY)
    with_br = line.kind in (LineKind.STAY_FEES, LineKind.FEE, LineKind.CONSULTATION)
    br = line.br_unit if line.br_unit is not None or line.kind is not LineKind.STAY_FEES else line.unit_price
    return (
        line.kind,
        line.code.strip(),
        None if line.kind is LineKind.DAILY_CHARGE else line.quantity,
        None if computed else line.unit_price,
        br if with_br else None,
        (line.amo_rate if line.amo_rate is not None else DEFAULT_RATES.get(line.kind)) if with_br else None,
        line.optam if line.kind in (LineKind.FEE, LineKind.CONSULTATION) else None,
        line.practitioner_rpps or None,
    )


def _earlier(ctx: Context, form: StayForm) -> tuple[ClaimInfo, bool] | None:
    """The claim an earlier sending of this form stored, or None: (claim, it is the open stay
    this form now invoices at discharge).

    The same invoice sent again (a lost acknowledgement, a file imported twice) stores nothing
    new. Another content under the same id is refused (claim.id_taken), so that a corrected
    invoice is never reported as queued while the old one stays; one that has moved on
    (exported, voided…) is refused too (claim.id_settled).
    """
    if form.claim_id is None:
        return None
    with ctx.store.read() as s:
        claim = s.get(Claim, form.claim_id)
        if claim is None:
            return None
        info = claims.get_in(s, claim.id)
        stay = get_in(s, claim.id) if claim.kind is not ClaimKind.PHARMACY else None
        created_by = claim.created_by
    st, pec = form.stay, form.pec
    same_stay = (
        stay is not None
        and created_by == ctx.actor.user_id
        and stay.kind is form.kind
        and stay.admission == st.admission
        and (stay.entry_number or "") == st.entry_number.strip()
        and (stay.pec_number or "") == " ".join(pec.number.split())
        and stay.guarantees == tuple(g.text() for g in _guarantees(pec.guarantees)[0])
    )
    lines_same = stay is not None and [_line_key(ln.as_line()) for ln in stay.lines] == [
        _line_key(ln) for ln in form.lines
    ]
    if same_stay and stay is not None and stay.is_open and st.discharge is not None:
        return info, True  # admitted earlier, invoiced now
    if not (same_stay and stay is not None and stay.discharge == st.discharge and lines_same):
        raise ValidationError([Problem("claim.id_taken", {"number": info.number_text}, None)])
    if info.status not in (ClaimStatus.DRAFT, ClaimStatus.QUEUED):
        raise ValidationError(
            [Problem("claim.id_settled", {"number": info.number_text, "status": info.status.label()}, None)]
        )
    return info, False


def store(ctx: Context, form: StayForm, today: date | None = None) -> tuple[ClaimInfo, tuple[Problem, ...], bool]:
    """Inside the caller's `ctx.store.transaction()`: (claim, warnings, already stored).

    With a discharge date the stay is invoiced and queued; without, it is kept open (a draft).
    """
    today = today or date.today()
    earlier = _earlier(ctx, form)
    if earlier is not None:
        info, to_invoice = earlier
        if to_invoice:  # the stay recorded open at admission, its invoice sent at discharge
            assert form.stay.discharge is not None
            return discharge(ctx, info.id, form.stay.discharge, form.lines, form.override, today), (), False
        return info, (), True
    guarantees, problems, warnings = _check_form(ctx, form, today)
    try:
        patient_warnings = patients.validate(form.patient).warnings
    except ValidationError as exc:
        problems = list(exc.problems) + problems
        patient_warnings = ()
    if problems:
        raise ValidationError(problems)
    st, pec = form.stay, form.pec
    method = method_of(pec.method)
    assert method is not None
    patient, _ = patients.save(ctx, form.patient)
    check = checks.record(
        ctx,
        CheckInput(
            patient_id=patient.id,
            amc_number=form.patient.amc_number,
            method=CHECK_METHOD[method],
            outcome="covered",
            reference=pec.number,
            member_number=form.patient.member_number,
            note=pec.note,
            care=True,
        ),
    )
    claim_id = form.claim_id or str(uuid.uuid4())
    with ctx.store.write() as s:
        facts = claims_write.check_facts(s, check.id, claim_id)
        assert facts is not None
        status = ClaimStatus.DRAFT
        invoice: CareInvoice | None = None
        rows: list[dict[str, object]] = []
        override_by: int | None = None
        over: list[Problem] = []
        stay: Stay | None = None
        estimate: CareInvoice | None = None
        if st.discharge is not None:
            stay = _stay_of(st, st.discharge)
            invoice, rows, override_by, over = _bill(
                ctx, s, facts, form.kind, stay, form.lines, guarantees, claim_id, form.override
            )
            check_transition(ClaimStatus.DRAFT, ClaimStatus.QUEUED)
            status = ClaimStatus.QUEUED
        elif form.lines:
            # An open stay keeps the lines known at admission, priced for the planned discharge:
            # an estimate, computed again at discharge with the real dates.
            planned = _stay_of(st, max(st.planned_discharge or st.admission, st.admission))
            values = tariffs.current(ctx)
            estimate = compute(
                planned, form.lines, guarantees, values, _used_days(s, facts.patient_id, facts.insurer_id, claim_id)
            )
            rows = _line_rows(estimate, planned, values)
        now = utcnow()
        number = claims.next_number(s, "claim_number")
        priced = invoice or estimate  # an open stay's lines and totals are an estimate, and add up
        totals = claims.totals_row(priced.totals if priced else total([]))
        claims_write.insert_claim(
            s,
            claims.new_claim_row(
                ctx,
                facts,
                claim_id,
                number,
                status,
                st.admission,
                totals,
                now,
                kind=form.kind,
                override=form.override,
                override_by=override_by,
                over=over,
            ),
            rows,
        )
        stay_store.insert_stay(
            s,
            {
                "claim_id": claim_id,
                "entry_number": st.entry_number.strip() or None,
                "admission": st.admission,
                "discharge": st.discharge,
                "planned_discharge": st.planned_discharge,
                "mode": st.mode.strip() if form.kind is ClaimKind.STAY else "",
                "dmt": st.dmt.strip() if form.kind is ClaimKind.STAY else "",
                "exemption": st.exemption.strip(),
                "psychiatry": st.psychiatry,
                "under_18": st.under_18,
                "pav": invoice.pav if invoice else None,
                "pec_obtained_on": pec.obtained_on,
                "pec_valid_until": pec.valid_until,
                "guarantees": json.dumps([g.text() for g in guarantees], ensure_ascii=False),
                "days_used": _days_json(invoice) if invoice else None,
            },
        )
        events: list[audit_log.Event] = [
            (
                "claim.created",
                "claim",
                claim_id,
                {"number": number, "kind": form.kind.value, "lines": len(rows), "amc": str(totals["amc"])},
            )
        ]
        if invoice:
            events.append(("claim.queued", "claim", claim_id, {"number": number}))
            if over:
                events.append(claims.override_event(claim_id, number, over, form.override))
        audit_log.append_many(s, ctx.actor.login, events)
        info = claims.get_in(s, claim_id)
    return info, tuple(patient_warnings) + tuple(warnings), False


def submit(ctx: Context, form: StayForm) -> Submitted:
    """Store the stay (queued, or open without a discharge date) in one transaction;
    a refusal comes back in `error` and nothing is stored."""
    out = Submitted()
    try:
        with ctx.store.transaction():
            out.claim, out.warnings, out.already = store(ctx, form)
    except DomainError as exc:
        out.claim, out.already, out.error = None, False, exc
    return out


def discharge(
    ctx: Context,
    claim_id: str,
    discharge_on: date,
    lines: Sequence[CareLine],
    override: Override | None = None,
    today: date | None = None,
) -> ClaimInfo:
    """Invoice an open stay at discharge: its lines computed, the claim queued."""
    today = today or date.today()
    with ctx.store.write() as s:
        claim = s.get(Claim, claim_id, with_for_update=True)
        row = stay_store.get(s, claim_id) if claim is not None else None
        if claim is None or row is None:
            raise NotFound("stay.not_found")
        if row.discharge is not None or claim.status is not ClaimStatus.DRAFT:
            raise ValidationError([Problem("stay.not_open", {"number": claims.format_number(claim.number)}, None)])
        problems: list[Problem] = []
        if discharge_on < row.admission:
            problems.append(Problem("care.discharge_before_admission", {}, "discharge"))
        if discharge_on > today:
            problems.append(Problem("stay.discharge_future", {}, "discharge"))
        problems += expiry_problems(row.pec_valid_until, discharge_on)
        kind = ClaimKind(claim.kind)
        if kind is ClaimKind.CONSULTATION and discharge_on != row.admission:
            problems.append(Problem("stay.consultation_one_day", {}, "discharge"))
        if discharge_on >= row.admission:
            problems += line_problems(kind, lines, Stay(row.admission, discharge_on))
        if problems:
            raise ValidationError(problems)
        guarantees = parse_guarantees(json.loads(row.guarantees))
        facts = claims_write.check_facts(s, claim.check_id, claim.id)
        assert facts is not None
        stay = _stay_of(row, discharge_on)
        invoice, rows, override_by, over = _bill(
            ctx, s, facts, ClaimKind(claim.kind), stay, lines, guarantees, claim.id, override
        )
        check_transition(ClaimStatus.DRAFT, ClaimStatus.QUEUED)
        claims_write.replace_lines(s, claim, rows, [], claims.totals_row(invoice.totals))
        stay_store.update_stay(s, claim.id, discharge=discharge_on, pav=invoice.pav, days_used=_days_json(invoice))
        claim = s.get(Claim, claim_id)
        assert claim is not None
        claim.status = ClaimStatus.QUEUED
        claim.queued_at = claim.updated_at = utcnow()
        if facts.open_outage_id is not None:
            claim.operator_down, claim.outage_id = True, facts.open_outage_id
        events: list[audit_log.Event] = [
            ("stay.discharged", "claim", claim.id, {"number": claim.number, "lines": len(rows), "amc": str(claim.amc)}),
            ("claim.queued", "claim", claim.id, {"number": claim.number}),
        ]
        if over:
            assert override is not None
            claim.override_reason, claim.override_by = override.reason.strip(), override_by
            events.append(claims.override_event(claim.id, claim.number, over, override))
        audit_log.append_many(s, ctx.actor.login, events)
        s.flush()
        return claims.get_in(s, claim.id)


def _info(claim: Claim, row: ClaimStay, check: CoverageCheck) -> StayInfo:
    lines = [
        CareLineInfo(
            LineKind(ln.care_kind or LineKind.STAY_FEES.value),
            ln.code,
            ln.label,
            ln.quantity,
            ln.unit_price,
            ln.br_unit,
            ln.amo_rate,
            ln.optam,
            ln.practitioner_rpps,
            LineAmounts(ln.price, ln.br, ln.amo, ln.tm, ln.amc, ln.patient_share),
            ln.withheld or Decimal("0.00"),
            ln.participation or Decimal("0.00"),
            ln.days_paid or 0,
        )
        for ln in claim.lines
    ]
    return StayInfo(
        claim.id,
        ClaimKind(claim.kind),
        row.entry_number,
        row.admission,
        row.discharge,
        row.planned_discharge,
        row.mode,
        row.dmt,
        _exemption(row.exemption) or Exemption.NONE,
        row.psychiatry,
        row.under_18,
        row.pav,
        PEC_METHOD[CheckMethod(check.method)],
        check.reference,
        row.pec_obtained_on,
        row.pec_valid_until,
        tuple(json.loads(row.guarantees)),
        lines,
        claim.patient_id,
    )


def get(ctx: Context, claim_id: str) -> StayInfo:
    """The stay of a stay or consultation claim (NotFound for a pharmacy claim)."""
    with ctx.store.read() as s:
        return get_in(s, claim_id)


def get_in(s: Session, claim_id: str) -> StayInfo:
    claim = s.get(Claim, claim_id)
    row = stay_store.get(s, claim_id) if claim is not None else None
    if claim is None or row is None:
        raise NotFound("stay.not_found")
    check = s.get(CoverageCheck, claim.check_id)
    assert check is not None
    return _info(claim, row, check)


def list_open(ctx: Context) -> list[OpenStay]:
    """The stays recorded with their PEC and not invoiced yet, newest admission first."""
    with ctx.store.read() as s:
        rows = stay_store.open_stays(s)
    dec = ctx.store.cipher.decrypt
    return [
        OpenStay(
            r.id,
            r.number,
            f"{dec(r.surname_enc, 'patients.surname') or ''} {dec(r.first_name_enc, 'patients.first_name') or ''}".strip(),
            r.admission,
            r.entry_number,
        )
        for r in rows
    ]


def care_label(kind: LineKind) -> str:
    return i18n.say(f"care_kind.{kind.value}")


i18n.register(
    {
        "stay.method": i18n.N_("Mode d'obtention inconnu : choisissez l'un de {methods}."),
        "stay.exemption": i18n.N_("Exonération inconnue : laissez vide ou choisissez l'une de {values}."),
        "stay.entry_number": i18n.N_("Le numéro d'entrée dépasse {maximum} caractères : vérifiez-le."),
        "stay.consultation_one_day": i18n.N_("Une consultation tient en un jour : la sortie est le jour même."),
        "stay.discharge_future": i18n.N_(
            "La date de sortie est dans le futur : laissez-la vide tant que le patient est hospitalisé."
        ),
        "stay.not_found": i18n.N_("Ce séjour n'existe pas."),
        "stay.line_kind": i18n.N_("Une ligne « {kind} » ne va pas dans cette demande : choisissez l'une de {kinds}."),
        "stay.code_long": i18n.N_(
            "Le code dépasse {maximum} caractères : saisissez le code de prestation, CCAM ou NGAP."
        ),
        "stay.fpu_once": i18n.N_("Le forfait patient urgences se facture une fois par passage : quantité 1."),
        "stay.too_many_days": i18n.N_(
            "Le séjour compte {days} jours : une ligne par jour ne peut pas en facturer davantage."
        ),
        "stay.fj_same_day": i18n.N_("Un séjour d'un seul jour n'a pas de forfait journalier : retirez la ligne."),
        "stay.not_open": i18n.N_("Le séjour de la demande n° {number} est déjà facturé : ouvrez-la dans Demandes."),
        "care_kind.stay_fees": i18n.N_("Frais de séjour"),
        "care_kind.fj": i18n.N_("Forfait journalier"),
        "care_kind.fpu": i18n.N_("Forfait patient urgences"),
        "care_kind.fee": i18n.N_("Honoraires"),
        "care_kind.room": i18n.N_("Chambre particulière"),
        "care_kind.companion": i18n.N_("Accompagnant"),
        "care_kind.comfort": i18n.N_("Confort (télévision, téléphone)"),
        "care_kind.consultation": i18n.N_("Consultation"),
    }
)
