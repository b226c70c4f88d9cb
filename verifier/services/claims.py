"""Claims: create from a coverage check, correct, queue (all reasons at once), void, rectify."""

from __future__ import annotations

import json
import logging
import uuid
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from decimal import Decimal

from verifier import i18n
from verifier.domain.claims import ClaimTotals, LineAmounts, LineInput, compute_line, total
from verifier.domain.coverage import FEE_CODES, guarantee_for, normalize_prestation_code
from verifier.domain.errors import NotFound, Problem, ValidationError
from verifier.domain.identifiers import check_rpps
from verifier.domain.pharmacy_fees import OnCall, PrescriptionForm
from verifier.domain.scanner import ScanResult
from verifier.domain.states import ClaimKind, ClaimStatus, can_rectify, check_transition, editable
from verifier.services import ceilings, settings
from verifier.services.ceilings import Override
from verifier.services.checks import COVERING, guarantees_from_json
from verifier.services.context import Context
from verifier.services.drugs import DrugInfo
from verifier.store import audit_log, claim_history, claims_write
from verifier.store import stays as stay_store
from verifier.store.schema import Claim, CoverageCheck
from verifier.store.session import RowRefused, Session
from verifier.store.types import utcnow

MAX_LINES = 50

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Box:
    """One box of a line, as it was read: a box never takes another's lot or serial."""

    lot: str | None = None
    expiry: date | None = None
    serial: str | None = None
    read_as: str = "manual"  # datamatrix | ean13 | cip7 | manual


@dataclass(frozen=True)
class LineDraft:
    """One line as the counter enters it, before the arithmetic."""

    label: str
    prestation_code: str
    quantity: int
    unit_price: Decimal
    amo_rate: Decimal
    code: str = ""
    code_kind: str = "manual"  # cip13 | lpp | manual
    br_unit: Decimal | None = None
    expiry: date | None = None
    lot: str | None = None
    serial: str | None = None
    boxes: tuple[Box, ...] = ()  # the boxes scanned into the line, each with its own identity
    fee_unit: Decimal | None = None  # the dispensing fee per unit included in unit_price (issue 13)


def box_of(scan: ScanResult | None) -> Box:
    """The identity of one scanned box (nothing of it when it was typed by hand)."""
    if scan is None:
        return Box()
    return Box(scan.lot, scan.expiry, scan.serial, scan.source)


def line_from_drug(drug: DrugInfo, quantity: int = 1, scan: ScanResult | None = None) -> LineDraft:
    """A line filled from the drug reference (price and rate as published)."""
    return LineDraft(
        label=drug.label[:300],
        prestation_code=drug.prestation_code,
        quantity=quantity,
        unit_price=drug.price if drug.price is not None else Decimal("0.00"),
        amo_rate=drug.rate if drug.rate is not None else Decimal("0"),
        code=drug.cip13,
        code_kind="cip13",
        expiry=scan.expiry if scan else None,
        lot=scan.lot if scan else None,
        serial=scan.serial if scan else None,
        boxes=(box_of(scan),) if quantity == 1 else (),
        fee_unit=drug.fee if drug.price is not None else None,
    )


@dataclass(frozen=True)
class ClaimInfo:
    id: str
    number: int
    version: int
    previous_id: str | None
    status: ClaimStatus
    patient_id: str
    insurer_id: int
    check_id: str
    dispensed_on: date
    prescriber_rpps: str | None
    price: Decimal
    amo: Decimal
    amc: Decimal
    patient_share: Decimal
    created_at: datetime
    void_reason: str | None
    lines: list[tuple[LineDraft, LineAmounts]] = field(default_factory=list)
    kind: ClaimKind = ClaimKind.PHARMACY
    prescription: PrescriptionForm | None = None

    @property
    def number_text(self) -> str:
        return format_number(self.number)


def format_number(number: int) -> str:
    return f"{number:07d}"


def next_number(session: Session, counter: str) -> int:
    """The next number of a sequence that never repeats (see store.claims_write.next_value)."""
    return claims_write.next_value(session, counter)


def _line_amounts(lines: list[LineDraft], check: CheckContext) -> tuple[list[LineAmounts], list[Problem]]:
    guarantees = guarantees_from_json(check.guarantees)
    amounts: list[LineAmounts] = []
    problems: list[Problem] = []
    for i, line in enumerate(lines, start=1):
        try:
            li = LineInput(line.prestation_code, line.quantity, line.unit_price, line.amo_rate, line.br_unit)
            amounts.append(compute_line(li, guarantee_for(line.prestation_code, guarantees)))
        except ValidationError as exc:
            problems += [p.on_line(i) for p in exc.problems]
        if not line.label.strip():
            problems.append(Problem("claim.line_label_missing", {"line": i}, "label", line=i))
    return amounts, problems


