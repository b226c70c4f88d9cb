"""Make `tests/data/schema-<rev>.db` (+ `.keys`, + `.json` manifest) at the current head.

Run once each time a migration is added, BEFORE adding the next one, so that every schema
the application ever shipped stays as a file that the upgrade test opens:
    .venv/bin/python tests/data/make_fixture.py
The data is the fictional demo data; the password is FIXTURE_PASSWORD below.
"""

from __future__ import annotations

import json
import shutil
import sys
import tempfile
from pathlib import Path

from sqlalchemy import func, select

from verifier.security import crypto
from verifier.services import demo
from verifier.store import migrate
from verifier.store.database import open_store
from verifier.store.engine import Location
from verifier.store.schema import Base, Claim

FIXTURE_PASSWORD = demo.DEMO_PASSWORD
HERE = Path(__file__).resolve().parent


def manifest(location: Location) -> dict[str, object]:
    store = open_store(location, demo.DEMO_ADMIN, FIXTURE_PASSWORD)
    try:
        with store.read() as s:
            counts = {t.name: s.scalar(select(func.count()).select_from(t)) for t in Base.metadata.sorted_tables}
            claims = [
                [c.id, c.number, c.status, str(c.amc), len(c.lines)]
                for c in s.scalars(select(Claim).order_by(Claim.number))
            ]
        return {"revision": migrate.current_revision(store.engine), "counts": counts, "claims": claims}
    finally:
        store.close()


def main() -> int:
    crypto.set_default_kdf(crypto.KdfParams(time_cost=1, memory_cost=1024, parallelism=1))
    rev = migrate.head_revision()
    target = HERE / f"schema-{rev}.db"
    if target.exists():
        print(f"{target.name} exists already; a fixture is never regenerated", file=sys.stderr)
        return 1
    with tempfile.TemporaryDirectory() as tmp:
        loc = Location(sqlite_path=Path(tmp) / "fixture.db")
        demo.build(loc)
        data = manifest(loc)
        shutil.copy2(loc.sqlite_path, target)  # type: ignore[arg-type]
        shutil.copy2(Path(tmp) / "fixture.db.keys", HERE / f"schema-{rev}.db.keys")
    (HERE / f"schema-{rev}.json").write_text(json.dumps(data, indent=1), "utf-8")
    print(f"wrote {target.name}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
