"""`verifier drugs import PATH` and `verifier drugs show CODE`: the drug reference."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from verifier import i18n
from verifier.cli.common import signed_in
from verifier.domain.errors import DomainError


def add_parsers(sub: Any, common: argparse.ArgumentParser) -> None:
    drugs = sub.add_parser("drugs", help="drug reference")
    dsub = drugs.add_subparsers(dest="drugs_command", required=True)
    imp = dsub.add_parser("import", parents=[common], help="replace the reference with an ANSM download")
    imp.add_argument("path")
    imp.add_argument("--snapshot-date", help="date of the download (default: today)")
    imp.add_argument(
        "--allow-shrink",
        action="store_true",
        help="replace the reference even with fewer than 80 %% of its presentations (the file is complete)",
    )
    show = dsub.add_parser("show", parents=[common], help="look up a CIP13, a CIP7 or a scanned code")
    show.add_argument("code")
    drugs.set_defaults(func=cmd_drugs)


def cmd_drugs(args: argparse.Namespace) -> int:
    from verifier.domain.money import format_eur
    from verifier.services import drugs

    with signed_in(args) as ctx:
        if args.drugs_command == "import":
            report = drugs.import_reference(ctx, Path(args.path), args.snapshot_date, allow_shrink=args.allow_shrink)
            print(i18n.tr("Référentiel remplacé. {summary}", summary=report.summary()))
            return 0
        found = drugs.lookup(ctx, args.code)
        if found.drug is None:
            raise DomainError("drug.unknown")
        d = found.drug
        rate = f"{d.rate.normalize():f} %" if d.rate is not None else "—"
        price = format_eur(d.price) if d.price is not None else "—"
        print(
            f"{d.cip13}  (CIP7 {d.cip7})\n{d.label}\n{d.prestation_code}  {rate}  {price}"
            + ("" if d.marketed else "  " + i18n.tr("[non commercialisé]"))
        )
        if found.scan and (found.scan.expiry or found.scan.lot):
            print(
                f"exp. {found.scan.expiry:%d/%m/%Y}  lot {found.scan.lot or '—'}"
                if found.scan.expiry
                else f"lot {found.scan.lot}"
            )
        return 0
