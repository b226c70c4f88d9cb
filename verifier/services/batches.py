"""Export batches: numbered per insurer (or per operator), exported as a bundle, voided until
sent, marked sent.

An insurer's `batch_by` setting says where its claims go: in batches of their own
("insurer", the default), or, when it names a tiers-payant operator, in that operator's
batches with the claims of every other insurer so set ("operator").

A batch is made in one transaction that records it and marks its claims exported; the
files are written afterwards, into a temporary folder inside the outbox, and moved into
the outbox only when complete. A crash at any point leaves either no batch (its claims
still queued) or a complete batch whose files can be written again, byte for byte the
same (`export_batch` is repeatable).
"""

from __future__ import annotations

import json
import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING

from verifier import i18n
from verifier.domain.claims import LineAmounts
from verifier.domain.coverage import Guarantee, guarantee_for, line_kind
from verifier.domain.errors import NotFound, Problem, ValidationError
from verifier.domain.pharmacy_fees import split_box
from verifier.domain.states import BatchStatus
from verifier.exports.rows import (
    BundleHeader,
    ExportBox,
    ExportBoxFee,
    ExportCare,
    ExportLine,
    ExportPrescription,
    ExportStay,
    InsurerPart,
)

if TYPE_CHECKING:
    from verifier.exports.bundle import Encryption
from verifier.security import signing
from verifier.security.audit import anchor_message
from verifier.services import authority
from verifier.services.checks import COVERING, guarantees_from_json
from verifier.services.claims import next_number
from verifier.services.context import Context
from verifier.store import audit_log
from verifier.store import batches as batch_store
from verifier.store.schema import Batch, Insurer, Operator, Site
from verifier.store.session import Session
from verifier.store.types import utcnow

CHANNELS = ("upload", "mail", "post")


@dataclass(frozen=True)
class BatchInfo:
    id: int
    insurer_id: int | None  # None for an operator's batch
    number: int
    status: BatchStatus
    claim_count: int
    total_amc: Decimal
    created_at: datetime
    sent_at: datetime | None = None
    channel: str | None = None
    operator_id: int | None = None
    recipient: str = ""  # the insurer's or the operator's name
    file_written: bool = False  # an export has written its bundle at least once

    @property
    def state(self) -> str:
        """The status as the user reads it: a batch is stored "exported" when it is made, before
        any file exists; until one is written it is "to_export" ("créé, à exporter")."""
        return "to_export" if self.status is BatchStatus.EXPORTED and not self.file_written else self.status.value

    @property
    def number_text(self) -> str:
        return f"{self.number:06d}"

    @property
    def for_operator(self) -> bool:
        return self.operator_id is not None


@dataclass(frozen=True)
class Recipient:
    """Whom a batch is for: an insurer, or an operator for its insurers batched together."""

    kind: str  # "insurer" | "operator"
    id: int
    name: str
    code: str  # AMC number, or operator code

    @property
    def for_operator(self) -> bool:
        return self.kind == "operator"


@dataclass(frozen=True)
class Refusal:
    claim_id: str
    claim_number: int
    problems: tuple[Problem, ...]


@dataclass(frozen=True)
class BatchResult:
    batch: BatchInfo
    refused: list[Refusal] = field(default_factory=list)


def _recipient_name(s: Session, b: Batch) -> str:
    if b.operator_id is not None:
        op = s.get(Operator, b.operator_id)
        return op.name if op else str(b.operator_id)
    ins = s.get(Insurer, b.insurer_id)
    return ins.name if ins else str(b.insurer_id)


def _recipient(s: Session, b: Batch) -> Insurer | Operator:
    row: Insurer | Operator | None = (
        s.get(Operator, b.operator_id) if b.operator_id is not None else s.get(Insurer, b.insurer_id)
    )
    assert row is not None  # foreign keys
    return row


def _require_trusted(s: Session, row: Insurer | Operator) -> None:
    """Refuse to batch for, or export to, a recipient whose entry was changed outside
    verifier: its certificate, its operator or its name may be someone else's."""
    if not authority.entry_verifies(authority.entries_key(s), row):
        raise ValidationError([Problem("batch.recipient_untrusted", {"recipient": row.name}, None)])


