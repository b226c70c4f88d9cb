"""`verifier claims list|import|show`: searching the queue, queueing the claims of a JSON file
(docs/claims-import.md), and one claim with every amount."""

from __future__ import annotations

import argparse
import sys
from typing import Any, cast

from verifier import i18n
from verifier.cli.common import UserError, parse_date, read_input, signed_in

i18n.register(
    {
        "cli.import_queued": i18n.N_("mise en file"),
        "cli.import_already": i18n.N_("déjà en file (import précédent) : rien de nouveau"),
    }
)


def add_parsers(sub: Any, common: argparse.ArgumentParser) -> None:
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


def cmd_claims_import(args: argparse.Namespace) -> int:
    """Queue the claims of a JSON file (docs/claims-import.md): all or nothing."""
    from verifier.services import claims_import

    text = read_input(args.path)
    try:
        forms = claims_import.parse(text)  # the file's own mistakes, before asking for the password
    except claims_import.ImportRefused as refused:
        return _refused(refused)
    del forms
    with signed_in(args) as ctx:
        try:
            done = claims_import.import_claims(ctx, text)
        except claims_import.ImportRefused as refused:
            return _refused(refused)
    from verifier.domain.states import ClaimStatus

    opened = 0
    for claim, already in done.claims:
        if already:
            state = i18n.say("cli.import_already")
        elif claim.status is ClaimStatus.DRAFT:  # a stay recorded at admission, invoiced at discharge
            state = i18n.tr("séjour ouvert, à facturer à la sortie")
            opened += 1
        else:
            state = i18n.say("cli.import_queued")
        print(f"{claim.number_text}  {claim.id}  {claim.amc}  {state}")
    print(
        i18n.ntr(
            "{new} demande mise en file, {already} déjà en file.",
            "{new} demandes mises en file, {already} déjà en file.",
            done.new_count - opened,
            new=done.new_count - opened,
            already=len(done.claims) - done.new_count,
        )
    )
    if opened:
        print(i18n.ntr("{n} séjour ouvert.", "{n} séjours ouverts.", opened))
    return 0


def _refused(refused: Exception) -> int:
    for problem in getattr(refused, "problems", []):
        print(str(problem), file=sys.stderr)
    print(i18n.tr("Rien n'a été enregistré : corrigez le fichier et recommencez."), file=sys.stderr)
    return 1


def cmd_claims_show(args: argparse.Namespace) -> int:
    """A claim with its lines and every amount; --json writes them as the export's claims.json does."""
    from verifier.services import claim_view, claims

    with signed_in(args) as ctx:
        c = claims.by_number(ctx, args.number)
    data = claim_view.as_json(c)
    if args.json:
        import json

        print(json.dumps(data, ensure_ascii=False, indent=2))
        return 0
    print(f"{c.number_text} v{c.version}  {c.status.label()}  {c.dispensed_on:%d/%m/%Y}")
    for line in data["lines"]:  # type: ignore[attr-defined]
        print(
            f"  {line['position']:>2}. {line['quantity']} × {line['unit_price']}  {line['prestation_code']} "
            f"{line['amo_rate']} %  {str(line['label'])[:50]}  AMO {line['amo']}  AMC {line['amc']}  "
            f"patient {line['patient_share']}"
        )
    totals = cast(dict[str, object], data["amounts"])
    print(f"  price {totals['price']}  AMO {totals['amo']}  AMC {totals['amc']}  patient {totals['patient_share']}")
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
            raise UserError(
                i18n.tr(
                    "Statut inconnu « {value} ». Choisissez parmi : {choices}.",
                    value=value,
                    choices=", ".join(s.value for s in ClaimStatus),
                )
            ) from None
    with signed_in(args) as ctx:
        insurer_id = directory.get_insurer(ctx, args.insurer).id if args.insurer else None
        search = queue.Search(
            tuple(statuses), insurer_id, parse_date(args.date_from), parse_date(args.date_to), args.search or ""
        )
        page = queue.list_claims(ctx, search, offset=args.offset, limit=args.limit)
    if args.json:
        import json

        print(
            json.dumps(
                {
                    "total_count": page.total_count,
                    "claims": [
                        {
                            "id": r.id,
                            "number": r.number,
                            "version": r.version,
                            "status": r.status.value,
                            "kind": r.kind.value,
                            "open_stay": r.open_stay,
                            "dispensed_on": r.dispensed_on.isoformat(),
                            "insurer": r.amc_number,
                            "patient_nir_masked": r.masked_nir,
                            "price": str(r.price),
                            "amc": str(r.amc),
                            "operator_down": r.operator_down,
                        }
                        for r in page.rows
                    ],
                    "totals": [
                        {"insurer": t.insurer_name, "count": t.count, "amc": str(t.amc), "price": str(t.price)}
                        for t in page.totals
                    ],
                },
                ensure_ascii=False,
                indent=2,
            )
        )
        return 0
    for r in page.rows:
        print(
            f"{r.number:>8}  {r.dispensed_on:%d/%m/%Y}  {r.status_label():<15} {r.patient_name[:28]:<28} "
            f"{r.masked_nir}  {r.insurer_name[:24]:<24} {format_eur(r.amc):>12}"
        )
    print("—" * 40)
    for t in page.totals:
        print(f"{t.insurer_name}: {t.count} — {format_eur(t.amc)}")
    print(i18n.ntr("{n} demande", "{n} demandes", page.total_count))
    return 0
