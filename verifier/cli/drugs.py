"""`verifier drugs import PATH`, `verifier drugs show CODE` and `verifier drugs specific
list|add|remove|import`: the drug reference and its specific drugs (HDE fee, issue 13)."""

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
    spec = dsub.add_parser(
        "specific", parents=[common], help="the specific drugs that bring the HDE fee (administrators)"
    )
    spec.add_argument("action", choices=["list", "add", "remove", "import"])
    spec.add_argument("codes", nargs="*", help="CIP13 or CIP7 (add, remove); a list file (import)")
    drugs.set_defaults(func=cmd_drugs)


def cmd_drugs(args: argparse.Namespace) -> int:
    from verifier.domain.money import format_eur
    from verifier.services import drugs

    with signed_in(args) as ctx:
        if args.drugs_command == "import":
            report = drugs.import_reference(ctx, Path(args.path), args.snapshot_date, allow_shrink=args.allow_shrink)
            print(i18n.tr("Référentiel remplacé. {summary}", summary=report.summary()))
            return 0
        if args.drugs_command == "specific":
            return _specific(ctx, args.action, args.codes)
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


def _specific(ctx: Any, action: str, codes: list[str]) -> int:
    """The specific drugs list: shown, added to, removed from, or added from a file (one
    CIP13 or CIP7 per line, or the first column of a CSV); all or nothing."""
    from verifier.services import drugs

    if action == "list":
        flagged = drugs.specific_list(ctx)
        for code in flagged:
            print(code)
        print(
            i18n.tr("{count} présentation(s) marquée(s) « médicament spécifique » (honoraire HDE).", count=len(flagged))
        )
        return 0
    lines: list[int] | None = None
    if action == "import":
        if len(codes) != 1:
            print(i18n.tr("Indiquez un seul fichier : verifier drugs specific import LISTE.csv"))
            return 2
        try:
            found = drugs.read_code_list(Path(codes[0]))
        except OSError as exc:
            print(
                i18n.tr("Le fichier {path} ne peut pas être lu ({reason}).", path=codes[0], reason=exc.strerror or exc)
            )
            return 2
        lines = [n for n, _ in found]
        codes = [c for _, c in found]
    changed = drugs.set_specific(ctx, codes, on=action != "remove", lines=lines)
    print(i18n.tr("{count} présentation(s) modifiée(s).", count=changed))
    return 0