@dataclass(frozen=True)
class Protection:
    """How the recipient of a batch wants its bundles protected (its directory entry)."""

    recipient: str
    kind: str  # directory.PASSPHRASE or directory.CERTIFICATE
    certificate_subject: str | None
    certificate_not_after: datetime | None
    trusted: bool


def protection(ctx: Context, batch_id: int) -> Protection:
    from verifier.services.directory import CERTIFICATE, PASSPHRASE, certificate_of

    with ctx.store.read() as s:
        row = _recipient(s, _load(s, batch_id))
        kind = row.export_protection or PASSPHRASE
        cert = certificate_of(row.export_certificate) if kind == CERTIFICATE else None
        return Protection(
            row.name,
            kind,
            cert.subject if cert else None,
            cert.not_after if cert else None,
            authority.entry_verifies(authority.entries_key(s), row),
        )


def stored_encryption(ctx: Context, batch_id: int) -> Encryption:
    """Encryption for the certificate on record in the recipient's entry (checked again now:
    one that expired since is refused with its date)."""
    with ctx.store.read() as s:
        row = _recipient(s, _load(s, batch_id))
        _require_trusted(s, row)
        pem = row.export_certificate
        name = row.name
    if not pem:
        raise ValidationError([Problem("batch.no_certificate", {"recipient": name}, "certificate")])
    return encryption(certificate_pem=pem.encode("ascii"))


def _info(b: Batch, recipient: str, file_written: bool = False) -> BatchInfo:
    return BatchInfo(
        b.id,
        b.insurer_id,
        b.number,
        BatchStatus(b.status),
        b.claim_count,
        b.total_amc,
        b.created_at,
        b.sent_at,
        b.channel,
        b.operator_id,
        recipient,
        file_written,
    )


def _grouped_by_operator(ins: Insurer) -> bool:
    return ins.batch_by == "operator" and ins.operator_id is not None


def recipients_for(ctx: Context, insurer_ids: list[int]) -> list[Recipient]:
    """Where each insurer's claims go, in order, each recipient once: the insurer itself, or
    its operator when the insurer's batches are made per operator."""
    out: dict[tuple[str, int], Recipient] = {}
    with ctx.store.read() as s:
        for insurer_id in insurer_ids:
            ins = s.get(Insurer, insurer_id)
            if ins is None:
                raise NotFound("insurer.not_found", amc=str(insurer_id))
            if _grouped_by_operator(ins) and ins.operator is not None:
                op = ins.operator
                out.setdefault(("operator", op.id), Recipient("operator", op.id, op.name, op.code))
            else:
                out.setdefault(("insurer", ins.id), Recipient("insurer", ins.id, ins.name, ins.amc_number))
    return list(out.values())


def create_for(ctx: Context, recipient: Recipient, claim_ids: list[str] | None = None) -> BatchResult:
    if recipient.for_operator:
        return create_operator_batch(ctx, recipient.id, claim_ids)
    return create_batch(ctx, recipient.id, claim_ids)


def completeness(c: batch_store.Candidate, today: date) -> list[Problem]:
    """What an insurer would reject at once: checked again at export, since time has passed."""
    found = []
    if c.line_count == 0:
        found.append(Problem("claim.no_lines", {}, "lines"))
    if c.amc <= 0:
        found.append(Problem("claim.nothing_to_claim", {}, "lines"))
    if not c.has_member_number:
        found.append(Problem("claim.member_missing", {}, "member_number"))
    if c.check_outcome not in COVERING:
        found.append(Problem("claim.check_not_covering", {}, "check"))
    if not c.insurer_active:
        found.append(Problem("claim.insurer_inactive", {}, "insurer"))
    if c.insurer_provisional:
        found.append(Problem("claim.insurer_provisional", {}, "insurer"))
    if c.card_valid_to and c.dispensed_on > c.card_valid_to:
        found.append(Problem("claim.card_expired", {}, "card_valid_to"))
    if c.card_valid_from and c.dispensed_on < c.card_valid_from:
        found.append(Problem("claim.card_not_yet_valid", {}, "card_valid_from"))
    if c.dispensed_on > today:
        found.append(Problem("claim.future", {}, "dispensed_on"))
    return found


