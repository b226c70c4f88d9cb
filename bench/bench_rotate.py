"""Key rotation of a site with many claims (issue 12): time and peak memory, on SQLite and
PostgreSQL, against a raw rewrite of the same data measured in the same run.

A site is made with the real services (one insurer, one patient, one check, one claim),
then grown by cloning those rows in bulk: `--claims` claims (default 100,000) of 2 lines,
one coverage check each, one patient per `--claims-per-patient` claims, every patient's
identity encrypted under the site's key with its NIR index and name tokens, as the services
write them. Then, each in a fresh process (so its peak resident memory is its own):

- `keys.rotate`, the service (re-encrypts every encrypted column and blind index in
  committed batches; on SQLite, then PRAGMA rekey of the whole file);
- the baseline: on SQLite, a raw `PRAGMA rekey` of a copy of the same file (what the file
  alone costs to re-encrypt); on PostgreSQL, raw `UPDATE`s rewriting the same columns of
  the same rows in place, without any cryptography.

Usage:
  .venv/bin/python bench/bench_rotate.py                       # SQLite, 100,000 claims
  .venv/bin/python bench/bench_rotate.py --claims 20000 --postgres postgresql://postgres@127.0.0.1:5432/postgres
"""

from __future__ import annotations

import argparse
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
from datetime import date
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import psycopg
from sqlalchemy import Table, insert, select

from verifier.domain.coverage import Guarantee
from verifier.security import crypto
from verifier.services import auth, checks, claims, directory, patients
from verifier.services.demo import nir_for
from verifier.services.patients import nir_index, search_tokens
from verifier.store.engine import Location, rekey_sqlite
from verifier.store.schema import Base

PASSWORD = "banc essai lanterne prairie 2026"
ADMIN = "bench-admin"
AMC = "90412345"
CHUNK = 5000
SURNAMES = ("MARTIN", "BERNARD", "DUBOIS", "THOMAS", "ROBERT", "RICHARD", "PETIT", "DURAND", "LEROY", "MOREAU")
FIRST = ("Jeanne", "Louis", "Camille", "Hugo", "Léa", "Jules", "Chloé", "Arthur", "Inès", "Gabriel")
CHEAP_KDF = crypto.KdfParams(time_cost=1, memory_cost=1024, parallelism=1)


def _table(name: str) -> Table:
    return Base.metadata.tables[name]


