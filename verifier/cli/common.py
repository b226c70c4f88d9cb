"""What every command shares: the global options, the user error, the password, signing in
(one context manager that closes the store however the command ends), and dates typed on the
command line."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from verifier import i18n
from verifier.config import database_location

if TYPE_CHECKING:
    from datetime import date

    from verifier.location import Location
    from verifier.services.context import Context


class UserError(Exception):
    """Something the user can fix; printed as one sentence."""


def common_options(suppress: bool) -> argparse.ArgumentParser:
    """--db, --user, --password-stdin: accepted before or after the sub-command.

    Sub-commands suppress their defaults so a value given before the sub-command is kept.
    """
    kw: dict[str, Any] = {"default": argparse.SUPPRESS} if suppress else {}
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--db", help="SQLite file or PostgreSQL URL (default: the user's data folder)", **kw)
    common.add_argument("--user", help="user name (or VERIFIER_USER)", **kw)
    common.add_argument("--password-stdin", action="store_true", help="read the password from standard input", **kw)
    return common


def read_password(args: argparse.Namespace, prompt: str, *, confirm: bool = False) -> str:
    """From --password-stdin, then VERIFIER_PASSWORD, then the terminal (never echoed)."""
    import getpass

    if getattr(args, "password_stdin", False):
        line = sys.stdin.readline()
        if not line:
            raise UserError(
                i18n.tr(
                    "Aucun mot de passe fourni : utilisez --password-stdin, la variable VERIFIER_PASSWORD ou un terminal."
                )
            )
        return line.rstrip("\r\n")
    env = os.environ.get("VERIFIER_PASSWORD")
    if env:
        return env
    if not sys.stdin.isatty():
        raise UserError(
            i18n.tr(
                "Aucun mot de passe fourni : utilisez --password-stdin, la variable VERIFIER_PASSWORD ou un terminal."
            )
        )
    first = getpass.getpass(prompt)
    if confirm and getpass.getpass(i18n.tr("Confirmez le mot de passe : ")) != first:
        raise UserError(i18n.tr("Les deux mots de passe diffèrent. Recommencez."))
    return first


def location(args: argparse.Namespace) -> Location:
    return database_location(args.db)


def user_name(args: argparse.Namespace) -> str:
    """--user, then VERIFIER_USER; refused when neither is given."""
    user: str | None = args.user or os.environ.get("VERIFIER_USER")
    if not user:
        raise UserError(i18n.tr("Indiquez l'utilisateur avec --user (ou VERIFIER_USER)."))
    return user


@contextmanager
def signed_in(args: argparse.Namespace) -> Iterator[Context]:
    """Sign the command's user in, yield the context, and close its store however the block ends."""
    from verifier.services import auth

    user = user_name(args)
    password = read_password(args, i18n.tr("Mot de passe de {user} : ", user=user))
    with auth.sign_in(location(args), user, password) as ctx:
        yield ctx


def read_input(path: str) -> str:
    """The text of the file at `path`, or of standard input for "-"; a UserError if unreadable."""
    from pathlib import Path

    try:
        return sys.stdin.read() if path == "-" else Path(path).read_text("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise UserError(
            i18n.tr("Impossible de lire {path} ({reason}).", path=path, reason=type(exc).__name__)
        ) from None


def parse_date(text: str | None) -> date | None:
    """dd/mm/yyyy (or yyyy-mm-dd); None for nothing typed."""
    from datetime import date

    if not text:
        return None
    for sep in ("/", "-"):
        parts = text.split(sep)
        if len(parts) == 3:
            try:
                if len(parts[0]) == 4:
                    return date(int(parts[0]), int(parts[1]), int(parts[2]))
                return date(int(parts[2]), int(parts[1]), int(parts[0]))
            except ValueError:
                break
    raise UserError(i18n.tr("Date invalide « {value} » : écrivez jj/mm/aaaa.", value=text))