def create_batch(ctx: Context, insurer_id: int, claim_ids: list[str] | None = None) -> BatchResult:
    """Put the insurer's queued claims (all, or those chosen) in a new numbered batch.

    Claims that fail the completeness check stay queued and come back with their reasons.
    """
    ctx.require_admin("create_batch")
    with ctx.store.write() as s:
        insurer = s.get(Insurer, insurer_id)
        if insurer is None:
            raise NotFound("insurer.not_found", amc=str(insurer_id))
        _require_trusted(s, insurer)
        if _grouped_by_operator(insurer) and insurer.operator is not None:
            raise ValidationError(
                [
                    Problem(
                        "batch.goes_by_operator",
                        {"insurer": insurer.name, "operator": insurer.operator.name, "code": insurer.operator.code},
                        None,
                    )
                ]
            )
        return _create(
            ctx,
            s,
            batch_store.candidates(s, claim_ids, insurer_id=insurer_id),
            f"batch_number:{insurer_id}",
            insurer.name,
            insurer_id=insurer_id,
        )


def create_operator_batch(ctx: Context, operator_id: int, claim_ids: list[str] | None = None) -> BatchResult:
    """Put the queued claims of every insurer batched through this operator (all, or those
    chosen) in a new batch for the operator, numbered in the operator's own sequence."""
    ctx.require_admin("create_batch")
    with ctx.store.write() as s:
        op = s.get(Operator, operator_id)
        if op is None:
            raise NotFound("operator.unknown", code=str(operator_id))
        _require_trusted(s, op)
        return _create(
            ctx,
            s,
            batch_store.candidates(s, claim_ids, operator_id=operator_id),
            f"batch_number:operator:{operator_id}",
            op.name,
            operator_id=operator_id,
        )


def _create(
    ctx: Context,
    s: Session,
    found: list[batch_store.Candidate],
    sequence: str,
    recipient: str,
    insurer_id: int | None = None,
    operator_id: int | None = None,
) -> BatchResult:
    """Check each candidate, number the batch, record it and mark its claims, in the caller's transaction."""
    today = date.today()
    ok, refused = [], []
    for c in found:
        problems = completeness(c, today)
        if problems:
            refused.append(Refusal(c.id, c.number, tuple(problems)))
        else:
            ok.append(c)
    if not ok:
        raise ValidationError(
            [Problem("batch.empty", {"recipient": recipient, "refused": len(refused)}, None)]
            + [
                Problem(
                    "batch.refused_claim",
                    {"number": f"{r.claim_number:07d}", "reasons": " ".join(p.message() for p in r.problems)},
                    None,
                )
                for r in refused
            ]
        )
    number = next_number(s, sequence)
    now = utcnow()
    batch = Batch(
        insurer_id=insurer_id,
        operator_id=operator_id,
        number=number,
        status=BatchStatus.EXPORTED,
        created_by=ctx.actor.user_id,
        created_at=now,
        claim_count=len(ok),
        total_amc=sum((c.amc for c in ok), Decimal("0.00")),
    )
    s.add(batch)
    s.flush()
    batch_store.mark_exported(s, batch.id, [c.id for c in ok], now)
    events: list[audit_log.Event] = [
        (
            "batch.created",
            "batch",
            str(batch.id),
            {"insurer_id": insurer_id, "operator_id": operator_id, "number": number, "claims": len(ok)},
        )
    ]
    events += [("claim.exported", "claim", c.id, {"batch": number}) for c in ok]
    audit_log.append_many(s, ctx.actor.login, events)
    return BatchResult(_info(batch, recipient), refused)


def _load(s: Session, batch_id: int, lock: bool = False) -> Batch:
    batch = batch_store.get(s, batch_id, lock)
    if batch is None:
        raise NotFound("batch.not_found", id=batch_id)
    return batch


