"""The `verifier` command: starts the GUI, or runs an administration sub-command.

Exit codes: 0 success, 1 a user error (one clear sentence on stderr, no traceback),
2 a usage error (argparse's own message).
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING
from pathlib import Path

from verifier import __version__, i18n
from verifier.config import Config, database_location
from verifier.domain.errors import DomainError, Problem
from verifier.store.location import Location

if TYPE_CHECKING:
    from datetime import date, datetime

log = logging.getLogger("verifier.cli")


class UserError(Exception):
    """Something the user can fix; printed as one sentence."""


i18n.register(
    {
        "cli.password_prompt": ("Mot de passe de {user} : ", "Password for {user}: "),
        "cli.new_password_prompt": ("Nouveau mot de passe (12 caractères au moins) : ", "New password (at least 12 characters): "),
        "cli.confirm_prompt": ("Confirmez le mot de passe : ", "Confirm the password: "),
        "cli.mismatch": ("Les deux mots de passe diffèrent. Recommencez.", "The two passwords differ. Start again."),
        "cli.no_password": (
            "Aucun mot de passe fourni : utilisez --password-stdin, la variable VERIFIER_PASSWORD ou un terminal.",
            "No password given: use --password-stdin, the VERIFIER_PASSWORD variable, or a terminal.",
        ),
        "cli.no_user": ("Indiquez l'utilisateur avec --user (ou VERIFIER_USER).", "Give the user with --user (or VERIFIER_USER)."),
        "cli.site_name": ("Nom de l'officine ou de l'établissement : ", "Name of the pharmacy or establishment: "),
        "cli.init_done": (
            "Base créée : {where}\nAdministrateur : {user}\n\nCODE DE SECOURS (à imprimer ou recopier, il ne sera plus affiché) :\n  {code}\nIl permet de redéfinir le mot de passe d'un administrateur.\nMédicaments : {drugs} présentations chargées.",
            "Database created: {where}\nAdministrator: {user}\n\nRECOVERY CODE (print or write it down; it will not be shown again):\n  {code}\nIt can reset an administrator's password.\nDrugs: {drugs} presentations loaded.",
        ),
        "cli.url_saved": ("Adresse du serveur enregistrée dans {path}.", "Server address saved in {path}."),
        "cli.valid": ("Valide : {value}", "Valid: {value}"),
        "cli.warning": ("Attention : {message}", "Warning: {message}"),
        "cli.db_status": ("Base : {where}\nVersion du schéma : {current} (dernière : {head})", "Database: {where}\nSchema version: {current} (latest: {head})"),
        "cli.db_upgraded": ("Schéma à jour ({head}).", "Schema up to date ({head})."),
        "cli.drugs_imported": ("Référentiel remplacé. {summary}", "Reference replaced. {summary}"),
        "cli.audit_ok": ("Journal d'audit intègre : {count} événements vérifiés.", "Audit log intact: {count} events verified."),
        "cli.audit_broken": (
            "Journal d'audit altéré : l'événement n° {seq} ne correspond pas ({reason}). Les événements suivants ne sont plus garantis.",
            "Audit log altered: event #{seq} does not verify ({reason}). Events after it can no longer be trusted.",
        ),
        "cli.unexpected": (
            "Erreur inattendue ; rien n'a été modifié. Détails dans le journal : {log}",
            "Unexpected error; nothing was changed. Details in the log: {log}",
        ),
        "cli.bad_date": ("Date invalide « {value} » : écrivez jj/mm/aaaa.", "Invalid date '{value}': write dd/mm/yyyy."),
        "cli.unknown_status": ("Statut inconnu « {value} ». Choisissez parmi : {choices}.", "Unknown status '{value}'. Choose from: {choices}."),
        "cli.import_unreadable": ("Impossible de lire {path} ({reason}).", "Cannot read {path} ({reason})."),
        "cli.import_queued": ("mise en file", "queued"),
        "cli.import_already": ("déjà en file (import précédent) : rien de nouveau",
                               "already queued (earlier import): nothing new"),
        "cli.import_summary": ("{new} demande(s) mise(s) en file, {already} déjà en file.",
                               "{new} claim(s) queued, {already} already queued."),
        "cli.import_nothing": ("Rien n'a été enregistré : corrigez le fichier et recommencez.",
                               "Nothing was stored: correct the file and run it again."),
        "cli.unknown_insurer": ("Aucun organisme avec le numéro AMC {amc}.", "No insurer with AMC number {amc}."),
    }
)


def _read_password(args: argparse.Namespace, prompt: str, *, confirm: bool = False) -> str:
    import getpass

    if getattr(args, "password_stdin", False):
        line = sys.stdin.readline()
        if not line:
            raise UserError(i18n.tr("cli.no_password"))
        return line.rstrip("\r\n")
    env = os.environ.get("VERIFIER_PASSWORD")
    if env:
        return env
    if not sys.stdin.isatty():
        raise UserError(i18n.tr("cli.no_password"))
    first = getpass.getpass(prompt)
    if confirm and getpass.getpass(i18n.tr("cli.confirm_prompt")) != first:
        raise UserError(i18n.tr("cli.mismatch"))
    return first


def _location(args: argparse.Namespace) -> Location:
    return database_location(args.db)


def _sign_in(args: argparse.Namespace):  # type: ignore[no-untyped-def]
    from verifier.services import auth

    user = args.user or os.environ.get("VERIFIER_USER")
    if not user:
        raise UserError(i18n.tr("cli.no_user"))
    password = _read_password(args, i18n.tr("cli.password_prompt", user=user))
    return auth.sign_in(_location(args), user, password)


def _parse_date(text: str | None) -> date | None:
    from datetime import date

    if not text:
        return None
    for sep in ("/", "-"):
        parts = text.split(sep)
        if len(parts) == 3:
            try:
                if len(parts[0]) == 4:
                    return date(int(parts[0]), int(parts[1]), int(parts[2]))
                return date(int(parts[2]), int(parts[1]), int(parts[0]))
            except ValueError:
                break
    raise UserError(i18n.tr("cli.bad_date", value=text))


# --- commands -------------------------------------------------------------------------


def cmd_gui(args: argparse.Namespace) -> int:
    from verifier.app import run_gui

    return run_gui(args.db)


def cmd_init(args: argparse.Namespace) -> int:
    from verifier.config import remember_database, server_url_problems
    from verifier.domain.errors import ValidationError
    from verifier.services import auth, drugs

    if args.database_url:  # checked first: a URL that config.json would refuse creates nothing
        problems = server_url_problems(args.database_url)
        if problems:
            raise ValidationError(problems)
    location = Location.parse(args.database_url.strip()) if args.database_url else _location(args)
    site_name = args.site_name or (input(i18n.tr("cli.site_name")) if sys.stdin.isatty() else "")
    user = args.user or "admin"
    password = _read_password(args, i18n.tr("cli.new_password_prompt"), confirm=True)
    site = auth.SiteInput(site_name, args.finess, args.am_number, args.address)
    ctx, recovery = auth.initialise(location, site, user, args.display_name or user, password)
    try:
        count = drugs.load_shipped_snapshot(ctx.store, ctx.actor.login, ctx.actor.user_id)
    finally:
        ctx.close()
    print(i18n.tr("cli.init_done", where=location.describe(), user=user, code=recovery, drugs=count))
    if args.database_url:  # this computer's GUI opens the server from now on
        remember_database(args.database_url)
        print(i18n.tr("cli.url_saved", path=Config.path()))
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    from verifier.services import demo

    location = database_location(args.db) if args.db else Location.parse(str(demo.default_demo_path()))
    summary = demo.build(location)
    print(summary)
    return 0


def cmd_db(args: argparse.Namespace) -> int:
    from verifier.store import migrate

    if args.db_command == "migrate-to":  # signs in itself, read-only on the file
        from verifier import cli_db

        return cli_db.cmd_migrate_to(args)
    ctx = _sign_in(args)
    try:
        if args.db_command == "status":
            current = migrate.current_revision(ctx.store.engine)
            print(i18n.tr("cli.db_status", where=ctx.store.location.describe(), current=current,
                          head=migrate.head_revision()))
        else:  # upgrade: signing in already upgraded (with a backup first)
            print(i18n.tr("cli.db_upgraded", head=migrate.head_revision()))
    finally:
        ctx.close()
    return 0


def cmd_drugs(args: argparse.Namespace) -> int:
    from verifier.domain.money import format_eur
    from verifier.services import drugs

    ctx = _sign_in(args)
    try:
        if args.drugs_command == "import":
            report = drugs.import_reference(ctx, Path(args.path), args.snapshot_date)
            print(i18n.tr("cli.drugs_imported", summary=report.summary()))
            return 0
        found = drugs.lookup(ctx, args.code)
        if found.drug is None:
            raise DomainError("drug.unknown")
        d = found.drug
        rate = f"{d.rate.normalize():f} %" if d.rate is not None else "—"
        price = format_eur(d.price) if d.price is not None else "—"
        print(f"{d.cip13}  (CIP7 {d.cip7})\n{d.label}\n{d.prestation_code}  {rate}  {price}"
              + ("" if d.marketed else "  [non commercialisé]" if i18n.language() == "fr" else "  [not marketed]"))
        if found.scan and (found.scan.expiry or found.scan.lot):
            print(f"exp. {found.scan.expiry:%d/%m/%Y}  lot {found.scan.lot or '—'}" if found.scan.expiry
                  else f"lot {found.scan.lot}")
        return 0
    finally:
        ctx.close()


VALIDATORS: dict[str, str] = {
    "nir": "check_nir",
    "rpps": "check_rpps",
    "cip": "check_cip",
    "finess": "check_finess",
    "amc": "check_amc_number",
}


def cmd_validate(args: argparse.Namespace) -> int:
    from verifier.domain import identifiers

    check: Callable[[str], object] = getattr(identifiers, VALIDATORS[args.kind])
    result = check(args.value)
    problems: tuple[Problem, ...] = result.problems  # type: ignore[attr-defined]
    warnings: tuple[Problem, ...] = result.warnings  # type: ignore[attr-defined]
    for w in warnings:
        print(i18n.tr("cli.warning", message=w.message()))
    if problems:
        raise UserError(" ".join(p.message() for p in problems))
    print(i18n.tr("cli.valid", value=result.value))  # type: ignore[attr-defined]
    return 0


def cmd_claims_import(args: argparse.Namespace) -> int:
    """Queue the claims of a JSON file (docs/claims-import.md): all or nothing."""
    from verifier.services import claims_import

    try:
        text = sys.stdin.read() if args.path == "-" else Path(args.path).read_text("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise UserError(i18n.tr("cli.import_unreadable", path=args.path, reason=type(exc).__name__)) from None
    try:
        forms = claims_import.parse(text)  # the file's own mistakes, before asking for the password
    except claims_import.ImportRefused as refused:
        return _refused(refused)
    del forms
    ctx = _sign_in(args)
    try:
        done = claims_import.import_claims(ctx, text)
    except claims_import.ImportRefused as refused:
        return _refused(refused)
    finally:
        ctx.close()
    for claim, already in done.claims:
        state = i18n.tr("cli.import_already" if already else "cli.import_queued")
        print(f"{claim.number_text}  {claim.id}  {claim.amc}  {state}")
    print(i18n.tr("cli.import_summary", new=done.new_count, already=len(done.claims) - done.new_count))
    return 0


def _refused(refused: Exception) -> int:
    for problem in getattr(refused, "problems", []):
        print(str(problem), file=sys.stderr)
    print(i18n.tr("cli.import_nothing"), file=sys.stderr)
    return 1


def cmd_claims_show(args: argparse.Namespace) -> int:
    """A claim with its lines and every amount; --json writes them as the export's claims.json does."""
    from verifier.exports.values import amount, rate
    from verifier.services import claims

    ctx = _sign_in(args)
    try:
        c = claims.by_number(ctx, args.number)
    finally:
        ctx.close()
    data = {
        "claim_id": c.id, "claim_number": c.number, "version": c.version, "status": c.status.value,
        "dispensed_on": c.dispensed_on.isoformat(), "prescriber_rpps": c.prescriber_rpps,
        "amounts": {"price": amount(c.price), "amo": amount(c.amo), "amc": amount(c.amc),
                    "patient_share": amount(c.patient_share)},
        "lines": [
            {"position": pos, "code": d.code, "code_kind": d.code_kind, "label": d.label,
             "prestation_code": d.prestation_code, "quantity": d.quantity, "unit_price": amount(d.unit_price),
             "br_unit": amount(d.br_unit if d.br_unit is not None else d.unit_price), "amo_rate": rate(d.amo_rate),
             "price": amount(a.price), "br": amount(a.br), "amo": amount(a.amo), "tm": amount(a.tm),
             "amc": amount(a.amc), "patient_share": amount(a.patient)}
            for pos, (d, a) in enumerate(c.lines, start=1)
        ],
    }
    if args.json:
        import json

        print(json.dumps(data, ensure_ascii=False, indent=2))
        return 0
    print(f"{c.number_text} v{c.version}  {c.status.label()}  {c.dispensed_on:%d/%m/%Y}")
    for line in data["lines"]:  # type: ignore[attr-defined]
        print(f"  {line['position']:>2}. {line['quantity']} × {line['unit_price']}  {line['prestation_code']} "
              f"{line['amo_rate']} %  {str(line['label'])[:50]}  AMO {line['amo']}  AMC {line['amc']}  "
              f"patient {line['patient_share']}")
    totals = data["amounts"]
    print(f"  price {totals['price']}  AMO {totals['amo']}  AMC {totals['amc']}  "  # type: ignore[index]
          f"patient {totals['patient_share']}")  # type: ignore[index]
    return 0


