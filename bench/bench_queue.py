"""Queueing claims through the service versus the same rows written with the raw driver.

    .venv/bin/python bench/bench_queue.py [-n 500] [--repeat 3] [--postgres URL]

For each backend, two identical fresh databases are set up through the services (site,
administrator, insurer, patient, coverage check). Then, one claim per write transaction:

* service   - `claims.create(ctx, check_id, 2 lines, queue_now=True)`;
* raw, same rows - the raw DB-API driver (sqlcipher3.dbapi2 with the engine's key pragma,
  WAL and synchronous=FULL; psycopg on PostgreSQL) writes exactly what the service writes
  per claim: counter += 1, the claim row (already queued), its 2 line rows, the 2 audit
  events ("claim.created", "claim.queued", hash-chained like the service does) and the
  audit head, in one transaction and one commit. This is the baseline the target is
  measured against: same rows, same number of commits, nothing less;
* raw, claim+lines+counter - the narrower baseline (no audit rows), shown for reference.

Runs are interleaved (service, raw, raw-narrow, service, ...) after a short warm-up, and
the median of `--repeat` runs is reported. At the end both databases are checked (claims,
lines, totals, audit chain) so the baseline is known to have written valid rows.
The Argon2 cost is lowered for set-up speed only; it plays no part in queueing. The site's
insurer outstanding ceiling is raised (see `set_up`) so that no claim needs an override; the
service still computes it on every claim.
"""

from __future__ import annotations

import argparse
import re
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import psycopg
import sqlcipher3.dbapi2 as sqlcipher
from sqlalchemy import event, text

from verifier.domain.claims import LineInput, compute_line, total
from verifier.domain.coverage import Guarantee, guarantee_for
from verifier.security import crypto
from verifier.security.audit import canonical_details, event_hash
from verifier.services import auth, checks, claims, directory, patients, settings
from verifier.services.context import Context
from verifier.services.demo import nir_for
from verifier.store import audit_log
from verifier.store.database import integrity_check
from verifier.store.engine import Location

TARGET_RATIO = 2.0
# The raw writers chain with HMAC-SHA256 under the site's audit key, as the service does
# (issue 12); set from the raw site once it is made.
_AUDIT_KEY: list[bytes | None] = [None]
PASSWORD = "banc essai lanterne prairie 2026"
ADMIN = "bench-admin"
AMC = "90412345"
MEMBER = "ADH1234567"
GUARANTEES = [Guarantee("PHAR", Decimal(100))]
WARM_UP = 20
OUTSTANDING_CEILING = Decimal(10_000_000)


def lines_for(i: int) -> list[claims.LineDraft]:
    return [
        claims.LineDraft(
            "Paracétamol 1 g, 8 comprimés",
            "PH7",
            1 + i % 3,
            Decimal("2.18"),
            Decimal(65),
            code="3400930000000",
        ),
        claims.LineDraft(
            "Amoxicilline 500 mg, 12 gélules",
            "PH4",
            1 + i % 2,
            Decimal("4.37") + Decimal(i % 7),
            Decimal(30),
        ),
    ]


def set_up(location: Location) -> tuple[Context, str]:
    ctx, _ = auth.initialise(location, auth.SiteInput("Pharmacie du banc d'essai"), ADMIN, "Admin", PASSWORD)
    # Every claim goes to one insurer and none is ever paid, so its outstanding total grows
    # past the default ceiling (5,000 EUR) within a run: raise it to the highest allowed value
    # so that no claim needs an override. The check itself still runs on every claim.
    settings.save(ctx, settings.SiteSettings(insurer_outstanding_ceiling=OUTSTANDING_CEILING))
    directory.add_insurer(ctx, AMC, "Mutuelle Exemple des Alpes")
    birth = "14/03/1968"
    patient, _ = patients.save(
        ctx,
        patients.PatientInput(
            "MARTINVAL",
            "Claire",
            birth,
            nir_for("2", birth, "75", "056", 100),
            "1",
            "011751234",
            AMC,
            MEMBER,
        ),
    )
    check = checks.record(
        ctx,
        checks.CheckInput(
            patient.id,
            AMC,
            "hotline",
            "covered",
            GUARANTEES,
            reference="REF-123456",
            member_number=MEMBER,
        ),
    )
    return ctx, check.id


# --- what the service writes for one claim, computed the same way -------------------------


def cents(d: Decimal) -> int:
    return int(d * 100)