def build(location: Location, n_claims: int, per_patient: int) -> None:
    """The site, grown to `n_claims` claims by cloning the first one's rows."""
    crypto.set_default_kdf(CHEAP_KDF)
    ctx, _ = auth.initialise(location, auth.SiteInput("Pharmacie du banc d'essai"), ADMIN, "Admin", PASSWORD)
    with ctx:
        directory.add_insurer(ctx, AMC, "Mutuelle Exemple des Alpes")
        patient, _ = patients.save(
            ctx,
            patients.PatientInput(
                "MODELE", "Anne", "14/03/1968", nir_for("2", "14/03/1968", "75", "056", 1), "1", "011751234", AMC,
                "ADH-1", date.today().replace(day=1), date(date.today().year + 1, 12, 31),
            ),
        )  # fmt: skip
        check = checks.record(
            ctx, checks.CheckInput(patient.id, AMC, "hotline", "covered", [Guarantee("PHAR", Decimal(100))], "HOT-1")
        )
        claims.create(
            ctx,
            check.id,
            [claims.LineDraft("Boîte", "PH7", 1, Decimal("10.00"), Decimal(65)), claims.LineDraft("Boîte", "PH4", 2, Decimal("4.50"), Decimal(30))],
            queue_now=True,
        )  # fmt: skip
        cipher = ctx.store.cipher
        p_t, c_t, cl_t, l_t, tok_t = (
            _table(n) for n in ("patients", "coverage_checks", "claims", "claim_lines", "patient_search_tokens")
        )
        with ctx.store.read() as s:
            p0 = dict(s.execute(select(p_t)).mappings().one())
            c0 = dict(s.execute(select(c_t)).mappings().one())
            cl0 = dict(s.execute(select(cl_t)).mappings().one())
            lines0 = [dict(r) for r in s.execute(select(l_t)).mappings().all()]
        rng = random.Random(7)
        n_patients = max(1, n_claims // per_patient)
        patient_ids: list[str] = []
        enc = cipher.encrypt
        for start in range(0, n_patients, CHUNK):
            prows, trows = [], []
            for i in range(start, min(start + CHUNK, n_patients)):
                pid = str(uuid.uuid4())
                surname, first = rng.choice(SURNAMES) + str(i), rng.choice(FIRST)
                nir = nir_for("1", "01/01/1960", "75", "056", 1 + i % 999)
                prows.append(
                    {
                        **p0,
                        "id": pid,
                        "surname_enc": enc(surname, "patients.surname"),
                        "first_name_enc": enc(first, "patients.first_name"),
                        "birth_date_enc": enc("01/01/1960", "patients.birth_date"),
                        "nir_enc": enc(nir, "patients.nir"),
                        "member_number_enc": enc(f"ADH-{i}", "patients.member_number"),
                        "nir_bidx": nir_index(cipher, nir),
                    }
                )
                trows += [{"patient_id": pid, "token": t} for t in search_tokens(cipher, surname, first)]
                patient_ids.append(pid)
            with ctx.store.write() as s:
                s.execute(insert(p_t), prows)
                s.execute(insert(tok_t), trows)
        number = int(cl0["number"])
        for start in range(1, n_claims, CHUNK):
            crows, clrows, lrows = [], [], []
            for i in range(start, min(start + CHUNK, n_claims)):
                pid = patient_ids[i % len(patient_ids)]
                cid, claim_id = str(uuid.uuid4()), str(uuid.uuid4())
                crows.append(
                    {
                        **c0,
                        "id": cid,
                        "patient_id": pid,
                        "member_number_enc": enc(f"ADH-{i}", "coverage_checks.member_number"),
                    }
                )
                clrows.append({**cl0, "id": claim_id, "number": number + i, "patient_id": pid, "check_id": cid})
                lrows += [{**{k: v for k, v in ln.items() if k != "id"}, "claim_id": claim_id} for ln in lines0]
            with ctx.store.write() as s:
                s.execute(insert(c_t), crows)
                s.execute(insert(cl_t), clrows)
                s.execute(insert(l_t), lrows)


def _peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB


def child_rotate(target: str) -> None:
    from verifier.services import keys

    crypto.set_default_kdf(CHEAP_KDF)
    location = Location.parse(target)
    with auth.sign_in(location, ADMIN, PASSWORD) as ctx:
        before = _peak_mib()
        started = time.perf_counter()
        result = keys.rotate(ctx, "bench")
        seconds = time.perf_counter() - started
    print(json.dumps({"seconds": seconds, "peak_mib": _peak_mib(), "before_mib": before, "finished": result.finished}))


def child_raw(target: str, key_hex: str) -> None:
    before = _peak_mib()
    started = time.perf_counter()
    if target.endswith(".db"):
        rekey_sqlite(Path(target), bytes.fromhex(key_hex), os.urandom(32))
    else:
        with psycopg.connect(target) as conn:
            conn.execute(
                "UPDATE patients SET surname_enc = surname_enc || '', first_name_enc = first_name_enc || '',"
                " birth_date_enc = birth_date_enc || '', nir_enc = nir_enc || '', member_number_enc = member_number_enc || '',"
                " nir_bidx = nir_bidx || ''"
            )
            conn.execute("UPDATE patient_search_tokens SET token = token || ''")
            conn.execute("UPDATE coverage_checks SET member_number_enc = member_number_enc || ''")
    seconds = time.perf_counter() - started
    print(json.dumps({"seconds": seconds, "peak_mib": _peak_mib(), "before_mib": before, "finished": True}))


def _child(*args: str) -> dict[str, float]:
    out = subprocess.run([sys.executable, __file__, *args], capture_output=True, text=True, check=True)
    result: dict[str, float] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def _key_of(db: Path) -> str:
    from verifier.security.keyslots import FileSlots, unlock

    return unlock(FileSlots.for_database(db), ADMIN, PASSWORD).hex()


def run(label: str, target: str, raw_target: str, key_hex: str) -> list[str]:
    raw = _child("--child-raw", raw_target, key_hex)
    rot = _child("--child-rotate", target)
    ratio = rot["seconds"] / raw["seconds"] if raw["seconds"] else float("inf")
    return [
        f"  {label:<44}{rot['seconds']:>9.1f} s{rot['peak_mib']:>9.0f} MiB{ratio:>9.1f}x",
        f"  {'  baseline: ' + ('raw PRAGMA rekey, same file' if raw_target.endswith('.db') else 'raw UPDATE of the same columns'):<44}"
        f"{raw['seconds']:>9.1f} s{raw['peak_mib']:>9.0f} MiB{1:>9.1f}x",
    ]


def main() -> int:
    if len(sys.argv) > 1 and sys.argv[1] == "--child-rotate":
        child_rotate(sys.argv[2])
        return 0
    if len(sys.argv) > 1 and sys.argv[1] == "--child-raw":
        child_raw(sys.argv[2], sys.argv[3])
        return 0
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--claims", type=int, default=100_000)
    parser.add_argument("--claims-per-patient", type=int, default=4)
    parser.add_argument("--postgres", help="a server URL whose user may create databases")
    parser.add_argument("--no-sqlite", action="store_true")
    args = parser.parse_args()
    print(f"Key rotation, {args.claims} claims of 2 lines, one patient per {args.claims_per_patient} claims")
    print(f"  {'':<44}{'time':>11}{'peak RSS':>13}{'ratio':>10}")
    tmp = Path(tempfile.mkdtemp(prefix="bench_rotate_"))
    try:
        if not args.no_sqlite:
            db = tmp / "site.db"
            started = time.perf_counter()
            build(Location(sqlite_path=db), args.claims, args.claims_per_patient)
            print(
                f"  (SQLite site built in {time.perf_counter() - started:.0f} s, {db.stat().st_size / 2**20:.0f} MiB)"
            )
            copy = tmp / "copy.db"
            shutil.copy2(db, copy)
            for suffix in ("-wal", "-shm"):
                if Path(str(db) + suffix).exists():
                    shutil.copy2(str(db) + suffix, str(copy) + suffix)
            print("\n".join(run("SQLite: keys.rotate (columns, indexes, rekey)", str(db), str(copy), _key_of(db))))
        if args.postgres:
            base = args.postgres.rsplit("/", 1)[0]
            names = [f"bench_rotate_{uuid.uuid4().hex[:8]}" for _ in range(2)]
            with psycopg.connect(args.postgres, autocommit=True) as conn:
                for name in names:
                    conn.execute(f'CREATE DATABASE "{name}"')
            try:
                service_url, raw_url = (f"{base}/{n}" for n in names)
                started = time.perf_counter()
                build(Location(url=service_url), args.claims, args.claims_per_patient)
                print(f"  (PostgreSQL site built in {time.perf_counter() - started:.0f} s)")
                with psycopg.connect(args.postgres, autocommit=True) as conn:  # the same rows, for the baseline
                    conn.execute(f'DROP DATABASE "{names[1]}"')
                    conn.execute(f'CREATE DATABASE "{names[1]}" TEMPLATE "{names[0]}"')
                print("\n".join(run("PostgreSQL: keys.rotate (columns, indexes)", service_url, raw_url, "")))
            finally:
                with psycopg.connect(args.postgres, autocommit=True) as conn:
                    for name in names:
                        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print("  ratio = the rotation's time over the baseline's, measured in the same run, each in its own process")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
