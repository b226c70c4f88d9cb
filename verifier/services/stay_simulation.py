"""Who pays what on a stay or a consultation described in JSON: a simulation, nothing stored.

During an outage the operator's simulation service (the SIM of the ROC scheme, or the
portal's calculator) is down too; billing staff still need the AMC's share before the
patient leaves. `simulate` reads the stay (docs/clinics.md, "Simulating a stay"), computes it
with the site's tariffs (shipped and added) and says every problem with its JSON path.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from verifier import i18n
from verifier.domain.care import CareInvoice, CareLine, Exemption, Stay, compute
from verifier.domain.care_guarantees import CareGuarantee, Item, parse_guarantees, responsible_contract_warnings
from verifier.domain.errors import Problem, ValidationError
from verifier.services import tariffs
from verifier.services.context import Context
from verifier.services.json_reader import ImportRefused, JsonReader, PathProblem, load_json


@dataclass(frozen=True)
class Simulation:
    stay: Stay
    invoice: CareInvoice
    warnings: list[str]  # contrat-responsable clauses the guarantees miss


def _guarantees(r: JsonReader, root: dict[str, Any]) -> list[CareGuarantee]:
    raw = root.get("guarantees", [])
    if not isinstance(raw, list):
        r.bad("$.guarantees", "import.not_list")
        return []
    texts = [text if isinstance(text, str) else "" for text in raw]  # an empty one is skipped
    found: list[tuple[int, PathProblem]] = [
        (i, PathProblem(f"$.guarantees[{i}]", i18n.say("import.not_text")))
        for i, text in enumerate(raw)
        if not isinstance(text, str)
    ]
    guarantees: list[CareGuarantee] = []
    try:
        guarantees = parse_guarantees(texts)
    except ValidationError as exc:
        found += [
            ((p.line or 1) - 1, PathProblem(f"$.guarantees[{(p.line or 1) - 1}]", p.message())) for p in exc.problems
        ]
    r.problems += [problem for _, problem in sorted(found, key=lambda pair: pair[0])]
    return guarantees


def _days_used(r: JsonReader, root: dict[str, Any], year: int) -> dict[tuple[Item, int], int]:
    raw = root.get("days_used", {})
    if not isinstance(raw, dict):
        r.bad("$.days_used", "import.not_object")
        return {}
    used: dict[tuple[Item, int], int] = {}
    for key, value in raw.items():
        path = f"$.days_used.{key}"
        try:
            item = Item(str(key).upper())
        except ValueError:
            r.problems.append(PathProblem(path, i18n.say("simulate.item", items=", ".join(i.value for i in Item))))
            continue
        if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= 366:
            r.bad(path, "import.not_integer")
            continue
        used[(item, year)] = value
    return used


def parse(text: str) -> tuple[Stay, list[CareLine], list[CareGuarantee], dict[tuple[Item, int], int]]:
    """The stay, its lines, the guarantees and the days already used; ImportRefused with every
    problem and its JSON path."""
    r = JsonReader()
    doc = load_json(text)
    root = r.obj(doc, "$")
    if root is None:
        raise ImportRefused(r.problems)
    admission = r.day(root, "admission", "$", required=True)
    discharge = r.day(root, "discharge", "$") or admission
    exemption_text = r.text(root, "exemption", "$", required=False)
    try:
        exemption = Exemption(exemption_text)
    except ValueError:
        r.problems.append(
            PathProblem(
                "$.exemption",
                i18n.say("simulate.exemption", values=", ".join(e.value for e in Exemption if e.value)),
            )
        )
        exemption = Exemption.NONE
    pav = root.get("pav")
    if pav is not None and not isinstance(pav, bool):
        r.problems.append(PathProblem("$.pav", i18n.say("simulate.not_bool")))
        pav = None
    stay: Stay | None = None
    if admission is not None and discharge is not None:
        try:
            stay = Stay(
                admission,
                discharge,
                psychiatry=r.flag(root, "psychiatry", "$"),
                exemption=exemption,
                under_18=r.flag(root, "under_18", "$"),
                pav=pav,
            )
        except ValidationError as exc:
            r.problems += [PathProblem("$.discharge", p.message()) for p in exc.problems]
    guarantees = _guarantees(r, root)
    used = _days_used(r, root, admission.year if admission else 2000)
    lines: list[CareLine] = []
    raw_lines = root.get("lines")
    if not isinstance(raw_lines, list) or not raw_lines:
        r.problems.append(PathProblem("$.lines", i18n.say("simulate.no_lines")))
    else:
        for i, raw in enumerate(raw_lines):
            line = r.care_line(raw, f"$.lines[{i}]", stay)
            if line is not None:
                lines.append(line)
    if r.problems or stay is None:
        raise ImportRefused(r.problems)
    return stay, lines, guarantees, used


def simulate(ctx: Context, text: str) -> Simulation:
    """The stay's amounts with the site's tariffs; ImportRefused naming each problem."""
    stay, lines, guarantees, used = parse(text)
    values = tariffs.current(ctx)
    try:
        invoice = compute(stay, lines, guarantees, values, used)
    except ValidationError as exc:
        raise ImportRefused([PathProblem(_path(p), p.message()) for p in exc.problems]) from None
    warnings = [p.message() for p in responsible_contract_warnings(guarantees)]
    return Simulation(stay, invoice, warnings)


def _path(p: Problem) -> str:
    if p.line is not None:
        return f"$.lines[{p.line - 1}]" + (f".{p.field}" if p.field else "")
    return f"$.{p.field}" if p.field else "$"


def as_json(sim: Simulation) -> dict[str, object]:
    def amounts(a: Any) -> dict[str, str]:
        return {name: str(getattr(a, name)) for name in ("price", "br", "amo", "tm", "amc", "patient")}

    return {
        "pav": sim.invoice.pav,
        "lines": [
            {
                "kind": r.line.kind.value,
                "code": r.line.code,
                "quantity": r.line.quantity,
                **amounts(r.amounts),
                "withheld": str(r.withheld),
                "participation": str(r.participation),
                "days_paid": r.days_paid,
                "notes": [i18n.say(n) for n in r.notes],
            }
            for r in sim.invoice.lines
        ],
        "totals": amounts(sim.invoice.totals),
        "warnings": sim.warnings,
    }


i18n.register(
    {
        "simulate.no_lines": i18n.N_("la simulation doit contenir une liste « lines » non vide."),
        "simulate.exemption": i18n.N_("exonération inconnue : laissez vide ou choisissez l'une de {values}."),
        "simulate.item": i18n.N_("poste inconnu : choisissez l'un de {items}."),
    }
)
