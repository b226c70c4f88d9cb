"""The queue screen on a million claims: opening it and searching, against raw queries.

    .venv/bin/python bench/bench_queue_view.py [--claims 1000000] [--repeat 20] [--pace 150] [--rebuild]

The first run builds an encrypted SQLite database under bench/out/ (git-ignored, ~1 GB,
~2 minutes) and keeps it; later runs reuse it when its marker file says it is complete and
of the current schema (revision and claims' indexes). The site, a dozen insurers, a few
thousand patients (real encrypted identities and blind name tokens) and one coverage check
each are made through the services; the claims (mostly paid, ~5 % queued, some made during
an outage, some rectified as version 2) and their lines are then bulk-inserted with the raw
driver in a few big transactions (a fixture, not what is measured). Bulk claims have no
audit events; the events that exist (site, users, insurers, patients, checks) keep a valid
chain, checked at the end of the build.

Measured in this process, on the real widgets (offscreen Qt) and the real services:

1. opening the queue: from constructing `QueueView(ctx)` (its model, view and filters) until
   the model has rows and the visible rows have been painted (a synchronous repaint, which
   makes every `data()` call of the first screen);
2. search: from a keystroke in the search field (or a status chosen in the filter) until
   the model holds the new first page, for each keystroke of surnames typed letter by
   letter, a claim number, a NIR typed in full, and each status; `--pace` ms between
   keystrokes (a quick typist), then once more back to back;
3. for information: a click on each sortable header, and further pages fetched in turn.

Each is printed next to a baseline measured in the same run: the very SQL statements the
service sent for that page (captured on the engine), replayed with the raw driver on a kept
connection, fetching every row but decrypting nothing. The counts and totals per insurer
are computed off the GUI thread once the page is shown; their arrival time is printed too.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import sqlcipher3.dbapi2 as sqlcipher
from PySide6.QtCore import QEventLoop, QModelIndex, Qt, QThreadPool, QTimer
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication
from sqlalchemy import event, text

from verifier.domain.claims import LineInput, compute_line
from verifier.domain.coverage import Guarantee, guarantee_for
from verifier.domain.states import ClaimStatus
from verifier.gui.queue import QueueView
from verifier.security import crypto
from verifier.services import audit, auth, checks, directory, patients, queue
from verifier.services.context import Context
from verifier.services.demo import nir_for
from verifier.store import migrate
from verifier.store.engine import Location
from verifier.store.schema import Claim

OUT = ROOT / "bench" / "out"
PASSWORD = "banc essai lanterne prairie 2026"
ADMIN = "bench-admin"
OPEN_TARGET_MS = 150.0
SEARCH_TARGET_MS = 30.0

# --- the fixture ---------------------------------------------------------------------------

SURNAMES = """MARTIN BERNARD THOMAS PETIT ROBERT RICHARD DURAND DUBOIS MOREAU LAURENT SIMON MICHEL
LEFEBVRE LEROY ROUX DAVID BERTRAND MOREL FOURNIER GIRARD BONNET DUPONT LAMBERT FONTAINE ROUSSEAU
VINCENT MULLER LEFEVRE FAURE ANDRE MERCIER BLANC GUERIN BOYER GARNIER CHEVALIER FRANCOIS LEGRAND
GAUTHIER GARCIA PERRIN ROBIN CLEMENT MORIN NICOLAS HENRY ROUSSEL MATHIEU GAUTIER MASSON MARCHAND
DUVAL DENIS DUMONT MARIE LEMAIRE NOEL MEYER DUFOUR MEUNIER BRUN BLANCHARD GIRAUD JOLY RIVIERE
LUCAS BRUNET GAILLARD BARBIER ARNAUD MARTINEZ GERARD ROCHE RENARD SCHMITT ROY LEROUX COLIN VIDAL
CARON PICARD ROGER FABRE AUBERT LEMOINE RENAUD DUMAS LACROIX OLIVIER PHILIPPE BOURGEOIS PIERRE
BENOIT REY LECLERC PAYET ROLLAND LECLERCQ GUILLAUME LECOMTE LOPEZ JEAN DUPUY GUILLOT HUBERT BERGER
CARPENTIER SANCHEZ DUPUIS MOULIN LOUIS DESCHAMPS HUET VASSEUR PEREZ BOUCHER FLEURY ROYER KLEIN
JACQUET ADAM PARIS POIRIER MARTY AUBRY GUYOT CARRE CHARLES RENAULT CHARPENTIER MENARD MAILLARD
BARON BERTIN BAILLY HERVE SCHNEIDER FERNANDEZ LE\u00a0GALL COLLET LEGER BOUVIER JULIEN PREVOST MILLET
PERROT DANIEL LE\u00a0ROUX COUSIN GERMAIN BRETON BESSON LANGLOIS REMY LE\u00a0GOFF PELLETIER LEVEQUE
PERRIER LEBLANC BARRE LEBRUN MARCHAL WEBER MALLET HAMON BOULANGER JACOB MONNIER MICHAUD RODRIGUEZ
GUICHARD GILLET ETIENNE GRONDIN POULAIN TESSIER CHEVALLIER COLLIN CHAUVIN DA\u00a0SILVA BOUCHET GAY
LEMAITRE BENARD MARECHAL HUMBERT REYNAUD ANTOINE HOARAU PERRET BARTHELEMY CORDIER PICHON LEJEUNE
GILBERT LAMY DELAUNAY PASQUIER CARLIER LAPORTE""".replace("\u00a0", " ").split("\n")
SURNAMES = [s for line in SURNAMES for s in line.split(" ") if s]
FIRST_NAMES = """Marie Jean Pierre Michel André Philippe Nathalie Isabelle Sylvie Catherine Françoise
Alain Jacques Christophe Patrick Nicolas Stéphane Sandrine Valérie Christine Monique Martine
Frédéric Éric Laurent Julien Sébastien Céline Aurélie Émilie Camille Léa Manon Chloé Inès Jade
Louise Lucas Hugo Louis Gabriel Arthur Raphaël Léo Jules Adam Maël Noah Éloïse Zoé Anaïs Océane
Hélène Béatrice Agnès Gérard Bernard Daniel René Roger Claude Yvette Odette Josiane Geneviève""".split()
INSURER_NAMES = [
    "Mutuelle Exemple des Alpes",
    "Prévoyance Fictive du Nord",
    "Complémentaire Démo Santé",
    "Mutuelle des Métiers Imaginaires",
    "Caisse Solidaire de l'Ouest",
    "Santé Horizon Mutuelle",
    "Union Mutualiste du Littoral",
    "Prévoyance des Vallées",
    "Mutuelle Générale Factice",
    "Assurance Santé du Centre",
    "Harmonie Fictive",
    "Mutuelle Familiale du Sud-Est",
]
# (label, prestation code, unit price, AMO rate) for the lines; amounts computed for real.
PRODUCTS = [
    ("Paracétamol 1 g, 8 comprimés", "PH7", "2.18", "65"),
    ("Amoxicilline 500 mg, 12 gélules", "PH7", "4.37", "65"),
    ("Ibuprofène 400 mg, 30 comprimés", "PH7", "3.53", "65"),
    ("Oméprazole 20 mg, 28 gélules", "PH4", "6.83", "30"),
    ("Atorvastatine 20 mg, 90 comprimés", "PH7", "23.91", "65"),
    ("Lévothyroxine 75 µg, 90 comprimés", "PH7", "6.02", "65"),
    ("Veinotonique, 60 gélules", "PH2", "7.45", "15"),
    ("Bande de contention", "1104501", "19.60", "60"),
]
GUARANTEES = [
    [Guarantee("PHAR", Decimal(100))],
    [Guarantee("PHAR", Decimal(200))],
    [Guarantee("PHAR", Decimal(100)), Guarantee("LPP", Decimal(100))],
]
# Statuses by age: old claims are mostly paid; the newest tenth holds most of the queue.
OLD_MIX = [("paid", 88), ("accepted", 2), ("rejected", 3), ("void", 4), ("exported", 1), ("queued", 2)]
NEW_MIX = [("queued", 35), ("exported", 25), ("accepted", 10), ("paid", 15), ("draft", 8), ("rejected", 2), ("void", 5)]
BATCHED = {"exported", "accepted", "rejected", "paid"}


@dataclass(frozen=True)
class Fixture:
    location: Location
    claims: int
    patients: int
    insurers: int


def fixture_dir(claims: int) -> Path:
    return OUT / f"queue-{claims}"


def _marker(claims: int) -> Path:
    return fixture_dir(claims) / "complete.json"


def fixture(claims: int, n_patients: int, rebuild: bool) -> Fixture:
    """The cached database, built first when missing, incomplete or of an older schema."""
    folder = fixture_dir(claims)
    location = Location(sqlite_path=folder / "verifier.db")
    marker = _marker(claims)
    if not rebuild and marker.exists():
        info = json.loads(marker.read_text("utf-8"))
        if info.get("schema") == schema_signature() and info.get("patients") == n_patients:
            print(f"reusing {folder} ({info['claims']} claims, built in {info['seconds']:.0f} s)")
            return Fixture(location, info["claims"], info["patients"], info["insurers"])
    if folder.exists():
        for p in folder.iterdir():
            p.unlink()
    folder.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    build(location, claims, n_patients)
    seconds = time.perf_counter() - started
    marker.write_text(
        json.dumps(
            {
                "claims": claims,
                "patients": n_patients,
                "insurers": len(INSURER_NAMES),
                "schema": schema_signature(),
                "seconds": seconds,
            }
        ),
        "utf-8",
    )
    print(f"built {folder} in {seconds:.0f} s")
    return Fixture(location, claims, n_patients, len(INSURER_NAMES))


def schema_signature() -> str:
    """The schema revision and the claims' indexes: a cached database must match both."""
    indexes = sorted(f"{ix.name}({','.join(c.name for c in ix.columns)})" for ix in Claim.__table__.indexes)
    return f"{migrate.head_revision()} {' '.join(indexes)}"


