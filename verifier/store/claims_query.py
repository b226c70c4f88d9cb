"""Queries over claims: filtered, sorted pages and totals per insurer, never all rows at once.

Pages are read by keyset: "the next `limit` rows after this one, in this order", so the
thousandth page costs what the first does. Each sortable column has an index on
(column, number, ...) (migration 0004) that also holds the status, the insurer and the
dispensing date, so that those filters are checked while walking the index without
reading the claims themselves. Status, insurer and "operator down" are sorted group by
group (a dozen insurers in name order, the statuses in life-cycle order), each group read
in number order from its index.

SQLite has no statistics to choose between an index that gives the order and one that
narrows the filter, and the wrong choice costs seconds on a million claims. So on SQLite
the choice is made here: a filter that the order's index does not serve is first counted
from its own index, up to `SMALL` rows (cheap, index only). When it matches fewer, its
rows are read through that index and sorted (at most `SMALL` of them, reading only the
row ids and the sort key); otherwise the order's index is walked and the filter checked
on the way (it matches at least 1 % of a million claims, so a page is found within
~10,000 index entries). PostgreSQL keeps statistics and gets the plain query.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Select,
    case,
    func,
    literal,
    literal_column,
    select,
    true,
    tuple_,
)
from sqlalchemy.orm import Session
from sqlalchemy.sql import operators
from sqlalchemy.sql.elements import UnaryExpression

from verifier.domain.states import ClaimStatus
from verifier.store.schema import Claim, Insurer, Patient

SORT_COLUMNS = {
    "number": Claim.number,
    "dispensed_on": Claim.dispensed_on,
    "created_at": Claim.created_at,
    "amc": Claim.amc,
    "price": Claim.price,
    "status": Claim.status,
    "insurer": Insurer.name,
}
# Sorted by a column's value, then the number.
ORDER_COLUMNS: dict[str, Any] = {
    "number": Claim.number,
    "dispensed_on": Claim.dispensed_on,
    "amc": Claim.amc,
    "price": Claim.price,
}
# Sorted group by group (in the order of `_groups`), then by number within a group.
GROUPED = ("status", "insurer", "operator_down")
STATUS_ORDER = tuple(ClaimStatus)  # the life cycle's order (draft ... void)
# Below this many matching claims a filter's own index is used and its rows sorted.
SMALL = 10_000


@dataclass(frozen=True)
class ClaimFilter:
    statuses: tuple[str, ...] = ()
    insurer_id: int | None = None
    date_from: date | None = None
    date_to: date | None = None
    number: int | None = None
    patient_ids: list[str] | None = None  # from a name or NIR search; None = no such filter


@dataclass(frozen=True)
class Row:
    """One claim as the queue lists it; the patient's identity still encrypted."""

    id: str
    number: int
    version: int
    status: str
    dispensed_on: date
    insurer_id: int
    insurer_name: str
    amc_number: str
    price: Decimal
    amc: Decimal
    operator_down: bool
    surname_enc: str
    first_name_enc: str
    nir_enc: str

    def sort_key(self, sort: str) -> object:
        """This row's value for `sort` (see `seek`): what the next page starts after."""
        return {
            "dispensed_on": self.dispensed_on,
            "amc": self.amc,
            "price": self.price,
            "status": self.status,
            "insurer": self.insurer_id,
            "operator_down": self.operator_down,
        }.get(sort, self.number)


@dataclass(frozen=True)
class InsurerTotal:
    insurer_id: int
    insurer_name: str
    count: int
    amc: Decimal
    price: Decimal


@dataclass
class Page:
    rows: list[Row]
    total_count: int
    totals: list[InsurerTotal] = field(default_factory=list)


_COLUMNS = (
    Claim.id,
    Claim.number,
    Claim.version,
    Claim.status,
    Claim.dispensed_on,
    Claim.insurer_id,
    Insurer.name,
    Insurer.amc_number,
    Claim.price,
    Claim.amc,
    Claim.operator_down,
    Patient.surname_enc,
    Patient.first_name_enc,
    Patient.nir_enc,
)


AnySelect = Select[*tuple[Any, ...]]