def claim_rows(i: int, number: int, ctx: Context, check: dict[str, Any]) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    drafts = lines_for(i)
    amounts = [
        compute_line(
            LineInput(d.prestation_code, d.quantity, d.unit_price, d.amo_rate, d.br_unit),
            guarantee_for(d.prestation_code, GUARANTEES),
        )
        for d in drafts
    ]
    t = total(amounts)
    now = datetime.now(UTC)
    claim = {
        "id": str(uuid.uuid4()),
        "number": number,
        "patient_id": check["patient_id"],
        "insurer_id": check["insurer_id"],
        "check_id": check["id"],
        "dispensed_on": date.today(),
        "created_by": ctx.actor.user_id,
        "now": now,
        "price": cents(t.price),
        "br": cents(t.br),
        "amo": cents(t.amo),
        "tm": cents(t.tm),
        "amc": cents(t.amc),
        "patient_share": cents(t.patient),
        "amc_text": str(t.amc),
    }
    lines = [
        {
            "claim_id": claim["id"],
            "position": pos,
            "code": d.code,
            "code_kind": d.code_kind,
            "label": d.label,
            "prestation_code": d.prestation_code,
            "quantity": d.quantity,
            "unit_price": cents(d.unit_price),
            "br_unit": cents(d.unit_price),
            "amo_rate": cents(d.amo_rate),
            "price": cents(a.price),
            "br": cents(a.br),
            "amo": cents(a.amo),
            "tm": cents(a.tm),
            "amc": cents(a.amc),
            "patient_share": cents(a.patient),
        }
        for pos, (d, a) in enumerate(zip(drafts, amounts, strict=True), start=1)
    ]
    return claim, lines


def audit_rows(login: str, seq: int, last_hash: str, claim: dict[str, Any]) -> list[dict[str, Any]]:
    events = []
    for action, details in (
        ("claim.created", {"number": claim["number"], "lines": 2, "amc": claim["amc_text"]}),
        ("claim.queued", {"number": claim["number"]}),
    ):
        seq += 1
        at = datetime.now(UTC)
        body = canonical_details(details)
        digest = event_hash(last_hash, seq, at, login, action, "claim", claim["id"], body, _AUDIT_KEY[0])
        events.append(
            {
                "seq": seq,
                "at": at,
                "actor": login,
                "action": action,
                "entity": "claim",
                "entity_id": claim["id"],
                "details": body,
                "prev_hash": last_hash,
                "hash": digest,
            }
        )
        last_hash = digest
    return events


CLAIM_INSERT = (
    "INSERT INTO claims (id, number, version, previous_id, status, patient_id, insurer_id, check_id, batch_id,"
    " dispensed_on, prescriber_rpps, operator_down, price, br, amo, tm, amc, patient_share, created_by,"
    " created_at, updated_at, queued_at) VALUES ({p}id, {p}number, 1, NULL, 'queued', {p}patient_id,"
    " {p}insurer_id, {p}check_id, NULL, {p}dispensed_on, NULL, {false}, {p}price, {p}br, {p}amo, {p}tm, {p}amc,"
    " {p}patient_share, {p}created_by, {p}created_at, {p}now, {p}now)"
)
LINE_INSERT = (
    "INSERT INTO claim_lines (claim_id, position, code, code_kind, label, prestation_code, quantity, unit_price,"
    " br_unit, amo_rate, price, br, amo, tm, amc, patient_share) VALUES ({p}claim_id, {p}position, {p}code,"
    " {p}code_kind, {p}label, {p}prestation_code, {p}quantity, {p}unit_price, {p}br_unit, {p}amo_rate, {p}price,"
    " {p}br, {p}amo, {p}tm, {p}amc, {p}patient_share)"
)
EVENT_INSERT = (
    "INSERT INTO audit_events (seq, at, actor, action, entity, entity_id, details, prev_hash, hash) VALUES"
    " ({p}seq, {p}at, {p}actor, {p}action, {p}entity, {p}entity_id, {p}details, {p}prev_hash, {p}hash)"
)
COUNTER_UPDATE = "UPDATE counters SET value = value + 1 WHERE name = 'claim_number' RETURNING value"


def load_check(ctx: Context, check_id: str) -> dict[str, Any]:
    with ctx.store.engine.connect() as conn:
        row = conn.execute(
            text("SELECT id, patient_id, insurer_id FROM coverage_checks WHERE id = :id"),
            {"id": check_id},
        ).one()
    return {"id": row.id, "patient_id": row.patient_id, "insurer_id": row.insurer_id}


# --- SQLite raw writer -------------------------------------------------------------------


