"""The queue: claims listed and searched page by page, with totals per insurer.

The screen reads a page at a time (`read_page`, each page after the last row of the one
before, whatever the depth) and the counts and totals separately (`summary`), so that
the first rows never wait for a million claims to be added up. The command line keeps
`list_claims` (rows by offset, with the totals).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from verifier import i18n
from verifier.domain.identifiers import mask_nir
from verifier.domain.states import ClaimKind, ClaimStatus
from verifier.security.crypto import FieldCipher
from verifier.services.context import Context
from verifier.services.patients import matching_ids
from verifier.store import claims_query
from verifier.store import stays as stay_store
from verifier.store.claims_query import ClaimFilter, InsurerTotal
from verifier.store.session import Session

__all__ = [
    "SORTS",
    "Cursor",
    "InsurerTotal",
    "QueuePage",
    "QueueRow",
    "QueueSlice",
    "QueueSummary",
    "Search",
    "awaiting_export",
    "list_claims",
    "read_page",
    "summary",
]

CENT = Decimal("0.01")
# The orders the screen offers: number, dispensing date, insurer (by name), AMC amount,
# status (in life-cycle order) and "operator down". Patients' names are encrypted in the
# database, so claims cannot be sorted by name there (search for a name instead).
SORTS = ("number", "dispensed_on", "insurer", "amc", "status", "operator_down")
MAX_PAGE = 500


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
    kind: ClaimKind = ClaimKind.PHARMACY
    open_stay: bool = False  # a stay recorded with its PEC, not invoiced yet (a draft)

    def status_label(self) -> str:
        """The status as the user reads it: an open stay is "séjour en cours", not a draft."""
        return i18n.tr("séjour en cours") if self.open_stay else self.status.label()


@dataclass(frozen=True)
class QueuePage:
    rows: list[QueueRow]
    total_count: int
    totals: list[InsurerTotal]

    @property
    def total_amc(self) -> Decimal:
        return sum((t.amc for t in self.totals), Decimal("0.00")).quantize(CENT)


@dataclass(frozen=True)
class Cursor:
    """Where the next page starts: after this row, in this order (opaque to callers)."""

    sort: str
    descending: bool
    key: object
    number: int


@dataclass(frozen=True)
class QueueSlice:
    """One page of the screen; `next` is None when no claim follows."""

    rows: list[QueueRow]
    next: Cursor | None


@dataclass(frozen=True)
class QueueSummary:
    """How many claims match a search, and their totals per insurer."""

    total_count: int
    totals: list[InsurerTotal]

    @property
    def total_amc(self) -> Decimal:
        return sum((t.amc for t in self.totals), Decimal("0.00")).quantize(CENT)


def number_in(text: str) -> int | None:
    """The claim number typed ("42", "0000042", "#42"), or None if `text` is not one."""
    digits = text.strip().lstrip("#")
    if digits.isdigit() and len(digits) <= 9:
        return int(digits.lstrip("0") or "0")
    return None


def _filter(ctx: Context, session: Session, search: Search) -> ClaimFilter:
    patient_ids = None
    text = search.text.strip()
    number = number_in(text) if text else None
    if text and number is None:
        patient_ids = matching_ids(session, ctx.store.cipher, text)
    return ClaimFilter(
        statuses=tuple(s.value for s in search.statuses),
        insurer_id=search.insurer_id,
        date_from=search.date_from,
        date_to=search.date_to,
        number=number,
        patient_ids=patient_ids,
    )


def _row(cipher: FieldCipher, r: claims_query.Row, kinds: dict[str, tuple[ClaimKind, bool]]) -> QueueRow:
    surname = cipher.decrypt(r.surname_enc, "patients.surname") or ""
    first = cipher.decrypt(r.first_name_enc, "patients.first_name") or ""
    nir = cipher.decrypt(r.nir_enc, "patients.nir") or ""
    return QueueRow(
        r.id,
        r.number,
        r.version,
        ClaimStatus(r.status),
        r.dispensed_on,
        f"{surname} {first}",
        mask_nir(nir),
        r.insurer_name,
        r.amc_number,
        r.price,
        r.amc,
        r.operator_down,
        *kinds.get(r.id, (ClaimKind.PHARMACY, False)),
    )


def read_page(
    ctx: Context,
    search: Search,
    sort: str = "number",
    descending: bool = True,
    after: Cursor | None = None,
    limit: int = 100,
) -> QueueSlice:
    """Up to `limit` claims matching `search` in the chosen order, after `after` (None: the first).

    Never counts: see `summary`. An unknown `sort` is the number.
    """
    sort = sort if sort in SORTS else "number"
    limit = max(1, min(limit, MAX_PAGE))
    if after is not None and (after.sort, after.descending) != (sort, descending):
        after = None  # a cursor from another order means nothing here
    with ctx.store.read() as s:
        f = _filter(ctx, s, search)
        key = None if after is None else (after.key, after.number)
        found = claims_query.seek(s, f, sort, descending, key, limit + 1)  # one more: is there a next page?
        kinds = stay_store.kinds_of(s, [r.id for r in found[:limit]])
    cipher = ctx.store.cipher
    rows = [_row(cipher, r, kinds) for r in found[:limit]]
    nxt = None
    if len(found) > limit:
        last = found[limit - 1]
        nxt = Cursor(sort, descending, last.sort_key(sort), last.number)
    return QueueSlice(rows, nxt)


def summary(ctx: Context, search: Search) -> QueueSummary:
    """The count and the totals per insurer of the claims matching `search` (reads every match)."""
    with ctx.store.read() as s:
        totals = claims_query.totals_by_insurer(s, _filter(ctx, s, search))
    return QueueSummary(sum(t.count for t in totals), totals)


def list_claims(
    ctx: Context,
    search: Search,
    offset: int = 0,
    limit: int = 50,
    sort: str = "number",
    descending: bool = True,
    with_totals: bool = True,
) -> QueuePage:
    cipher = ctx.store.cipher
    limit = max(1, min(limit, MAX_PAGE))
    with ctx.store.read() as s:
        f = _filter(ctx, s, search)
        found = claims_query.page(s, f, max(0, offset), limit, sort, descending)
        totals = claims_query.totals_by_insurer(s, f)
        kinds = stay_store.kinds_of(s, [r.id for r in found])
    return QueuePage(
        [_row(cipher, r, kinds) for r in found], sum(t.count for t in totals), totals if with_totals else []
    )


def awaiting_export(ctx: Context) -> list[InsurerTotal]:
    """Claims queued and not yet exported, per insurer: the figures always on screen."""
    with ctx.store.read() as s:
        return claims_query.totals_by_insurer(s, ClaimFilter(statuses=(ClaimStatus.QUEUED.value,)))
