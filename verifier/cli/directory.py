"""`verifier directory protection|list`: how each recipient's batches are encrypted, and
which directory entries were changed outside verifier."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING, Any

from verifier import i18n
from verifier.cli.common import UserError, signed_in
from verifier.formatting import format_day

if TYPE_CHECKING:
    from verifier.services.directory import Certificate


def add_parsers(sub: Any, common: argparse.ArgumentParser) -> None:
    d = sub.add_parser("directory", help="the insurer directory: list it, set how batches are protected")
    dsub = d.add_subparsers(dest="directory_command", required=True)
    listing = dsub.add_parser("list", parents=[common], help="insurers and operators, with their protection")
    listing.add_argument("--inactive", action="store_true", help="include deactivated entries")
    prot = dsub.add_parser(
        "protection", parents=[common], help="how an insurer's (or operator's) batches are encrypted by default"
    )
    who = prot.add_mutually_exclusive_group(required=True)
    who.add_argument("--insurer", help="AMC number")
    who.add_argument("--operator", help="operator code")
    how = prot.add_mutually_exclusive_group(required=True)
    how.add_argument("--certificate", help="the recipient's X.509 certificate (PEM file): batches encrypted for it")
    how.add_argument("--passphrase", action="store_true", help="batches encrypted with a passphrase given at export")
    d.set_defaults(func=cmd_directory)


def _protection_text(kind: str, cert: Certificate | None) -> str:
    if kind == "certificate" and cert is not None:
        return i18n.tr(
            "certificat « {subject} » (valable jusqu'au {date})",
            subject=cert.subject,
            date=format_day(cert.not_after.date()),
        )
    return i18n.tr("phrase secrète")


def cmd_directory(args: argparse.Namespace) -> int:
    from verifier.services import directory

    with signed_in(args) as ctx:
        if args.directory_command == "list":
            for op in directory.list_operators(ctx, args.inactive):
                print(
                    f"op {op.code}\t{op.name}\t"
                    + _protection_text(op.export_protection, op.certificate)
                    + ("" if op.trusted else "\t" + i18n.tr("MODIFIÉ EN DEHORS DE VERIFIER"))
                )
            for ins in directory.list_insurers(ctx, include_inactive=args.inactive):
                print(
                    f"{ins.amc_number}\t{ins.name}\t"
                    + _protection_text(ins.export_protection, ins.certificate)
                    + ("" if ins.trusted else "\t" + i18n.tr("MODIFIÉ EN DEHORS DE VERIFIER"))
                )
            return 0
        pem: bytes | None = None
        if args.certificate:
            try:
                pem = Path(args.certificate).read_bytes()
            except OSError:
                raise UserError(
                    i18n.tr("Impossible de lire {path} : vérifiez le chemin.", path=args.certificate)
                ) from None
        kind = directory.CERTIFICATE if args.certificate else directory.PASSPHRASE
        if args.insurer:
            target = directory.get_insurer(ctx, args.insurer)
            info = directory.set_export_protection(ctx, insurer_id=target.id, protection=kind, certificate_pem=pem)
        else:
            op = directory.get_operator(ctx, args.operator)
            info = directory.set_export_protection(ctx, operator_id=op.id, protection=kind, certificate_pem=pem)
    print(
        i18n.tr(
            "Les lots de {recipient} seront chiffrés par : {how}.",
            recipient=info.name,
            how=_protection_text(info.export_protection, info.certificate),
        )
    )
    return 0
