"""The queue: claims listed and searched page by page, with totals per insurer."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from verifier.domain.identifiers import mask_nir
from verifier.domain.states import ClaimStatus
from verifier.services.context import Context
from verifier.services.patients import matching_ids
from verifier.store import claims_query
from verifier.store.claims_query import ClaimFilter, InsurerTotal

__all__ = ["InsurerTotal", "QueuePage", "QueueRow", "Search", "awaiting_export", "list_claims"]

CENT = Decimal("0.01")


@dataclass(frozen=True)
class Search:
    """What the user asks for: any combination of these."""

    statuses: tuple[ClaimStatus, ...] = ()
    insurer_id: int | None = None
    date_from: date | None = None
    date_to: date | None = None
    text: str = ""  # a claim number, a patient name, or an exact NIR


@dataclass(frozen=True)
class QueueRow:
    id: str
    number: int
    version: int
    status: ClaimStatus
    dispensed_on: date
    patient_name: str
    masked_nir: str
    insurer_name: str
    amc_number: str
    price: Decimal
    amc: Decimal
    operator_down: bool


@dataclass(frozen=True)
class QueuePage:
    rows: list[QueueRow]
    total_count: int
    totals: list[InsurerTotal]

    @property
    def total_amc(self) -> Decimal:
        return sum((t.amc for t in self.totals), Decimal("0.00")).quantize(CENT)


def _filter(ctx: Context, session: object, search: Search) -> ClaimFilter:
    number = None
    patient_ids = None
    text = search.text.strip()
    if text:
        digits = text.lstrip("#").lstrip("0") or "0"
        if text.lstrip("#").isdigit() and len(text.lstrip("#")) <= 9:
            number = int(digits)
        else:
            patient_ids = matching_ids(session, ctx.store.cipher, text)  # type: ignore[arg-type]
    return ClaimFilter(
        statuses=tuple(s.value for s in search.statuses),
        insurer_id=search.insurer_id,
        date_from=search.date_from,
        date_to=search.date_to,
        number=number,
        patient_ids=patient_ids,
    )


def list_claims(
    ctx: Context, search: Search, offset: int = 0, limit: int = 50, sort: str = "number",
    descending: bool = True, with_totals: bool = True,
) -> QueuePage:
    cipher = ctx.store.cipher
    limit = max(1, min(limit, 500))
    with ctx.store.read() as s:
        f = _filter(ctx, s, search)
        rows = []
        for r in claims_query.page(s, f, max(0, offset), limit, sort, descending):
            surname = cipher.decrypt(r.patient.surname_enc, "patients.surname") or ""
            first = cipher.decrypt(r.patient.first_name_enc, "patients.first_name") or ""
            nir = cipher.decrypt(r.patient.nir_enc, "patients.nir") or ""
            rows.append(
                QueueRow(r.id, r.number, r.version, ClaimStatus(r.status), r.dispensed_on, f"{surname} {first}",
                         mask_nir(nir), r.insurer_name, r.amc_number, r.price, r.amc, r.operator_down)
            )
        total_count = claims_query.count(s, f)
        totals = claims_query.totals_by_insurer(s, f) if with_totals else []
    return QueuePage(rows, total_count, totals)


def awaiting_export(ctx: Context) -> list[InsurerTotal]:
    """Claims queued and not yet exported, per insurer: the figures always on screen."""
    with ctx.store.read() as s:
        return claims_query.totals_by_insurer(s, ClaimFilter(statuses=(ClaimStatus.QUEUED.value,)))