def _sqlite_time(d: datetime) -> str:
    """What SQLAlchemy's SQLite DateTime stores (UTC, no zone)."""
    return d.astimezone(UTC).replace(tzinfo=None).isoformat(sep=" ", timespec="microseconds")


def raw_connection(location: Location, key: bytes) -> Any:
    """A raw SQLCipher connection with the engine's pragmas (see store/engine.py)."""
    assert location.sqlite_path is not None
    conn = sqlcipher.connect(str(location.sqlite_path), timeout=60, check_same_thread=False, isolation_level=None)
    conn.execute(f"PRAGMA key = \"x'{key.hex()}'\"")
    conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = FULL")
    conn.execute("PRAGMA foreign_keys = ON")
    conn.execute("PRAGMA busy_timeout = 60000")
    return conn


def build(location: Location, n_claims: int, n_patients: int) -> None:
    rng = random.Random(20241)
    crypto.set_default_kdf(crypto.KdfParams(time_cost=1, memory_cost=1024, parallelism=1))  # set-up only
    ctx, _ = auth.initialise(
        location, auth.SiteInput("Pharmacie du banc d'essai", "750000001", "7512345"), ADMIN, "Administrateur", PASSWORD
    )
    try:
        directory.add_operator(ctx, "VIAMEDIS", "Viamedis")
        directory.add_operator(ctx, "ALMERYS", "Almerys")
        insurers = [
            directory.add_insurer(ctx, f"{90100000 + 7919 * i}", name, ("VIAMEDIS", "ALMERYS", None)[i % 3])
            for i, name in enumerate(INSURER_NAMES)
        ]
        t0 = time.perf_counter()
        people = []  # (patient id, insurer id, check id)
        weights = [1 / (i + 1) ** 0.6 for i in range(len(SURNAMES))]  # a few names are common
        for i in range(n_patients):
            sex = rng.choice("12")
            birth = f"{rng.randint(1, 28):02d}/{rng.randint(1, 12):02d}/{rng.randint(1935, 2020)}"
            ins = insurers[i % len(insurers)]
            info, _ = patients.save(
                ctx,
                patients.PatientInput(
                    rng.choices(SURNAMES, weights)[0],
                    rng.choice(FIRST_NAMES),
                    birth,
                    nir_for(
                        sex,
                        birth,
                        f"{rng.randint(1, 95):02d}".replace("20", "21"),
                        f"{rng.randint(1, 899):03d}",
                        1 + i % 997,
                    ),
                    "1",
                    "011751234",
                    ins.amc_number,
                    f"ADH{rng.randrange(10**6, 10**7)}",
                ),
            )
            check = checks.record(
                ctx,
                checks.CheckInput(
                    info.id,
                    ins.amc_number,
                    "hotline",
                    "covered",
                    rng.choice(GUARANTEES),
                    reference=f"REF-{rng.randrange(10**5, 10**6)}",
                ),
            )
            people.append((info.id, ins.id, check.id, rng.randrange(3)))
            if (i + 1) % 500 == 0:
                print(f"  {i + 1} patients and checks ({time.perf_counter() - t0:.0f} s)", flush=True)
        _bulk_claims(location, ctx, people, n_claims, rng)
        report = audit.verify(ctx)
        assert report.broken_at is None, report
    finally:
        ctx.close()


