"""The drug reference: importing the shipped snapshot, and CIP13 look-ups.

    .venv/bin/python bench/bench_drugs.py [--repeat 3] [--lookups 2000] [--seed 2024]

Import (target: under 3 s for ~20,000 presentations), each run into a fresh encrypted
SQLite database (SQLCipher, WAL, synchronous=FULL):

* service  - `verifier.services.drugs.load_shipped_snapshot(store, login, user_id)`
  (parse the gzipped BDPM files, then replace the reference in one write transaction);
* parse only - `parse_bdpm(shipped_snapshot_dir())`, the part no database can avoid;
* raw insert - the same rows with the raw driver (same key pragma and settings as the
  engine): BEGIN IMMEDIATE, DELETE, one `executemany` INSERT of every record, the
  drug_reference row and the audit event + head, COMMIT;
* parse + raw insert - the same-run baseline the service is compared with.

Look-up (target: under 1 ms), on the database the service filled: `--lookups` random real
CIP13 codes (seeded) through `verifier.services.drugs.lookup(ctx, code)`, each timed on
its own, versus a raw `SELECT ... FROM drugs WHERE cip13 = ?` on a kept connection to the
same file. Mean and 95th percentile are printed, with ratios.

The Argon2 cost is lowered for set-up speed only; it plays no part in what is measured.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import sqlcipher3.dbapi2 as sqlcipher

from verifier.reference.bdpm import DrugRecord, parse_bdpm
from verifier.reference.snapshot import shipped_snapshot_dir, shipped_snapshot_info
from verifier.security import crypto
from verifier.security.audit import canonical_details, event_hash
from verifier.services import auth, drugs
from verifier.services.context import Context
from verifier.store.engine import Location

IMPORT_TARGET_S = 3.0
LOOKUP_TARGET_MS = 1.0
PASSWORD = "banc essai lanterne prairie 2026"
ADMIN = "bench-admin"


def fresh(tmp: Path, label: str) -> Context:
    ctx, _ = auth.initialise(
        Location(sqlite_path=tmp / label / "verifier.db"),
        auth.SiteInput("Pharmacie du banc"),
        ADMIN,
        "Admin",
        PASSWORD,
    )
    return ctx


def raw_connection(ctx: Context) -> sqlcipher.Connection:
    """A raw connection with the settings of verifier/store/engine.py:sqlite_engine."""
    path = ctx.store.location.sqlite_path
    assert path is not None
    conn = sqlcipher.connect(str(path), timeout=60, check_same_thread=False, isolation_level=None)
    conn.execute(f"PRAGMA key = \"x'{ctx.store.cipher.database_key.hex()}'\"")
    conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
    assert conn.execute("PRAGMA journal_mode = WAL").fetchone()[0] == "wal"
    conn.execute("PRAGMA synchronous = FULL")
    conn.execute("PRAGMA foreign_keys = ON")
    conn.execute("PRAGMA busy_timeout = 60000")
    return conn


def _cents(value: object) -> int | None:
    return None if value is None else int(value * 100)  # type: ignore[operator]


def _sqlite_time(d: datetime) -> str:
    return d.astimezone(UTC).replace(tzinfo=None).isoformat(sep=" ", timespec="microseconds")


def raw_import(ctx: Context, records: list[DrugRecord], skipped: int) -> int:
    """What `load_shipped_snapshot` writes after parsing, with the raw driver, in one transaction."""
    info = shipped_snapshot_info()
    conn = raw_connection(ctx)
    try:
        cur = conn.cursor()
        cur.execute("BEGIN IMMEDIATE")
        cur.execute("DELETE FROM drugs")
        cur.executemany(
            "INSERT INTO drugs (cip13, cip7, cis, name, presentation, rate, price, prestation_code, marketed)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                (
                    r.cip13,
                    r.cip7,
                    r.cis,
                    r.name,
                    r.presentation,
                    _cents(r.rate),
                    _cents(r.price),
                    r.prestation_code,
                    1 if r.marketed else 0,
                )
                for r in records
            ],
        )
        now = _sqlite_time(datetime.now(UTC))
        source, date = str(info.get("source", "ANSM BDPM")), str(info.get("date", ""))
        cur.execute(
            "INSERT OR REPLACE INTO drug_reference (id, source, snapshot_date, imported_at, imported_by, count, skipped)"
            " VALUES (1, ?, ?, ?, ?, ?, ?)",
            (source, date, now, ctx.actor.user_id, len(records), skipped),
        )
        seq, last = cur.execute("SELECT seq, last_hash FROM audit_head WHERE id = 1").fetchone()
        at = datetime.now(UTC)
        details = canonical_details({"source": source, "snapshot": date, "count": len(records), "skipped": skipped})
        digest = event_hash(
            last, seq + 1, at, ctx.actor.login, "drugs.imported", "drug_reference", "1", details, bytes(32)
        )
        cur.execute(
            "INSERT INTO audit_events (seq, at, actor, action, entity, entity_id, details, prev_hash, hash)"
            " VALUES (?, ?, ?, 'drugs.imported', 'drug_reference', '1', ?, ?, ?)",
            (seq + 1, _sqlite_time(at), ctx.actor.login, details, last, digest),
        )
        cur.execute("UPDATE audit_head SET seq = ?, last_hash = ? WHERE id = 1", (seq + 1, digest))
        cur.execute("COMMIT")
        return int(conn.execute("SELECT count(*) FROM drugs").fetchone()[0])
    finally:
        conn.close()


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[-1]


def row(label: str, *cells: str) -> str:
    return f"  {label:<52}" + "".join(f"{c:>11}" for c in cells)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="import runs, each into a fresh database (median)")
    parser.add_argument("--lookups", type=int, default=2000, help="look-ups of random real codes (default 2000)")
    parser.add_argument("--seed", type=int, default=2024)
    args = parser.parse_args(argv)
    crypto.set_default_kdf(crypto.KdfParams(time_cost=1, memory_cost=1024, parallelism=1))  # set-up only
    out: list[str] = []

    with tempfile.TemporaryDirectory(prefix="bench-drugs-") as tmpdir:
        tmp = Path(tmpdir)
        parse_s, service_s, raw_s = [], [], []
        records: list[DrugRecord] = []
        service_ctx: Context | None = None
        count = raw_count = skipped = 0
        for r in range(args.repeat):  # interleaved: parse, service, raw
            began = time.perf_counter()
            report = parse_bdpm(shipped_snapshot_dir())
            parse_s.append(time.perf_counter() - began)
            records, skipped = report.records, len(report.skipped)

            ctx = fresh(tmp, f"service{r}")
            began = time.perf_counter()
            count = drugs.load_shipped_snapshot(ctx.store, ctx.actor.login, ctx.actor.user_id)
            service_s.append(time.perf_counter() - began)
            if service_ctx is not None:
                service_ctx.close()
            service_ctx = ctx

            raw_ctx = fresh(tmp, f"raw{r}")
            began = time.perf_counter()
            raw_count = raw_import(raw_ctx, records, skipped)
            raw_s.append(time.perf_counter() - began)
            raw_ctx.close()
        assert service_ctx is not None and count == raw_count == len(records)

        parse, service, raw = (statistics.median(v) for v in (parse_s, service_s, raw_s))
        baseline = parse + raw
        out += [
            (
                f"Import of the shipped BDPM snapshot: {count} presentations ({skipped} lines skipped), "
                f"fresh encrypted SQLite each run, median of {args.repeat}"
            ),
            row("", "seconds", "ratio", "target", "met"),
            row(
                "service load_shipped_snapshot (parse + write)",
                f"{service:.2f}",
                f"{service / baseline:.2f}x",
                f"<{IMPORT_TARGET_S:.0f} s",
                "yes" if service < IMPORT_TARGET_S else "NO",
            ),
            row("baseline: parse only (parse_bdpm)", f"{parse:.2f}"),
            row("baseline: raw executemany of the same rows", f"{raw:.2f}"),
            row("baseline: parse + raw executemany", f"{baseline:.2f}", "1.00x"),
            row(
                "service write part (service - parse)",
                f"{service - parse:.2f}",
                f"{(service - parse) / raw:.2f}x",
                "",
                "(vs raw executemany)",
            ),
            "  runs (s): "
            + "; ".join(
                f"{k} " + ", ".join(f"{t:.2f}" for t in v)
                for k, v in (("parse", parse_s), ("service", service_s), ("raw", raw_s))
            ),
            "",
        ]

        # Look-ups on the database the service filled.
        rng = random.Random(args.seed)
        codes = [rng.choice(records).cip13 for _ in range(args.lookups)]
        ctx = service_ctx

        def time_lookups(c: Context) -> list[float]:
            for code in codes[:50]:
                drugs.lookup(c, code)  # warm-up
            spent: list[float] = []
            for code in codes:
                began = time.perf_counter()
                found = drugs.lookup(c, code)
                spent.append((time.perf_counter() - began) * 1000)
                assert found.drug is not None and found.drug.cip13 == code
            return spent

        svc_ms = time_lookups(ctx)
        conn = raw_connection(ctx)
        sql = (
            "SELECT cip13, cip7, cis, name, presentation, rate, price, prestation_code, marketed"
            " FROM drugs WHERE cip13 = ?"
        )
        for code in codes[:50]:
            conn.execute(sql, (code,)).fetchone()
        raw_ms: list[float] = []
        for code in codes:
            began = time.perf_counter()
            hit = conn.execute(sql, (code,)).fetchone()
            raw_ms.append((time.perf_counter() - began) * 1000)
            assert hit is not None and hit[0] == code
        conn.close()
        ctx.close()

        s_mean, s_p95 = statistics.fmean(svc_ms), p95(svc_ms)
        r_mean, r_p95 = statistics.fmean(raw_ms), p95(raw_ms)
        out += [
            f"CIP13 look-up: {args.lookups} random real codes (seed {args.seed}), each timed, on that database",
            row("", "mean ms", "p95 ms", "ratio", "target", "met"),
            row(
                "service drugs.lookup(ctx, code)",
                f"{s_mean:.3f}",
                f"{s_p95:.3f}",
                f"{s_mean / r_mean:.0f}x/{s_p95 / r_p95:.0f}x",
                f"<{LOOKUP_TARGET_MS:.0f} ms",
                ("yes" if s_mean < LOOKUP_TARGET_MS else "NO") + "/" + ("yes" if s_p95 < LOOKUP_TARGET_MS else "NO"),
            ),
            row(
                "baseline: raw SELECT ... WHERE cip13 = ? (kept conn.)",
                f"{r_mean:.3f}",
                f"{r_p95:.3f}",
                "1x",
            ),
            "  (ratio and met: mean / p95)",
        ]
    print("\n".join(out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