def void_batch(ctx: Context, batch_id: int, reason: str) -> BatchInfo:
    """Until it is marked sent, a batch can be voided: its claims go back to the queue."""
    ctx.require_admin("create_batch")
    if len(reason.strip()) < 3:
        raise ValidationError([Problem("batch.void_reason", {}, "reason")])
    with ctx.store.write() as s:
        batch = _load(s, batch_id, lock=True)
        if batch.status is not BatchStatus.EXPORTED:
            raise ValidationError(
                [Problem("batch.not_voidable", {"status": i18n.say(f"batch.status.{batch.status}")}, None)]
            )
        now = utcnow()
        ids = batch_store.release(s, batch.id, now)
        batch.status = BatchStatus.VOID
        name = _recipient_name(s, batch)
        events: list[audit_log.Event] = [
            ("batch.voided", "batch", str(batch.id), {"number": batch.number, "claims": len(ids)})
        ]
        events += [("claim.requeued", "claim", cid, {"batch": batch.number}) for cid in ids]
        audit_log.append_many(s, ctx.actor.login, events)
        return _info(batch, name)


def mark_sent(ctx: Context, batch_id: int, sent_on: date, channel: str) -> BatchInfo:
    ctx.require_admin("create_batch")
    if channel not in CHANNELS:
        raise ValidationError([Problem("batch.channel", {"channels": ", ".join(CHANNELS)}, "channel")])
    if sent_on > date.today():
        raise ValidationError([Problem("batch.sent_future", {}, "sent_on")])
    with ctx.store.write() as s:
        batch = _load(s, batch_id, lock=True)
        if batch.status is not BatchStatus.EXPORTED:
            raise ValidationError(
                [Problem("batch.not_sendable", {"status": i18n.say(f"batch.status.{batch.status}")}, None)]
            )
        batch.status = BatchStatus.SENT
        batch.sent_at = datetime.combine(sent_on, datetime.min.time()).astimezone()
        batch.channel = channel
        audit_log.append(
            s, ctx.actor.login, "batch.sent", "batch", str(batch.id), {"number": batch.number, "channel": channel}
        )
        return _info(batch, _recipient_name(s, batch))


def list_batches(ctx: Context, insurer_id: int | None = None, limit: int = 200) -> list[BatchInfo]:
    """Readable by every user (numbers and amounts, no patient data); changes are for administrators."""
    with ctx.store.read() as s:
        insurers, operators = batch_store.recipient_names(s)
        found = batch_store.recent(s, insurer_id, limit)
        written = batch_store.written(s, [b.id for b in found])
        return [
            _info(
                b,
                operators.get(b.operator_id, "") if b.operator_id is not None else insurers.get(b.insurer_id or 0, ""),
                b.id in written,
            )
            for b in found
        ]


def get(ctx: Context, batch_id: int) -> BatchInfo:
    with ctx.store.read() as s:
        batch = _load(s, batch_id)
        return _info(batch, _recipient_name(s, batch), bool(batch_store.written(s, [batch.id])))


def header(ctx: Context, batch_id: int) -> BundleHeader:
    with ctx.store.read() as s:
        batch = _load(s, batch_id)
        site = s.get(Site, 1)
        assert site is not None
        t = batch_store.totals(s, batch.id)
        parts = tuple(InsurerPart(p.amc_number, p.name, p.claims, p.amc) for p in batch_store.shares(s, batch.id))
        amc_number: str | None = None
        insurer_name: str | None = None
        op_code: str | None = None
        op_name: str | None = None
        if batch.operator_id is not None:
            op = s.get(Operator, batch.operator_id)
            assert op is not None
            op_code, op_name = op.code, op.name
        else:
            insurer = s.get(Insurer, batch.insurer_id)
            assert insurer is not None
            amc_number, insurer_name = insurer.amc_number, insurer.name
            op_code = insurer.operator.code if insurer.operator else None
            op_name = insurer.operator.name if insurer.operator else None
        witness = _witness(ctx, audit_log.event_of(s, "batch.created", "batch", str(batch.id)), batch.number)
        return BundleHeader(
            site.name,
            site.finess,
            site.am_number,
            site.address,
            amc_number,
            insurer_name,
            op_code,
            batch.id,
            batch.number,
            batch.created_at,
            t.claims,
            t.lines,
            t.price,
            t.br,
            t.amo,
            t.tm,
            t.amc,
            t.patient,
            op_name,
            parts,
            witness,
        )