def _line_templates() -> list[list[tuple[dict[str, Any], Any]]]:
    """Per guarantee, every product at quantities 1-3 with its real amounts."""
    out = []
    for guarantees in GUARANTEES:
        rows = []
        for label, code, price, rate in PRODUCTS:
            for qty in (1, 2, 3):
                li = LineInput(code, qty, Decimal(price), Decimal(rate))
                a = compute_line(li, guarantee_for(code, guarantees))
                cents = lambda d: int(d * 100)  # noqa: E731
                rows.append(
                    (
                        {
                            "code": "" if code.startswith("PH") else code,
                            "code_kind": "manual" if code.startswith("PH") else "lpp",
                            "label": label,
                            "prestation_code": code,
                            "quantity": qty,
                            "unit_price": cents(li.unit_price),
                            "br_unit": cents(li.unit_price),
                            "amo_rate": cents(li.amo_rate),
                            "price": cents(a.price),
                            "br": cents(a.br),
                            "amo": cents(a.amo),
                            "tm": cents(a.tm),
                            "amc": cents(a.amc),
                            "patient_share": cents(a.patient),
                        },
                        a,
                    )
                )
        out.append(rows)
    return out


CLAIM_COLUMNS = (
    "id, number, version, previous_id, status, patient_id, insurer_id, check_id, batch_id,"
    " dispensed_on, prescriber_rpps, operator_down, outage_id, override_reason, override_by,"
    " void_reason, rejection_code, rejection_text, paid_amount, paid_on, price, br, amo, tm, amc,"
    " patient_share, created_by, created_at, updated_at, queued_at"
).split(", ")
LINE_COLUMNS = (
    "claim_id, position, code, code_kind, label, prestation_code, quantity, unit_price, br_unit,"
    " amo_rate, price, br, amo, tm, amc, patient_share"
).split(", ")


