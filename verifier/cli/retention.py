"""`verifier retention purge [--dry-run]`: identities of long-settled claims pseudonymised."""

from __future__ import annotations

import argparse
from typing import Any

from verifier import i18n
from verifier.cli.common import signed_in
from verifier.formatting import format_day


def add_parsers(sub: Any, common: argparse.ArgumentParser) -> None:
    ret = sub.add_parser("retention", help="identities of settled claims: purge past the retention period")
    rsub = ret.add_subparsers(dest="retention_command", required=True)
    purge = rsub.add_parser("purge", parents=[common], help="pseudonymise the patients past retention (administrators)")
    purge.add_argument("--dry-run", action="store_true", help="only count them")
    keep = rsub.add_parser("set", parents=[common], help="how many months settled identities are kept (12-120)")
    keep.add_argument("months", type=int)
    ret.set_defaults(func=cmd_retention)


def cmd_retention(args: argparse.Namespace) -> int:
    from verifier.services import retention

    if args.retention_command == "set":
        with signed_in(args) as ctx:
            months = retention.set_months(ctx, args.months)
        print(i18n.tr("Les identités des demandes réglées sont gardées {months} mois.", months=months))
        return 0
    with signed_in(args) as ctx:
        result = retention.purge(ctx, dry_run=args.dry_run)
    text = (
        i18n.tr(
            "{patients} patients (leurs {claims} demandes) seraient rendus anonymes : tout réglé et rien depuis le {cutoff}.",
            patients=result.patients,
            claims=result.claims,
            cutoff=format_day(result.cutoff.date()),
        )
        if args.dry_run
        else i18n.tr(
            "{patients} patients rendus anonymes (leurs {claims} demandes gardent leurs montants) : tout réglé et rien depuis le {cutoff}.",
            patients=result.patients,
            claims=result.claims,
            cutoff=format_day(result.cutoff.date()),
        )
    )
    print(text)
    return 0
