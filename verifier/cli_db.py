"""`verifier db migrate-to URL`: moves the site from its embedded file to a PostgreSQL server.

Kept apart from verifier.cli so the shared command module only gains a choice and a
dispatch line. The administrator is signed in by the service itself, read-only on the
file (see services.site_move): `--user`, and the password from `--password-stdin`,
VERIFIER_PASSWORD or the terminal, as for every other command.
"""

from __future__ import annotations

import argparse
import os

from verifier import i18n

i18n.register(
    {
        "cli.migrate_url_missing": (
            "Indiquez la base PostgreSQL de destination : verifier db migrate-to postgresql://utilisateur@serveur:5432/base.",
            "Give the destination PostgreSQL database: verifier db migrate-to postgresql://user@server:5432/database.",
        ),
        "cli.migrate_done": (
            "Site copié de {source} vers {target} (schéma {revision}) en {seconds} s. Lignes par table (fichier → serveur) :",
            "Site copied from {source} to {target} (schema {revision}) in {seconds} s. Rows per table (file → server):",
        ),
        "cli.migrate_added": (" (+{added} du fichier de clés)", " (+{added} from the key file)"),
        "cli.migrate_checks": (
            "Vérifié sur le serveur : nombres de lignes égaux, journal d'audit intègre ({events} événements, « site.migrated » compris), connexion de {user} et déchiffrement. Séquences remises à niveau : {sequences}.",
            "Verified on the server: equal row counts, audit log intact ({events} events, 'site.migrated' included), {user}'s sign-in and decryption. Sequences moved on: {sequences}.",
        ),
        "cli.migrate_next": (
            "Ensuite :\n"
            "  1. Sur chaque poste, indiquez la nouvelle base : variable VERIFIER_DATABASE_URL={url}\n"
            "     ou \"database\": \"{url}\" dans config.json ({config}).\n"
            "     Le mot de passe PostgreSQL va dans ~/.pgpass (ou PGPASSWORD), jamais dans config.json.\n"
            "  2. Gardez {source} et {source}.keys comme sauvegarde, sans plus y enregistrer de demandes :\n"
            "     ce qui y serait saisi désormais n'irait pas sur le serveur.",
            "Next:\n"
            "  1. On each workstation, point to the new database: VERIFIER_DATABASE_URL={url}\n"
            "     or \"database\": \"{url}\" in config.json ({config}).\n"
            "     The PostgreSQL password belongs in ~/.pgpass (or PGPASSWORD), never in config.json.\n"
            "  2. Keep {source} and {source}.keys as a backup, and record nothing more there:\n"
            "     whatever is entered there from now on would not reach the server.",
        ),
    }
)


def cmd_migrate_to(args: argparse.Namespace) -> int:
    from verifier.cli import UserError, _location, _read_password
    from verifier.config import Config
    from verifier.services import site_move
    from sqlalchemy.engine import make_url

    url = getattr(args, "url", None)
    if not url:
        raise UserError(i18n.tr("cli.migrate_url_missing"))
    user = args.user or os.environ.get("VERIFIER_USER")
    if not user:
        raise UserError(i18n.tr("cli.no_user"))
    password = _read_password(args, i18n.tr("cli.password_prompt", user=user))
    report = site_move.migrate_to(_location(args), user, password, url)
    seconds = f"{report.seconds:.1f}".replace(".", "," if i18n.language() == "fr" else ".")
    print(i18n.tr("cli.migrate_done", source=report.source, target=report.target, revision=report.revision,
                  seconds=seconds))
    for t in report.tables:
        note = i18n.tr("cli.migrate_added", added=t.added) if t.added else ""
        print(f"  {t.table:<24} {t.source:>9} → {t.target:>9}{note}")
    print(i18n.tr("cli.migrate_checks", events=report.audit_events, user=user, sequences=len(report.sequences)))
    # The address to configure, without any password typed into it (that goes in ~/.pgpass).
    address = make_url(url)._replace(password=None).difference_update_query(["password"])
    address_text = address.render_as_string(hide_password=False)
    print(i18n.tr("cli.migrate_next", url=address_text, config=Config.path(), source=report.source))
    return 0
