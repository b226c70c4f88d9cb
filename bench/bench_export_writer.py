"""Writing an export bundle of 100,000 claims versus the bare modules writing the same rows.

    .venv/bin/python bench/bench_export_writer.py [-n 100000] [--lines 2] [--repeat 1]
                                                  [--probe-single-table]

Set-up (not timed): a SQLite file (stdlib `sqlite3`, DB-API) with `-n` synthetic claims of
`--lines` lines each, one row per line with every `ExportLine` field (amounts as exact
decimal text), and the batch header computed with one SQL query, as the batch service does.

* **bundle** - `write_bundle(out, header, lines)` where `lines()` runs the SELECT on a
  DB-API cursor and maps each row to an `ExportLine` (Decimal, date, datetime): CSV + JSON
  + PDF slip + manifest, checks, SHA-256, zip.
* **bundle encrypted** - the same, encrypted with a passphrase (CMS, PBKDF2 600,000
  iterations, AES-256), for reference: the target applies to the plain bundle.
* **baseline** - the same SELECT on a cursor, each row written as it comes with
  `csv.writer` and `json.dumps` (one object per row, `default=str`), then a bare reportlab
  table of one row per claim (a second SELECT). One platypus `Table` of all 100,000 rows
  grows faster than linearly, since it re-measures the remaining rows at every page split
  (`--probe-single-table` times 2,000 to 8,000 rows; measured once at 100,000 rows on the
  2-core machine: 366 s and 255 MB for the PDF alone), so the baseline cuts the rows into
  one-page `Table`s (`repeatRows=1`), the usual way to keep platypus linear: a stricter
  baseline. No zip, no hashes, no checks.

Each writer runs in a fresh child process (so that `ru_maxrss`, the peak resident memory,
is its own): a timed run, then for the bundle a second run under `tracemalloc` for the
peak of Python allocations (tracemalloc slows the run; its time is not reported).
Targets: bundle time <= 1.5x baseline; bundle peak memory < 300 MB.
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import resource
import sqlite3
import subprocess
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Iterator
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from verifier.exports.rows import BundleHeader, ExportLine

FIELDS = [f for f in ExportLine.__dataclass_fields__ if f != "boxes"]  # the rows' boxes: none (the default)
DECIMALS = {
    "unit_price",
    "br_unit",
    "amo_rate",
    "price",
    "br",
    "amo",
    "tm",
    "amc",
    "patient_share",
    "claim_price",
    "claim_amo",
    "claim_amc",
    "claim_patient_share",
}
SURNAMES = ["DURANDEAU", "LEFÈVRE", "N'GUESSAN", "MÜLLER", "GARCÍA LÓPEZ", "MARTIN", "BERNARD", "PETIT"]
FIRSTS = ["Élodie", "Zoé", "Jean-Noël", "Anaïs", "Mathéo", "François", "Inès", "Loïc"]
LABELS = [
    "DOLIPRANE 1000MG CPR B/8",
    "AMOXICILLINE 500MG GÉL B/12",
    "SPASFON LYOC 80MG B/10",
    "LEVOTHYROX 75µg CPR B/30",
]
SELECT = f"SELECT {', '.join(FIELDS)} FROM export_rows ORDER BY claim_number, line_position"


def cents(value: Decimal) -> Decimal:
    return value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def synthetic_rows(claims: int, lines_per_claim: int) -> Iterator[tuple[object, ...]]:
    rng = random.Random(2026)
    for n in range(1, claims + 1):
        lines = []
        for pos in range(1, lines_per_claim + 1):
            qty = rng.randint(1, 3)
            unit = Decimal(rng.randint(100, 9000)) / 100
            rate = Decimal(rng.choice((65, 30, 100)))
            price = cents(qty * unit)
            amo = cents(price * rate / 100)
            amc = price - amo
            lines.append((pos, qty, unit, rate, price, amo, amc))
        tp, ta, tc = (sum((x[i] for x in lines), Decimal("0.00")) for i in (4, 5, 6))
        birth = f"{rng.randint(1, 28):02d}/{rng.randint(1, 12):02d}/19{rng.randint(40, 99)}"
        for pos, qty, unit, rate, price, amo, amc in lines:
            values = {
                "claim_id": f"{n:08x}-0000-4000-8000-000000000000",
                "claim_number": n,
                "claim_version": 1,
                "previous_claim_id": None,
                "dispensed_on": "2026-11-20",
                "prescriber_rpps": "10003456789",
                "operator_down": 1,
                "patient_surname": SURNAMES[n % 8],
                "patient_first_name": FIRSTS[n % 7],
                "patient_birth_date": birth,
                "patient_nir": f"2{birth[-2:]}{birth[3:5]}75056{n % 1000:03d}{n % 97:02d}",
                "patient_rank": 1,
                "amo_fund": "011751234",
                "member_number": f"ADH-{n:07d}",
                "insurer_amc_number": "90412345",
                "insurer_name": "Mutuelle Test",
                "check_method": "hotline",
                "check_reference": f"HOT-{n}",
                "check_outcome": "covered",
                "checked_at": "2026-11-20T08:15:30+00:00",
                "guarantees": "PHAR 100",
                "line_position": pos,
                "code": f"34009{3000000 + n % 999999:07d}"[:12] + "1",
                "code_kind": "cip13",
                "label": LABELS[(n + pos) % 4],
                "prestation_code": "PH7",
                "quantity": qty,
                "unit_price": unit,
                "br_unit": unit,
                "amo_rate": rate,
                "price": price,
                "br": price,
                "amo": amo,
                "tm": price - amo,
                "amc": amc,
                "patient_share": Decimal("0.00"),
                "expiry": "2028-06-30",
                "lot": f"LOT{n % 5000}",
                "serial": None,
                "claim_price": tp,
                "claim_amo": ta,
                "claim_amc": tc,
                "claim_patient_share": Decimal("0.00"),
            }
            yield tuple(str(v) if isinstance(v, Decimal) else v for v in (values[f] for f in FIELDS))


def build_database(path: Path, claims: int, lines_per_claim: int) -> None:
    con = sqlite3.connect(path)
    con.execute(f"CREATE TABLE export_rows ({', '.join(FIELDS)})")
    con.execute("CREATE INDEX by_claim ON export_rows (claim_number, line_position)")
    con.executemany(
        f"INSERT INTO export_rows VALUES ({', '.join('?' * len(FIELDS))})", synthetic_rows(claims, lines_per_claim)
    )
    con.commit()
    con.close()


def header(con: sqlite3.Connection) -> BundleHeader:
    """What the batch service computes before exporting: counts and totals in one query."""
    row = con.execute(
        "SELECT count(DISTINCT claim_id), count(*), "
        + ", ".join(f"group_concat({f}, ' ')" for f in ("price", "br", "amo", "tm", "amc", "patient_share"))
        + " FROM export_rows"
    ).fetchone()
    totals = [sum((Decimal(v) for v in col.split()), Decimal("0.00")) for col in row[2:]]
    return BundleHeader(
        "Pharmacie de l'Église",
        "750012345",
        "7512345678",
        "12 rue de la République, 75011 Paris",
        "90412345",
        "Mutuelle Test",
        "VIAMEDIS",
        1,
        42,
        datetime.fromisoformat("2026-11-29T09:30:00+00:00"),
        row[0],
        row[1],
        *totals,
    )


def export_lines(con: sqlite3.Connection) -> Iterator[ExportLine]:
    """The batch service's part: rows from the cursor as ExportLines."""
    conv = [(Decimal if f in DECIMALS else None) for f in FIELDS]
    dates = {FIELDS.index(f) for f in ("dispensed_on", "expiry")}
    for i in dates:
        conv[i] = lambda v: None if v is None else date.fromisoformat(v)
    conv[FIELDS.index("checked_at")] = datetime.fromisoformat
    conv[FIELDS.index("operator_down")] = bool
    pairs = list(enumerate(conv))
    for row in con.execute(SELECT):
        values = list(row)
        for i, f in pairs:
            if f is not None and values[i] is not None:
                values[i] = f(values[i])
        yield ExportLine(**dict(zip(FIELDS, values)))