def _line_rows(lines: list[LineDraft], amounts: list[LineAmounts]) -> list[dict[str, object]]:
    return [
        {
            "position": pos,
            "code": d.code,
            "code_kind": d.code_kind,
            "label": d.label.strip()[:300],
            "prestation_code": d.prestation_code,
            "quantity": d.quantity,
            "unit_price": d.unit_price,
            "br_unit": d.br_unit if d.br_unit is not None else d.unit_price,
            "amo_rate": d.amo_rate,
            "price": a.price,
            "br": a.br,
            "amo": a.amo,
            "tm": a.tm,
            "amc": a.amc,
            "patient_share": a.patient,
            "expiry": d.expiry,
            "lot": d.lot,
            "serial": d.serial,
            "fee_unit": d.fee_unit if d.fee_unit is not None and 0 < d.fee_unit < d.unit_price else None,
        }
        for pos, (d, a) in enumerate(zip(lines, amounts, strict=True), start=1)
    ]


def line_boxes(d: LineDraft) -> tuple[Box, ...]:
    """The boxes read for a line; a line given without boxes but with a lot, expiry or serial
    is one box read from a DataMatrix (as migration 0008 reads the lines stored before)."""
    if d.boxes:
        return d.boxes[: d.quantity]
    if d.lot or d.expiry or d.serial:
        return (Box(d.lot, d.expiry, d.serial, "datamatrix"),)
    return ()


def _box_rows(lines: list[LineDraft]) -> list[dict[str, object]]:
    """Each box read of each line (a line's boxes beyond them have no identity: no row)."""
    return [
        {
            "line_position": pos,
            "position": n,
            "lot": b.lot,
            "expiry": b.expiry,
            "serial": b.serial,
            "read_as": b.read_as,
        }
        for pos, d in enumerate(lines, start=1)
        for n, b in enumerate(line_boxes(d), start=1)
    ]


def _totals_row(amounts: list[LineAmounts]) -> dict[str, Decimal]:
    return totals_row(total(amounts))


def totals_row(t: ClaimTotals) -> dict[str, Decimal]:
    """A claim's total columns from its totals (the sums of its rounded lines)."""
    return {"price": t.price, "br": t.br, "amo": t.amo, "tm": t.tm, "amc": t.amc, "patient_share": t.patient}


def new_claim_row(
    ctx: Context,
    check: CheckContext,
    claim_id: str,
    number: int,
    status: ClaimStatus,
    dispensed_on: date,
    totals: dict[str, Decimal],
    now: datetime,
    *,
    kind: ClaimKind = ClaimKind.PHARMACY,
    prescriber_rpps: str | None = None,
    override: Override | None = None,
    override_by: int | None = None,
    over: list[Problem] | None = None,
) -> dict[str, object]:
    """The row of a new claim (version 1), queued or a draft, as store.claims_write inserts it:
    one shape for the counter's, the import's and the clinic's claims."""
    return {
        "id": claim_id,
        "number": number,
        "version": 1,
        "previous_id": None,
        "status": status.value,
        "kind": kind.value,
        "patient_id": check.patient_id,
        "insurer_id": check.insurer_id,
        "check_id": check.id,
        "batch_id": None,
        "dispensed_on": dispensed_on,
        "prescriber_rpps": prescriber_rpps or None,
        "operator_down": check.operator_down or check.open_outage_id is not None,
        "outage_id": check.open_outage_id,
        "created_by": ctx.actor.user_id,
        "created_at": now,
        "updated_at": now,
        "queued_at": now if status is ClaimStatus.QUEUED else None,
        "override_reason": override.reason.strip() if over and override else None,
        "override_by": override_by,
        **totals,
    }


def _store_lines(s: Session, claim: Claim, lines: list[LineDraft], amounts: list[LineAmounts]) -> None:
    claims_write.replace_lines(s, claim, _line_rows(lines, amounts), _box_rows(lines), _totals_row(amounts))


def _structural_problems(lines: list[LineDraft], dispensed_on: date, prescriber: str | None) -> list[Problem]:
    problems = []
    if len(lines) > MAX_LINES:
        problems.append(Problem("claim.too_many_lines", {"maximum": MAX_LINES}, "lines"))
    if dispensed_on > date.today():
        problems.append(Problem("claim.future", {}, "dispensed_on"))
    if prescriber:
        problems += [Problem(p.code, p.params, "prescriber_rpps") for p in check_rpps(prescriber).problems]
    return problems