def _pick(rng: random.Random, mix: list[tuple[str, int]]) -> str:
    return rng.choices([s for s, _ in mix], [w for _, w in mix])[0]


def _bulk_claims(
    location: Location, ctx: Context, people: list[tuple[str, int, str, int]], n: int, rng: random.Random
) -> None:
    conn = raw_connection(location, ctx.store.cipher.database_key)
    conn.execute("PRAGMA cache_size = -1000000")  # 1 GB while loading
    conn.execute("PRAGMA synchronous = OFF")  # a fixture: rebuilt if the run dies
    # Secondary indexes are dropped while loading and made again at the end (same SQL).
    indexes = conn.execute(
        "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name IN ('claims', 'claim_lines')"
        " AND sql IS NOT NULL"
    ).fetchall()
    for name, _ in indexes:
        conn.execute(f'DROP INDEX "{name}"')
    templates = _line_templates()
    today = date.today()
    start = today - timedelta(days=3 * 365)
    span = (today - start).days
    claim_sql = f"INSERT INTO claims ({', '.join(CLAIM_COLUMNS)}) VALUES ({', '.join('?' * len(CLAIM_COLUMNS))})"
    line_sql = f"INSERT INTO claim_lines ({', '.join(LINE_COLUMNS)}) VALUES ({', '.join('?' * len(LINE_COLUMNS))})"
    batch_sql = (
        "INSERT INTO batches (id, insurer_id, number, status, created_by, created_at, sent_at, channel,"
        " claim_count, total_amc) VALUES (?, ?, ?, 'sent', ?, ?, ?, 'email', 0, 0)"
    )
    batches: dict[tuple[int, int], int] = {}
    batch_numbers: dict[int, int] = {}
    batch_totals: dict[int, list[int]] = {}
    pending: dict[int, list[tuple[str, int, str, int]]] = {}  # number -> rectifications due then
    user = ctx.actor.user_id
    number = 0
    made = 0
    t0 = time.perf_counter()
    chunk_claims: list[tuple[Any, ...]] = []
    chunk_lines: list[tuple[Any, ...]] = []
    chunk_batches: list[tuple[Any, ...]] = []
    conn.execute("BEGIN")
    while made < n:
        number += 1
        age = number / n
        due = pending.pop(number, None)
        if due:
            pid, iid, cid, g = due[0][:4]
            previous_id, version = due[0][4], due[0][5]  # type: ignore[misc]
        else:
            pid, iid, cid, g = people[rng.randrange(len(people))]
            previous_id, version = None, 1
        status = _pick(rng, NEW_MIX if age > 0.9 else OLD_MIX)
        day = start + timedelta(days=min(span, int(age * span) + rng.randint(-2, 0)))
        created = datetime(day.year, day.month, day.day, 8, tzinfo=UTC) + timedelta(minutes=rng.randrange(600))
        lines = [templates[g][rng.randrange(len(templates[g]))] for _ in range(1 if rng.random() < 0.7 else 2)]
        totals = {k: sum(row[k] for row, _ in lines) for k in ("price", "br", "amo", "tm", "amc", "patient_share")}
        claim_id = str(uuid.uuid4())
        batch_id = None
        if status in BATCHED:
            key = (iid, day.year * 100 + day.month)
            batch_id = batches.get(key)
            if batch_id is None:
                batch_id = batches[key] = len(batches) + 1
                batch_numbers[iid] = batch_numbers.get(iid, 0) + 1
                sent = _sqlite_time(created + timedelta(days=31))
                chunk_batches.append((batch_id, iid, batch_numbers[iid], user, sent, sent))
                batch_totals[batch_id] = [0, 0]
            batch_totals[batch_id][0] += 1
            batch_totals[batch_id][1] += totals["amc"]
        when = _sqlite_time(created)
        chunk_claims.append(
            (
                claim_id,
                number,
                version,
                previous_id,
                status,
                pid,
                iid,
                cid,
                batch_id,
                day.isoformat(),
                None,
                int(rng.random() < 0.25),
                None,
                None,
                None,
                "Saisie en double" if status == "void" else None,
                "DROITS" if status == "rejected" else None,
                "Droits non ouverts à la date des soins" if status == "rejected" else None,
                totals["amc"] if status == "paid" else None,
                (day + timedelta(days=45)).isoformat() if status == "paid" else None,
                totals["price"],
                totals["br"],
                totals["amo"],
                totals["tm"],
                totals["amc"],
                totals["patient_share"],
                user,
                when,
                when,
                None if status == "draft" else when,
            )
        )
        for pos, (row, _) in enumerate(lines, start=1):
            chunk_lines.append((claim_id, pos, *(row[c] for c in LINE_COLUMNS[2:])))
        if status == "rejected" and version < 3 and rng.random() < 0.3:
            later = number + rng.randint(20, 3000)
            pending.setdefault(later, []).append((pid, iid, cid, g, claim_id, version + 1))  # type: ignore[arg-type]
        for extra in due[1:] if due else []:  # two rectifications due at once: the next number
            pending.setdefault(number + 1, []).append(extra)
        made += 1
        if made % 50_000 == 0 or made == n:
            conn.executemany(batch_sql, chunk_batches)
            conn.executemany(claim_sql, chunk_claims)
            conn.executemany(line_sql, chunk_lines)
            chunk_claims, chunk_lines, chunk_batches = [], [], []
            if made % 250_000 == 0 or made == n:
                conn.execute("COMMIT")
                conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
                print(f"  {made} claims ({time.perf_counter() - t0:.0f} s)", flush=True)
                conn.execute("BEGIN")
    conn.executemany(
        "UPDATE batches SET claim_count = ?, total_amc = ? WHERE id = ?",
        [(c, amc, bid) for bid, (c, amc) in batch_totals.items()],
    )
    conn.execute("UPDATE counters SET value = ? WHERE name = 'claim_number'", (number,))
    conn.execute("INSERT OR IGNORE INTO counters (name, value) VALUES ('claim_number', ?)", (number,))
    for iid, last in batch_numbers.items():
        conn.execute("INSERT OR REPLACE INTO counters (name, value) VALUES (?, ?)", (f"batch_number:{iid}", last))
    conn.execute("COMMIT")
    t1 = time.perf_counter()
    for _, sql in indexes:
        conn.execute(sql)
    print(f"  indexes made again ({time.perf_counter() - t1:.0f} s)", flush=True)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    broken = conn.execute("PRAGMA foreign_key_check").fetchall()
    assert not broken, broken[:5]
    conn.close()