def _witness(ctx: Context, event: tuple[int, str] | None, number: int) -> dict[str, object] | None:
    """The batch's creation event, signed by the administrators' key: the same for every
    export of the batch (Ed25519 signatures are deterministic), so re-exports stay identical."""
    if event is None or ctx.store.admin_key is None:
        return None
    seq, digest = event
    label = f"batch {number}"
    signature = signing.sign(ctx.store.admin_key, anchor_message(seq, digest, label))
    return {"seq": seq, "hash": digest, "at": label, "signature": signature}


def export_lines(ctx: Context, batch_id: int) -> Iterator[ExportLine]:
    """The batch's lines, decrypted, streamed in claim-number order (a fresh read each call)."""
    cipher = ctx.store.cipher
    dec = cipher.decrypt
    people: dict[str, tuple[str, str, str, str]] = {}
    guarantees_text: dict[str, str] = {}  # the same few texts on every line: parse each once
    parsed: dict[str, list[Guarantee]] = {}
    with ctx.store.read() as s:
        # The boxes come in a second stream in the same order: merged line by line, so the
        # export still holds one claim's data at a time.
        boxes = batch_store.export_boxes(s, batch_id)
        box = next(boxes, None)
        for r in batch_store.export_rows(s, batch_id):
            line_boxes: list[ExportBox] = []
            while box is not None and (box.number, box.line_position) <= (r.number, r.position):
                if (box.number, box.line_position) == (r.number, r.position):
                    line_boxes.append(ExportBox(box.lot, box.expiry, box.serial, box.read_as))
                box = next(boxes, None)
            person = people.get(r.patient_id)
            if person is None:
                person = (
                    dec(r.surname_enc, "patients.surname") or "",
                    dec(r.first_name_enc, "patients.first_name") or "",
                    dec(r.birth_date_enc, "patients.birth_date") or "",
                    dec(r.nir_enc, "patients.nir") or "",
                )
                if len(people) > 5000:
                    people.clear()  # bounded: the export streams
                people[r.patient_id] = person
            member = (
                dec(r.check_member_enc, "coverage_checks.member_number")
                if r.check_member_enc
                else dec(r.patient_member_enc, "patients.member_number")
            )
            source = r.care_guarantees if r.care_guarantees is not None else r.guarantees
            guarantees = guarantees_text.get(source)
            if guarantees is None:
                if len(guarantees_text) > 1000:
                    guarantees_text.clear()  # bounded: the export streams
                if r.care_guarantees is not None:  # a PEC's: as cards print them
                    guarantees = "; ".join(json.loads(source))
                else:
                    guarantees = "; ".join(
                        f"{g.domain} {g.rate.normalize():f}" + (" PH2" if g.covers_ph2 else "")
                        for g in guarantees_from_json(source)
                    )
                guarantees_text[source] = guarantees
            surname, first_name, birth_date, nir = person
            box_fee = None
            if r.fee_unit is not None and r.care_guarantees is None:
                found = parsed.get(r.guarantees)
                if found is None:
                    if len(parsed) > 1000:
                        parsed.clear()
                    found = parsed[r.guarantees] = guarantees_from_json(r.guarantees)
                split = split_box(
                    r.prestation_code,
                    r.quantity,
                    r.unit_price,
                    r.amo_rate,
                    LineAmounts(r.price, r.br, r.amo, r.tm, r.amc, r.patient_share),
                    r.fee_unit,
                    guarantee_for(r.prestation_code, found),
                )
                if split is not None:
                    f = split.fee
                    box_fee = ExportBoxFee(split.fee_code, split.fee_unit, f.price, f.br, f.amo, f.tm, f.amc, f.patient)
            yield ExportLine(
                claim_id=r.id,
                claim_number=r.number,
                claim_version=r.version,
                previous_claim_id=r.previous_id,
                dispensed_on=r.dispensed_on,
                prescriber_rpps=r.prescriber_rpps,
                operator_down=r.operator_down,
                patient_surname=surname,
                patient_first_name=first_name,
                patient_birth_date=birth_date,
                patient_nir=nir,
                patient_rank=r.rank,
                amo_fund=r.amo_fund,
                member_number=member,
                insurer_amc_number=r.insurer_amc_number,
                insurer_name=r.insurer_name,
                check_method=r.method,
                check_reference=r.reference,
                check_outcome=r.outcome,
                checked_at=r.checked_at,
                guarantees=guarantees,
                line_position=r.position,
                code=r.code,
                code_kind=r.code_kind,
                label=r.label,
                prestation_code=r.prestation_code,
                quantity=r.quantity,
                unit_price=r.unit_price,
                br_unit=r.br_unit,
                amo_rate=r.amo_rate,
                price=r.price,
                br=r.br,
                amo=r.amo,
                tm=r.tm,
                amc=r.amc,
                patient_share=r.patient_share,
                expiry=r.expiry,
                lot=r.lot,
                serial=r.serial,
                claim_price=r.claim_price,
                claim_amo=r.claim_amo,
                claim_amc=r.claim_amc,
                claim_patient_share=r.claim_patient_share,
                boxes=tuple(line_boxes),
                claim_kind=r.kind,
                stay=None
                if r.admission is None
                else ExportStay(
                    r.entry_number,
                    r.admission,
                    r.discharge,
                    r.mode,
                    r.dmt,
                    r.exemption,
                    r.pec_obtained_on,
                    r.pec_valid_until,
                ),
                care=None
                if r.care_kind is None
                else ExportCare(
                    r.care_kind,
                    r.practitioner_rpps,
                    r.optam,
                    r.withheld if r.withheld is not None else Decimal("0.00"),
                    r.participation if r.participation is not None else Decimal("0.00"),
                    r.days_paid or 0,
                ),
                box_fee=box_fee,
                prescription=None
                if r.prescription_of is None
                else ExportPrescription(r.prescribed_on, bool(r.ald_two_part), r.on_call),
                line_kind=line_kind(r.prestation_code) if r.care_kind is None else "care",
            )