def run_bundle(db: Path, out: Path, encrypted: bool = False) -> None:
    from verifier.exports.bundle import Encryption, write_bundle

    con = sqlite3.connect(db)
    encryption = Encryption(passphrase="k7mq2-xwp9d-3hfta-v8rne-q2c6j-ypd4s") if encrypted else None
    write_bundle(out, header(con), lambda: export_lines(con), encryption)


def run_baseline(db: Path, out: Path) -> None:
    from reportlab.lib.pagesizes import A4
    from reportlab.platypus import SimpleDocTemplate, Table

    con = sqlite3.connect(db)
    out.mkdir(parents=True, exist_ok=True)
    cur = con.execute(SELECT)
    with open(out / "claims.csv", "w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh, delimiter=";")
        writer.writerow(FIELDS)
        writer.writerows(cur)
    with open(out / "claims.json", "w", encoding="utf-8") as fh:
        fh.write("[")
        fh.writelines(
            ("\n" if i == 0 else ",\n") + json.dumps(dict(zip(FIELDS, row)), ensure_ascii=False, default=str)
            for i, row in enumerate(con.execute(SELECT))
        )
        fh.write("\n]\n")
    head = ["N°", "Patient", "N° adhérent", "Délivré le", "Montant", "AMO", "AMC", "Part patient"]
    rows = [
        list(r)
        for r in con.execute(
            "SELECT claim_number, patient_surname || ' ' || patient_first_name, member_number, dispensed_on, "
            "claim_price, claim_amo, claim_amc, claim_patient_share FROM export_rows WHERE line_position = 1 "
            "ORDER BY claim_number"
        )
    ]
    story = [Table([head] + rows[i : i + 50], repeatRows=1) for i in range(0, len(rows), 50)]
    SimpleDocTemplate(str(out / "bordereau.pdf"), pagesize=A4, invariant=1).build(story)


def single_table_probe() -> list[tuple[int, float]]:
    import io

    from reportlab.platypus import SimpleDocTemplate, Table

    found = []
    for n in (2000, 4000, 8000):
        rows = [["N°", "Patient", "Date", "Montant"]] + [
            [str(i), f"PATIENT {i}", "20/11/2026", "12,50"] for i in range(n)
        ]
        start = time.perf_counter()
        SimpleDocTemplate(io.BytesIO()).build([Table(rows, repeatRows=1)])
        found.append((n, time.perf_counter() - start))
    return found


def child(kind: str, db: Path, out: Path, trace: bool) -> None:
    if trace:
        tracemalloc.start()
    start = time.perf_counter()
    if kind == "baseline":
        run_baseline(db, out)
    else:
        run_bundle(db, out, encrypted=kind == "encrypted")
    elapsed = time.perf_counter() - start
    peak = tracemalloc.get_traced_memory()[1] if trace else None
    size = sum(p.stat().st_size for p in out.iterdir())
    print(
        json.dumps(
            {
                "seconds": elapsed,
                "maxrss_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
                "traced_peak": peak,
                "bytes": size,
            }
        )
    )


def spawn(kind: str, db: Path, work: Path, trace: bool = False) -> dict[str, float]:
    out = Path(tempfile.mkdtemp(dir=work, prefix=f"{kind}-"))
    args = [sys.executable, __file__, "--child", kind, "--db", str(db), "--out", str(out)] + (
        ["--trace"] if trace else []
    )
    done = subprocess.run(args, check=True, capture_output=True, text=True)
    result: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
    for p in out.iterdir():
        p.unlink()
    out.rmdir()
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("-n", type=int, default=100_000, help="claims (default 100000)")
    parser.add_argument("--lines", type=int, default=2, help="lines per claim (default 2)")
    parser.add_argument("--repeat", type=int, default=1, help="timed runs of each writer (median)")
    parser.add_argument("--probe-single-table", action="store_true", help="also time one platypus Table of 2k-8k rows")
    parser.add_argument("--child", choices=("bundle", "encrypted", "baseline"), help=argparse.SUPPRESS)
    parser.add_argument("--db", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--trace", action="store_true", help=argparse.SUPPRESS)
    a = parser.parse_args()
    if a.child:
        child(a.child, a.db, a.out, a.trace)
        return

    with tempfile.TemporaryDirectory(prefix="bench_export_") as tmp:
        work = Path(tmp)
        db = work / "rows.sqlite"
        start = time.perf_counter()
        build_database(db, a.n, a.lines)
        print(
            f"set-up: {a.n} claims x {a.lines} lines = {a.n * a.lines} rows in SQLite "
            f"({time.perf_counter() - start:.1f} s, not timed below)"
        )
        bundle_runs, baseline_runs, encrypted_runs = [], [], []
        for _ in range(a.repeat):  # interleaved
            bundle_runs.append(spawn("bundle", db, work))
            baseline_runs.append(spawn("baseline", db, work))
            encrypted_runs.append(spawn("encrypted", db, work))
        traced = spawn("bundle", db, work, trace=True)

    def median(runs: list[dict[str, float]], key: str) -> float:
        values = sorted(r[key] for r in runs)
        return values[len(values) // 2]

    b_s, r_s = median(bundle_runs, "seconds"), median(baseline_runs, "seconds")
    b_rss, r_rss = median(bundle_runs, "maxrss_kb") / 1024, median(baseline_runs, "maxrss_kb") / 1024
    ratio = b_s / r_s
    peak = traced["traced_peak"] / 1e6
    print(
        f"Export of {a.n} claims ({a.n * a.lines} lines): CSV + JSON + PDF slip (+ manifest, zip), "
        f"fresh process each, median of {a.repeat}"
    )
    print(f"  {'writer':<52}{'seconds':>9}{'ratio':>8}{'peak RSS MB':>13}{'output MB':>11}")
    print(
        f"  {'bundle: write_bundle (checks, SHA-256, zip)':<52}{b_s:>9.1f}{ratio:>7.2f}x{b_rss:>13.0f}"
        f"{median(bundle_runs, 'bytes') / 1e6:>11.1f}"
    )
    e_s, e_rss = median(encrypted_runs, "seconds"), median(encrypted_runs, "maxrss_kb") / 1024
    print(
        f"  {'bundle encrypted (passphrase, CMS .p7m)':<52}{e_s:>9.1f}{e_s / r_s:>7.2f}x{e_rss:>13.0f}"
        f"{median(encrypted_runs, 'bytes') / 1e6:>11.1f}"
    )
    print(
        f"  {'baseline: csv + json modules + platypus Tables':<52}{r_s:>9.1f}{1:>7.2f}x{r_rss:>13.0f}"
        f"{median(baseline_runs, 'bytes') / 1e6:>11.1f}"
    )
    print(f"  time:   target <= 1.5x   measured {ratio:.2f}x   {'met' if ratio <= 1.5 else 'NOT MET'}")
    print(
        f"  memory: target < 300 MB  peak RSS {b_rss:.0f} MB (whole process: Python, reportlab, "
        f"cryptography), tracemalloc peak {peak:.0f} MB   {'met' if b_rss < 300 else 'NOT MET'}"
    )
    print(
        "  runs (s): bundle "
        + "/".join(f"{r['seconds']:.1f}" for r in bundle_runs)
        + "; encrypted "
        + "/".join(f"{r['seconds']:.1f}" for r in encrypted_runs)
        + "; baseline "
        + "/".join(f"{r['seconds']:.1f}" for r in baseline_runs)
    )
    if a.probe_single_table:
        probe = single_table_probe()
        print(
            "  one platypus Table (why the baseline cuts it per page): "
            + ", ".join(f"{n} rows {s:.1f} s" for n, s in probe)
        )


if __name__ == "__main__":
    main()