def _sqlite_time(d: datetime) -> str:
    """What SQLAlchemy's SQLite DateTime stores (UTC, no zone)."""
    return d.astimezone(UTC).replace(tzinfo=None).isoformat(sep=" ", timespec="microseconds")


class SqliteRaw:
    def __init__(self, path: Path, key: bytes, ctx: Context, check_id: str) -> None:
        # The same settings as verifier/store/engine.py:sqlite_engine, on one kept connection.
        self.conn = sqlcipher.connect(str(path), timeout=60, check_same_thread=False, isolation_level=None)
        cur = self.conn.cursor()
        cur.execute(f"PRAGMA key = \"x'{key.hex()}'\"")
        cur.execute("SELECT count(*) FROM sqlite_master").fetchone()
        assert cur.execute("PRAGMA journal_mode = WAL").fetchone()[0] == "wal"
        cur.execute("PRAGMA synchronous = FULL")
        cur.execute("PRAGMA foreign_keys = ON")
        cur.execute("PRAGMA busy_timeout = 60000")
        assert cur.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
        cur.close()
        self.ctx, self.check = ctx, load_check(ctx, check_id)
        self.statements = 0
        self.claim_sql = CLAIM_INSERT.format(p=":", false="0")
        self.line_sql = LINE_INSERT.format(p=":")
        self.event_sql = EVENT_INSERT.format(p=":")

    def queue(self, i: int, audit: bool) -> None:
        cur = self.conn.cursor()
        cur.execute("BEGIN IMMEDIATE")
        try:
            number = cur.execute(COUNTER_UPDATE).fetchone()[0]
            claim, lines = claim_rows(i, number, self.ctx, self.check)
            row = dict(
                claim,
                dispensed_on=claim["dispensed_on"].isoformat(),
                now=_sqlite_time(claim["now"]),
                created_at=_sqlite_time(claim["now"]),
            )
            cur.execute(self.claim_sql, row)
            for line in lines:
                cur.execute(self.line_sql, line)
            if audit:
                seq, last_hash = cur.execute("SELECT seq, last_hash FROM audit_head WHERE id = 1").fetchone()
                events = audit_rows(self.ctx.actor.login, seq, last_hash, claim)
                for ev in events:
                    cur.execute(self.event_sql, dict(ev, at=_sqlite_time(ev["at"])))
                cur.execute(
                    "UPDATE audit_head SET seq = ?, last_hash = ? WHERE id = 1",
                    (events[-1]["seq"], events[-1]["hash"]),
                )
            cur.execute("COMMIT")
            self.statements += 8 if audit else 4
        except BaseException:
            cur.execute("ROLLBACK")
            raise
        finally:
            cur.close()

    def close(self) -> None:
        self.conn.close()


# --- PostgreSQL raw writer ---------------------------------------------------------------


class PostgresRaw:
    def __init__(self, url: str, ctx: Context, check_id: str) -> None:
        self.conn = psycopg.connect(url)
        self.ctx, self.check = ctx, load_check(ctx, check_id)
        self.statements = 0
        self.claim_sql = _pyformat(CLAIM_INSERT.format(p="@", false="false"))
        self.line_sql = _pyformat(LINE_INSERT.format(p="@"))
        self.event_sql = _pyformat(EVENT_INSERT.format(p="@"))

    def queue(self, i: int, audit: bool) -> None:
        with self.conn.transaction(), self.conn.cursor() as cur:  # one transaction, one commit
            row = cur.execute(COUNTER_UPDATE).fetchone()
            assert row is not None
            claim, lines = claim_rows(i, row[0], self.ctx, self.check)
            cur.execute(self.claim_sql, dict(claim, created_at=claim["now"]))
            for line in lines:
                cur.execute(self.line_sql, line)
            if audit:
                head = cur.execute("SELECT seq, last_hash FROM audit_head WHERE id = 1 FOR UPDATE").fetchone()
                assert head is not None
                events = audit_rows(self.ctx.actor.login, head[0], head[1], claim)
                for ev in events:
                    cur.execute(self.event_sql, ev)
                cur.execute(
                    "UPDATE audit_head SET seq = %s, last_hash = %s WHERE id = 1",
                    (events[-1]["seq"], events[-1]["hash"]),
                )
        self.statements += 8 if audit else 4

    def close(self) -> None:
        self.conn.close()


def _pyformat(sql: str) -> str:
    """'@name' placeholders to psycopg's '%(name)s'."""
    return re.sub(r"@(\w+)", r"%(\1)s", sql)


# --- running -----------------------------------------------------------------------------


