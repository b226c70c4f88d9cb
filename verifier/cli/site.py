"""`verifier init` (a new site and its first administrator) and `verifier demo`."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from verifier import i18n
from verifier.cli.common import location, read_password
from verifier.config import Config, database_location
from verifier.location import Location


def add_parsers(sub: Any, common: argparse.ArgumentParser) -> None:
    init = sub.add_parser("init", parents=[common], help="create a new site and its first administrator")
    init.add_argument("--site-name")
    init.add_argument("--finess")
    init.add_argument("--am-number")
    init.add_argument("--address")
    init.add_argument("--display-name")
    init.add_argument(
        "--activity",
        default="pharmacy",
        help="what the site does, comma-separated: pharmacy (officine), clinic (établissement de santé), "
        "centre (centre de santé); default pharmacy",
    )
    init.add_argument(
        "--database-url",
        help="create the site on this PostgreSQL server (no password in it: use "
        "~/.pgpass or PGPASSWORD) and save the URL in config.json",
    )
    init.set_defaults(func=cmd_init)

    demo = sub.add_parser("demo", parents=[common], help="create a demonstration database with fictional data")
    demo.add_argument(
        "--activity",
        default="pharmacy",
        help="what the demo site does, comma-separated: pharmacy (dispensings), clinic (stays), "
        "centre (consultations); default pharmacy",
    )
    demo.set_defaults(func=cmd_demo)


def cmd_init(args: argparse.Namespace) -> int:
    from verifier.config import remember_database, server_url_problems
    from verifier.domain.errors import ValidationError
    from verifier.services import auth, drugs, settings

    if args.database_url:  # checked first: a URL that config.json would refuse creates nothing
        problems = server_url_problems(args.database_url)
        if problems:
            raise ValidationError(problems)
    activities = tuple(a.strip().lower() for a in args.activity.split(",") if a.strip())
    wrong = settings.activity_problems(activities)
    if wrong:  # before the password is asked: nothing to type again
        raise ValidationError(wrong)
    where = Location.parse(args.database_url.strip()) if args.database_url else location(args)
    site_name = args.site_name or (
        input(i18n.tr("Nom de l'officine ou de l'établissement : ")) if sys.stdin.isatty() else ""
    )
    user = args.user or "admin"
    password = read_password(args, i18n.tr("Nouveau mot de passe (12 caractères au moins) : "), confirm=True)
    site = auth.SiteInput(site_name, args.finess, args.am_number, args.address, activities)
    ctx, recovery = auth.initialise(where, site, user, args.display_name or user, password)
    with ctx:
        count = drugs.load_shipped_snapshot(ctx.store, ctx.actor.login, ctx.actor.user_id)
    print(
        i18n.tr(
            "Base créée : {where}\nAdministrateur : {user}\n\nCODE DE SECOURS (à imprimer ou recopier, il ne sera plus affiché) :\n  {code}\nIl permet de redéfinir le mot de passe d'un administrateur.\nMédicaments : {drugs} présentations chargées.",
            where=where.describe(),
            user=user,
            code=recovery,
            drugs=count,
        )
    )
    if args.database_url:  # this computer's GUI opens the server from now on
        remember_database(args.database_url)
        print(i18n.tr("Adresse du serveur enregistrée dans {path}.", path=Config.path()))
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    from verifier.domain.errors import ValidationError
    from verifier.services import demo, settings

    activities = tuple(a.strip().lower() for a in args.activity.split(",") if a.strip())
    wrong = settings.activity_problems(activities)
    if wrong:
        raise ValidationError(wrong)
    where = database_location(args.db) if args.db else Location.parse(str(demo.default_demo_path()))
    summary = demo.build(where, activities=activities)
    print(summary)
    return 0
