"""Settings read at start-up: database location and language.

Order of precedence for the database: `--db` on the command line, then the
VERIFIER_DATABASE_URL environment variable, then `database` in config.json, then the
embedded default (an encrypted SQLite file in the user's data folder).
No secret is ever written here: a PostgreSQL password belongs in the environment
(PGPASSWORD) or in the PostgreSQL password file (~/.pgpass; on Windows
%APPDATA%\\postgresql\\pgpass.conf), never in config.json: `save` refuses a URL with one.

TLS: a URL without `sslmode` reaches a server on another machine with `verify-full` (TLS,
certificate checked against the CA file), one on this machine with libpq's "prefer" (TLS
whenever the server offers it); a URL's own sslmode is kept (store.engine.postgres_connect_args).
"""

from __future__ import annotations

import os
from dataclasses import asdict, dataclass
from pathlib import Path

from verifier import i18n, paths
from verifier.domain.errors import Problem, ValidationError
from verifier.files import atomic_write
from verifier.location import SSL_MODES, Location, is_postgres_url, url_has_password, url_ssl_mode


@dataclass
class Config:
    database: str | None = None
    language: str | None = None
    # A second folder for this computer's backups (a USB key, a network share): services.backups.
    backup_copy: str | None = None
    # No idle lock here: it is a site setting (services.settings, Administration > Réglages),
    # the same on every counter. A config.json that still has "idle_lock_minutes" loads; the
    # key is dropped at the next save.

    @staticmethod
    def path() -> Path:
        return paths.config_dir() / "config.json"

    @classmethod
    def load(cls) -> Config:
        p = cls.path()
        if not p.exists():
            return cls()
        import json  # lazily: this runs before the first window

        data = json.loads(p.read_text("utf-8"))
        known = {k: v for k, v in data.items() if k in cls.__dataclass_fields__}
        return cls(**known)

    def save(self) -> None:
        """Write config.json atomically; a database URL holding a password is refused."""
        if self.database and is_postgres_url(self.database) and url_has_password(self.database):
            raise ValidationError([Problem("config.password_in_url", {}, "database")])
        p = self.path()
        p.parent.mkdir(parents=True, exist_ok=True)
        import json

        with atomic_write(p) as out:
            out.write(json.dumps(asdict(self), indent=2).encode("utf-8"))


def database_location(cli_value: str | None = None, config: Config | None = None) -> Location:
    """Where the data is: --db, then VERIFIER_DATABASE_URL, then config.json, then the embedded file.

    A password in --db is refused: the command line is visible to every user of the machine
    (`ps`), so the server's password would be too; ~/.pgpass, PGPASSFILE or PGPASSWORD hold it
    (config.json refuses one as well; the environment is private to the process)."""
    if cli_value and url_has_password(cli_value):
        raise ValidationError([Problem("config.password_in_db_option", {}, "database")])
    value = cli_value or os.environ.get("VERIFIER_DATABASE_URL") or (config or Config.load()).database
    if value:
        return Location.parse(value)
    return Location(sqlite_path=paths.default_database())


def server_url_problems(text: str) -> list[Problem]:
    """What is wrong with a PostgreSQL URL meant for config.json (every reason at once)."""
    url = text.strip()
    if not is_postgres_url(url):
        return [Problem("config.url_scheme", {}, "database")]
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    problems = []
    if url_has_password(url):
        problems.append(Problem("config.password_in_url", {}, "database"))
    try:
        port = parts.port
    except ValueError:
        port = -1
    from urllib.parse import parse_qs

    if not (parts.hostname or parse_qs(parts.query).get("host")) or port == -1:
        problems.append(Problem("config.url_host", {}, "database"))
    if not parts.path.strip("/"):
        problems.append(Problem("config.url_database", {}, "database"))
    mode = url_ssl_mode(url)
    if mode is not None and mode not in SSL_MODES:
        problems.append(Problem("config.url_sslmode", {"value": mode, "modes": ", ".join(SSL_MODES)}, "database"))
    return problems


def remember_database(url: str) -> Config:
    """Make `url` this computer's database in config.json (refused if it holds a password)."""
    problems = server_url_problems(url)
    if problems:
        raise ValidationError(problems)
    config = Config.load()
    config.database = url.strip()
    config.save()
    return config


i18n.register(
    {
        "config.password_in_db_option": i18n.N_(
            "Ne mettez pas le mot de passe du serveur dans --db : la ligne de commande est visible de tous les utilisateurs de la machine. Retirez-le de l'adresse et mettez-le dans ~/.pgpass (ou PGPASSFILE, PGPASSWORD)."
        ),
        "config.password_in_url": i18n.N_(
            "L'adresse contient un mot de passe : retirez-le ; mettez-le dans le fichier de mots de passe de PostgreSQL (~/.pgpass, ou %APPDATA%\\postgresql\\pgpass.conf sous Windows) ou dans la variable PGPASSWORD."
        ),
        "config.url_scheme": i18n.N_(
            "L'adresse du serveur commence par postgresql:// ; par exemple : postgresql://comptoir@serveur-officine:5432/verifier"
        ),
        "config.url_host": i18n.N_(
            "Indiquez le nom ou l'adresse du serveur (et un port en chiffres) : postgresql://utilisateur@serveur:5432/verifier"
        ),
        "config.url_database": i18n.N_("Indiquez le nom de la base après le serveur : …@serveur:5432/verifier"),
        "config.url_sslmode": i18n.N_("sslmode={value} n'existe pas : choisissez parmi {modes}."),
    }
)
