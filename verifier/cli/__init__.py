"""The `verifier` command: starts the GUI, or runs an administration sub-command.

One module per command group (site, db, drugs, validate, claims, audit, outages, batches, tariffs, stays,
returns, report), each adding its parsers with `add_parsers(sub, common)`; what they share
(sign-in, options, the user error) is in `common`.

Exit codes: 0 success, 1 a user error (one clear sentence on stderr, no traceback),
2 a usage error (argparse's own message).
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Sequence

from verifier import __version__, i18n
from verifier.cli.common import UserError, common_options
from verifier.config import Config
from verifier.domain.errors import DomainError

log = logging.getLogger("verifier.cli")


def cmd_gui(args: argparse.Namespace) -> int:
    from verifier.app import run_gui

    return run_gui(args.db)


def build_parser() -> argparse.ArgumentParser:
    from verifier.cli import (
        audit,
        backups,
        batches,
        claims,
        db,
        directory,
        drugs,
        outages,
        report,
        retention,
        returns,
        site,
        stays,
        tariffs,
        users,
        validate,
    )

    common = common_options(suppress=True)
    p = argparse.ArgumentParser(
        prog="verifier",
        parents=[common_options(suppress=False)],
        description="Manual coverage checks and claim queue for tiers-payant outages.",
    )
    p.add_argument("--version", action="version", version=f"verifier {__version__}")
    p.add_argument("--lang", choices=i18n.LANGUAGES, help="interface language (default: the system's)")
    sub = p.add_subparsers(dest="command")
    # In this order in --help.
    for group in (
        site,
        db,
        backups,
        users,
        drugs,
        validate,
        claims,
        audit,
        outages,
        directory,
        batches,
        returns,
        report,
        retention,
        tariffs,
        stays,
    ):
        group.add_parsers(sub, common)
    return p


def starts_gui(argv: list[str]) -> bool:
    """Only global options (no sub-command, no help): the counter starting its window."""
    takes_value = ("--db", "--user", "--lang")
    i = 0
    while i < len(argv):
        arg = argv[i]
        if arg in takes_value:
            i += 2
            continue
        if not (arg.startswith(takes_value) and "=" in arg) and arg != "--password-stdin":
            return False  # a sub-command, a typo or --help/--version: the full parser says
        i += 1
    return True


def gui_parser() -> argparse.ArgumentParser:
    """Only the global options: building every sub-command's parser costs start-up time."""
    p = argparse.ArgumentParser(prog="verifier", parents=[common_options(suppress=False)])
    p.add_argument("--lang", choices=i18n.LANGUAGES)
    return p


def main(argv: Sequence[str] | None = None) -> int:
    from verifier import log as logsetup

    argv = sys.argv[1:] if argv is None else list(argv)
    args = gui_parser().parse_args(argv) if starts_gui(argv) else build_parser().parse_args(argv)
    i18n.set_language(args.lang or Config.load().language or i18n.system_language())
    logfile = logsetup.setup()
    func = getattr(args, "func", cmd_gui)
    try:
        status = int(func(args))
        sys.stdout.flush()  # here, not at exit: a reader gone away is seen below
        return status
    except BrokenPipeError:
        # The reader stopped early (`verifier claims list | head`): what it read was whole
        # lines; nothing failed here, so end quietly, with nothing more written anywhere.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0
    except (UserError, DomainError) as exc:
        # The server went away mid-command: the counter's sentence ("what is typed is kept")
        # does not fit a command; this one says what to check.
        server_down = isinstance(exc, DomainError) and exc.problem.code == "db.server_down"
        print(
            i18n.tr(
                "La base de données ne répond pas : vérifiez que le serveur PostgreSQL est démarré et que l'adresse (--db ou VERIFIER_DATABASE_URL) est juste, puis réessayez."
            )
            if server_down
            else str(exc),
            file=sys.stderr,
        )
        return 1
    except KeyboardInterrupt:
        return 130
    except Exception as exc:
        from verifier.services.auth import database_failure  # not at the top: start-up stays light

        failure = database_failure(exc)
        if failure is not None:
            log.warning("database unreachable: %s", failure)
            print(
                i18n.tr(
                    "La base de données ne répond pas : vérifiez que le serveur PostgreSQL est démarré et que l'adresse (--db ou VERIFIER_DATABASE_URL) est juste, puis réessayez."
                ),
                file=sys.stderr,
            )
            return 1
        log.exception("unexpected error in %s", getattr(args, "command", "gui"))
        print(
            i18n.tr("Erreur inattendue ; rien n'a été modifié. Détails dans le journal : {log}", log=logfile),
            file=sys.stderr,
        )
        return 1
