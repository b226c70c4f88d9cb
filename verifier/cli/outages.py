"""`verifier outage start|end|list`: operators declared down and back up."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any

from verifier import i18n
from verifier.cli.common import signed_in
from verifier.formatting import local_datetime

if TYPE_CHECKING:
    from datetime import datetime


def add_parsers(sub: Any, common: argparse.ArgumentParser) -> None:
    outage = sub.add_parser("outage", help="operator outages: declare down, declare back up, list")
    osub = outage.add_subparsers(dest="outage_command", required=True)
    ostart = osub.add_parser("start", parents=[common], help="declare an operator down")
    ostart.add_argument("operator", help="operator code, e.g. VIAMEDIS")
    ostart.add_argument("--reason", help="why (free text, no patient data)")
    oend = osub.add_parser("end", parents=[common], help="declare an operator back up")
    oend.add_argument("operator", help="operator code, e.g. VIAMEDIS")
    olist = osub.add_parser("list", parents=[common], help="operators down now and recent outages")
    olist.add_argument("--limit", type=int, default=20, help="recent outages shown (default 20)")
    outage.set_defaults(func=cmd_outage)


def _local_time(moment: datetime) -> str:
    return local_datetime(moment, i18n.language())


def cmd_outage(args: argparse.Namespace) -> int:
    """Declare an operator down or back up (any signed-in user), or list the outages."""
    from verifier.domain.money import format_eur
    from verifier.services import outages, probe  # probe imports directory: its operator messages

    with signed_in(args) as ctx:
        if args.outage_command == "start":
            info = outages.declare_down(ctx, args.operator, args.reason or "")
            print(
                i18n.tr(
                    "{name} ({code}) est déclaré en panne depuis le {at}.",
                    name=info.operator_name,
                    code=info.operator_code,
                    at=_local_time(info.started_at),
                )
            )
            return 0
        if args.outage_command == "end":
            info = outages.declare_up(ctx, args.operator)
            count, amount = probe.ready_to_export(ctx, info.operator_code)
            assert info.ended_at is not None
            print(
                i18n.tr(
                    "{name} ({code}) est déclaré rétabli le {at} ; la panne avait commencé le {since}.",
                    name=info.operator_name,
                    code=info.operator_code,
                    at=_local_time(info.ended_at),
                    since=_local_time(info.started_at),
                )
            )
            print(
                i18n.ntr(
                    "En attente d'export pour cet opérateur : {count} demande, {amount}.",
                    "En attente d'export pour cet opérateur : {count} demandes, {amount}.",
                    count,
                    count=count,
                    amount=format_eur(amount),
                )
            )
            return 0
        current = outages.current(ctx)
        past = [o for o in outages.history(ctx, limit=args.limit) if o.ended_at is not None]

    def reason(o: outages.OutageInfo) -> str:
        return i18n.tr(" – motif : {reason}", reason=o.reason) if o.reason else ""

    if not current and not past:
        print(i18n.tr("Aucune panne enregistrée."))
        return 0
    print(i18n.tr("En panne maintenant :") if current else i18n.tr("Aucun opérateur n'est déclaré en panne."))
    for o in current:
        print(
            i18n.tr(
                "  {code:<14} {name:<20} depuis le {since}{reason}",
                code=o.operator_code,
                name=o.operator_name,
                since=_local_time(o.started_at),
                reason=reason(o),
            )
        )
    if past:
        print(i18n.tr("Pannes terminées récentes :"))
    for o in past:
        assert o.ended_at is not None
        print(
            i18n.tr(
                "  {code:<14} {name:<20} du {since} au {until}{reason}",
                code=o.operator_code,
                name=o.operator_name,
                since=_local_time(o.started_at),
                until=_local_time(o.ended_at),
                reason=reason(o),
            )
        )
    return 0