def _rows_query() -> AnySelect:
    return (
        select(*_COLUMNS)
        .join_from(Claim, Insurer, Claim.insurer_id == Insurer.id)
        .join(Patient, Claim.patient_id == Patient.id)
    )


def _rows(session: Session, q: AnySelect) -> list[Row]:
    return [Row(*r) for r in session.execute(q)]


def _is_sqlite(session: Session) -> bool:
    return session.get_bind().dialect.name == "sqlite"


def _unindexed(col: Any) -> Any:
    """`+col`: the same value, which SQLite will not look up in an index."""
    return UnaryExpression(col, operator=operators.custom_op("+"), type_=col.type)


# Filter kinds: "number", "patient", "status", "insurer", "period".
def _kinds(f: ClaimFilter) -> list[str]:
    kinds = []
    if f.number is not None:
        kinds.append("number")
    if f.patient_ids is not None:
        kinds.append("patient")
    if f.statuses:
        kinds.append("status")
    if f.insurer_id is not None:
        kinds.append("insurer")
    if f.date_from is not None or f.date_to is not None:
        kinds.append("period")
    return kinds


def _conditions(f: ClaimFilter, indexed: Sequence[str] | None = None) -> list[ColumnElement[bool]]:
    """The filter as SQL conditions; with `indexed`, only those kinds may use an index."""

    def col(kind: str, column: Any) -> Any:
        return column if indexed is None or kind in indexed else _unindexed(column)

    out: list[ColumnElement[bool]] = []
    if f.number is not None:
        out.append(col("number", Claim.number) == f.number)
    if f.patient_ids is not None:
        out.append(col("patient", Claim.patient_id).in_(f.patient_ids))
    if f.statuses:
        status = col("status", Claim.status)
        out.append(status == f.statuses[0] if len(f.statuses) == 1 else status.in_(f.statuses))
    if f.insurer_id is not None:
        out.append(col("insurer", Claim.insurer_id) == f.insurer_id)
    if f.date_from is not None:
        out.append(col("period", Claim.dispensed_on) >= f.date_from)
    if f.date_to is not None:
        out.append(col("period", Claim.dispensed_on) <= f.date_to)
    return out


def _filtered(q: AnySelect, f: ClaimFilter) -> AnySelect:
    return q.where(*_conditions(f))


def _probe(session: Session, f: ClaimFilter, kind: str) -> int:
    """How many claims the `kind` part of the filter matches, counted up to SMALL (index only)."""
    only = ClaimFilter(
        statuses=f.statuses if kind in ("status", "status+insurer") else (),
        insurer_id=f.insurer_id if kind in ("insurer", "status+insurer") else None,
        date_from=f.date_from if kind == "period" else None,
        date_to=f.date_to if kind == "period" else None,
        patient_ids=f.patient_ids if kind == "patient" else None,
    )
    inner: AnySelect = select(literal_column("1")).select_from(Claim).where(*_conditions(only)).limit(SMALL)
    return int(session.scalar(select(func.count()).select_from(inner.subquery())) or 0)


def _together(kinds: list[str], f: ClaimFilter) -> list[str]:
    """Status and insurer are counted together (one index holds both)."""
    if "status" in kinds and "insurer" in kinds and len(f.statuses) == 1:
        kinds = [k for k in kinds if k not in ("status", "insurer")] + ["status+insurer"]
    return kinds


def _narrowest(session: Session, f: ClaimFilter, kinds: Sequence[str]) -> str | None:
    """The filter kind matching fewer than SMALL claims (the fewest), if any."""
    best: tuple[int, str] | None = None
    for kind in kinds:
        n = _probe(session, f, kind)
        if n < SMALL and (best is None or n < best[0]):
            best = (n, kind)
    return best[1] if best else None


def _after(key: Any, descending: bool, after: tuple[object, int] | None) -> list[ColumnElement[bool]]:
    if after is None:
        return []
    value, number = after
    if key is Claim.number:
        return [Claim.number < number if descending else Claim.number > number]
    pair, bound = tuple_(key, Claim.number), tuple_(literal(value, key.type), literal(number, Claim.number.type))
    return [pair < bound if descending else pair > bound]


