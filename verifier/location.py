"""Where the data lives: a value the set-up screens and the command line build from what the
user typed, and the store opens. It imports nothing of verifier's and no SQLAlchemy, so every
layer may hold one (README, "Layout") and start-up can name a database cheaply."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qs, urlencode, urlsplit, urlunsplit

# libpq's own values. "prefer" (libpq's default) takes TLS whenever the server offers it;
# "require" refuses a server without TLS; "verify-ca"/"verify-full" also check its
# certificate against `sslrootcert` (verify-full: and its name).
SSL_MODES = ("disable", "allow", "prefer", "require", "verify-ca", "verify-full")
DEFAULT_SSL_MODE = "prefer"


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
        return hide_password(self.url or "")

    @classmethod
    def parse(cls, text: str) -> Location:
        if "://" in text:
            if text.startswith("sqlite"):
                return cls(sqlite_path=Path(text.split(":///", 1)[1]))
            return cls(url=normalise_postgres_url(text))
        return cls(sqlite_path=Path(text).expanduser())


def normalise_postgres_url(url: str) -> str:
    """Use the psycopg 3 driver whatever the URL names."""
    for prefix in ("postgresql+psycopg2://", "postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def is_postgres_url(text: str) -> bool:
    return text.strip().startswith(("postgresql://", "postgres://", "postgresql+psycopg://", "postgresql+psycopg2://"))


def url_has_password(url: str) -> bool:
    """True when the URL carries a password (in the user part or as ?password=)."""
    parts = urlsplit(url)
    return bool(parts.password) or "password" in parse_qs(parts.query)


def url_ssl_mode(url: str) -> str | None:
    """The URL's own ?sslmode=, if it names one."""
    values = parse_qs(urlsplit(url).query).get("sslmode")
    return values[-1] if values else None


def _netloc(user: str | None, password: str | None, host: str) -> str:
    if user is None:
        return host
    return f"{user}:{password}@{host}" if password is not None else f"{user}@{host}"


def _host(parts: object) -> str:
    netloc = getattr(parts, "netloc", "")
    return netloc.rsplit("@", 1)[-1]


def hide_password(url: str) -> str:
    """The URL as it may be shown or logged: a password, in the user part or as ?password=, is ***."""
    parts = urlsplit(url)
    password = "***" if parts.password is not None else None
    query = [(k, "***" if k == "password" else v) for k, vs in parse_qs(parts.query).items() for v in vs]
    netloc = _netloc(parts.username, password, _host(parts))
    return urlunsplit((parts.scheme, netloc, parts.path, urlencode(query, safe="*"), parts.fragment))


def without_password(url: str) -> str:
    """The URL to write in a configuration file: any password left out (it goes in ~/.pgpass)."""
    parts = urlsplit(url)
    query = [(k, v) for k, vs in parse_qs(parts.query).items() for v in vs if k != "password"]
    netloc = _netloc(parts.username, None, _host(parts))
    return urlunsplit((parts.scheme, netloc, parts.path, urlencode(query), parts.fragment))