def export_batch(ctx: Context, batch_id: int, outbox: Path, encryption: Encryption | None = None) -> Path:
    """Write the batch's bundle into `outbox`, atomically; the same batch gives the same bytes."""
    from verifier.exports.bundle import write_bundle

    ctx.require_admin("create_batch")
    batch = get(ctx, batch_id)
    if batch.status is BatchStatus.VOID:
        raise ValidationError([Problem("batch.voided", {"number": batch.number_text}, None)])
    with ctx.store.read() as s:
        _require_trusted(s, _recipient(s, _load(s, batch_id)))
    head = header(ctx, batch_id)
    outbox.mkdir(parents=True, exist_ok=True)
    # The bundle's working files go in a folder of their own, so a crash leaves one hidden
    # folder rather than loose files; the bundle appears complete or not at all.
    work = Path(tempfile.mkdtemp(prefix=".export-", dir=outbox))
    try:
        final = write_bundle(outbox, head, lambda: export_lines(ctx, batch_id), encryption, scratch=work)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    with ctx.store.write() as s:
        audit_log.append(
            s,
            ctx.actor.login,
            "batch.exported",
            "batch",
            str(batch_id),
            # A plain export (it names patients) is chosen explicitly and stays on record.
            {"number": batch.number, "file": final.name, "encrypted": encryption is not None},
        )
    return final


def _encryption(passphrase: str | None, certificate: Path | None) -> Encryption | None:
    """The bundle writer's Encryption for the choice made (None: a plain bundle); it checks
    the passphrase's length and the certificate, each refusal under its field."""
    if passphrase is None and certificate is None:
        return None
    from verifier.exports.bundle import Encryption  # cryptography: loaded when an export is made

    if passphrase is not None:
        return Encryption(passphrase=passphrase)
    assert certificate is not None
    from verifier.services.directory import read_certificate  # read and checked, one sentence per fault

    return Encryption(recipient_certificate_pem=read_certificate(certificate))