def _info(c: Claim) -> ClaimInfo:
    boxes: dict[int, list[Box]] = {}
    for b in c.boxes:
        boxes.setdefault(b.line_position, []).append(Box(b.lot, b.expiry, b.serial, b.read_as))
    lines = [
        (
            LineDraft(
                ln.label,
                ln.prestation_code,
                ln.quantity,
                ln.unit_price,
                ln.amo_rate,
                ln.code,
                ln.code_kind,
                ln.br_unit,
                ln.expiry,
                ln.lot,
                ln.serial,
                tuple(boxes.get(ln.position, ())),
                ln.fee_unit,
            ),
            LineAmounts(ln.price, ln.br, ln.amo, ln.tm, ln.amc, ln.patient_share),
        )
        for ln in c.lines
    ]
    return ClaimInfo(
        c.id,
        c.number,
        c.version,
        c.previous_id,
        ClaimStatus(c.status),
        c.patient_id,
        c.insurer_id,
        c.check_id,
        c.dispensed_on,
        c.prescriber_rpps,
        c.price,
        c.amo,
        c.amc,
        c.patient_share,
        c.created_at,
        c.void_reason,
        lines,
        ClaimKind(c.kind),
        _prescription(c),
    )


def normalized(p: PrescriptionForm | None) -> PrescriptionForm | None:
    """The prescription as stored: each removal's reason trimmed, at most 200 characters."""
    if p is None:
        return None
    return replace(
        p, removed_fees=tuple((code.strip().upper(), reason.strip()[:200]) for code, reason in p.removed_fees)
    )


def prescription_row(p: PrescriptionForm | None) -> dict[str, object] | None:
    """The claim_prescriptions row of a prescription as `normalized` gives it (None: the claim
    records none)."""
    if p is None:
        return None
    removed = [{"code": code, "reason": reason} for code, reason in p.removed_fees]  # normalized already
    return {
        "prescribed_on": p.prescribed_on,
        "ald_two_part": p.ald_two_part,
        "on_call": None if p.on_call is None else p.on_call.value,
        "generic_refused": p.generic_refused,
        "removed_fees": json.dumps(removed, ensure_ascii=False) if removed else None,
    }


def _prescription(c: Claim) -> PrescriptionForm | None:
    row = c.prescription
    if row is None:
        return None
    try:
        removed = tuple((str(r["code"]), str(r["reason"])) for r in json.loads(row.removed_fees or "[]"))
    except (ValueError, TypeError, KeyError):
        log.warning("claim %s: its removed fees cannot be read; shown as none", c.id)
        removed = ()
    return PrescriptionForm(
        row.prescribed_on,
        row.ald_two_part,
        None if row.on_call is None else OnCall(row.on_call),
        row.generic_refused,
        removed,
    )


PRESCRIPTION_VALID_DAYS = 366  # a prescription is dispensed within a year (renewals included)


def prescription_problems(p: PrescriptionForm | None, dispensed_on: date, lines: list[LineDraft]) -> list[Problem]:
    """What is wrong with the prescription as given: a date after the dispensing or more than
    a year before it, a fee removed without a reason, a "removed" code that is no fee or is
    still among the lines."""
    problems: list[Problem] = []
    if p is None:
        return problems
    if p.prescribed_on is not None and p.prescribed_on > dispensed_on:
        problems.append(Problem("claim.prescribed_after", {}, "prescribed_on"))
    elif p.prescribed_on is not None and (dispensed_on - p.prescribed_on).days > PRESCRIPTION_VALID_DAYS:
        problems.append(Problem("claim.prescribed_too_old", {}, "prescribed_on"))
    present = {normalize_prestation_code(line.prestation_code) for line in lines}
    for code, reason in p.removed_fees:
        if code not in FEE_CODES or code in present:
            problems.append(Problem("claim.fee_removed_code", {"code": code[:10]}, "removed_fees"))
        elif len(reason.strip()) < 3:
            problems.append(Problem("claim.fee_removed_reason", {"code": code}, "removed_fees"))
    return problems


def generic_problems(p: PrescriptionForm | None) -> list[Problem]:
    """A generic refused without "non substituable" on the prescription: no tiers payant
    (CSS L162-16-7), so no claim to queue."""
    if p is not None and p.generic_refused:
        return [Problem("claim.generic_refused", {}, "generic_refused")]
    return []


def _removal_events(claim_id: str, number: int, p: PrescriptionForm | None) -> list[audit_log.Event]:
    """One audit event per fee the clerk removed: the claim and the fee. The reason, the clerk's
    free text (which may name someone), stays with the claim (claim_prescriptions), purged with
    it, never in the audit chain that is kept for good (as a void's reason)."""
    if p is None:
        return []
    return [("claim.fee_removed", "claim", claim_id, {"number": number, "code": code}) for code, _ in p.removed_fees]


def _load(session: Session, claim_id: str, lock: bool = False) -> Claim:
    claim = session.get(Claim, claim_id, with_for_update=lock)
    if claim is None:
        raise NotFound("claim.not_found")
    return claim


CheckContext = claims_write.CheckFacts


