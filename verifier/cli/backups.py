"""`verifier backup now|list|verify|restore`: backups of the embedded (SQLite) site."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from verifier import i18n
from verifier.cli.common import UserError, location, read_password, signed_in, user_name
from verifier.formatting import local_datetime


def add_parsers(sub: Any, common: argparse.ArgumentParser) -> None:
    bk = sub.add_parser("backup", help="backups of the embedded database: now, list, verify, restore")
    bsub = bk.add_subparsers(dest="backup_command", required=True)
    now = bsub.add_parser("now", parents=[common], help="take a backup now (administrators)")
    now.add_argument(
        "--copy-to", type=Path, metavar="DIR", help="also copy it there (default: config.json's backup_copy)"
    )
    bsub.add_parser("list", parents=[common], help="the backups kept, newest first")
    ver = bsub.add_parser("verify", parents=[common], help="open a backup read-only and check it")
    ver.add_argument("file", type=Path)
    res = bsub.add_parser("restore", parents=[common], help="restore a backup into a new file, verified")
    res.add_argument("file", type=Path)
    res.add_argument(
        "--to", type=Path, required=True, metavar="NEW_FILE", help="the new database file (must not exist)"
    )
    bk.set_defaults(func=cmd_backup)


def _size(n: int) -> str:
    return f"{n / 2**20:.1f} Mio" if n >= 2**20 else f"{n / 1024:.0f} Kio"


def _print_report(report: Any) -> None:
    print(
        i18n.tr(
            "{path} : intégrité {integrity}, schéma {revision}, journal d'audit de {events} événements {chain}, {claims} demandes, {patients} patients.",
            path=report.path,
            integrity=report.integrity,
            revision=report.revision or "—",
            events=report.events,
            chain=i18n.tr("intègre")
            if report.chain_broken_at is None
            else i18n.tr("altéré au n° {seq}", seq=report.chain_broken_at),
            claims=report.claims,
            patients=report.patients,
        )
    )


def cmd_backup(args: argparse.Namespace) -> int:
    from verifier.services import backups

    if args.backup_command == "now":
        copy_to = args.copy_to or backups.second_folder()
        with signed_in(args) as ctx:
            made = backups.take(ctx, "manual", copy_to)
        print(i18n.tr("Sauvegarde faite : {path} ({size}).", path=made.path, size=_size(made.size)))
        if copy_to is not None:
            print(i18n.tr("Copie dans {folder}.", folder=copy_to))
        return 0
    if args.backup_command == "list":
        found = backups.listed(location(args))
        if not found:
            print(i18n.tr("Aucune sauvegarde dans {folder}.", folder=backups.folder(location(args))))
            return 0
        for b in found:
            print(f"{local_datetime(b.taken_at, i18n.language())}  {b.kind:<12} {_size(b.size):>10}  {b.path}")
        return 0
    user = user_name(args)
    password = read_password(args, i18n.tr("Mot de passe de {user} (celui du moment de la sauvegarde) : ", user=user))
    if args.backup_command == "verify":
        report = backups.verify(args.file, user, password)
        _print_report(report)
        if not report.good:
            raise UserError(i18n.tr("Cette sauvegarde est abîmée : ne la restaurez pas ; prenez-en une plus ancienne."))
        return 0
    report = backups.restore(args.file, args.to, user, password)
    _print_report(report)
    print(
        i18n.tr(
            "Restaurée dans {path}. Ouvrez-la avec « verifier --db {path} » ; une fois contrôlée, remplacez l'ancienne base par ce fichier et son fichier .keys.",
            path=args.to,
        )
    )
    return 0