# --- measuring -----------------------------------------------------------------------------


class Capture:
    """The SQL each `queue.read_page` call sends, recorded on its own thread only.

    The model calls `queue.read_page` on the thread pool while `queue.summary` may run on
    another thread: a thread-local flag set around `read_page` keeps the two apart.
    """

    def __init__(self, ctx: Context) -> None:
        self.local = threading.local()
        self.calls: list[list[tuple[str, Any]]] = []
        self.lock = threading.Lock()
        event.listen(ctx.store.engine, "before_cursor_execute", self._statement)
        self._real = queue.read_page
        queue.read_page = self._read_page  # type: ignore[assignment]  # the model looks it up per call

    def _read_page(self, *args: Any, **kwargs: Any) -> Any:
        self.local.statements = []
        try:
            return self._real(*args, **kwargs)
        finally:
            with self.lock:
                self.calls.append(self.local.statements)
            self.local.statements = None

    def _statement(
        self, conn: Any, cursor: Any, statement: str, parameters: Any, context: Any, executemany: bool
    ) -> None:
        statements = getattr(self.local, "statements", None)
        if statements is not None:
            statements.append((statement, parameters))

    def last(self) -> list[tuple[str, Any]]:
        with self.lock:
            return self.calls[-1]

    def close(self) -> None:
        queue.read_page = self._real  # type: ignore[assignment]