def _load_check_context(s: Session, check_id: str, exclude_claim: str | None = None) -> CheckContext:
    """The check with what queueing needs of its patient, insurer and site, in one query."""
    row = claims_write.check_facts(s, check_id, exclude_claim)
    if row is None:
        raise NotFound("check.not_found")
    return row


def create(
    ctx: Context,
    check_id: str,
    lines: list[LineDraft],
    dispensed_on: date | None = None,
    prescriber_rpps: str | None = None,
    *,
    queue_now: bool = False,
    override: Override | None = None,
    claim_id: str | None = None,
    prescription: PrescriptionForm | None = None,
) -> ClaimInfo:
    """A new claim (draft, or queued at once with `queue_now`) with its own id and number.

    `prescription`: what the prescription adds (its date, ALD two-part, on-call context, a
    generic refused, the fees removed with their reasons, each audited); a claim for a
    generic refused without "non substituable" stays a draft: it cannot be queued.

    Over a ceiling, queueing raises CeilingExceeded unless `override` carries an
    administrator's password and a reason.

    `claim_id` is the id the caller made once for this claim (the counter makes one per
    form): sending it again is safe. If the server committed an earlier attempt but the
    acknowledgement was lost (connection cut during the COMMIT), the retry finds that claim
    and returns it rather than queueing a second one; a claim with that id but another
    content is refused (claim.id_taken), and so is one that has moved on since (voided,
    exported...: claim.id_settled), so that a retry never reports as queued what is not.
    Nothing is read beforehand: the claim's primary key refuses the duplicate, and only a
    refusal (the key, or a check that the stored claim itself now fails, such as a ceiling
    its own amount has filled) looks for an earlier attempt, so the usual path costs
    nothing more.
    """
    dispensed_on = dispensed_on or date.today()
    try:
        return _create(
            ctx,
            check_id,
            lines,
            dispensed_on,
            prescriber_rpps,
            queue_now,
            override,
            claim_id or str(uuid.uuid4()),
            prescription,
        )
    except (RowRefused, ValidationError):
        if claim_id is None:
            raise
        existing = _existing_same(ctx, claim_id, check_id, lines, dispensed_on, prescriber_rpps)
        if existing is None:
            raise  # not a retry: the refusal stands
        if existing.status is ClaimStatus.DRAFT:
            return queue(ctx, claim_id, override) if queue_now else existing
        if existing.status is not ClaimStatus.QUEUED or not queue_now:
            raise ValidationError(
                [Problem("claim.id_settled", {"number": existing.number_text, "status": existing.status.label()}, None)]
            ) from None
        return existing


def _create(
    ctx: Context,
    check_id: str,
    lines: list[LineDraft],
    dispensed_on: date,
    prescriber_rpps: str | None,
    queue_now: bool,
    override: Override | None,
    claim_id: str,
    prescription: PrescriptionForm | None = None,
) -> ClaimInfo:
    override_by: int | None = None
    over: list[Problem] = []
    prescription = normalized(prescription)
    with ctx.store.write() as s:
        # The claim's own id is left out of the insurer's outstanding total: on a retry
        # after a lost acknowledgement the claim may be there already.
        check = _load_check_context(s, check_id, exclude_claim=claim_id)
        amounts, problems = _line_amounts(lines, check)
        problems += _structural_problems(lines, dispensed_on, prescriber_rpps)
        problems += prescription_problems(prescription, dispensed_on, lines)
        if problems:
            raise ValidationError(problems)
        totals = _totals_row(amounts)
        status = ClaimStatus.DRAFT
        if queue_now:  # inserted already queued: one INSERT, not an INSERT then an UPDATE
            check_transition(ClaimStatus.DRAFT, ClaimStatus.QUEUED)
            problems = generic_problems(prescription)
            problems += queue_problems(check, len(lines), totals["amc"], dispensed_on)
            if problems:
                raise ValidationError(problems)
            status = ClaimStatus.QUEUED
            override_by, over = check_ceilings(ctx, s, check, totals["amc"], dispensed_on, override)
        now = utcnow()
        number = next_number(s, "claim_number")
        claims_write.insert_claim(
            s,
            new_claim_row(
                ctx,
                check,
                claim_id,
                number,
                status,
                dispensed_on,
                totals,
                now,
                prescriber_rpps=prescriber_rpps,
                override=override,
                override_by=override_by,
                over=over,
            ),
            _line_rows(lines, amounts),
            _box_rows(lines),
        )
        if prescription is not None:
            claims_write.put_prescription(s, claim_id, prescription_row(prescription))
        events: list[audit_log.Event] = [
            ("claim.created", "claim", claim_id, {"number": number, "lines": len(lines), "amc": str(totals["amc"])})
        ]
        events += _removal_events(claim_id, number, prescription)
        if queue_now:
            events.append(("claim.queued", "claim", claim_id, {"number": number}))
            if over:
                events.append(override_event(claim_id, number, over, override))
        audit_log.append_many(s, ctx.actor.login, events)
    return ClaimInfo(
        claim_id,
        number,
        1,
        None,
        status,
        check.patient_id,
        check.insurer_id,
        check.id,
        dispensed_on,
        prescriber_rpps or None,
        totals["price"],
        totals["amo"],
        totals["amc"],
        totals["patient_share"],
        now,
        None,
        list(zip(lines, amounts, strict=True)),
        prescription=prescription,
    )


