"""Where the data lives. Kept free of SQLAlchemy so that start-up can name a database cheaply."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Location:
    """Where the data lives: an SQLite file path, or a PostgreSQL URL."""

    sqlite_path: Path | None = None
    url: str | None = None

    @property
    def is_sqlite(self) -> bool:
        return self.sqlite_path is not None

    def describe(self) -> str:
        if self.sqlite_path is not None:
            return str(self.sqlite_path)
        from sqlalchemy.engine import make_url

        return make_url(self.url or "").render_as_string(hide_password=True)

    @classmethod
    def parse(cls, text: str) -> "Location":
        if "://" in text:
            if text.startswith("sqlite"):
                return cls(sqlite_path=Path(text.split(":///", 1)[1]))
            return cls(url=normalise_postgres_url(text))
        return cls(sqlite_path=Path(text).expanduser())


def normalise_postgres_url(url: str) -> str:
    """Use the psycopg 3 driver whatever the URL names."""
    for prefix in ("postgresql+psycopg2://", "postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url