def cmd_claims(args: argparse.Namespace) -> int:
    if getattr(args, "claims_command", None) == "import":
        return cmd_claims_import(args)
    if getattr(args, "claims_command", None) == "show":
        return cmd_claims_show(args)
    from verifier.domain.money import format_eur
    from verifier.domain.states import ClaimStatus
    from verifier.services import directory, queue

    statuses = []
    for value in args.status or []:
        try:
            statuses.append(ClaimStatus(value))
        except ValueError:
            raise UserError(i18n.tr("cli.unknown_status", value=value,
                                    choices=", ".join(s.value for s in ClaimStatus))) from None
    ctx = _sign_in(args)
    try:
        insurer_id = directory.get_insurer(ctx, args.insurer).id if args.insurer else None
        search = queue.Search(tuple(statuses), insurer_id, _parse_date(args.date_from), _parse_date(args.date_to),
                              args.search or "")
        page = queue.list_claims(ctx, search, offset=args.offset, limit=args.limit)
    finally:
        ctx.close()
    if args.json:
        import json

        print(json.dumps({
            "total_count": page.total_count,
            "claims": [{"id": r.id, "number": r.number, "version": r.version, "status": r.status.value,
                        "dispensed_on": r.dispensed_on.isoformat(), "insurer": r.amc_number,
                        "patient_nir_masked": r.masked_nir, "price": str(r.price), "amc": str(r.amc),
                        "operator_down": r.operator_down} for r in page.rows],
            "totals": [{"insurer": t.insurer_name, "count": t.count, "amc": str(t.amc), "price": str(t.price)}
                       for t in page.totals],
        }, ensure_ascii=False, indent=2))
        return 0
    for r in page.rows:
        print(f"{r.number:>8}  {r.dispensed_on:%d/%m/%Y}  {r.status.label():<12} {r.patient_name[:28]:<28} "
              f"{r.masked_nir}  {r.insurer_name[:24]:<24} {format_eur(r.amc):>12}")
    print("—" * 40)
    for t in page.totals:
        print(f"{t.insurer_name}: {t.count} — {format_eur(t.amc)}")
    print(f"{page.total_count} {'demande(s)' if i18n.language() == 'fr' else 'claim(s)'}")
    return 0