def _same_line(a: LineDraft, b: LineDraft) -> bool:
    """Equal as stored: labels trimmed, BR per unit defaulting to the price, decimals by value."""
    return (
        a.label.strip()[:300] == b.label.strip()[:300]
        and a.prestation_code == b.prestation_code
        and a.quantity == b.quantity
        and a.unit_price == b.unit_price
        and a.amo_rate == b.amo_rate
        and a.code == b.code
        and a.code_kind == b.code_kind
        and (a.br_unit if a.br_unit is not None else a.unit_price)
        == (b.br_unit if b.br_unit is not None else b.unit_price)
        and (a.expiry, a.lot, a.serial) == (b.expiry, b.lot, b.serial)
        and line_boxes(a) == line_boxes(b)
    )


def _existing_same(
    ctx: Context,
    claim_id: str,
    check_id: str,
    lines: list[LineDraft],
    dispensed_on: date,
    prescriber: str | None,
) -> ClaimInfo | None:
    """The claim `claim_id` if this user already stored it with this content; None if there is none.

    Raises claim.id_taken when it exists with another content (the form was changed after
    an attempt whose acknowledgement was lost): the claim already queued is the one to correct.
    """
    with ctx.store.read() as s:
        claim = s.get(Claim, claim_id)
        if claim is None:
            return None
        info = _info(claim)
        created_by = claim.created_by
        # The same patient and insurer, not the same check row: a form restored after a
        # restart records its check again (a new row) before it retries.
        check = s.get(CoverageCheck, check_id)
        same_check = check is not None and (check.patient_id, check.insurer_id) == (claim.patient_id, claim.insurer_id)
    same = (
        created_by == ctx.actor.user_id
        and same_check
        and info.dispensed_on == dispensed_on
        and info.prescriber_rpps == (prescriber or None)
        and len(info.lines) == len(lines)
        and all(_same_line(stored, given) for (stored, _), given in zip(info.lines, lines, strict=True))
    )
    if not same:
        raise ValidationError([Problem("claim.id_taken", {"number": info.number_text}, None)])
    return info


def earlier_attempt(
    ctx: Context,
    claim_id: str,
    lines: list[LineDraft],
    dispensed_on: date,
    prescriber: str | None,
) -> ClaimInfo | None:
    """The claim `claim_id` stored by an earlier attempt of this same use case, or None.

    For a use case that stores the patient and the check with the claim (services.counter):
    it looks before storing anything. Raises claim.id_taken when the claim has another
    content, claim.id_settled when it has moved on (neither draft nor queued).
    """
    with ctx.store.read() as s:
        claim = s.get(Claim, claim_id)
        if claim is None:
            return None
        info = _info(claim)
        created_by = claim.created_by
    same = (
        created_by == ctx.actor.user_id
        and info.dispensed_on == dispensed_on
        and info.prescriber_rpps == (prescriber or None)
        and len(info.lines) == len(lines)
        and all(_same_line(stored, given) for (stored, _), given in zip(info.lines, lines, strict=True))
    )
    if not same:
        raise ValidationError([Problem("claim.id_taken", {"number": info.number_text}, None)])
    if info.status not in (ClaimStatus.DRAFT, ClaimStatus.QUEUED):
        raise ValidationError(
            [Problem("claim.id_settled", {"number": info.number_text, "status": info.status.label()}, None)]
        )
    return info


