"""Exporting a batch of 100,000 claims through the service versus a bare DB-API baseline.

    .venv/bin/python bench/bench_export.py [--claims 100000] [--patients 300] [--repeat 3]
                                           [--rebuild] [--build-only] [--profile]

Fixture (built once, cached under bench/out/export-<claims>/, git-ignored; reused when its
marker file says it is complete and of the current schema): an encrypted SQLite database
(SQLCipher) made by the application. The site is created with `auth.initialise`, the
operator and insurer with `directory.add_*`, `--patients` patients with `patients.save`
(identities really encrypted, blind indexes) and one coverage check each with
`checks.record` (member number encrypted). Then `--claims` claims of 2 lines each are
bulk-inserted with SQLAlchemy Core `executemany` (25,000 claims per transaction), already
exported in one batch: amounts from `domain.claims.compute_line` under the patient's
guarantees, claim totals = the sums of their lines, the `batches` row with the right
claim_count and total_amc, the claims' batch_id, and the counters. Bulk rows have no audit
events; the chain of the events that exist is checked at the end of the build.

Measured, each run in a fresh child process (so that the peak resident memory is the
export's own: VmHWM from /proc/self/status, with `ru_maxrss` printed beside it, which on
Linux also carries the parent's peak), interleaved, median of `--repeat`:

* **service** - sign in (not timed), then `batches.export_batch(ctx, batch_id, outbox)`:
  header query, the streamed joined SELECT, decryption of the identities, CSV + JSON + PDF
  slip + manifest into sealed temporary files, checks, SHA-256, zip, fsync, rename, audit
  event. One more run under `tracemalloc` (started just before the export) gives the peak
  of Python allocations; its time is not reported.
* **baseline** - the key unwrapped from the slot file with `keyslots.unlock` and the
  SQLCipher connection keyed (not timed), then the same join on a `sqlcipher3.dbapi2`
  cursor (amounts formatted as euros by SQLite's `printf`), one pass: each row written as
  it comes with `csv.writer` and a `json` encoder (one flat object per line), the
  identities decrypted with `FieldCipher.decrypt` exactly as the service does (surname,
  first name, birth date and NIR once per patient, cached; the member number on every
  line, from the check, else the patient), one slip row kept per claim; then the PDF as
  bare platypus `Table`s of one page each (50 rows, `repeatRows=1`: one Table of 100,000
  rows is quadratic, see bench_export_writer.py), then a zip (CSV and JSON deflated at
  level 6, the PDF stored, as the service does) and one fsync.

Targets: service time <= 1.5x baseline; peak RSS (VmHWM) of the service export < 300 MB.
`--profile` adds one service run under cProfile and prints where its time goes.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
import zipfile
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from verifier.exports.rows import ExportLine
from verifier.location import Location
from verifier.security import crypto

OUT = ROOT / "bench" / "out"
PASSWORD = "banc essai lanterne prairie 2026"
ADMIN = "bench-admin"
TIME_TARGET = 1.5
MEMORY_TARGET_MB = 300.0
CHUNK = 25_000  # claims per bulk transaction
CHEAP_KDF = crypto.KdfParams(time_cost=1, memory_cost=1024, parallelism=1)  # set-up speed only

FIELDS = list(ExportLine.__dataclass_fields__)
SURNAMES = [
    "DURANDEAU",
    "LEFÈVRE",
    "N'GUESSAN",
    "MÜLLER",
    "GARCÍA LÓPEZ",
    "MARTIN",
    "BERNARD",
    "PETIT",
    "DUBOIS",
    "MOREAU",
    "LAURENT",
    "SIMON",
    "LE GALL",
    "FONTAINE",
    "ROUSSEAU",
    "BENOÎT",
]
FIRSTS = [
    "Élodie",
    "Zoé",
    "Jean-Noël",
    "Anaïs",
    "Mathéo",
    "François",
    "Inès",
    "Loïc",
    "Marie",
    "Gérard",
    "Hélène",
    "Raphaël",
    "Océane",
    "Léa",
]
# (label, CIP13, prestation code, unit price, AMO rate)
PRODUCTS = [
    ("DOLIPRANE 1000MG CPR B/8", "3400935955838", "PH7", "2.18", "65"),
    ("AMOXICILLINE 500MG GÉL B/12", "3400933989392", "PH7", "4.37", "65"),
    ("IBUPROFÈNE 400MG CPR B/30", "3400934998898", "PH7", "3.53", "65"),
    ("OMÉPRAZOLE 20MG GÉL B/28", "3400936589971", "PH4", "6.83", "30"),
    ("ATORVASTATINE 20MG CPR B/90", "3400939245553", "PH7", "23.91", "65"),
    ("LEVOTHYROX 75µg CPR B/30", "3400930958320", "PH7", "2.47", "65"),
    ("VEINOTONIQUE GÉL B/60", "3400935410054", "PH2", "7.45", "15"),
    ("SPASFON LYOC 80MG B/10", "3400932591442", "PH4", "3.84", "30"),
]


# --- the fixture ---------------------------------------------------------------------------


def fixture_dir(claims: int) -> Path:
    return OUT / f"export-{claims}"


def schema_signature() -> str:
    from verifier.store import migrate
    from verifier.store.schema import Base

    tables = " ".join(
        f"{name}({','.join(c.name for c in Base.metadata.tables[name].columns)})"
        for name in ("batches", "claims", "claim_lines", "coverage_checks", "patients")
    )
    return f"{migrate.head_revision()} {tables}"


def fixture(claims: int, n_patients: int, rebuild: bool) -> dict[str, Any]:
    """The cached database, built first when missing, incomplete or of an older schema."""
    folder = fixture_dir(claims)
    db = folder / "verifier.db"
    marker = folder / "complete.json"
    if not rebuild and marker.exists() and db.exists() and db.with_name(db.name + ".keys").exists():
        info: dict[str, Any] = json.loads(marker.read_text("utf-8"))
        if info.get("schema") == schema_signature() and info.get("patients") == n_patients:
            print(
                f"reusing {folder.relative_to(ROOT)} ({info['claims']} claims, {info['lines']} lines, "
                f"{info['patients']} patients, built in {info['seconds']:.0f} s)"
            )
            info["db"] = str(db)
            return info
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    started = time.perf_counter()
    info = build(Location(sqlite_path=db), claims, n_patients)
    info.update(claims=claims, patients=n_patients, schema=schema_signature(), seconds=time.perf_counter() - started)
    marker.write_text(json.dumps(info), "utf-8")
    print(f"built {folder.relative_to(ROOT)} in {info['seconds']:.0f} s")
    info["db"] = str(db)
    return info


def _line_templates(guarantee_sets: list[list[Any]]) -> list[list[dict[str, Any]]]:
    """Per guarantee set, every product at quantities 1-3, amounts from compute_line."""
    from verifier.domain.claims import LineInput, compute_line
    from verifier.domain.coverage import guarantee_for

    out = []
    for guarantees in guarantee_sets:
        rows = []
        for label, cip13, code, price, rate in PRODUCTS:
            for qty in (1, 2, 3):
                li = LineInput(code, qty, Decimal(price), Decimal(rate))
                a = compute_line(li, guarantee_for(code, guarantees))
                rows.append(
                    {
                        "code": cip13,
                        "code_kind": "cip13",
                        "label": label,
                        "prestation_code": code,
                        "quantity": qty,
                        "unit_price": li.unit_price,
                        "br_unit": li.effective_br_unit,
                        "amo_rate": li.amo_rate,
                        "price": a.price,
                        "br": a.br,
                        "amo": a.amo,
                        "tm": a.tm,
                        "amc": a.amc,
                        "patient_share": a.patient,
                    }
                )
        out.append(rows)
    return out


def build(location: Location, n_claims: int, n_patients: int) -> dict[str, Any]:
    from sqlalchemy import delete, insert, update

    from verifier.domain.coverage import Guarantee
    from verifier.services import audit, auth, checks, directory, patients
    from verifier.services.demo import nir_for
    from verifier.store.schema import Base

    rng = random.Random(20261)
    crypto.set_default_kdf(CHEAP_KDF)
    ctx, _ = auth.initialise(
        location,
        auth.SiteInput("Pharmacie de l'Église", "750012345", "7512345678", "12 rue de la République\n75011 Paris"),
        ADMIN,
        "Administrateur",
        PASSWORD,
    )
    try:
        directory.add_operator(ctx, "VIAMEDIS", "Viamedis")
        insurer = directory.add_insurer(ctx, "90100000", "Mutuelle Générale Factice", "VIAMEDIS")
        guarantee_sets = [
            [Guarantee("PHAR", Decimal(100))],
            [Guarantee("PHAR", Decimal(200))],
            [Guarantee("PHAR", Decimal(100), covers_ph2=True)],
        ]
        now = datetime.now(UTC).replace(microsecond=0)
        checked_at = now - timedelta(days=60)
        t0 = time.perf_counter()
        people = []  # (patient id, check id, guarantee set)
        for i in range(n_patients):
            birth = f"{rng.randint(1, 28):02d}/{rng.randint(1, 12):02d}/{rng.randint(1935, 2020)}"
            info, _ = patients.save(
                ctx,
                patients.PatientInput(
                    rng.choice(SURNAMES),
                    rng.choice(FIRSTS),
                    birth,
                    nir_for(
                        rng.choice("12"),
                        birth,
                        f"{rng.randint(1, 95):02d}".replace("20", "21"),
                        f"{rng.randint(1, 899):03d}",
                        1 + i % 997,
                    ),
                    "1",
                    "011751234",
                    insurer.amc_number,
                    f"ADH-{rng.randrange(10**6, 10**7)}",
                ),
            )
            g = rng.randrange(len(guarantee_sets))
            check = checks.record(
                ctx,
                checks.CheckInput(
                    info.id,
                    insurer.amc_number,
                    "hotline",
                    "covered",
                    guarantee_sets[g],
                    reference=f"HOT-{rng.randrange(10**6)}",
                    checked_at=checked_at,
                ),
            )
            people.append((info.id, check.id, g))
        print(f"  {n_patients} patients and checks through the services ({time.perf_counter() - t0:.0f} s)", flush=True)

        t0 = time.perf_counter()
        tables = Base.metadata.tables
        claims_t, lines_t, batches_t, counters_t = (tables[n] for n in ("claims", "claim_lines", "batches", "counters"))
        templates = _line_templates(guarantee_sets)
        user = ctx.actor.user_id
        batch_at = now - timedelta(days=1)
        with ctx.store.write() as s:
            made = s.connection().execute(
                insert(batches_t).values(
                    insurer_id=insurer.id,
                    number=1,
                    status="exported",
                    created_by=user,
                    created_at=batch_at,
                    claim_count=0,
                    total_amc=Decimal("0.00"),
                )
            )
            assert made.inserted_primary_key is not None
            batch_id = made.inserted_primary_key[0]
        first_day = (now - timedelta(days=45)).date()
        count, total_amc, n_lines = 0, Decimal("0.00"), 0
        number = 0
        while number < n_claims:
            claim_rows, line_rows = [], []
            for _ in range(min(CHUNK, n_claims - number)):
                number += 1
                pid, cid, g = people[rng.randrange(len(people))]
                picks = rng.sample(range(len(PRODUCTS)), 2)  # two different products
                lines = [templates[g][p * 3 + rng.randrange(3)] for p in picks]
                totals = {
                    k: sum((x[k] for x in lines), Decimal("0.00"))
                    for k in ("price", "br", "amo", "tm", "amc", "patient_share")
                }
                day = first_day + timedelta(days=int(30 * number / n_claims))
                created = datetime(day.year, day.month, day.day, 8, tzinfo=UTC) + timedelta(
                    seconds=rng.randrange(36000)
                )
                claim_id = str(uuid.uuid4())
                claim_rows.append(
                    {
                        "id": claim_id,
                        "number": number,
                        "version": 1,
                        "previous_id": None,
                        "status": "exported",
                        "patient_id": pid,
                        "insurer_id": insurer.id,
                        "check_id": cid,
                        "batch_id": batch_id,
                        "dispensed_on": day,
                        "prescriber_rpps": f"10{rng.randrange(10**9):09d}",
                        "operator_down": rng.random() < 0.8,
                        "outage_id": None,
                        "override_reason": None,
                        "override_by": None,
                        "void_reason": None,
                        "rejection_code": None,
                        "rejection_text": None,
                        "paid_amount": None,
                        "paid_on": None,
                        **totals,
                        "created_by": user,
                        "created_at": created,
                        "updated_at": batch_at,
                        "queued_at": created,
                    }
                )
                for pos, tpl in enumerate(lines, start=1):
                    line_rows.append(
                        {
                            **tpl,
                            "claim_id": claim_id,
                            "position": pos,
                            "expiry": day.replace(day=1) + timedelta(days=rng.randrange(400, 900)),
                            "lot": f"L{rng.randrange(10**5):05d}",
                            "serial": f"SN{rng.randrange(10**10):010d}",
                        }
                    )
                count += 1
                total_amc += totals["amc"]
                n_lines += len(lines)
            with ctx.store.write() as s:  # one big transaction per chunk, Core executemany
                conn = s.connection()
                conn.execute(insert(claims_t), claim_rows)
                conn.execute(insert(lines_t), line_rows)
            print(f"  {number} claims ({time.perf_counter() - t0:.0f} s)", flush=True)
        with ctx.store.write() as s:
            conn = s.connection()
            conn.execute(
                update(batches_t).where(batches_t.c.id == batch_id).values(claim_count=count, total_amc=total_amc)
            )
            names = ["claim_number", f"batch_number:{insurer.id}"]  # the migrations may seed claim_number
            conn.execute(delete(counters_t).where(counters_t.c.name.in_(names)))
            conn.execute(
                insert(counters_t),
                [{"name": "claim_number", "value": number}, {"name": f"batch_number:{insurer.id}", "value": 1}],
            )
        report = audit.verify(ctx)
        assert report.broken_at is None, report
    finally:
        ctx.close()
    return {"batch_id": batch_id, "lines": n_lines, "total_amc": str(total_amc)}


# --- the children --------------------------------------------------------------------------


def peak_rss_mb() -> float:
    """This process's own peak RSS (VmHWM), in MB.

    `ru_maxrss` is not enough in a child: Linux keeps the parent's peak RSS across
    fork + exec, so a child's `ru_maxrss` is never below its parent's peak. Both are
    reported; the targets use VmHWM, which is the export process's own.
    """
    with open("/proc/self/status") as fh:
        return next(int(line.split()[1]) for line in fh if line.startswith("VmHWM:")) / 1024


def rss_mb() -> float:
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def child_service(db: Path, batch_id: int, out: Path, mode: str) -> dict[str, Any]:
    import tracemalloc

    from verifier.exports import bundle  # noqa: F401  (imported before the clock starts, as the baseline)
    from verifier.services import auth, batches

    crypto.set_default_kdf(CHEAP_KDF)
    ctx = auth.sign_in(Location(sqlite_path=db), ADMIN, PASSWORD)
    before = rss_mb()
    profile = None
    if mode == "trace":
        tracemalloc.start()
    elif mode == "profile":
        import cProfile

        profile = cProfile.Profile()
        profile.enable()
    start = time.perf_counter()
    path = batches.export_batch(ctx, batch_id, out)
    elapsed = time.perf_counter() - start
    if profile is not None:
        profile.disable()
        profile.dump_stats(str(out / "export.prof"))
    maxrss, hwm = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, peak_rss_mb()
    peak = tracemalloc.get_traced_memory()[1] / 2**20 if mode == "trace" else None
    ctx.close()
    with zipfile.ZipFile(path) as zf:  # after the measurements: a quick look at what was written
        manifest = json.loads(zf.read("manifest.json"))
        names = sorted(zf.namelist())
    return {
        "seconds": elapsed,
        "maxrss_mb": maxrss,
        "hwm_mb": hwm,
        "rss_before_mb": before,
        "traced_peak_mb": peak,
        "bytes": path.stat().st_size,
        "files": names,
        "claims": manifest["claim_count"],
        "lines": manifest["line_count"],
    }


BASELINE_SQL = """
SELECT c.id, c.number, c.version, c.previous_id, c.dispensed_on, c.prescriber_rpps, c.operator_down,
       p.id, p.surname_enc, p.first_name_enc, p.birth_date_enc, p.nir_enc, p.rank, p.amo_fund,
       k.member_number_enc, p.member_number_enc,
       k.method, k.reference, k.outcome, k.checked_at, k.guarantees,
       l.position, l.code, l.code_kind, l.label, l.prestation_code, l.quantity,
       printf('%.2f', l.unit_price / 100.0), printf('%.2f', l.br_unit / 100.0), printf('%.2f', l.amo_rate / 100.0),
       printf('%.2f', l.price / 100.0), printf('%.2f', l.br / 100.0), printf('%.2f', l.amo / 100.0),
       printf('%.2f', l.tm / 100.0), printf('%.2f', l.amc / 100.0), printf('%.2f', l.patient_share / 100.0),
       l.expiry, l.lot, l.serial,
       printf('%.2f', c.price / 100.0), printf('%.2f', c.amo / 100.0), printf('%.2f', c.amc / 100.0),
       printf('%.2f', c.patient_share / 100.0)
