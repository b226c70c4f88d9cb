"""Everything an opened claim shows: patient (full NIR), check, insurer, lines, history, versions."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from pathlib import Path

from verifier import i18n
from verifier.domain.pharmacy_fees import PrescriptionForm
from verifier.domain.states import ClaimKind
from verifier.files import PRIVATE, atomic_write
from verifier.services import checks, claims, patients, stays, tariffs
from verifier.services.claims import ClaimInfo
from verifier.services.context import Context
from verifier.services.directory import InsurerInfo, get_insurer
from verifier.store import claim_history
from verifier.store.schema import Claim, Site, User


@dataclass(frozen=True)
class HistoryEntry:
    at: datetime
    actor: str
    action: str
    details: dict[str, object]


@dataclass(frozen=True)
class VersionRef:
    id: str
    number: int
    version: int
    status: str


@dataclass(frozen=True)
class SiteInfo:
    name: str
    finess: str | None
    am_number: str | None
    address: str | None


@dataclass(frozen=True)
class ClaimDetail:
    claim: ClaimInfo
    patient: patients.PatientInfo
    check: checks.CheckInfo
    checked_by: str
    insurer: InsurerInfo
    history: list[HistoryEntry]
    versions: list[VersionRef]  # the whole chain, oldest first, this claim included
    override_reason: str | None
    rejection_code: str | None
    rejection_text: str | None
    stay: stays.StayInfo | None = None  # a stay's or consultation's


def prescription_summary(p: PrescriptionForm) -> str:
    """One sentence saying what the claim recorded of its prescription (issue 13), for the
    claim's window: its date, ALD two-part, on call, a refused generic, each fee removed and why."""
    from verifier.formatting import format_day

    parts = [
        i18n.tr("Ordonnance du {day}", day=format_day(p.prescribed_on))
        if p.prescribed_on
        else i18n.tr("Ordonnance sans date saisie")
    ]
    if p.ald_two_part:
        parts.append(i18n.tr("bizone (ALD)"))
    if p.on_call is not None:
        parts.append(i18n.say(f"prescription.on_call.{p.on_call.value}"))
    if p.generic_refused:
        parts.append(i18n.tr("générique refusé sans mention « non substituable » : pas de tiers payant"))
    parts += [
        i18n.tr("honoraire {code} retiré : {reason}", code=code, reason=reason) for code, reason in p.removed_fees
    ]
    return " ; ".join(parts) + "."


i18n.register(
    {
        "prescription.on_call.night": i18n.N_("de garde, la nuit"),
        "prescription.on_call.sunday": i18n.N_("de garde, un dimanche"),
        "prescription.on_call.holiday": i18n.N_("de garde, un jour férié"),
        "prescription.on_call.outside_hours": i18n.N_("hors des heures d'ouverture"),
    }
)


def stay_summary(stay: stays.StayInfo) -> str:
    """One sentence saying the stay (or consultation) and its PEC, for the claim's window."""
    from verifier.formatting import format_day

    if stay.kind is ClaimKind.CONSULTATION:
        return i18n.tr("Consultation du {day}.", day=format_day(stay.admission))
    period = (
        i18n.tr("en cours depuis le {start}, facture à la sortie", start=format_day(stay.admission))
        if stay.discharge is None
        else i18n.tr("du {start} au {end}", start=format_day(stay.admission), end=format_day(stay.discharge))
    )
    validity = i18n.tr(", valable jusqu'au {day}", day=format_day(stay.pec_valid_until)) if stay.pec_valid_until else ""
    return i18n.tr(
        "Séjour n° d'entrée {entry} {period} (MT {mode}, DMT {dmt}) ; prise en charge {pec}{validity}.",
        entry=stay.entry_number or i18n.tr("—"),
        period=period,
        mode=stay.mode,
        dmt=stay.dmt,
        pec=stay.pec_number or i18n.tr("sans numéro"),
        validity=validity,
    )


def site(ctx: Context) -> SiteInfo:
    with ctx.store.read() as s:
        row = s.get(Site, 1)
        assert row is not None
        return SiteInfo(row.name, row.finess, row.am_number, row.address)