def update_lines(
    ctx: Context,
    claim_id: str,
    lines: list[LineDraft],
    dispensed_on: date | None = None,
    prescriber_rpps: str | None = None,
    prescription: PrescriptionForm | None = None,
) -> ClaimInfo:
    """Correct a draft or queued claim; a queued claim must stay complete to stay queued.
    `prescription`, when given, replaces the one recorded (fees newly removed are audited)."""
    prescription = normalized(prescription)
    with ctx.store.write() as s:
        claim = _load(s, claim_id, lock=True)
        status = ClaimStatus(claim.status)
        if not editable(status):
            raise ValidationError([Problem("claim.not_editable", {"status": status.label()}, None)])
        if claim.kind is not ClaimKind.PHARMACY:
            # A stay's lines follow from its dates and PEC: they are computed by services.stays.
            raise ValidationError([Problem("claim.care_lines", {}, None)])
        check = _load_check_context(s, claim.check_id)
        amounts, problems = _line_amounts(lines, check)
        dispensed_on = dispensed_on or claim.dispensed_on
        problems += _structural_problems(lines, dispensed_on, prescriber_rpps)
        problems += prescription_problems(prescription, dispensed_on, lines)
        if status is ClaimStatus.QUEUED:
            problems += generic_problems(prescription)
        if problems:
            raise ValidationError(problems)
        before = _prescription(claim)
        claim.dispensed_on = dispensed_on
        claim.prescriber_rpps = prescriber_rpps or claim.prescriber_rpps
        claim.updated_at = utcnow()
        _store_lines(s, claim, lines, amounts)
        if status is ClaimStatus.QUEUED:
            problems = queue_problems(check, len(claim.lines), claim.amc, claim.dispensed_on)
            if problems:
                raise ValidationError(problems)
        events: list[audit_log.Event] = [
            ("claim.corrected", "claim", claim.id, {"lines": len(lines), "amc": str(claim.amc)})
        ]
        if prescription is not None:
            claims_write.put_prescription(s, claim.id, prescription_row(prescription))
            known = set(before.removed_fees) if before else set()
            fresh = replace(prescription, removed_fees=tuple(r for r in prescription.removed_fees if r not in known))
            events += _removal_events(claim.id, claim.number, fresh)
            s.expire(claim)
        audit_log.append_many(s, ctx.actor.login, events)
        return _info(claim)


def queue_problems(context: CheckContext, line_count: int, amc: Decimal, dispensed_on: date) -> list[Problem]:
    """Everything that keeps a claim from being queued, at once."""
    problems: list[Problem] = []
    check = context
    if not line_count:
        problems.append(Problem("claim.no_lines", {}, "lines"))
    if check.outcome not in COVERING:
        problems.append(Problem("claim.check_not_covering", {}, "check"))
    if line_count and amc <= 0 and check.outcome in COVERING:
        problems.append(Problem("claim.nothing_to_claim", {}, "lines"))
    if check.check_member_enc is None and check.patient_member_enc is None:
        problems.append(Problem("claim.member_missing", {}, "member_number"))
    if not check.insurer_active:
        problems.append(Problem("claim.insurer_inactive", {}, "insurer"))
    if check.card_valid_to and dispensed_on > check.card_valid_to:
        problems.append(Problem("claim.card_expired", {}, "card_valid_to"))
    if check.card_valid_from and dispensed_on < check.card_valid_from:
        problems.append(Problem("claim.card_not_yet_valid", {}, "card_valid_from"))
    if dispensed_on > date.today():
        problems.append(Problem("claim.future", {}, "dispensed_on"))
    return problems


def check_ceilings(
    ctx: Context,
    s: Session,
    check: CheckContext,
    amc: Decimal,
    dispensed_on: date,
    override: Override | None,
    kind: ClaimKind = ClaimKind.PHARMACY,
) -> tuple[int | None, list[Problem]]:
    """(overriding admin's id, ceilings crossed); raises CeilingExceeded when not authorised.

    A stay is held to the per-stay ceiling instead of the per-claim one, and its PEC, asked
    before admission by design, is not held to the "check on the day" ceiling (services.stays)."""
    site = settings.parsed(check.settings_json, check.settings_signature, check.admin_public_key)
    if kind is ClaimKind.STAY:
        site = replace(site, claim_amc_ceiling=site.stay_amc_ceiling, check_same_day=False)
    over = ceilings.crossed(site, check.outstanding_amc, amc, dispensed_on, check.checked_at)
    if not over:
        return None, []
    if override is None:
        raise ceilings.CeilingExceeded(over)
    return ceilings.authorise(ctx.store, s, override), over


def override_event(claim_id: str, number: int, over: list[Problem], override: Override | None) -> audit_log.Event:
    assert override is not None
    return (
        "claim.override",
        "claim",
        claim_id,
        {"number": number, "ceilings": [p.code for p in over], "by": override.login},
    )


def _queue(ctx: Context, s: Session, claim: Claim, override: Override | None) -> None:
    check_transition(ClaimStatus(claim.status), ClaimStatus.QUEUED)
    if claim.kind is not ClaimKind.PHARMACY:
        stay = stay_store.get(s, claim.id)
        if stay is not None and stay.discharge is None:
            raise ValidationError([Problem("claim.stay_open", {}, "discharge")])
    check = _load_check_context(s, claim.check_id, exclude_claim=claim.id)
    problems = generic_problems(_prescription(claim))
    problems += queue_problems(check, len(claim.lines), claim.amc, claim.dispensed_on)
    if problems:
        raise ValidationError(problems)
    override_by, over = check_ceilings(ctx, s, check, claim.amc, claim.dispensed_on, override)
    claim.status = ClaimStatus.QUEUED
    claim.queued_at = claim.updated_at = utcnow()
    if check.open_outage_id is not None:
        claim.operator_down, claim.outage_id = True, check.open_outage_id
    events: list[audit_log.Event] = [("claim.queued", "claim", claim.id, {"number": claim.number})]
    if over:
        assert override is not None
        claim.override_reason, claim.override_by = override.reason.strip(), override_by
        events.append(override_event(claim.id, claim.number, over, override))
    audit_log.append_many(s, ctx.actor.login, events)