def replay(conn: Any, statements: list[tuple[str, Any]]) -> float:
    """Seconds the raw driver takes to run the same statements and fetch every row."""
    t0 = time.perf_counter()
    for sql, params in statements:
        conn.execute(sql, params).fetchall()
    if any(sql.startswith("BEGIN") for sql, _ in statements):  # the service's read transaction
        conn.execute("COMMIT")
    return time.perf_counter() - t0


def wait_for(signal: Any, done: Callable[[], bool]) -> None:
    """Run the event loop until `done()`, woken by `signal` (no polling: exact times)."""
    if done():
        return
    loop = QEventLoop()

    def check(*_: Any) -> None:
        if done():
            loop.quit()

    signal.connect(check)
    try:
        if not done():
            loop.exec()
    finally:
        signal.disconnect(check)


def pause(ms: int) -> None:
    if ms > 0:
        loop = QEventLoop()
        QTimer.singleShot(ms, loop.quit)
        loop.exec()


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(p / 100 * len(ordered) + 0.5) - 1))]


def first_screen(view: QueueView) -> int:
    """Answer the data() calls of the visible rows, as a paint does; returns how many rows."""
    view.table.viewport().repaint()  # a synchronous paint: data() for every visible cell
    return view.table.rowAt(view.table.viewport().height() - 1) + 1 or view.model.rowCount()


@dataclass
class Timing:
    label: str
    service: list[float]
    baseline: list[float]
    summary: list[float]


def measure_opening(ctx: Context, conn: Any, capture: Capture, repeat: int) -> Timing:
    t = Timing("opening", [], [], [])
    for _ in range(repeat):
        t0 = time.perf_counter()
        view = QueueView(ctx, open_url=lambda url: True)
        view.resize(1366, 768)
        view.show()
        wait_for(view.model.page_loaded, lambda: view.model.rowCount() > 0)
        shown = first_screen(view)
        t.service.append(time.perf_counter() - t0)
        assert shown > 10, shown
        wait_for(view.model.summary_ready, lambda: view.model.summary is not None)
        t.summary.append(time.perf_counter() - t0)
        t.baseline.append(replay(conn, capture.last()))
        view.close()
        view.deleteLater()
        QApplication.processEvents()
    return t