def _order(key: Any, descending: bool) -> list[Any]:
    if key is Claim.number:
        return [Claim.number.desc() if descending else Claim.number.asc()]
    return [key.desc(), Claim.number.desc()] if descending else [key.asc(), Claim.number.asc()]


def seek(
    session: Session,
    f: ClaimFilter,
    sort: str = "number",
    descending: bool = True,
    after: tuple[object, int] | None = None,
    limit: int = 100,
) -> list[Row]:
    """Up to `limit` claims matching `f`, in `sort` order, after the row keyed `after`.

    `after` is (the last row's `Row.sort_key(sort)`, its number), or None for the first page.
    """
    if f.patient_ids is not None and not f.patient_ids:
        return []
    if sort in GROUPED:
        return _seek_grouped(session, f, sort, descending, after, limit)
    key = ORDER_COLUMNS.get(sort, Claim.number)
    kinds = _kinds(f)
    if not _is_sqlite(session) or "number" in kinds:  # one claim at most by number
        q = _rows_query().where(*_conditions(f), *_after(key, descending, after))
        return _rows(session, q.order_by(*_order(key, descending)).limit(limit))
    # What the order's index reads in order: status and insurer when sorted by number (their
    # indexes end with the number), the period when sorted by date (a range of that index).
    served = [
        k
        for k in kinds
        if (key is Claim.number and k in ("status", "insurer") and not (k == "status" and len(f.statuses) > 1))
        or (key is Claim.dispensed_on and k == "period")
    ]
    others = _together([k for k in kinds if k not in served], f)
    narrow = _narrowest(session, f, others) if others else None
    if narrow is None and "period" in others and key is Claim.number:
        # Dates follow numbers: walking the numbers down to an old period would first read
        # every newer claim. The period's index holds the numbers: sorting them is cheaper.
        narrow = "period"
    if narrow is not None:
        values: tuple[object, ...] | None = after
        if key is Claim.number:
            keys, values = [_unindexed(Claim.number)], (None if after is None else (after[1],))
        else:
            keys = [_unindexed(key), Claim.number]
        return _sorted_by_filter(session, f, narrow, keys, descending, values, limit)
    q = _rows_query().where(*_conditions(f, served), *_after(key, descending, after))
    return _rows(session, q.order_by(*_order(key, descending)).limit(limit))


def _sorted_by_filter(
    session: Session,
    f: ClaimFilter,
    narrow: str,
    keys: list[Any],
    descending: bool,
    after: tuple[object, ...] | None,
    limit: int,
) -> list[Row]:
    """SQLite: the few claims of the narrowest filter, through its index, sorted by `keys`.

    Only row ids and the keys are sorted; the page's columns are read for its rows only.
    `after` holds the last row's values of `keys`.
    """
    indexed = ["status", "insurer"] if narrow == "status+insurer" else [narrow]
    rowid: Any = literal_column("claims.rowid")
    cond = []
    if after is not None:
        if len(keys) == 1:
            pair, bound = keys[0], after[0]
        else:
            pair, bound = tuple_(*keys), tuple_(*(literal(v, k.type) for k, v in zip(keys, after, strict=True)))
        cond.append(pair < bound if descending else pair > bound)
    inner = (
        select(rowid.label("rid"), *(k.label(f"k{i}") for i, k in enumerate(keys)))
        .select_from(Claim)
        .where(*_conditions(f, indexed), *cond)
        .order_by(*(k.desc() if descending else k.asc() for k in keys))
        .limit(limit)
        .subquery()
    )
    q = _rows_query().join(inner, rowid == inner.c.rid)
    order = [inner.c[f"k{i}"] for i in range(len(keys))]
    return _rows(session, q.order_by(*(k.desc() if descending else k.asc() for k in order)))


def _groups(session: Session, f: ClaimFilter, sort: str, descending: bool) -> list[Any]:
    if sort == "status":
        values: list[Any] = [s for s in STATUS_ORDER if not f.statuses or s in f.statuses]
    elif sort == "insurer":
        if f.insurer_id is not None:
            values = [f.insurer_id]
        else:
            values = list(session.scalars(select(Insurer.id).order_by(Insurer.name, Insurer.id)))
    else:
        values = [False, True]  # operator down: the claims made during an outage come last
    return values[::-1] if descending else values