def queue(ctx: Context, claim_id: str, override: Override | None = None) -> ClaimInfo:
    with ctx.store.write() as s:
        claim = _load(s, claim_id, lock=True)
        _queue(ctx, s, claim, override)
        return _info(claim)


def void(ctx: Context, claim_id: str, reason: str) -> ClaimInfo:
    """Cancel a claim; it stays readable with its reason (voiding is not deleting)."""
    reason = reason.strip()
    if len(reason) < 3:
        raise ValidationError([Problem("claim.void_reason", {}, "reason")])
    with ctx.store.write() as s:
        claim = _load(s, claim_id, lock=True)
        check_transition(ClaimStatus(claim.status), ClaimStatus.VOID)
        claim.status = ClaimStatus.VOID
        claim.void_reason = reason[:500]
        claim.updated_at = utcnow()
        audit_log.append(s, ctx.actor.login, "claim.voided", "claim", claim.id, {"number": claim.number})
        return _info(claim)


def rectify(ctx: Context, claim_id: str) -> ClaimInfo:
    """A rejected claim's correction: a new draft version linked to it; the old one stays."""
    with ctx.store.write() as s:
        old = _load(s, claim_id, lock=True)
        status = ClaimStatus(old.status)
        if not can_rectify(status):
            raise ValidationError([Problem("claim.not_rectifiable", {"status": status.label()}, None)])
        if claim_history.has_newer_version(s, old.id):
            raise ValidationError([Problem("claim.already_rectified", {}, None)])
        if old.kind is ClaimKind.CONSULTATION:
            raise ValidationError([Problem("claim.consultation_rectify", {}, None)])
        old_lines = _info(old).lines
        drafts, amounts = [d for d, _ in old_lines], [a for _, a in old_lines]
        now = utcnow()
        new_id = str(uuid.uuid4())
        claims_write.insert_claim(
            s,
            {
                "id": new_id,
                "number": next_number(s, "claim_number"),
                "version": old.version + 1,
                "previous_id": old.id,
                "status": ClaimStatus.DRAFT.value,
                "kind": old.kind,
                "patient_id": old.patient_id,
                "insurer_id": old.insurer_id,
                "check_id": old.check_id,
                "batch_id": None,
                "dispensed_on": old.dispensed_on,
                "prescriber_rpps": old.prescriber_rpps,
                "operator_down": old.operator_down,
                "outage_id": None,
                "created_by": ctx.actor.user_id,
                "created_at": now,
                "updated_at": now,
                "queued_at": None,
                "override_reason": None,
                "override_by": None,
                **_totals_row(amounts),
            },
            _line_rows(drafts, amounts),
            _box_rows(drafts),
        )
        if old.kind is not ClaimKind.PHARMACY:
            claims_write.copy_care(s, old.id, new_id)
        if old.prescription is not None:
            claims_write.put_prescription(s, new_id, prescription_row(_prescription(old)))
        new = _load(s, new_id)
        audit_log.append(
            s,
            ctx.actor.login,
            "claim.rectified",
            "claim",
            new.id,
            {"previous": old.id, "version": new.version, "number": new.number, "amc": str(new.amc)},
        )
        return _info(new)


def get(ctx: Context, claim_id: str) -> ClaimInfo:
    with ctx.store.read() as s:
        return get_in(s, claim_id)


def get_in(s: Session, claim_id: str) -> ClaimInfo:
    """The claim as stored, inside the caller's session."""
    return _info(_load(s, claim_id))


def by_number(ctx: Context, number: int) -> ClaimInfo:
    """The claim with this number, in its latest version (a rectification keeps the number)."""
    with ctx.store.read() as s:
        claim = claim_history.latest_with_number(s, number)
        if claim is None:
            raise NotFound("claim.not_found")
        return _info(claim)