def keystrokes(fx: Fixture, ctx: Context) -> list[tuple[str, str, Any]]:
    """(kind, shown text, action) for ~55 keystrokes: names, a number, a NIR, the status filter."""
    with ctx.store.read() as s:
        number = s.execute(text("SELECT number FROM claims ORDER BY number DESC LIMIT 1 OFFSET 4321")).scalar_one()
        pid = s.execute(text("SELECT patient_id FROM claims WHERE number = :n"), {"n": number}).scalar_one()
    nir = patients.get(ctx, pid).nir
    keys: list[tuple[str, str, Any]] = []
    for word in ("martin c", "lefebvre", "girard"):
        for i in range(1, len(word) + 1):
            keys.append(("surname prefix", word[:i], ("type", word[i - 1])))
        keys.append(("surname prefix", "(Escape)", ("clear", None)))
    for i, digit in enumerate(str(number), start=1):
        keys.append(("claim number", str(number)[:i], ("type", digit)))
    keys.append(("claim number", "(Escape)", ("clear", None)))
    for i, char in enumerate(nir, start=1):
        keys.append(("exact NIR" if i == 15 else "NIR being typed", nir[:i], ("type", char)))
    keys.append(("exact NIR", "(Escape)", ("clear", None)))
    for status in [*ClaimStatus, None]:
        keys.append(("status filter", status.value if status else "(all)", ("status", status)))
    return keys


def measure_search(
    ctx: Context, conn: Any, capture: Capture, keys: list[tuple[str, str, Any]], pace_ms: int
) -> tuple[list[Timing], list[tuple[str, str, float, float, int]]]:
    view = QueueView(ctx, open_url=lambda url: True)
    view.resize(1366, 768)
    view.show()
    model = view.model
    wait_for(model.page_loaded, lambda: model.rowCount() > 0)
    wait_for(model.summary_ready, lambda: model.summary is not None)
    timings: dict[str, Timing] = {}
    detail: list[tuple[str, str, float, float, int]] = []
    edit, combo = view.filters.search_edit, view.filters.status_combo
    for kind, shown, (what, arg) in keys:
        pause(pace_ms)
        before = model.generation
        t0 = time.perf_counter()
        if what == "type":
            QTest.keyClick(edit, arg)
        elif what == "clear":
            QTest.keyClick(edit, Qt.Key.Key_Escape)
        else:
            combo.setCurrentIndex(combo.findData(arg.value if arg else None))
        target = model.generation
        assert target > before, (kind, shown)
        wait_for(model.page_loaded, lambda: model.shown_generation == target)
        elapsed = time.perf_counter() - t0
        base = replay(conn, capture.last())
        t = timings.setdefault(kind, Timing(kind, [], [], []))
        t.service.append(elapsed)
        t.baseline.append(base)
        detail.append((kind, shown, elapsed, base, model.rowCount()))
    view.close()
    QThreadPool.globalInstance().waitForDone()
    return list(timings.values()), detail


def measure_sort_and_scroll(ctx: Context, capture: Capture, conn: Any, pace_ms: int) -> list[Timing]:
    """A click on each sortable header (both ways), then 20 pages fetched as if scrolled to."""
    view = QueueView(ctx, open_url=lambda url: True)
    view.resize(1366, 768)
    view.show()
    model = view.model
    wait_for(model.page_loaded, lambda: model.rowCount() > 0)
    sort = Timing("header click", [], [], [])
    for column in (1, 4, 5, 6, 7, 0):  # date, insurer, amount, status, flags, number
        for order in (Qt.SortOrder.AscendingOrder, Qt.SortOrder.DescendingOrder):
            pause(pace_ms)
            t0 = time.perf_counter()
            view.table.sortByColumn(column, order)
            target = model.generation
            wait_for(model.page_loaded, lambda: model.shown_generation == target and not model.loading)
            sort.service.append(time.perf_counter() - t0)
            sort.baseline.append(replay(conn, capture.last()))
    scroll = Timing("next page (scroll)", [], [], [])
    for _ in range(20):
        count = model.rowCount()
        t0 = time.perf_counter()
        model.fetchMore(QModelIndex())
        wait_for(model.page_loaded, lambda: model.rowCount() > count and not model.loading)
        scroll.service.append(time.perf_counter() - t0)
        scroll.baseline.append(replay(conn, capture.last()))
    view.close()
    QThreadPool.globalInstance().waitForDone()
    return [sort, scroll]


def report(title: str, rows: list[Timing], target_ms: float, p: float = 95) -> list[str]:
    out = [
        title,
        f"  {'':<20}{'n':>4}{'median ms':>11}{f'p{p:g} ms':>9}{'raw median':>12}{f'raw p{p:g}':>9}"
        f"{'ratio p' + format(p, 'g'):>10}{'target':>9}  met",
    ]
    for t in rows:
        med, hi = statistics.median(t.service) * 1000, pct(t.service, p) * 1000
        bmed, bhi = statistics.median(t.baseline) * 1000, pct(t.baseline, p) * 1000
        ratio = hi / bhi if bhi > 0 else float("inf")
        out.append(
            f"  {t.label:<20}{len(t.service):>4}{med:>11.1f}{hi:>9.1f}{bmed:>12.2f}{bhi:>9.2f}{ratio:>9.0f}x"
            f"{'<' + format(target_ms, 'g') + ' ms':>9}  {'yes' if hi < target_ms else 'NO'}"
        )
    return out