def encryption(passphrase: str | None = None, certificate_pem: bytes | None = None) -> Encryption:
    """How to encrypt an export: with a passphrase, or for the insurer's certificate (PEM);
    a short passphrase or an unusable certificate is refused with its sentence."""
    from verifier.exports.bundle import Encryption  # cryptography: loaded when an export is made

    return Encryption(passphrase=passphrase, recipient_certificate_pem=certificate_pem)


def new_passphrase() -> str:
    """A strong passphrase for an encrypted export, to be read to the insurer."""
    from verifier.exports.crypto_envelope import generate_passphrase

    return generate_passphrase()


def export_with(
    ctx: Context,
    batch_id: int,
    outbox: Path,
    passphrase: str | None,
    certificate: Path | None,
    stored_certificate: bool = False,
) -> Path:
    """Export the batch into `outbox`, encrypted with the passphrase, for the certificate
    file chosen or for the one on record (`stored_certificate`); none of them: a plain
    bundle. An unreadable certificate or an unwritable folder is a sentence under its field.
    Slow: run it off the GUI thread."""
    encryption = stored_encryption(ctx, batch_id) if stored_certificate else _encryption(passphrase, certificate)
    try:
        return export_batch(ctx, batch_id, outbox, encryption)
    except OSError as exc:
        raise ValidationError(
            [
                Problem(
                    "admin.batch.outbox_unwritable",
                    {"folder": str(outbox), "reason": exc.strerror or type(exc).__name__},
                    "outbox",
                )
            ]
        ) from None


i18n.register(
    {
        "admin.batch.outbox_unwritable": i18n.N_(
            "Impossible d'écrire dans {folder} ({reason}) : choisissez un autre dossier."
        ),
        "admin.batch.certificate_unreadable": i18n.N_("Le certificat {file} ne peut pas être lu ({reason})."),
        "batch.empty": i18n.N_(
            "Aucune demande prête pour {recipient} ({refused} refusée(s) au contrôle) : il n'y a rien à mettre dans un lot."
        ),
        "batch.goes_by_operator": i18n.N_(
            "Les demandes de {insurer} partent dans les lots de l'opérateur {operator} : créez le lot de l'opérateur (code {code}), qui les regroupe avec celles de ses autres organismes."
        ),
        "batch.refused_claim": i18n.N_("Demande n° {number} : {reasons}"),
        "batch.not_found": i18n.N_("Le lot {id} n'existe pas."),
        "batch.recipient_untrusted": i18n.N_(
            "La fiche de {recipient} a été modifiée en dehors de verifier (sa signature ne correspond plus) : vérifiez-la dans Administration › Organismes (numéro, opérateur, certificat) et enregistrez-la, puis recommencez."
        ),
        "batch.no_certificate": i18n.N_(
            "Aucun certificat n'est enregistré pour {recipient} : choisissez le fichier du certificat, ou une phrase secrète."
        ),
        "batch.void_reason": i18n.N_("Indiquez pourquoi le lot est annulé."),
        "batch.not_voidable": i18n.N_("Ce lot est « {status} » : seul un lot pas encore envoyé peut être annulé."),
        "batch.not_sendable": i18n.N_("Ce lot est « {status} » : il ne peut pas être marqué envoyé."),
        "batch.channel": i18n.N_("Choisissez comment le lot a été envoyé : {channels}."),
        "batch.sent_future": i18n.N_("La date d'envoi est dans le futur : corrigez-la."),
        "batch.voided": i18n.N_("Le lot {number} est annulé : il ne peut plus être exporté."),
        "batch.status.exported": i18n.N_("exporté"),
        "batch.status.sent": i18n.N_("envoyé"),
        "batch.status.void": i18n.N_("annulé"),
        "batch.status.created": i18n.N_("créé"),
        "batch.status.to_export": i18n.N_("créé, à exporter"),
    }
)
