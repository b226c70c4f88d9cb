"""What an export bundle is made of: a header and the claim lines, as plain values.

The batch service reads these from the database (streaming, ordered by claim number then
line position) and hands them to `verifier.exports.bundle.write_bundle`; the bundle writer
knows nothing of the database.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

# 1.1: batches per operator; insurer fields on every claim; 1.2: boxes per line;
# 1.3: clinic claims (kind, stay, care lines) and bordereau-sejours.pdf; 1.4: audit witness;
# 1.5: pharmacy fees (issue 13): the per-box fee split from each box line, the prescription's
# facts (date, ALD two-part, on call), fee and act lines named, the slip's fee totals
FORMAT_VERSION = "1.5"


@dataclass(frozen=True)
class InsurerPart:
    """One insurer's share of a batch: a batch for an operator holds several."""

    amc_number: str
    name: str
    claim_count: int
    total_amc: Decimal


@dataclass(frozen=True)
class BundleHeader:
    """The batch as a whole. Its recipient is an insurer (`insurer_amc_number` set) or, for
    insurers whose batches go through their tiers-payant operator, the operator
    (`insurer_amc_number` None, `operator_code` set; each claim names its insurer)."""

    site_name: str
    site_finess: str | None
    site_am_number: str | None
    site_address: str | None
    insurer_amc_number: str | None
    insurer_name: str | None
    operator_code: str | None
    batch_id: int
    batch_number: int
    created_at: datetime  # UTC, fixed when the batch is made: re-exports are byte-identical
    claim_count: int
    line_count: int
    total_price: Decimal
    total_br: Decimal
    total_amo: Decimal
    total_tm: Decimal
    total_amc: Decimal
    total_patient: Decimal
    operator_name: str | None = None
    insurers: tuple[InsurerPart, ...] = ()  # per insurer, by AMC number
    # Format 1.4: the audit event that made the batch (seq, hash), signed by the
    # administrators' key, so the insurer holds a witness of the site's audit chain.
    audit_witness: dict[str, object] | None = None

    @property
    def for_operator(self) -> bool:
        return self.insurer_amc_number is None

    @property
    def recipient_name(self) -> str:
        return (self.operator_name or self.operator_code or "") if self.for_operator else (self.insurer_name or "")

    @property
    def recipient_reference(self) -> str:
        """How the slip names the recipient in its running heads: "AMC 90412345" or "opérateur VIAMEDIS"."""
        return f"opérateur {self.operator_code}" if self.for_operator else f"AMC {self.insurer_amc_number}"


@dataclass(frozen=True)
class ExportBox:
    """One box of a line as it was read (lot, expiry, serial: GS1 set 82, no "|" nor "~")."""

    lot: str | None
    expiry: date | None
    serial: str | None
    read_as: str  # datamatrix | ean13 | cip7 | manual


@dataclass(frozen=True)
class ExportStay:
    """The stay (or consultation) of a clinic claim, with what its PEC adds to the check."""

    entry_number: str | None
    admission: date
    discharge: date | None
    mode: str  # MT
    dmt: str
    exemption: str
    pec_obtained_on: date
    pec_valid_until: date | None


@dataclass(frozen=True)
class ExportCare:
    """What a stay or consultation line adds to a claim line."""

    kind: str  # domain.care.LineKind value
    practitioner_rpps: str | None
    optam: bool | None
    withheld: Decimal  # kept by the AMO from its share: PAV, participation forfaitaire
    participation: Decimal  # the part of it no AMC may pay
    days_paid: int  # days paid under a per-day guarantee


@dataclass(frozen=True)
class ExportBoxFee:
    """The dispensing fee included in a box line, as the invoice shows it (HD7, HG4...): its
    part of every amount; the product's part is the line's less this."""

    code: str
    unit: Decimal
    price: Decimal
    br: Decimal
    amo: Decimal
    tm: Decimal
    amc: Decimal
    patient_share: Decimal


@dataclass(frozen=True)
class ExportPrescription:
    """What a pharmacy claim's prescription adds (format 1.5)."""

    prescribed_on: date | None
    ald_two_part: bool
    on_call: str | None  # night | sunday | holiday | outside_hours


@dataclass(frozen=True, kw_only=True)
class ExportLine:
    """One claim line with the fields of its claim, patient, insurer and check repeated.

    Built by name only (kw_only): with 44 fields, many of them Decimals or optional strings
    side by side, two swapped positional arguments would go unnoticed into an insurer's file.
    """

    claim_id: str
    claim_number: int
    claim_version: int
    previous_claim_id: str | None
    dispensed_on: date
    prescriber_rpps: str | None
    operator_down: bool
    patient_surname: str
    patient_first_name: str
    patient_birth_date: str  # dd/mm/yyyy as entered (lunar dates kept)
    patient_nir: str
    patient_rank: int
    amo_fund: str | None
    member_number: str | None
    insurer_amc_number: str
    insurer_name: str
    check_method: str
    check_reference: str | None
    check_outcome: str
    checked_at: datetime
    guarantees: str  # e.g. "PHAR 100" or "PHAR 100 PH2; LPP 200"
    line_position: int
    code: str
    code_kind: str
    label: str
    prestation_code: str
    quantity: int
    unit_price: Decimal
    br_unit: Decimal
    amo_rate: Decimal
    price: Decimal
    br: Decimal
    amo: Decimal
    tm: Decimal
    amc: Decimal
    patient_share: Decimal
    expiry: date | None
    lot: str | None
    serial: str | None
    claim_price: Decimal
    claim_amo: Decimal
    claim_amc: Decimal
    claim_patient_share: Decimal
    boxes: tuple[ExportBox, ...] = ()  # the boxes read, in scan order; the others have no identity
    claim_kind: str = "pharmacy"  # format 1.3: pharmacy | stay | consultation
    stay: ExportStay | None = None  # a stay or consultation claim's
    care: ExportCare | None = None  # a stay or consultation line's
    box_fee: ExportBoxFee | None = None  # format 1.5: the per-box fee inside a box line
    prescription: ExportPrescription | None = None  # format 1.5: a pharmacy claim's prescription
    line_kind: str = "item"  # format 1.5: item | fee (per prescription) | act (pharmacist's act)
