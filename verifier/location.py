"""Where the data lives: a value the set-up screens and the command line build from what the
user typed, and the store opens. It imports nothing of verifier's and no SQLAlchemy, so every
layer may hold one (README, "Layout") and start-up can name a database cheaply."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qs

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


# A database URL as SQLAlchemy reads it (the grammar of sqlalchemy.engine.url.make_url, which
# the engine connects with): the password runs to the first "@" and may hold "/", "#" or "?",
# which a generic URL parser would take for the path, fragment or query.
_URL = re.compile(
    r"""^(?P<scheme>[\w+]+)://
        (?:(?P<user>[^:/]*)(?::(?P<password>[^@]*))?@)?
        (?P<rest>[^?]*)
        (?:\?(?P<query>.*))?$""",
    re.VERBOSE | re.DOTALL,
)
# libpq parameters that carry a secret (the password; sslpassword unlocks the client key).
SECRET_PARAMETERS = ("password", "sslpassword")
_SECRET_PARAMETER = re.compile(r"(^|&)(" + "|".join(SECRET_PARAMETERS) + r")=([^&]*)")


def url_has_password(url: str) -> bool:
    """True when the URL carries a secret: a password in the user part, or ?password= /
    ?sslpassword=."""
    m = _URL.match(url.strip())
    if m is None:
        return False
    return bool(m.group("password")) or bool(_SECRET_PARAMETER.search(m.group("query") or ""))


def url_ssl_mode(url: str) -> str | None:
    """The URL's own ?sslmode=, if it names one."""
    m = _URL.match(url.strip())
    values = parse_qs(m.group("query") or "", keep_blank_values=True).get("sslmode") if m else None
    return values[-1] if values else None


def _rebuild(url: str, password: str | None, secret: str | None) -> str:
    """`url` with its password replaced by `password` (None: removed) and each secret query
    parameter's value replaced by `secret` (None: the parameter removed); nothing else moves,
    so a URL without a secret comes back exactly as given."""
    m = _URL.match(url)
    if m is None:
        return url
    start, end = m.span("password")
    if m.group("password") is not None:
        url_part = url[: start - 1] + (f":{password}" if password is not None else "") + url[end : m.start("rest")]
    else:
        url_part = url[: m.start("rest")]
    query = m.group("query")
    if query is None:
        return url_part + m.group("rest")
    if secret is None:
        kept = [p for p in query.split("&") if p.split("=", 1)[0] not in SECRET_PARAMETERS]
        new_query = "&".join(kept)
    else:
        new_query = _SECRET_PARAMETER.sub(lambda x: f"{x.group(1)}{x.group(2)}={secret}", query)
    return url_part + m.group("rest") + (f"?{new_query}" if new_query else "")


def hide_password(url: str) -> str:
    """The URL as it may be shown or logged: a password, in the user part or as ?password= or
    ?sslpassword=, is ***."""
    return _rebuild(url, "***", "***")


def without_password(url: str) -> str:
    """The URL to write in a configuration file: any password left out (it goes in ~/.pgpass)."""
    return _rebuild(url, None, None)
