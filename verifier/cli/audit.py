"""`verifier audit verify`: checks the audit log's hash chain."""

from __future__ import annotations

import argparse
import zipfile
from pathlib import Path
from typing import Any

from verifier import i18n
from verifier.cli.common import UserError, signed_in


def add_parsers(sub: Any, common: argparse.ArgumentParser) -> None:
    audit = sub.add_parser("audit", help="audit log")
    asub = audit.add_subparsers(dest="audit_command", required=True)
    ver = asub.add_parser("verify", parents=[common], help="check the hash chain and its anchors")
    ver.add_argument(
        "--manifest",
        action="append",
        default=[],
        type=Path,
        metavar="FILE",
        help="an export's manifest.json (or plain bundle .zip) whose audit witness to check; repeatable",
    )
    audit.set_defaults(func=cmd_audit)


def _finding(f: Any) -> str:
    from verifier.services import audit

    where = i18n.tr("le fichier de clés") if f.source == "slots" else f.source
    if f.kind == audit.TRUNCATED:
        return i18n.tr(
            "Journal d'audit tronqué : {where} atteste l'événement n° {seq}, le journal s'arrête au n° {head}. Des événements ont été supprimés ou une ancienne copie de la base a été remise.",
            where=where,
            seq=f.seq,
            head=f.head,
        )
    if f.kind == audit.REWRITTEN:
        return i18n.tr(
            "Journal d'audit réécrit : l'événement n° {seq} n'est plus celui que {where} atteste.",
            where=where,
            seq=f.seq,
        )
    return i18n.tr(
        "Ancre du journal non valable : {where} (n° {seq}) n'a pas été faite avec les clés de ce site.",
        where=where,
        seq=f.seq,
    )


def cmd_audit(args: argparse.Namespace) -> int:
    from verifier.services import audit
    from verifier.services.json_reader import ImportRefused

    for path in args.manifest:
        if not path.is_file():
            raise UserError(i18n.tr("Fichier introuvable : {path}.", path=path))
    with signed_in(args) as ctx:
        report = audit.verify(ctx)
        try:
            findings = audit.anchors(ctx, args.manifest)
        except (OSError, ValueError, KeyError, TypeError, zipfile.BadZipFile, ImportRefused):
            raise UserError(
                i18n.tr(
                    "Un manifeste donné ne se lit pas (ni manifest.json ni lot .zip non chiffré). Donnez le fichier manifest.json du lot."
                )
            ) from None
        mismatches = audit.amount_mismatches(ctx) if report.broken_at is None else []
    if report.broken_at is not None:
        raise UserError(
            i18n.tr(
                "Journal d'audit altéré : l'événement n° {seq} ne correspond pas ({reason}). Les événements suivants ne sont plus garantis.",
                seq=report.broken_at,
                reason=report.reason,
            )
        )
    if findings:
        raise UserError(" ".join(_finding(f) for f in findings))
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