def check_database(ctx: Context) -> str:
    """Claims, lines, totals and audit chain of a benchmarked database, in one line."""
    with ctx.store.engine.connect() as conn:
        n = conn.execute(text("SELECT count(*) FROM claims")).scalar()
        numbers = conn.execute(text("SELECT count(DISTINCT number), max(number) FROM claims")).one()
        lines = conn.execute(text("SELECT count(*) FROM claim_lines")).scalar()
        bad = conn.execute(
            text("""
            SELECT count(*) FROM claims c JOIN (SELECT claim_id, count(*) AS n, sum(price) AS price, sum(amc) AS amc
            FROM claim_lines GROUP BY claim_id) s ON s.claim_id = c.id
            WHERE s.n <> 2 OR s.price <> c.price OR s.amc <> c.amc""")
        ).scalar()
        last_sql = "SELECT id FROM claims ORDER BY number DESC LIMIT 1"
        last_id = conn.execute(text(last_sql)).scalar_one()
    # The last claim read back through the service, whoever wrote it.
    last = claims.get(ctx, str(last_id))
    with ctx.store.read() as s:
        report = audit_log.verify(s, ctx.store.audit_key)
    ok = (
        len(last.lines) == 2
        and last.status.value == "queued"
        and last.amc == sum(a.amc for _, a in last.lines)
        and numbers[0] == n == numbers[1]
        and lines == 2 * n
        and bad == 0
        and report.broken_at is None
        and integrity_check(ctx.store) == "ok"
    )
    return (
        f"{n} claims, {lines} lines, {report.events} audit events, chain {'ok' if report.broken_at is None else 'BROKEN'}"
        f" -> {'consistent' if ok else 'INCONSISTENT'}"
    )


def timed(n: int, start: int, fn: Callable[[int], object]) -> float:
    began = time.perf_counter()
    for i in range(start, start + n):
        fn(i)
    return time.perf_counter() - began


def count_statements(ctx: Context) -> list[int]:
    """A one-item counter of the SQL statements the service's engine sends from now on.

    It listens on the engine itself, so it also sees the statements of `ctx.store.write()`
    sessions (an engine with execution options shares its parent's events) and of Core
    `conn.execute(...)` calls. One `execute` or `executemany` call counts once, as the raw
    writers' `cur.execute` calls do; BEGIN/COMMIT/ROLLBACK are not counted.
    """
    counter = [0]

    @event.listens_for(ctx.store.engine, "before_cursor_execute")
    def _count(_conn: object, _cursor: object, statement: str, _params: object, _context: object, _many: bool) -> None:
        if not statement.lstrip().upper().startswith(("BEGIN", "COMMIT", "ROLLBACK")):
            counter[0] += 1

    return counter


class Writer:
    def __init__(
        self,
        key: str,
        label: str,
        fn: Callable[[int], object],
        statements: Callable[[], int],
        baseline: bool = False,
        note: str = "",
    ) -> None:
        self.key, self.label, self.fn, self.statements, self.baseline, self.note = (
            key,
            label,
            fn,
            statements,
            baseline,
            note,
        )
        self.runs: list[float] = []


