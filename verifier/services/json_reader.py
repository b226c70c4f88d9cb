"""Reading JSON sent by people or programs: typed values, each problem with its JSON path.

Shared by `claims import` (services.claims_import) and `stay simulate`
(services.stay_simulation): the same words for the same mistakes, whatever the file.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from verifier import i18n
from verifier.domain.care import CareLine, LineKind, Stay

# Lines whose quantity, left out, follows from the stay's dates.
_DEFAULT_QUANTITY = {
    LineKind.DAILY_CHARGE: "fj_days",
    LineKind.ROOM: "days",
    LineKind.COMPANION: "days",
    LineKind.COMFORT: "days",
}


@dataclass(frozen=True)
class PathProblem:
    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}"


class ImportRefused(Exception):
    def __init__(self, problems: list[PathProblem]) -> None:
        super().__init__("\n".join(map(str, problems)))
        self.problems = problems


def load_json(text: str) -> Any:
    """The document, or ImportRefused at `$` saying why it cannot be read: not JSON (where), too
    deeply nested, or a number too long for any amount or quantity."""
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        problem = PathProblem("$", i18n.say("json.invalid_at", line=exc.lineno, column=exc.colno))
    except RecursionError:
        problem = PathProblem("$", i18n.say("json.too_deep"))
    except ValueError:  # Python refuses to read an integer of more than 4,300 digits
        problem = PathProblem("$", i18n.say("json.number_too_long"))
    raise ImportRefused([problem])


class JsonReader:
    def __init__(self) -> None:
        self.problems: list[PathProblem] = []

    def bad(self, path: str, key: str, **params: object) -> None:
        self.problems.append(PathProblem(path, i18n.say(key, **params)))

    def obj(self, value: Any, path: str) -> dict[str, Any] | None:
        if not isinstance(value, dict):
            self.bad(path, "import.not_object")
            return None
        return value

    def text(self, o: dict[str, Any], key: str, path: str, required: bool = True) -> str:
        value = o.get(key)
        if value is None:
            if required:
                self.bad(f"{path}.{key}", "import.missing")
            return ""
        if not isinstance(value, str):
            self.bad(f"{path}.{key}", "import.not_text")
            return ""
        return value

    def integer(self, o: dict[str, Any], key: str, path: str) -> int:
        value = o.get(key)
        if not isinstance(value, int) or isinstance(value, bool):
            self.bad(f"{path}.{key}", "import.not_integer" if value is not None else "import.missing")
            return 0
        return value

    def decimal(self, o: dict[str, Any], key: str, path: str, required: bool = True) -> Decimal | None:
        value = o.get(key)
        if value is None and not required:
            return None
        if not isinstance(value, str):
            self.bad(f"{path}.{key}", "import.not_amount" if value is not None else "import.missing")
            return None
        try:
            number = Decimal(value)
        except InvalidOperation:
            number = Decimal("NaN")
        if not number.is_finite():
            self.bad(f"{path}.{key}", "import.not_amount")
            return None
        return number

    def day(self, o: dict[str, Any], key: str, path: str, required: bool = False) -> date | None:
        value = o.get(key)
        if value is None:
            if required:
                self.bad(f"{path}.{key}", "import.missing")
            return None
        try:
            if isinstance(value, str) and len(value) == 10:
                return date.fromisoformat(value)
        except ValueError:
            pass
        self.bad(f"{path}.{key}", "import.not_date")
        return None

    def flag(self, o: dict[str, Any], key: str, path: str) -> bool:
        value = o.get(key, False)
        if not isinstance(value, bool):
            self.problems.append(PathProblem(f"{path}.{key}", i18n.say("simulate.not_bool")))
            return False
        return value

    def care_line(self, raw: Any, path: str, stay: Stay | None) -> CareLine | None:
        """A line of a stay or a consultation; FJ, room, companion and comfort lines without a
        quantity take the stay's days."""
        o = self.obj(raw, path)
        if o is None:
            return None
        kind_text = self.text(o, "kind", path)
        try:
            kind = LineKind(kind_text)
        except ValueError:
            if kind_text:
                self.problems.append(
                    PathProblem(f"{path}.kind", i18n.say("simulate.kind", kinds=", ".join(k.value for k in LineKind)))
                )
            return None
        default = _DEFAULT_QUANTITY.get(kind)
        if "quantity" in o or default is None:
            quantity = self.integer(o, "quantity", path) if "quantity" in o else 1
        else:
            quantity = (stay.daily_charge_days if default == "fj_days" else stay.days) if stay else 1
        computed = kind in (LineKind.DAILY_CHARGE, LineKind.EMERGENCY)  # priced from the tariffs
        unit_price = self.decimal(o, "unit_price", path, required=not computed) or Decimal("0")
        br_unit = self.decimal(o, "br_unit", path, required=False)
        if kind is LineKind.STAY_FEES and br_unit is None:
            br_unit = unit_price
        optam = o.get("optam", True)
        if not isinstance(optam, bool):
            self.problems.append(PathProblem(f"{path}.optam", i18n.say("simulate.not_bool")))
            optam = True
        return CareLine(
            kind,
            self.text(o, "code", path, required=False) or kind.value.upper(),
            self.text(o, "label", path, required=False),
            quantity,
            unit_price,
            br_unit,
            self.decimal(o, "amo_rate", path, required=False),
            optam,
            self.text(o, "practitioner_rpps", path, required=False) or None,
        )


i18n.register(
    {
        "json.invalid_at": i18n.N_("ce n'est pas du JSON valide (ligne {line}, colonne {column})."),
        "json.too_deep": i18n.N_("ce n'est pas du JSON lisible (trop imbriqué) : simplifiez le fichier."),
        "json.number_too_long": i18n.N_(
            "un nombre du fichier est trop long pour un montant ou une quantité : vérifiez-le."
        ),
        "import.kind": i18n.N_("genre de demande inconnu : choisissez l'un de {kinds}."),
        "simulate.kind": i18n.N_("genre de ligne inconnu : choisissez l'un de {kinds}."),
        "simulate.not_bool": i18n.N_("true ou false est attendu ici."),
        "import.not_object": i18n.N_("un objet JSON est attendu ici."),
        "import.not_list": i18n.N_("une liste JSON est attendue ici."),
        "import.missing": i18n.N_("valeur obligatoire manquante."),
        "import.not_text": i18n.N_("un texte est attendu ici."),
        "import.not_integer": i18n.N_("un nombre entier est attendu ici."),
        "import.not_amount": i18n.N_('un montant en texte est attendu, par exemple "12.50".'),
        "import.not_date": i18n.N_('une date AAAA-MM-JJ est attendue, par exemple "2026-12-05".'),
        "import.not_uuid": i18n.N_("claim_id doit être un UUID."),
        "import.no_id": i18n.N_("chaque demande doit avoir un claim_id (UUID) ou une reference de l'expéditeur."),
        "import.duplicate_id": i18n.N_("cette demande a le même identifiant qu'une autre du fichier."),
        "import.no_claims": i18n.N_("le fichier doit contenir une liste « claims » non vide."),
    }
)
