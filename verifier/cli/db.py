"""`verifier db upgrade|status|migrate-to URL`: the database's schema, and moving the site
from its embedded file to a PostgreSQL server.

`migrate-to` signs the administrator in through the service itself, read-only on the file
(see services.site_move): `--user`, and the password from `--password-stdin`,
VERIFIER_PASSWORD or the terminal, as for every other command.
"""

from __future__ import annotations

import argparse
from typing import Any

from verifier import i18n
from verifier.cli.common import UserError, location, read_password, signed_in, user_name
from verifier.formatting import format_decimal
from verifier.location import without_password


def add_parsers(sub: Any, common: argparse.ArgumentParser) -> None:
    db = sub.add_parser("db", parents=[common], help="database schema")
    db.add_argument("db_command", choices=["upgrade", "status", "migrate-to"])
    db.add_argument("url", nargs="?", help="migrate-to: the empty PostgreSQL database to move the site to")
    db.set_defaults(func=cmd_db)


def cmd_db(args: argparse.Namespace) -> int:
    from verifier.services import auth

    if args.db_command == "migrate-to":  # signs in itself, read-only on the file
        return cmd_migrate_to(args)
    if args.db_command == "status":  # only reads: no upgrade, no sign-in event
        user = user_name(args)
        password = read_password(args, i18n.tr("Mot de passe de {user} : ", user=user))
        where = location(args)
        current, head = auth.schema_status(where, user, password)
        print(
            i18n.tr(
                "Base : {where}\nVersion du schéma : {current} (dernière : {head})",
                where=where.describe(),
                current=current,
                head=head,
            )
        )
        if current != head:
            print(i18n.tr("« verifier db upgrade » le mettra à jour (une copie est faite d'abord)."))
        return 0
    with signed_in(args) as ctx:
        _, head = auth.schema_revisions(ctx)
        print(i18n.tr("Schéma à jour ({head}).", head=head))  # signing in upgraded it (with a backup first)
    return 0


def cmd_migrate_to(args: argparse.Namespace) -> int:
    from verifier.config import Config
    from verifier.services import site_move

    url = getattr(args, "url", None)
    if not url:
        raise UserError(
            i18n.tr(
                "Indiquez la base PostgreSQL de destination : verifier db migrate-to postgresql://utilisateur@serveur:5432/base."
            )
        )
    user = user_name(args)
    password = read_password(args, i18n.tr("Mot de passe de {user} : ", user=user))
    report = site_move.migrate_to(location(args), user, password, url)
    seconds = format_decimal(report.seconds, 1)
    print(
        i18n.tr(
            "Site copié de {source} vers {target} (schéma {revision}) en {seconds} s. Lignes par table (fichier → serveur) :",
            source=report.source,
            target=report.target,
            revision=report.revision,
            seconds=seconds,
        )
    )
    for t in report.tables:
        note = i18n.tr(" (+{added} du fichier de clés)", added=t.added) if t.added else ""
        print(f"  {t.table:<24} {t.source:>9} → {t.target:>9}{note}")
    print(
        i18n.tr(
            "Vérifié sur le serveur : nombres de lignes égaux, journal d'audit intègre ({events} événements, « site.migrated » compris), connexion de {user} et déchiffrement. Séquences remises à niveau : {sequences}.",
            events=report.audit_events,
            user=user,
            sequences=len(report.sequences),
        )
    )
    # The address to configure, without any password typed into it (that goes in ~/.pgpass).
    address_text = without_password(url)
    print(
        i18n.tr(
            'Ensuite :\n  1. Sur chaque poste, indiquez la nouvelle base : variable VERIFIER_DATABASE_URL={url}\n     ou "database": "{url}" dans config.json ({config}).\n     Le mot de passe PostgreSQL va dans ~/.pgpass (ou PGPASSWORD), jamais dans config.json.\n  2. Gardez {source} et {source}.keys comme sauvegarde, sans plus y enregistrer de demandes :\n     ce qui y serait saisi désormais n\'irait pas sur le serveur.',
            url=address_text,
            config=Config.path(),
            source=report.source,
        )
    )
    return 0
