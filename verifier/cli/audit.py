"""`verifier audit verify`: checks the audit log's hash chain."""

from __future__ import annotations

import argparse
from typing import Any

from verifier import i18n
from verifier.cli.common import UserError, signed_in


def add_parsers(sub: Any, common: argparse.ArgumentParser) -> None:
    audit = sub.add_parser("audit", help="audit log")
    asub = audit.add_subparsers(dest="audit_command", required=True)
    asub.add_parser("verify", parents=[common], help="check the hash chain")
    audit.set_defaults(func=cmd_audit)


def cmd_audit(args: argparse.Namespace) -> int:
    from verifier.services import audit

    with signed_in(args) as ctx:
        report = audit.verify(ctx)
        mismatches = audit.amount_mismatches(ctx) if report.broken_at is None else []
    if report.broken_at is not None:
        raise UserError(
            i18n.tr(
                "Journal d'audit altéré : l'événement n° {seq} ne correspond pas ({reason}). Les événements suivants ne sont plus garantis.",
                seq=report.broken_at,
                reason=report.reason,
            )
        )
    if mismatches:
        from verifier.domain.money import format_eur

        listed = "; ".join(
            i18n.tr(
                "demande n° {number} : {stored} en base, {audited} selon le journal",
                number=format(m.number, "07d"),
                stored=format_eur(m.stored),
                audited=format_eur(m.audited),
            )
            for m in mismatches[:20]
        )
        raise UserError(
            i18n.ntr(
                "Montant modifié hors de l'application, sans trace au journal : {listed}. Ne l'exportez pas ; restaurez une sauvegarde ou corrigez la demande dans l'application.",
                "Montants modifiés hors de l'application, sans trace au journal ({n} demandes) : {listed}. Ne les exportez pas ; restaurez une sauvegarde ou corrigez les demandes dans l'application.",
                len(mismatches),
                listed=listed,
            )
        )
    print(i18n.tr("Journal d'audit intègre : {count} événements vérifiés.", count=report.events))
    return 0
