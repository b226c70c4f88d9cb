"""Sentences for an opened claim: its history's actions, the check's method and outcome."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from verifier import i18n
from verifier.domain.coverage import Guarantee
from verifier.domain.money import format_eur, format_rate
from verifier.domain.states import outcome_label
from verifier.services.claim_view import HistoryEntry

i18n.register(
    {
        "queue.history.claim.created": i18n.N_("Demande créée : {lines}, part complémentaire {amc}."),
        "queue.history.claim.queued": i18n.N_("Mise en attente d'export vers l'organisme."),
        "queue.history.claim.override": i18n.N_("Plafond dépassé : envoi autorisé par l'administrateur {by}."),
        "queue.history.claim.corrected": i18n.N_("Lignes corrigées : {lines}, part complémentaire {amc}."),
        "queue.history.claim.voided": i18n.N_("Demande annulée."),
        "queue.history.claim.rectified": i18n.N_("Version {version} créée pour corriger la demande rejetée."),
        "queue.history.claim.draft": i18n.N_("Remise en brouillon pour correction."),
        "queue.history.claim.exported": i18n.N_("Exportée dans un lot."),
        "queue.history.claim.accepted": i18n.N_("Acceptée par l'organisme."),
        "queue.history.claim.rejected": i18n.N_("Rejetée par l'organisme."),
        "queue.history.claim.rejected_code": i18n.N_("Rejetée par l'organisme (motif {code})."),
        "queue.history.claim.paid": i18n.N_("Payée par l'organisme."),
        "queue.history.other": i18n.N_("Action enregistrée : {action}."),
        "queue.method.card": i18n.N_("Carte papier vue"),
        "queue.method.hotline": i18n.N_("Appel à la plateforme de l'organisme"),
        "queue.method.portal": i18n.NP_("queue.method", "Portail de l'organisme"),
        "queue.method.fax": i18n.N_("Fax"),
        "queue.guarantee": i18n.N_("{domain} {rate} % BR"),
        "queue.guarantee_ph2": i18n.N_("{domain} {rate} % BR (médicaments à 15 % inclus)"),
    }
)


def lines_text(n: int) -> str:
    return i18n.ntr("{n} ligne", "{n} lignes", n)


def _amount(value: object) -> str:
    try:
        return format_eur(Decimal(str(value)))
    except (InvalidOperation, ValueError):
        return str(value)


def history_sentence(entry: HistoryEntry) -> str:
    """What an audit event on a claim means, in a sentence of the user's language."""
    d = entry.details
    action = entry.action
    if action in ("claim.created", "claim.corrected"):
        return i18n.say(
            f"queue.history.{action}", lines=lines_text(int(str(d.get("lines", 0)))), amc=_amount(d.get("amc", "0"))
        )
    if action == "claim.override":
        return i18n.tr("Plafond dépassé : envoi autorisé par l'administrateur {by}.", by=d.get("by", "?"))
    if action == "claim.rectified":
        return i18n.tr("Version {version} créée pour corriger la demande rejetée.", version=d.get("version", "?"))
    if action == "claim.rejected" and d.get("code"):
        return i18n.tr("Rejetée par l'organisme (motif {code}).", code=d["code"])
    if action in (
        "claim.queued",
        "claim.voided",
        "claim.draft",
        "claim.exported",
        "claim.accepted",
        "claim.rejected",
        "claim.paid",
    ):
        return i18n.say(f"queue.history.{action}")
    return i18n.tr("Action enregistrée : {action}.", action=action)


def method_text(method: str) -> str:
    return i18n.say(f"queue.method.{method}")


def outcome_text(outcome: str) -> str:
    return outcome_label(outcome)


def guarantees_text(guarantees: list[Guarantee]) -> str:
    return ", ".join(
        i18n.say(
            "queue.guarantee_ph2" if g.covers_ph2 else "queue.guarantee", domain=g.domain, rate=format_rate(g.rate)
        )
        for g in guarantees
    )


def spaced_nir(nir: str) -> str:
    """The full NIR grouped as on the card: 2 68 03 75 056 101 42."""
    if len(nir) != 15:
        return nir
    return " ".join((nir[0], nir[1:3], nir[3:5], nir[5:7], nir[7:10], nir[10:13], nir[13:15]))
