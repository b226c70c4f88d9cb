"""Settings read at start-up: database location and language.

Order of precedence for the database: `--db` on the command line, then the
VERIFIER_DATABASE_URL environment variable, then `database` in config.json, then the
embedded default (an encrypted SQLite file in the user's data folder).
No secret is ever written here: a PostgreSQL password belongs in the environment or in
the PostgreSQL password file (~/.pgpass), not in config.json.
"""

from __future__ import annotations

import os
from dataclasses import asdict, dataclass
from pathlib import Path

from verifier import paths
from verifier.store.location import Location


@dataclass
class Config:
    database: str | None = None
    language: str | None = None
    idle_lock_minutes: int = 5

    @staticmethod
    def path() -> Path:
        return paths.config_dir() / "config.json"

    @classmethod
    def load(cls) -> "Config":
        p = cls.path()
        if not p.exists():
            return cls()
        import json  # lazily: this runs before the first window

        data = json.loads(p.read_text("utf-8"))
        known = {k: v for k, v in data.items() if k in cls.__dataclass_fields__}
        return cls(**known)

    def save(self) -> None:
        p = self.path()
        p.parent.mkdir(parents=True, exist_ok=True)
        tmp = p.with_suffix(".tmp")
        import json

        tmp.write_text(json.dumps(asdict(self), indent=2), "utf-8")
        os.replace(tmp, p)


def database_location(cli_value: str | None = None, config: Config | None = None) -> Location:
    value = cli_value or os.environ.get("VERIFIER_DATABASE_URL") or (config or Config.load()).database
    if value:
        return Location.parse(value)
    return Location(sqlite_path=paths.default_database())
