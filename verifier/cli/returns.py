"""`verifier returns import FILE [--batch ID]`: an insurer's return file for one batch, all or nothing."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from verifier import i18n
from verifier.cli.common import UserError, signed_in


def add_parsers(sub: Any, common: argparse.ArgumentParser) -> None:
    ret = sub.add_parser("returns", help="insurers' returns")
    rsub = ret.add_subparsers(dest="returns_command", required=True)
    imp = rsub.add_parser("import", parents=[common], help="import a return file (CSV or JSON), all or nothing")
    imp.add_argument("file")
    imp.add_argument(
        "--batch",
        type=int,
        metavar="ID",
        help="the batch the file answers (its id in 'batch list'); default: the batch of the first line's claim",
    )
    ret.set_defaults(func=cmd_returns)


def cmd_returns(args: argparse.Namespace) -> int:
    from verifier.services import returns

    path = Path(args.file)
    if not path.is_file():
        raise UserError(i18n.tr("Impossible de lire {path} : vérifiez le chemin.", path=path))
    with signed_in(args) as ctx:
        print(returns.import_file(ctx, path, args.batch).summary())
    return 0