def cmd_audit(args: argparse.Namespace) -> int:
    from verifier.services import audit

    ctx = _sign_in(args)
    try:
        report = audit.verify(ctx)
    finally:
        ctx.close()
    if report.broken_at is not None:
        raise UserError(i18n.tr("cli.audit_broken", seq=report.broken_at, reason=report.reason))
    print(i18n.tr("cli.audit_ok", count=report.events))
    return 0


# --- outages --------------------------------------------------------------------------

i18n.register(
    {
        "cli.outage_started": ("{name} ({code}) est déclaré en panne depuis le {at}.",
                               "{name} ({code}) is declared down since {at}."),
        "cli.outage_ended": ("{name} ({code}) est déclaré rétabli le {at} ; la panne avait commencé le {since}.",
                             "{name} ({code}) is declared back up on {at}; the outage began on {since}."),
        "cli.outage_ready": ("En attente d'export pour cet opérateur : {count} demande(s), {amount}.",
                             "Awaiting export for this operator: {count} claim(s), {amount}."),
        "cli.outage_none": ("Aucune panne enregistrée.", "No outage recorded."),
        "cli.outage_current": ("En panne maintenant :", "Down now:"),
        "cli.outage_no_current": ("Aucun opérateur n'est déclaré en panne.", "No operator is declared down."),
        "cli.outage_recent": ("Pannes terminées récentes :", "Recent outages, ended:"),
        "cli.outage_down_line": ("  {code:<14} {name:<20} depuis le {since}{reason}",
                                 "  {code:<14} {name:<20} since {since}{reason}"),
        "cli.outage_past_line": ("  {code:<14} {name:<20} du {since} au {until}{reason}",
                                 "  {code:<14} {name:<20} from {since} to {until}{reason}"),
        "cli.outage_reason": (" – motif : {reason}", " – reason: {reason}"),
    }
)