_GROUP_COLUMNS = {"status": Claim.status, "insurer": Claim.insurer_id, "operator_down": Claim.operator_down}


def _seek_grouped(
    session: Session, f: ClaimFilter, sort: str, descending: bool, after: tuple[object, int] | None, limit: int
) -> list[Row]:
    column = _GROUP_COLUMNS[sort]
    groups = _groups(session, f, sort, descending)
    kinds = _kinds(f)
    sqlite = _is_sqlite(session)
    if sqlite and "number" not in kinds:
        # Read in order by (group, number), or (status, insurer, number) for one status.
        served = [
            k
            for k in kinds
            if (k == "status" and len(f.statuses) == 1 and sort in ("status", "insurer"))
            or (k == "insurer" and sort in ("status", "insurer"))
        ]
        others = _together([k for k in kinds if k not in served], f)
        narrow = _narrowest(session, f, others) if others else None
        if narrow is not None:
            # One query ordered by (group rank, number); the number negated when descending
            # so that both keys go up together.
            rank = case({g: i for i, g in enumerate(groups)}, value=column, else_=len(groups))
            number = -Claim.number if descending else Claim.number
            rank_after = None
            if after is not None:
                r = groups.index(after[0]) if after[0] in groups else len(groups)
                rank_after = (r, -after[1] if descending else after[1])
            return _sorted_by_filter(session, f, narrow, [rank, number], False, rank_after, limit)
        indexed: list[str] | None = served
    else:
        indexed = None
    start = 0
    if after is not None:
        start = groups.index(after[0]) if after[0] in groups else len(groups)
    out: list[Row] = []
    for i in range(start, len(groups)):
        want = limit - len(out)
        if want <= 0:
            break
        cond = [column == groups[i], *_conditions(f, indexed)]
        if i == start and after is not None:
            cond += _after(Claim.number, descending, after)
        q = _rows_query().where(*cond).order_by(*_order(Claim.number, descending)).limit(want)
        out += _rows(session, q)
    return out


def count(session: Session, f: ClaimFilter) -> int:
    return sum(t.count for t in totals_by_insurer(session, f))


def page(
    session: Session, f: ClaimFilter, offset: int, limit: int, sort: str = "number", descending: bool = True
) -> list[Row]:
    """Rows `offset` to `offset + limit` (the command line's paging); the screen uses `seek`."""
    column = SORT_COLUMNS.get(sort, Claim.number)
    q = _filtered(_rows_query(), f)
    order = column.desc() if descending else column.asc()
    tiebreak = Claim.number.desc() if descending else Claim.number.asc()
    return _rows(session, q.order_by(order, tiebreak).offset(offset).limit(limit))


def totals_by_insurer(session: Session, f: ClaimFilter) -> list[InsurerTotal]:
    """Count, AMC and price per insurer of the claims matching `f`, by insurer name."""
    if f.patient_ids is not None and not f.patient_ids:
        return []
    indexed: list[str] | None = None
    if _is_sqlite(session) and f.patient_ids is not None and f.number is None:
        indexed = ["patient"]  # the name's claims through their index, not a million rows
    sums = (
        select(
            Claim.insurer_id,
            func.count().label("n"),
            func.sum(Claim.amc).label("amc"),
            func.sum(Claim.price).label("price"),
        )
        .where(true(), *_conditions(f, indexed))
        .group_by(Claim.insurer_id)
        .subquery()
    )
    q = (
        select(sums.c.insurer_id, Insurer.name, sums.c.n, sums.c.amc, sums.c.price)
        .join(Insurer, Insurer.id == sums.c.insurer_id)
        .order_by(Insurer.name, Insurer.id)
    )
    # SUM keeps the column's type, so the integer hundredths come back as exact Decimals.
    return [InsurerTotal(iid, name, int(n), amc, price) for iid, name, n, amc, price in session.execute(q)]


def amounts_by_id(session: Session) -> list[tuple[str, int, Decimal]]:
    """Every claim's id, number and AMC (the audit's amount check), from an index."""
    return [(i, n, a) for i, n, a in session.execute(select(Claim.id, Claim.number, Claim.amc))]