def run_backend(
    name: str,
    make_location: Callable[[str], Location],
    raw_factory: Callable[..., Any],
    n: int,
    repeat: int,
) -> list[str]:
    svc_ctx, svc_check = set_up(make_location("service"))
    raw_ctx, raw_check = set_up(make_location("raw"))
    _AUDIT_KEY[0] = raw_ctx.store.audit_key.key if raw_ctx.store.audit_key else None
    raw = raw_factory(raw_ctx, raw_check)
    svc_count = count_statements(svc_ctx)
    writers = [
        Writer(
            "service",
            "service claims.create(queue_now=True)",
            lambda i: claims.create(svc_ctx, svc_check, lines_for(i), date.today(), queue_now=True),
            lambda: svc_count[0],
        ),
        Writer(
            "raw-same",
            "raw driver, same rows as the service",
            lambda i: raw.queue(i, audit=True),
            lambda: raw.statements,
            baseline=True,
            note="baseline",
        ),
        Writer(
            "raw-narrow",
            "raw driver, claim + 2 lines + counter only",
            lambda i: raw.queue(i, audit=False),
            lambda: raw.statements,
            note="fewer rows",
        ),
    ]
    statements: dict[str, int] = {}
    try:
        for w in writers:
            timed(WARM_UP, 0, w.fn)
        for r in range(repeat):  # interleaved runs
            for w in writers:
                before = w.statements()
                w.runs.append(timed(n, WARM_UP + r * n, w.fn))
                statements[w.label] = w.statements() - before
        checked = [("service", check_database(svc_ctx)), ("raw", check_database(raw_ctx))]
    finally:
        raw.close()
        svc_ctx.close()
        raw_ctx.close()

    base = next(w for w in writers if w.baseline)
    base_ms = statistics.median(base.runs) / n * 1000
    target = f"<={TARGET_RATIO:g}x"
    out = [
        f"{name}",
        f"  {n} claims per run, 2 lines each, one write transaction (one commit) per claim; median of {repeat} runs",
        f"  {'writer':<44}{'ms/claim':>10}{'claims/s':>10}{'stmts/claim':>12}{'ratio':>8}{'target':>8}  met",
    ]
    for w in writers:
        ms = statistics.median(w.runs) / n * 1000
        ratio = ms / base_ms
        cells = f"{w.label:<44}{ms:>10.2f}{1000 / ms:>10.0f}{statements[w.label] / n:>12.1f}{ratio:>7.2f}x"
        if w.baseline:
            cells += f"{'':>8}  (baseline)"
        elif w is writers[0]:
            cells += f"{target:>8}  {'yes' if ratio <= TARGET_RATIO else 'NO'}"
        else:
            cells += f"{'':>8}  ({w.note})"
        out.append("  " + cells)
    out += [
        "  baseline = counter +1, claim, 2 lines, 2 audit events, audit head: the rows the service writes",
        "  stmts/claim = SQL statements sent per claim (an executemany counts once),"
        " BEGIN/COMMIT and connection set-up not counted",
        "  runs (s): " + "; ".join(f"{w.key} " + "/".join(f"{t:.2f}" for t in w.runs) for w in writers),
    ]
    out += [f"  check, {label} database: {text_}" for label, text_ in checked]
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=500, help="claims per run (default 500)")
    parser.add_argument("--repeat", type=int, default=3, help="runs per writer; the median is shown (default 3)")
    parser.add_argument(
        "--postgres",
        metavar="URL",
        help="also run on PostgreSQL: a server URL whose user may "
        "create databases, e.g. postgresql://postgres@127.0.0.1:5432/postgres",
    )
    parser.add_argument("--no-sqlite", action="store_true", help="skip SQLite (with --postgres)")
    args = parser.parse_args(argv)
    crypto.set_default_kdf(crypto.KdfParams(time_cost=1, memory_cost=1024, parallelism=1))  # set-up only

    report: list[str] = []
    if not args.no_sqlite:
        with tempfile.TemporaryDirectory(prefix="bench-queue-") as tmp:

            def sqlite_location(label: str) -> Location:
                return Location(sqlite_path=Path(tmp) / label / "verifier.db")

            def sqlite_raw(ctx: Context, check_id: str) -> SqliteRaw:
                assert ctx.store.location.sqlite_path is not None
                return SqliteRaw(ctx.store.location.sqlite_path, ctx.store.cipher.database_key, ctx, check_id)

            report += run_backend(
                f"SQLite (SQLCipher, WAL, synchronous=FULL) in {tempfile.gettempdir()}",
                sqlite_location,
                sqlite_raw,
                args.n,
                args.repeat,
            )
    if args.postgres:
        created: list[str] = []
        admin_url = args.postgres

        def pg_location(label: str) -> Location:
            name = f"bench_queue_{label}_{uuid.uuid4().hex[:8]}"
            with psycopg.connect(admin_url, autocommit=True) as conn:
                conn.execute(f'CREATE DATABASE "{name}"')
            url = f"{admin_url.rsplit('/', 1)[0]}/{name}"
            created.append(url)
            return Location(url=url)

        def pg_raw(ctx: Context, check_id: str) -> PostgresRaw:
            assert ctx.store.location.url is not None
            return PostgresRaw(ctx.store.location.url, ctx, check_id)

        try:
            with psycopg.connect(admin_url) as conn:
                settings = ", ".join(
                    f"{k}={conn.execute(f'SHOW {k}').fetchone()[0]}"  # type: ignore[index]
                    for k in ("synchronous_commit", "fsync")
                )
            report += [""] + run_backend(f"PostgreSQL ({settings})", pg_location, pg_raw, args.n, args.repeat)
        finally:
            for url in created:
                with psycopg.connect(admin_url, autocommit=True) as conn:
                    conn.execute(f'DROP DATABASE IF EXISTS "{url.rsplit("/", 1)[1]}" WITH (FORCE)')
    print("\n".join(report))
    return 0


if __name__ == "__main__":
    sys.exit(main())