def detail(ctx: Context, claim_id: str) -> ClaimDetail:
    info = claims.get(ctx, claim_id)
    patient = patients.get(ctx, info.patient_id)
    check = checks.get(ctx, info.check_id)
    insurer = get_insurer(ctx, info.insurer_id)
    with ctx.store.read() as s:
        row = s.get(Claim, claim_id)
        assert row is not None
        checker = s.get(User, check.checked_by)
        history = [
            HistoryEntry(e.at, e.actor, e.action, json.loads(e.details))
            for e in claim_history.events_of_claim(s, claim_id)
        ]
        versions = [VersionRef(c.id, c.number, c.version, c.status) for c in claim_history.versions(s, row)]
        return ClaimDetail(
            info,
            patient,
            check,
            checker.display_name if checker else "?",
            insurer,
            history,
            versions,
            row.override_reason,
            row.rejection_code,
            row.rejection_text,
            stays.get_in(s, claim_id) if row.kind is not ClaimKind.PHARMACY else None,
        )


def receipt_pdf(ctx: Context, claim_id: str) -> bytes:
    """The patient's receipt as PDF bytes (the caller saves, opens or prints it)."""
    from verifier.exports.receipt import render_receipt

    d = detail(ctx, claim_id)
    return render_receipt(d, site(ctx), franchise=franchise_of(ctx, d))


def franchise_of(ctx: Context, d: ClaimDetail) -> Decimal:
    """The franchise the AMO will withhold on the claim's reimbursed drug boxes (issue 13), for
    the receipt: per box at the value in force, never more than the line's AMO amount; none for
    a patient under 18 on 1 January. What the patient already paid this year is not known here,
    nor a maternity or C2S exemption: the receipt says it is an estimate. Never an AMC amount."""
    from verifier.domain import pharmacy_fees
    from verifier.domain.coverage import DRUG_CODES

    if d.claim.kind is not ClaimKind.PHARMACY:
        return Decimal("0.00")
    day = d.claim.dispensed_on
    if pharmacy_fees.franchise_exempt(d.patient.birth_date, day, maternity=False, c2s_or_ame=False):
        return Decimal("0.00")
    values = tariffs.current(ctx)
    per_box = [
        a.amo / line.quantity
        for line, a in d.claim.lines
        if line.prestation_code in DRUG_CODES and a.amo > 0
        for _ in range(line.quantity)
    ]
    return pharmacy_fees.franchise(per_box, day, values, Decimal("0.00"), exempt=False)


def save_receipt(ctx: Context, claim_id: str, path: Path) -> Path:
    """Write the claim's receipt to `path` (e.g. in `paths.receipts_dir()`), readable by this
    user only, whole or not at all; returns `path`."""
    pdf = receipt_pdf(ctx, claim_id)
    with atomic_write(path, PRIVATE) as out:
        out.write(pdf)
    return path


def as_json(c: ClaimInfo) -> dict[str, object]:
    """A claim with its lines and every amount, written as the export's claims.json writes
    them (amounts "12.34", rates "65"): what `verifier claims show --json` prints."""
    from verifier.domain.coverage import line_kind
    from verifier.exports.values import amount, rate

    return {
        "claim_id": c.id,
        "claim_number": c.number,
        "kind": c.kind.value,
        "version": c.version,
        "status": c.status.value,
        "dispensed_on": c.dispensed_on.isoformat(),
        "prescriber_rpps": c.prescriber_rpps,
        **_prescription_json(c),
        "amounts": {
            "price": amount(c.price),
            "amo": amount(c.amo),
            "amc": amount(c.amc),
            "patient_share": amount(c.patient_share),
        },
        "lines": [
            {
                "position": pos,
                "code": d.code,
                "code_kind": d.code_kind,
                "label": d.label,
                "prestation_code": d.prestation_code,
                "quantity": d.quantity,
                "unit_price": amount(d.unit_price),
                "br_unit": amount(d.br_unit if d.br_unit is not None else d.unit_price),
                "amo_rate": rate(d.amo_rate),
                "price": amount(a.price),
                "br": amount(a.br),
                "amo": amount(a.amo),
                "tm": amount(a.tm),
                "amc": amount(a.amc),
                "patient_share": amount(a.patient),
                "line_kind": "care" if d.code_kind == "care" else line_kind(d.prestation_code),
                "fee_unit": None if d.fee_unit is None else amount(d.fee_unit),
            }
            for pos, (d, a) in enumerate(c.lines, start=1)
        ],
    }


def _prescription_json(c: ClaimInfo) -> dict[str, object]:
    """The prescription recorded with a pharmacy claim (issue 13), with the fees removed and why."""
    p = c.prescription
    if p is None:
        return {}
    return {
        "prescription": {
            "prescribed_on": None if p.prescribed_on is None else p.prescribed_on.isoformat(),
            "ald_two_part": p.ald_two_part,
            "on_call": None if p.on_call is None else p.on_call.value,
            "generic_refused": p.generic_refused,
            "removed_fees": [{"code": code, "reason": reason} for code, reason in p.removed_fees],
        }
    }