def measure(fx: Fixture, repeat: int, pace_ms: int) -> list[str]:
    app = QApplication.instance() or QApplication([])
    assert isinstance(app, QApplication)
    ctx = auth.sign_in(fx.location, ADMIN, PASSWORD)
    conn = raw_connection(fx.location, ctx.store.cipher.database_key)
    capture = Capture(ctx)
    try:
        # Warm-up: the first opening pays for imports and the page cache.
        measure_opening(ctx, conn, capture, 2)
        opening = measure_opening(ctx, conn, capture, repeat)
        keys = keystrokes(fx, ctx)
        typed, detail = measure_search(ctx, conn, capture, keys, pace_ms)
        every = Timing(
            "all keystrokes", [x for t in typed for x in t.service], [x for t in typed for x in t.baseline], []
        )
        busy, _ = measure_search(ctx, conn, capture, keys, 0)
        moves = measure_sort_and_scroll(ctx, capture, conn, pace_ms)
        busy_all = Timing(
            "all, back to back", [x for t in busy for x in t.service], [x for t in busy for x in t.baseline], []
        )
    finally:
        capture.close()
        conn.close()
        QThreadPool.globalInstance().waitForDone()
        ctx.close()
    out = [
        f"{fx.claims:,} claims, {fx.patients:,} patients, {fx.insurers} insurers; encrypted SQLite (SQLCipher, WAL)",
        "raw = the same SQL statements the service sent for that page, replayed with the raw driver on a kept"
        " connection (fetchall, no decryption, no Qt)",
        "",
    ]
    out += report(
        f"1. opening the queue: QueueView(ctx) built, shown, first page in the model and the visible"
        f" rows painted ({repeat} runs after 2 warm-up runs)",
        [opening],
        OPEN_TARGET_MS,
    )
    out.append(
        f"  counts and totals per insurer (off the GUI thread) shown after: median "
        f"{statistics.median(opening.summary) * 1000:.0f} ms, p95 {pct(opening.summary, 95) * 1000:.0f} ms"
        " from construction"
    )
    out += [""] + report(
        f"2. search: keystroke (or status chosen) until the model holds the new first page;"
        f" {pace_ms} ms between keystrokes",
        [*typed, every],
        SEARCH_TARGET_MS,
    )
    out += report(
        "   the same keystrokes back to back (each as soon as the previous results are in;"
        " the totals of earlier ones may still be computing)",
        [busy_all],
        SEARCH_TARGET_MS,
    )[1:]
    out += [""] + report(
        "3. for information: a click on each sortable header, both ways (until the new first page"
        " is in the model), and 20 further pages fetched in turn",
        moves,
        SEARCH_TARGET_MS,
    )
    slowest = sorted(detail, key=lambda d: -d[2])[:5]
    out.append(
        "  slowest keystrokes: "
        + "; ".join(
            f"{kind} {shown!r} {ms * 1000:.1f} ms (raw {base * 1000:.2f}, {rows} rows)"
            for kind, shown, ms, base, rows in slowest
        )
    )
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--claims", type=int, default=1_000_000, help="claims in the database (default 1,000,000)")
    parser.add_argument("--patients", type=int, default=3000, help="patients (default 3,000)")
    parser.add_argument("--rebuild", action="store_true", help="build the database again even if cached")
    parser.add_argument("--repeat", type=int, default=20, help="times the queue is opened (default 20)")
    parser.add_argument("--pace", type=int, default=150, help="ms between keystrokes (default 150)")
    parser.add_argument("--build-only", action="store_true", help="build (or check) the database and stop")
    args = parser.parse_args(argv)
    crypto.set_default_kdf(crypto.KdfParams(time_cost=1, memory_cost=1024, parallelism=1))
    fx = fixture(args.claims, args.patients, args.rebuild)
    if args.build_only:
        return 0
    print("\n".join(measure(fx, args.repeat, args.pace)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
