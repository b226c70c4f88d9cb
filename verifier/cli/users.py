"""`verifier user disable|enable` and `verifier key rotate` (administrators)."""

from __future__ import annotations

import argparse
import getpass
import os
from typing import Any

from verifier import i18n
from verifier.cli.common import signed_in


def add_parsers(sub: Any, common: argparse.ArgumentParser) -> None:
    user = sub.add_parser("user", help="users: disable (revokes their key), enable")
    usub = user.add_subparsers(dest="user_command", required=True)
    off = usub.add_parser("disable", parents=[common], help="stop a user and change the database key")
    off.add_argument("login")
    on = usub.add_parser("enable", parents=[common], help="let a user sign in again, with a new password")
    on.add_argument("login")
    user.set_defaults(func=cmd_user)
    key = sub.add_parser("key", help="the database key")
    ksub = key.add_subparsers(dest="key_command", required=True)
    ksub.add_parser("rotate", parents=[common], help="make a new database key for the active users")
    key.set_defaults(func=cmd_key)


def _report(result: Any) -> None:
    """What a key change means for the people concerned."""
    print(
        i18n.ntr(
            "Nouvelle clé : {n} utilisateur la reçoit.", "Nouvelle clé : {n} utilisateurs la reçoivent.", result.users
        )
    )
    if result.needs_password:
        print(
            i18n.tr(
                "Sans nouvelle clé (ne s'étaient pas connectés depuis la mise à jour) : {logins}. Donnez-leur un nouveau mot de passe.",
                logins=", ".join(result.needs_password),
            )
        )
    if not result.finished:
        print(
            i18n.tr(
                "Le fichier est ouvert dans une autre fenêtre de verifier sur cet ordinateur : les données personnelles sont déjà sous la nouvelle clé ; le reste du fichier la prendra à la prochaine connexion, une fois les autres fenêtres fermées."
            )
        )
    if result.recovery_code:
        print(
            i18n.tr(
                "Nouveau code de secours, à imprimer et ranger sous clé (l'ancien ne sert plus) : {code}",
                code=result.recovery_code,
            )
        )


def _progress(done: int, total: int) -> None:
    if total:
        print(i18n.tr("Rechiffrement : {done} / {total}", done=done, total=total), end="\r", flush=True)


def cmd_user(args: argparse.Namespace) -> int:
    from verifier.services import users

    if args.user_command == "enable":
        with signed_in(args) as ctx:
            # Asked after the administrator's own password (VERIFIER_NEW_PASSWORD in scripts):
            # the deactivation dropped the user's key slot, a new password makes a new one.
            new = os.environ.get("VERIFIER_NEW_PASSWORD") or getpass.getpass(
                i18n.tr("Nouveau mot de passe de {login} : ", login=args.login)
            )
            info = users.reactivate(ctx, args.login, new)
        print(i18n.tr("« {login} » peut de nouveau se connecter, avec ce nouveau mot de passe.", login=info.login))
        return 0
    with signed_in(args) as ctx:
        info = users.set_active(ctx, args.login, False)
    print(
        i18n.tr(
            "« {login} » est désactivé ; ses copies de la clé n'ouvrent plus rien de ce qui est écrit désormais.",
            login=info.login,
        )
    )
    if info.rotation is not None:
        _report(info.rotation)
    return 0


def cmd_key(args: argparse.Namespace) -> int:
    from verifier.services import keys

    with signed_in(args) as ctx:
        result = keys.rotate(ctx, "manual", progress=_progress)
    print()
    _report(result)
    return 0
