"""`verifier tariffs list|add|remove`: the dated reference values of clinic invoices."""

from __future__ import annotations

import argparse
from datetime import date, datetime
from typing import Any

from verifier import i18n
from verifier.cli.common import UserError, signed_in
from verifier.formatting import format_day, format_eur


def add_parsers(sub: Any, common: argparse.ArgumentParser) -> None:
    tariffs = sub.add_parser(
        "tariffs", help="dated reference values: forfait journalier, 24 EUR participation, FPU, G..."
    )
    tsub = tariffs.add_subparsers(dest="tariffs_command", required=True)
    tsub.add_parser("list", parents=[common], help="every value of every code, with its date and source")
    tadd = tsub.add_parser("add", parents=[common], help="a new value from a date on (administrators)")
    tadd.add_argument("code", help="FJ, FJ_PSY, PAV, PAV_SEUIL, FPU, FPU_MIN, PF or G")
    tadd.add_argument("since", help="first day of the value, dd/mm/yyyy")
    tadd.add_argument("amount", help="euros, e.g. 22,00")
    tadd.add_argument("--source", default="", help="the decree or page that sets it")
    trm = tsub.add_parser("remove", parents=[common], help="take back a value an administrator added")
    trm.add_argument("code")
    trm.add_argument("since", help="dd/mm/yyyy")
    tariffs.set_defaults(func=cmd_tariffs)


def _day(text: str) -> date:
    try:
        return datetime.strptime(text.strip(), "%d/%m/%Y").date()
    except ValueError:
        raise UserError(
            i18n.tr("« {text} » n'est pas une date : écrivez-la jj/mm/aaaa, par exemple 01/01/2027.", text=text)
        ) from None


def cmd_tariffs(args: argparse.Namespace) -> int:
    from verifier.domain.money import parse_amount
    from verifier.services import tariffs

    with signed_in(args) as ctx:
        if args.tariffs_command == "add":
            info = tariffs.add(ctx, args.code, _day(args.since), parse_amount(args.amount), args.source)
            print(
                i18n.tr(
                    "{code} vaut {amount} à partir du {since}.",
                    code=info.code,
                    amount=format_eur(info.amount),
                    since=format_day(info.since),
                )
            )
            return 0
        if args.tariffs_command == "remove":
            tariffs.remove(ctx, args.code, _day(args.since))
            print(i18n.tr("La valeur de {code} du {since} est retirée.", code=args.code.upper(), since=args.since))
            return 0
        for row in tariffs.every_value(ctx):
            origin = i18n.tr("livrée") if row.shipped else i18n.tr("ajoutée")
            print(f"{row.code:<10} {format_day(row.since)}  {format_eur(row.amount):>12}  {origin:<8} {row.source}")
    return 0
