"""`verifier batch create|export|void|sent|list`: the administrator's export batches."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from verifier import i18n
from verifier.cli.common import UserError, parse_date, signed_in
from verifier.formatting import local_day

if TYPE_CHECKING:
    from verifier.exports.bundle import Encryption
    from verifier.services.context import Context


def add_parsers(sub: Any, common: argparse.ArgumentParser) -> None:
    batch = sub.add_parser("batch", help="export batches: create, export, void, mark sent, list")
    bsub = batch.add_subparsers(dest="batch_command", required=True)
    create = bsub.add_parser(
        "create", parents=[common], help="put an insurer's (or an operator's) ready claims in a new batch"
    )
    recipient = create.add_mutually_exclusive_group(required=True)
    recipient.add_argument("--insurer", help="AMC number (an insurer whose batches are made per insurer)")
    recipient.add_argument(
        "--operator", help="operator code: one batch for every insurer set to 'batches per operator'"
    )
    create.add_argument("--claims", help="only these claim numbers, comma-separated")
    export = bsub.add_parser("export", parents=[common], help="write the batch's bundle into a folder")
    export.add_argument("id", type=int)
    export.add_argument("--out", required=True, help="the outbox folder")
    enc = export.add_mutually_exclusive_group()
    enc.add_argument(
        "--encrypt-passphrase",
        action="store_true",
        help="encrypt with a passphrase from --passphrase-file or VERIFIER_EXPORT_PASSPHRASE",
    )
    enc.add_argument("--encrypt-cert", help="encrypt for the insurer's X.509 certificate (PEM file)")
    enc.add_argument(
        "--plain",
        action="store_true",
        help="write the bundle unencrypted (it names patients): only when the file is protected otherwise; audited",
    )
    export.add_argument("--passphrase-file")
    void = bsub.add_parser("void", parents=[common], help="void a batch not yet sent")
    void.add_argument("id", type=int)
    void.add_argument("--reason", required=True)
    sent = bsub.add_parser("sent", parents=[common], help="mark a batch sent")
    sent.add_argument("id", type=int)
    sent.add_argument("--channel", required=True, choices=["upload", "mail", "post"])
    sent.add_argument("--date", help="dd/mm/yyyy (default: today)")
    bsub.add_parser("list", parents=[common], help="recent batches")
    batch.set_defaults(func=cmd_batch)


def _encryption(ctx: Context, args: argparse.Namespace) -> Encryption | None:
    """How the bundle is protected: a certificate, a passphrase, or (said explicitly) nothing.
    Without a choice, as the recipient's directory entry says (its certificate on record, or
    a passphrase): a stolen export must reveal no one (issue 12)."""
    from verifier.services import batches
    from verifier.services.directory import CERTIFICATE

    if args.encrypt_cert or args.encrypt_passphrase or args.plain:
        return _chosen_encryption(args)
    wanted = batches.protection(ctx, args.id)
    if wanted.kind == CERTIFICATE:
        return batches.stored_encryption(ctx, args.id)
    if not (args.passphrase_file or os.environ.get("VERIFIER_EXPORT_PASSPHRASE")):
        raise UserError(
            i18n.tr(
                "Les lots de {recipient} sont chiffrés par une phrase secrète : donnez-la dans un fichier (--passphrase-file) ou dans VERIFIER_EXPORT_PASSPHRASE, et dites-la à l'organisme par téléphone. Autres choix : --encrypt-cert CERTIFICAT.pem, ou --plain si le fichier est protégé autrement (déconseillé).",
                recipient=wanted.recipient,
            )
        )
    return _passphrase_encryption(args)


def _chosen_encryption(args: argparse.Namespace) -> Encryption | None:
    from verifier.services import batches

    if args.encrypt_cert:
        try:
            return batches.encryption(certificate_pem=Path(args.encrypt_cert).read_bytes())
        except OSError:
            raise UserError(
                i18n.tr("Impossible de lire {path} : vérifiez le chemin.", path=args.encrypt_cert)
            ) from None
    if args.encrypt_passphrase:
        return _passphrase_encryption(args)
    return None


def _passphrase_encryption(args: argparse.Namespace) -> Encryption:
    from verifier.services import batches

    secret = os.environ.get("VERIFIER_EXPORT_PASSPHRASE", "")
    if args.passphrase_file:
        try:
            secret = Path(args.passphrase_file).read_text("utf-8").strip()
        except OSError:
            raise UserError(
                i18n.tr("Impossible de lire {path} : vérifiez le chemin.", path=args.passphrase_file)
            ) from None
    if not secret:
        raise UserError(
            i18n.tr(
                "Aucune phrase secrète : mettez-la dans un fichier (--passphrase-file) ou dans VERIFIER_EXPORT_PASSPHRASE."
            )
        )
    return batches.encryption(passphrase=secret)


def cmd_batch(args: argparse.Namespace) -> int:
    from verifier.domain.money import format_eur
    from verifier.services import batches, directory

    with signed_in(args) as ctx:
        if args.batch_command == "create":
            ids = None
            if args.claims:
                from verifier.services import queue

                wanted = {int(n) for n in args.claims.split(",") if n.strip().isdigit()}
                ids = [r.id for n in wanted for r in queue.list_claims(ctx, queue.Search(text=str(n))).rows]
            if args.operator:
                op = directory.get_operator(ctx, args.operator)
                result = batches.create_operator_batch(ctx, op.id, ids)
            else:
                result = batches.create_batch(ctx, directory.get_insurer(ctx, args.insurer).id, ids)
            b = result.batch
            print(
                i18n.ntr(
                    "Lot n° {number} créé pour {insurer} : {count} demande, {amount}.",
                    "Lot n° {number} créé pour {insurer} : {count} demandes, {amount}.",
                    b.claim_count,
                    number=b.number_text,
                    insurer=b.recipient,
                    count=b.claim_count,
                    amount=format_eur(b.total_amc),
                )
            )
            for r in result.refused:
                print(
                    i18n.tr(
                        "Restée en file : demande n° {number} – {reasons}",
                        number=format(r.claim_number, "07d"),
                        reasons=" ".join(p.message() for p in r.problems),
                    )
                )
            print(f"id={b.id}")
        elif args.batch_command == "export":
            encryption = _encryption(ctx, args)
            path = batches.export_batch(ctx, args.id, Path(args.out), encryption)
            print(i18n.tr("Lot exporté : {path}", path=path))
            if encryption is None:
                print(
                    i18n.tr(
                        "Attention : ce fichier n'est pas chiffré et nomme les patients. Ne l'envoyez que par un canal protégé, puis effacez-le."
                    ),
                    file=sys.stderr,
                )
        elif args.batch_command == "void":
            b = batches.void_batch(ctx, args.id, args.reason)
            print(i18n.tr("Lot n° {number} annulé ; ses demandes sont revenues en file.", number=b.number_text))
        elif args.batch_command == "sent":
            from datetime import date

            b = batches.mark_sent(ctx, args.id, parse_date(args.date) or date.today(), args.channel)
            print(i18n.tr("Lot n° {number} marqué envoyé ({channel}).", number=b.number_text, channel=args.channel))
        else:
            for b in batches.list_batches(ctx):
                who = (
                    i18n.tr("opérateur {name}", name=b.recipient)
                    if b.for_operator
                    else f"{directory.get_insurer(ctx, b.insurer_id or 0).amc_number} {b.recipient}"
                )
                print(
                    f"{b.id:>5}  n° {b.number_text}  {i18n.say('batch.status.' + b.state):<16}"
                    f"  {b.claim_count:>6}  {format_eur(b.total_amc):>14}  {local_day(b.created_at)}  {who}"
                )
    return 0