FROM claims c
JOIN claim_lines l ON l.claim_id = c.id
JOIN coverage_checks k ON c.check_id = k.id
JOIN patients p ON c.patient_id = p.id
WHERE c.batch_id = ?
ORDER BY c.number, l.position
"""


def child_baseline(db: Path, batch_id: int, out: Path) -> dict[str, Any]:
    import sqlcipher3.dbapi2 as sqlcipher
    from reportlab.lib.pagesizes import A4
    from reportlab.platypus import SimpleDocTemplate, Table

    from verifier.security.crypto import FieldCipher
    from verifier.security.keyslots import FileSlots, unlock

    crypto.set_default_kdf(CHEAP_KDF)
    key = unlock(FileSlots.for_database(db), ADMIN, PASSWORD)
    conn = sqlcipher.connect(str(db), timeout=60, isolation_level=None)  # as store/engine.py:sqlite_engine
    conn.execute(f"PRAGMA key = \"x'{key.hex()}'\"")
    conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = FULL")
    conn.execute("PRAGMA foreign_keys = ON")
    conn.execute("PRAGMA busy_timeout = 60000")
    dec = FieldCipher(key).decrypt
    encode = json.JSONEncoder(ensure_ascii=False).encode
    before = rss_mb()

    start = time.perf_counter()
    out.mkdir(parents=True, exist_ok=True)
    people: dict[str, tuple[Any, ...]] = {}
    slip: list[list[Any]] = []
    with (
        open(out / "claims.csv", "w", newline="", encoding="utf-8") as csv_fh,
        open(out / "claims.json", "w", encoding="utf-8") as json_fh,
    ):
        writer = csv.writer(csv_fh, delimiter=";")
        writer.writerow(FIELDS)
        json_fh.write("[")
        sep = "\n"
        for row in conn.execute(BASELINE_SQL, (batch_id,)):
            person = people.get(row[7])
            if person is None:
                person = people[row[7]] = (
                    dec(row[8], "patients.surname"),
                    dec(row[9], "patients.first_name"),
                    dec(row[10], "patients.birth_date"),
                    dec(row[11], "patients.nir"),
                )
            member = (
                dec(row[14], "coverage_checks.member_number") if row[14] else dec(row[15], "patients.member_number")
            )
            values = row[:7] + person + row[12:14] + (member,) + row[16:]
            writer.writerow(values)
            json_fh.write(sep + encode(dict(zip(FIELDS, values))))
            sep = ",\n"
            if row[21] == 1:  # one slip row per claim
                slip.append([str(row[1]), f"{person[0]} {person[1]}", member, row[4], *row[39:43]])
        json_fh.write("\n]\n")
    rows_done = time.perf_counter()
    head = ["N°", "Patient", "N° adhérent", "Délivré le", "Montant", "AMO", "AMC", "Part patient"]
    story = [Table([head] + slip[i : i + 50], repeatRows=1) for i in range(0, len(slip), 50)]
    SimpleDocTemplate(str(out / "bordereau.pdf"), pagesize=A4, invariant=1).build(story)
    pdf_done = time.perf_counter()
    bundle = out / "bundle.zip"
    with zipfile.ZipFile(bundle, "w") as zf:
        for name in ("claims.csv", "claims.json"):
            zf.write(out / name, name, zipfile.ZIP_DEFLATED, 6)
        zf.write(out / "bordereau.pdf", "bordereau.pdf", zipfile.ZIP_STORED)
    with open(bundle, "rb") as fh:
        os.fsync(fh.fileno())
    elapsed = time.perf_counter() - start
    maxrss, hwm = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, peak_rss_mb()
    conn.close()
    return {
        "seconds": elapsed,
        "maxrss_mb": maxrss,
        "hwm_mb": hwm,
        "rss_before_mb": before,
        "bytes": bundle.stat().st_size,
        "claims": len(slip),
        "patients_decrypted": len(people),
        "rows_s": rows_done - start,
        "pdf_s": pdf_done - rows_done,
        "zip_s": start + elapsed - pdf_done,
    }


def spawn(kind: str, info: dict[str, Any], work: Path, mode: str = "time") -> dict[str, Any]:
    out = Path(tempfile.mkdtemp(dir=work, prefix=f"{kind}-"))
    args = [
        sys.executable,
        __file__,
        "--child",
        kind,
        "--mode",
        mode,
        "--db",
        info["db"],
        "--batch",
        str(info["batch_id"]),
        "--out",
        str(out),
    ]
    done = subprocess.run(args, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        sys.stderr.write(done.stderr)
        raise SystemExit(f"{kind} child failed ({done.returncode})")
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    if mode == "profile":
        result["profile"] = profile_lines(out / "export.prof")
    shutil.rmtree(out)
    return result


def profile_lines(path: Path, top: int = 16) -> list[str]:
    """The functions with the most own time, then the main steps by cumulative time."""
    import pstats

    stats = pstats.Stats(str(path)).stats  # type: ignore[attr-defined]
    site = str(Path(sys.executable).resolve().parents[1])

    def name(key: tuple[str, int, str]) -> str:
        file, line, func = key
        for prefix in (str(ROOT) + "/", site + "/"):
            file = file.replace(prefix, "")
        file = file.split("site-packages/")[-1]
        return f"{func} ({file}:{line})" if file != "~" else func

    rows = [(tt, ct, nc, name(k)) for k, (cc, nc, tt, ct, _) in stats.items()]
    out = [f"{'own s':>7}{'cum s':>7}{'calls':>9}  function, by own time"]
    out += [f"{tt:>7.2f}{ct:>7.2f}{nc:>9}  {n}" for tt, ct, nc, n in sorted(rows, reverse=True)[:top]]
    out.append(f"{'own s':>7}{'cum s':>7}{'calls':>9}  verifier functions, by cumulative time")
    mine = [r for r in rows if r[3].find("verifier/") >= 0]
    out += [f"{tt:>7.2f}{ct:>7.2f}{nc:>9}  {n}" for tt, ct, nc, n in sorted(mine, key=lambda r: -r[1])[:top]]
    return out


def decrypt_cost(info: dict[str, Any], n: int) -> float:
    """Seconds for `n` FieldCipher.decrypt calls of a member number, in this process."""
    import sqlcipher3.dbapi2 as sqlcipher

    from verifier.security.crypto import FieldCipher
    from verifier.security.keyslots import FileSlots, unlock

    db = Path(info["db"])
    key = unlock(FileSlots.for_database(db), ADMIN, PASSWORD)
    conn = sqlcipher.connect(str(db))
    conn.execute(f"PRAGMA key = \"x'{key.hex()}'\"")
    token = conn.execute("SELECT member_number_enc FROM coverage_checks LIMIT 1").fetchone()[0]
    conn.close()
    dec = FieldCipher(key).decrypt
    start = time.perf_counter()
    for _ in range(n):
        dec(token, "coverage_checks.member_number")
    return time.perf_counter() - start


def median(runs: list[dict[str, Any]], key: str) -> float:
    values = sorted(r[key] for r in runs)
    return float(values[len(values) // 2])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--claims", type=int, default=100_000, help="claims in the batch (default 100000)")
    parser.add_argument("--patients", type=int, default=300, help="patients (default 300)")
    parser.add_argument("--repeat", type=int, default=3, help="timed runs of each (median, default 3)")
    parser.add_argument("--rebuild", action="store_true", help="build the database again even if cached")
    parser.add_argument("--build-only", action="store_true", help="build (or check) the database and stop")
    parser.add_argument("--profile", action="store_true", help="also run the service export once under cProfile")
    parser.add_argument("--child", choices=("service", "baseline"), help=argparse.SUPPRESS)
    parser.add_argument("--mode", choices=("time", "trace", "profile"), default="time", help=argparse.SUPPRESS)
    parser.add_argument("--db", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--batch", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    a = parser.parse_args(argv)
    if a.child == "service":
        print(json.dumps(child_service(a.db, a.batch, a.out, a.mode)))
        return 0
    if a.child == "baseline":
        print(json.dumps(child_baseline(a.db, a.batch, a.out)))
        return 0

    started = time.perf_counter()
    info = fixture(a.claims, a.patients, a.rebuild)
    if a.build_only:
        return 0
    service_runs, baseline_runs = [], []
    with tempfile.TemporaryDirectory(prefix="bench_export_") as tmp:
        work = Path(tmp)
        for _ in range(a.repeat):  # interleaved
            service_runs.append(spawn("service", info, work))
            baseline_runs.append(spawn("baseline", info, work))
        traced = spawn("service", info, work, "trace")
        profiled = spawn("service", info, work, "profile") if a.profile else None
    n_lines = info["lines"]
    dec_s = decrypt_cost(info, n_lines)

    s_s, b_s = median(service_runs, "seconds"), median(baseline_runs, "seconds")
    s_rss, b_rss = median(service_runs, "hwm_mb"), median(baseline_runs, "hwm_mb")
    ratio = s_s / b_s
    time_ok, mem_ok = ratio <= TIME_TARGET, s_rss < MEMORY_TARGET_MB
    first = service_runs[0]
    assert all(r["claims"] == a.claims and r["lines"] == n_lines for r in service_runs + [traced]), service_runs
    assert all(r["claims"] == a.claims for r in baseline_runs), baseline_runs
    w = 56
    rows_s, pdf_s, zip_s = (median(baseline_runs, k) for k in ("rows_s", "pdf_s", "zip_s"))
    out = [
        (
            f"Export of one batch: {a.claims:,} claims, {n_lines:,} lines, {a.patients} patients; encrypted SQLite"
            f" (SQLCipher); fresh process per run, median of {a.repeat}"
        ),
        f"  {'':<{w}}{'seconds':>8}{'ratio':>8}{'peak RSS MB':>13}{'zip MB':>8}{'target':>10}  met",
        (
            f"  {'service batches.export_batch (CSV+JSON+PDF+manifest)':<{w}}{s_s:>8.1f}{ratio:>7.2f}x{s_rss:>13.0f}"
            f"{median(service_runs, 'bytes') / 1e6:>8.1f}{'<=1.5x':>10}  {'met' if time_ok else 'NO'}"
        ),
        (
            f"  {'baseline: DB-API cursor, csv/json, platypus, zip':<{w}}{b_s:>8.1f}{1:>7.2f}x{b_rss:>13.0f}"
            f"{median(baseline_runs, 'bytes') / 1e6:>8.1f}"
        ),
        (
            f"  {'peak memory of the service export (own peak RSS)':<{w}}{'':>8}{'':>8}{s_rss:>13.0f}{'':>8}"
            f"{'<300 MB':>10}  {'met' if mem_ok else 'NO'}"
        ),
        (
            f"    RSS before the export (signed in, modules imported): {median(service_runs, 'rss_before_mb'):.0f} MB;"
            f" tracemalloc peak during the export: {traced['traced_peak_mb']:.0f} MB"
        ),
        (
            f"    peak RSS = VmHWM of the child; its ru_maxrss: service {median(service_runs, 'maxrss_mb'):.0f} MB,"
            f" baseline {median(baseline_runs, 'maxrss_mb'):.0f} MB (Linux carries the parent's peak,"
            f" {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB here, into a child's ru_maxrss)"
        ),
        f"    bundle: {', '.join(first['files'])}; manifest says {first['claims']:,} claims, {first['lines']:,} lines",
        (
            f"  decryption, the same in both: {baseline_runs[0]['patients_decrypted']} patients x 4 identity fields"
            f" (cached per patient), member number on each of the {n_lines:,} lines"
            f" (~{dec_s:.1f} s of each, timed apart)"
        ),
        (
            f"  baseline's parts (median): SELECT + decryption + CSV + JSON {rows_s:.1f} s,"
            f" PDF (platypus) {pdf_s:.1f} s, zip + fsync {zip_s:.1f} s"
        ),
        (
            "  runs (s): service "
            + "/".join(f"{r['seconds']:.1f}" for r in service_runs)
            + "; baseline "
            + "/".join(f"{r['seconds']:.1f}" for r in baseline_runs)
        ),
        f"  whole bench: {time.perf_counter() - started:.0f} s",
    ]
    print("\n".join(out))
    if profiled is not None:
        print(f"\ncProfile of one service export ({profiled['seconds']:.1f} s under the profiler):")
        print("\n".join("  " + line for line in profiled["profile"]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
