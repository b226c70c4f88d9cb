"""`verifier stay simulate FILE.json|-`: who pays what on a stay or a consultation, nothing stored."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from verifier import i18n
from verifier.cli.common import read_input, signed_in
from verifier.formatting import format_eur


def add_parsers(sub: Any, common: argparse.ArgumentParser) -> None:
    stay = sub.add_parser("stay", help="clinic stays and consultations")
    ssub = stay.add_subparsers(dest="stay_command", required=True)
    sim = ssub.add_parser(
        "simulate", parents=[common], help="compute a stay's AMO, AMC and patient shares (nothing stored)"
    )
    sim.add_argument("file", help="the stay in JSON (docs/clinics.md), or - for standard input")
    sim.add_argument("--json", action="store_true", help="print the amounts as JSON")
    stay.set_defaults(func=cmd_stay)


def cmd_stay(args: argparse.Namespace) -> int:
    from verifier.services import stay_simulation
    from verifier.services.json_reader import ImportRefused

    text = read_input(args.file)
    with signed_in(args) as ctx:
        try:
            sim = stay_simulation.simulate(ctx, text)
        except ImportRefused as exc:
            for p in exc.problems:
                print(str(p), file=sys.stderr)
            print(i18n.tr("Rien n'est calculé : corrigez le fichier et recommencez."), file=sys.stderr)
            return 1
    if args.json:
        print(json.dumps(stay_simulation.as_json(sim), ensure_ascii=False, indent=2))
        return 0
    for r in sim.invoice.lines:
        a = r.amounts
        notes = "; ".join(i18n.say(n) for n in r.notes)
        print(
            f"{r.line.code:<6} {r.line.quantity:>3}  {format_eur(a.price):>12}  AMO {format_eur(a.amo):>11}  "
            f"AMC {format_eur(a.amc):>11}  patient {format_eur(a.patient):>10}" + (f"  ({notes})" if notes else "")
        )
    t = sim.invoice.totals
    print(
        i18n.tr(
            "Total {price} : AMO {amo}, complémentaire {amc}, patient {patient}.",
            price=format_eur(t.price),
            amo=format_eur(t.amo),
            amc=format_eur(t.amc),
            patient=format_eur(t.patient),
        )
    )
    for w in sim.warnings:
        print(i18n.tr("Attention : {warning}", warning=w))
    return 0