def _local_time(moment: datetime) -> str:
    from datetime import UTC

    aware = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return aware.astimezone().strftime("%d/%m/%Y %H:%M" if i18n.language() == "fr" else "%Y-%m-%d %H:%M")


def cmd_outage(args: argparse.Namespace) -> int:
    """Declare an operator down or back up (any signed-in user), or list the outages."""
    from verifier.domain.money import format_eur
    from verifier.services import outages, probe  # probe imports directory: its operator messages

    ctx = _sign_in(args)
    try:
        if args.outage_command == "start":
            info = outages.declare_down(ctx, args.operator, args.reason or "")
            print(i18n.tr("cli.outage_started", name=info.operator_name, code=info.operator_code,
                          at=_local_time(info.started_at)))
            return 0
        if args.outage_command == "end":
            info = outages.declare_up(ctx, args.operator)
            count, amount = probe.ready_to_export(ctx, info.operator_code)
            assert info.ended_at is not None
            print(i18n.tr("cli.outage_ended", name=info.operator_name, code=info.operator_code,
                          at=_local_time(info.ended_at), since=_local_time(info.started_at)))
            print(i18n.tr("cli.outage_ready", count=count, amount=format_eur(amount)))
            return 0
        current = outages.current(ctx)
        past = [o for o in outages.history(ctx, limit=args.limit) if o.ended_at is not None]
    finally:
        ctx.close()

    def reason(o: outages.OutageInfo) -> str:
        return i18n.tr("cli.outage_reason", reason=o.reason) if o.reason else ""

    if not current and not past:
        print(i18n.tr("cli.outage_none"))
        return 0
    print(i18n.tr("cli.outage_current") if current else i18n.tr("cli.outage_no_current"))
    for o in current:
        print(i18n.tr("cli.outage_down_line", code=o.operator_code, name=o.operator_name,
                      since=_local_time(o.started_at), reason=reason(o)))
    if past:
        print(i18n.tr("cli.outage_recent"))
    for o in past:
        assert o.ended_at is not None
        print(i18n.tr("cli.outage_past_line", code=o.operator_code, name=o.operator_name,
                      since=_local_time(o.started_at), until=_local_time(o.ended_at), reason=reason(o)))
    return 0


