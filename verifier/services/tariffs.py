"""The dated reference values a clinic's invoice uses (verifier.domain.tariffs): the shipped
ones plus those an administrator adds when a decree changes one. Added values live in the
settings table (key "tariffs"), so every workstation of the site uses the same."""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from verifier import i18n
from verifier.domain import tariffs as t
from verifier.domain.errors import Problem, ValidationError
from verifier.services import authority
from verifier.services.context import Context
from verifier.store import audit_log
from verifier.store.schema import Setting
from verifier.store.session import Session

# Added values are signed by the administrators (services.authority): a counter cannot
# raise a tariff by SQL; values whose signature fails are ignored (the shipped ones apply).
KEY = authority.TARIFFS_KEY
SOURCE_MAX = 200
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class TariffInfo:
    code: str
    since: date
    amount: Decimal
    source: str
    shipped: bool  # False: added by an administrator (and removable)


def _added_in(session: Session) -> list[t.Tariff]:
    row = session.get(Setting, KEY)
    if row is None:
        return []
    if not authority.setting_trusted(session, KEY):
        log.warning("the tariffs added were changed outside verifier: only the shipped values apply")
        return []
    return [
        t.Tariff(item["code"], date.fromisoformat(item["since"]), Decimal(item["amount"]), item.get("source", ""))
        for item in json.loads(row.value)
    ]


def _write(ctx: Context, session: Session, values: list[t.Tariff]) -> None:
    text = json.dumps(
        [{"code": v.code, "since": v.since.isoformat(), "amount": str(v.amount), "source": v.source} for v in values],
        ensure_ascii=False,
        sort_keys=True,
    )
    row = session.get(Setting, KEY)
    if row is None:
        session.add(Setting(key=KEY, value=text))
    else:
        row.value = text
    authority.sign_setting(session, ctx.store, KEY)


def current(ctx: Context) -> t.Tariffs:
    """The values a claim is computed with: shipped and added."""
    with ctx.store.read() as s:
        return t.DEFAULT.with_values(_added_in(s))


def every_value(ctx: Context) -> list[TariffInfo]:
    """Every value of every code, oldest first within a code."""
    with ctx.store.read() as s:
        added = _added_in(s)
    rows = [TariffInfo(v.code, v.since, v.amount, v.source, True) for v in t.SHIPPED]
    rows += [TariffInfo(v.code, v.since, v.amount, v.source, False) for v in added]
    return sorted(rows, key=lambda r: (t.CODES.index(r.code), r.since))


def add(ctx: Context, code: str, since: date, amount: Decimal, source: str = "") -> TariffInfo:
    """A new value of `code` from `since` on (administrators); one value per code and day."""
    ctx.require_admin("tariffs")
    source = source.strip()
    if len(source) > SOURCE_MAX:
        raise ValidationError([Problem("tariffs.source_too_long", {"maximum": SOURCE_MAX}, "source")])
    value = t.Tariff(code.strip().upper(), since, amount, source)  # ValidationError: code, amount
    with ctx.store.write() as s:
        added = _added_in(s)
        if any(v.code == value.code and v.since == value.since for v in [*t.SHIPPED, *added]):
            raise ValidationError([Problem("tariff.same_day", {"code": value.code}, "since")])
        _write(ctx, s, [*added, value])
        audit_log.append(
            s,
            ctx.actor.login,
            "tariff.added",
            "tariff",
            value.code,
            {"since": since.isoformat(), "amount": str(value.amount), "source": source},
        )
    return TariffInfo(value.code, value.since, value.amount, value.source, False)


def remove(ctx: Context, code: str, since: date) -> None:
    """Take back a value an administrator added (a shipped value stays)."""
    ctx.require_admin("tariffs")
    code = code.strip().upper()
    with ctx.store.write() as s:
        added = _added_in(s)
        kept = [v for v in added if not (v.code == code and v.since == since)]
        if len(kept) == len(added):
            shipped = any(v.code == code and v.since == since for v in t.SHIPPED)
            raise ValidationError(
                [Problem("tariffs.shipped" if shipped else "tariffs.not_found", {"code": code}, None)]
            )
        _write(ctx, s, kept)
        audit_log.append(s, ctx.actor.login, "tariff.removed", "tariff", code, {"since": since.isoformat()})


i18n.register(
    {
        "tariffs.source_too_long": i18n.N_("La source compte plus de {maximum} caractères : raccourcissez-la."),
        "tariffs.shipped": i18n.N_(
            "Cette valeur de {code} est livrée avec verifier et ne se retire pas : ajoutez plutôt une valeur à une date plus récente."
        ),
        "tariffs.not_found": i18n.N_(
            "Aucune valeur ajoutée de {code} à cette date : vérifiez la liste (verifier tariffs list)."
        ),
        "action.tariffs": i18n.N_("modifier les tarifs de référence"),
    }
)
