"""`verifier report reconciliation [--csv] [--pdf FILE]`: per insurer, queued, exported, paid
and outstanding."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from verifier import i18n
from verifier.cli.common import signed_in
from verifier.files import atomic_write
from verifier.formatting import format_day


def add_parsers(sub: Any, common: argparse.ArgumentParser) -> None:
    report = sub.add_parser("report", help="reports")
    rpsub = report.add_subparsers(dest="report_command", required=True)
    rec = rpsub.add_parser("reconciliation", parents=[common], help="per insurer: queued, exported, paid, outstanding")
    rec.add_argument("--csv", action="store_true", help="print CSV (for a spreadsheet) instead of a table")
    rec.add_argument("--pdf", help="also write the report as a PDF file")
    report.set_defaults(func=cmd_report)


def cmd_report(args: argparse.Namespace) -> int:
    from verifier.domain.money import format_eur
    from verifier.services import claim_view, reconciliation

    with signed_in(args) as ctx:
        r = reconciliation.reconcile(ctx)
        site = claim_view.site(ctx).name
    if args.pdf:
        pdf = reconciliation.to_pdf(r, site)
        with atomic_write(Path(args.pdf)) as out:  # an interrupted run leaves the previous report whole
            out.write(pdf)
    if args.csv:
        sys.stdout.write(reconciliation.to_csv(r))
        return 0
    print(i18n.tr("Rapprochement par organisme au {date}", date=format_day(r.on)))
    names = ("queued", "exported", "accepted", "paid", "rejected", "outstanding")
    for line in r.lines:
        ages = " / ".join(format_eur(a) for a in line.ageing)
        print(f"{line.insurer_name} ({line.amc_number})")
        print(
            "   "
            + "  ".join(f"{i18n.say('recon.col.' + n)} {format_eur(getattr(line, n))}" for n in names)
            + f"  [0-30/31-60/61-90/90+ : {ages}]"
        )
    return 0