# --- parser ---------------------------------------------------------------------------


def _common(suppress: bool) -> argparse.ArgumentParser:
    """--db, --user, --password-stdin: accepted before or after the sub-command.

    Sub-commands suppress their defaults so a value given before the sub-command is kept.
    """
    kw = {"default": argparse.SUPPRESS} if suppress else {}
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--db", help="SQLite file or PostgreSQL URL (default: the user's data folder)", **kw)
    common.add_argument("--user", help="user name (or VERIFIER_USER)", **kw)
    common.add_argument("--password-stdin", action="store_true", help="read the password from standard input", **kw)
    return common


def build_parser() -> argparse.ArgumentParser:
    common = _common(suppress=True)
    p = argparse.ArgumentParser(prog="verifier", parents=[_common(suppress=False)],
                                description="Manual coverage checks and claim queue for tiers-payant outages.")
    p.add_argument("--version", action="version", version=f"verifier {__version__}")
    p.add_argument("--lang", choices=i18n.LANGUAGES, help="interface language (default: the system's)")
    sub = p.add_subparsers(dest="command")

    init = sub.add_parser("init", parents=[common], help="create a new site and its first administrator")
    init.add_argument("--site-name")
    init.add_argument("--finess")
    init.add_argument("--am-number")
    init.add_argument("--address")
    init.add_argument("--display-name")
    init.add_argument("--database-url", help="create the site on this PostgreSQL server (no password in it: use "
                      "~/.pgpass or PGPASSWORD) and save the URL in config.json")
    init.set_defaults(func=cmd_init)

    demo = sub.add_parser("demo", parents=[common], help="create a demonstration database with fictional data")
    demo.set_defaults(func=cmd_demo)

    db = sub.add_parser("db", parents=[common], help="database schema")
    db.add_argument("db_command", choices=["upgrade", "status", "migrate-to"])
    db.add_argument("url", nargs="?", help="migrate-to: the empty PostgreSQL database to move the site to")
    db.set_defaults(func=cmd_db)

    drugs = sub.add_parser("drugs", help="drug reference")
    dsub = drugs.add_subparsers(dest="drugs_command", required=True)
    imp = dsub.add_parser("import", parents=[common], help="replace the reference with an ANSM download")
    imp.add_argument("path")
    imp.add_argument("--snapshot-date", help="date of the download (default: today)")
    show = dsub.add_parser("show", parents=[common], help="look up a CIP13, a CIP7 or a scanned code")
    show.add_argument("code")
    drugs.set_defaults(func=cmd_drugs)

    val = sub.add_parser("validate", help="check an identifier")
    val.add_argument("kind", choices=sorted(VALIDATORS))
    val.add_argument("value")
    val.set_defaults(func=cmd_validate)

    claims = sub.add_parser("claims", help="claims")
    csub = claims.add_subparsers(dest="claims_command", required=True)
    lst = csub.add_parser("list", parents=[common], help="list and search claims")
    lst.add_argument("--status", action="append", help="draft, queued, exported, accepted, rejected, paid, void")
    lst.add_argument("--insurer", help="AMC number")
    lst.add_argument("--from", dest="date_from", help="dispensed on or after dd/mm/yyyy")
    lst.add_argument("--to", dest="date_to", help="dispensed on or before dd/mm/yyyy")
    lst.add_argument("--search", help="claim number, patient name or exact NIR")
    lst.add_argument("--offset", type=int, default=0)
    lst.add_argument("--limit", type=int, default=50)
    lst.add_argument("--json", action="store_true")
    cimp = csub.add_parser("import", parents=[common], help="queue the claims of a JSON file (docs/claims-import.md)")
    cimp.add_argument("path", help="the JSON file, or - for standard input")
    cshow = csub.add_parser("show", parents=[common], help="a claim with its lines and every amount")
    cshow.add_argument("number", type=int, help="the claim's number")
    cshow.add_argument("--json", action="store_true", help="amounts as the export's claims.json writes them")
    claims.set_defaults(func=cmd_claims)

    audit = sub.add_parser("audit", help="audit log")
    asub = audit.add_subparsers(dest="audit_command", required=True)
    asub.add_parser("verify", parents=[common], help="check the hash chain")
    audit.set_defaults(func=cmd_audit)

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

    from verifier import cli_batches

    cli_batches.add_parsers(sub, common)
    return p


def _starts_gui(argv: list[str]) -> bool:
    """Only global options (no sub-command, no help): the counter starting its window."""
    takes_value = ("--db", "--user", "--lang")
    i = 0
    while i < len(argv):
        arg = argv[i]
        if arg in takes_value:
            i += 2
            continue
        if not (arg.startswith(takes_value) and "=" in arg) and arg != "--password-stdin":
            return False  # a sub-command, a typo or --help/--version: the full parser says
        i += 1
    return True


def _gui_parser() -> argparse.ArgumentParser:
    """Only the global options: building every sub-command's parser costs start-up time."""
    p = argparse.ArgumentParser(prog="verifier", parents=[_common(suppress=False)])
    p.add_argument("--lang", choices=i18n.LANGUAGES)
    return p


def main(argv: Sequence[str] | None = None) -> int:
    from verifier import log as logsetup

    argv = sys.argv[1:] if argv is None else list(argv)
    args = _gui_parser().parse_args(argv) if _starts_gui(argv) else build_parser().parse_args(argv)
    i18n.set_language(args.lang or Config.load().language or i18n.system_language())
    logfile = logsetup.setup()
    func = getattr(args, "func", cmd_gui)
    try:
        return int(func(args))
    except (UserError, DomainError) as exc:
        # The server went away mid-command: the counter's sentence ("what is typed is kept")
        # does not fit a command; this one says what to check.
        server_down = isinstance(exc, DomainError) and exc.problem.code == "db.server_down"
        print(i18n.tr("db.unreachable") if server_down else str(exc), file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    except Exception as exc:
        from sqlalchemy.exc import OperationalError  # not at the top: start-up stays light

        if isinstance(exc, OperationalError):
            log.warning("database unreachable: %s", type(exc.orig).__name__ if exc.orig else "OperationalError")
            print(i18n.tr("db.unreachable"), file=sys.stderr)
            return 1
        log.exception("unexpected error in %s", getattr(args, "command", "gui"))
        print(i18n.tr("cli.unexpected", log=logfile), file=sys.stderr)
        return 1