def transition(
    ctx: Context,
    claim_id: str,
    target: ClaimStatus,
    *,
    code: str | None = None,
    text_: str | None = None,
    paid_amount: Decimal | None = None,
    paid_on: date | None = None,
) -> ClaimInfo:
    """An insurer's answer (accepted, rejected, paid) or a batch step, by an administrator."""
    ctx.require_admin("record_return")
    with ctx.store.write() as s:
        claim = _load(s, claim_id, lock=True)
        check_transition(ClaimStatus(claim.status), target)
        claim.status = target
        if target is ClaimStatus.REJECTED:
            claim.rejection_code, claim.rejection_text = code, text_
        if target is ClaimStatus.PAID:
            claim.paid_amount = paid_amount if paid_amount is not None else claim.amc
            claim.paid_on = paid_on or date.today()
        claim.updated_at = utcnow()
        audit_log.append(
            s, ctx.actor.login, f"claim.{target.value}", "claim", claim.id, {"number": claim.number, "code": code}
        )
        return _info(claim)


i18n.register(
    {
        "claim.not_found": i18n.N_("Cette demande n'existe pas."),
        "claim.line_label_missing": i18n.N_("Ligne {line} : indiquez le libellé du produit."),
        "claim.too_many_lines": i18n.N_("Une demande compte au plus {maximum} lignes : faites-en une seconde."),
        "claim.future": i18n.N_("La date de délivrance est dans le futur : corrigez-la."),
        "claim.not_editable": i18n.N_("Une demande « {status} » ne peut plus être modifiée."),
        "claim.no_lines": i18n.N_("Ajoutez au moins une ligne (scannez une boîte ou saisissez un produit)."),
        "claim.check_not_covering": i18n.N_(
            "La vérification des droits n'a pas confirmé de couverture : rien ne peut être facturé à la complémentaire."
        ),
        "claim.nothing_to_claim": i18n.N_("La part complémentaire est nulle : il n'y a rien à demander à l'organisme."),
        "claim.member_missing": i18n.N_(
            "Le numéro d'adhérent manque : recopiez-le depuis l'attestation (l'organisme rejette sinon)."
        ),
        "claim.insurer_provisional": i18n.N_(
            "L'organisme de cette demande est à confirmer : un administrateur doit le confirmer, le corriger ou le fusionner (Administration, Organismes) avant la mise en lot. La demande reste en attente."
        ),
        "claim.insurer_inactive": i18n.N_("Cet organisme est désactivé : choisissez l'organisme actuel du patient."),
        "claim.card_expired": i18n.N_(
            "L'attestation n'était plus valable à la date de délivrance : vérifiez les dates ou demandez une attestation à jour."
        ),
        "claim.card_not_yet_valid": i18n.N_("L'attestation n'était pas encore valable à la date de délivrance."),
        "claim.void_reason": i18n.N_("Indiquez pourquoi la demande est annulée."),
        "claim.prescribed_after": i18n.N_(
            "La date de l'ordonnance est après la date de délivrance : corrigez l'une ou l'autre."
        ),
        "claim.prescribed_too_old": i18n.N_(
            "La date de l'ordonnance est plus d'un an avant la délivrance : vérifiez-la (jj/mm/aaaa)."
        ),
        "claim.fee_removed_code": i18n.N_(
            "« {code} » ne peut pas être retiré : ce n'est pas un honoraire, ou sa ligne est toujours dans la demande. Recalculez les honoraires (F7)."
        ),
        "claim.fee_removed_reason": i18n.N_(
            "Indiquez pourquoi l'honoraire {code} est retiré (au moins 3 caractères) : le motif est conservé avec la demande."
        ),
        "claim.generic_refused": i18n.N_(
            "Le patient refuse le générique alors que l'ordonnance ne porte pas la mention « non substituable » : pas de tiers payant (article L162-16-7 du Code de la sécurité sociale). Encaissez la totalité et remettez une feuille de soins ; la demande ne peut pas être mise en file.",
        ),
        "claim.not_rectifiable": i18n.N_("Seule une demande rejetée peut être rectifiée (celle-ci est « {status} »)."),
        "claim.id_taken": i18n.N_(
            "Cette demande a déjà été enregistrée (n° {number}) juste avant la coupure, avec un autre contenu : ouvrez-la dans Demandes pour la vérifier, puis effacez ce formulaire (Ctrl+N)."
        ),
        "claim.id_settled": i18n.N_(
            "Cette saisie est déjà la demande n° {number}, maintenant « {status} » : rien n'a été mis en file. Ouvrez-la dans Demandes, puis effacez ce formulaire (Ctrl+N)."
        ),
        "claim.already_rectified": i18n.N_("Cette demande a déjà été rectifiée : ouvrez sa nouvelle version."),
        "claim.consultation_rectify": i18n.N_(
            "Une consultation rejetée ne se rectifie pas : annulez-la et saisissez-la à nouveau, corrigée."
        ),
        "claim.stay_open": i18n.N_(
            "Ce séjour est en cours : sa facture se fait à la sortie du patient, qui la met en file."
        ),
        "claim.care_lines": i18n.N_(
            "Les lignes d'un séjour ou d'une consultation se calculent depuis ses dates et sa prise en charge : annulez la demande et saisissez-la à nouveau."
        ),
    }
)
