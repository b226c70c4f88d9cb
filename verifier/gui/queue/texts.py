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
        "queue.history.claim.created": (
            "Demande créée : {lines}, part complémentaire {amc}.",
            "Claim created: {lines}, insurer's share {amc}.",
        ),
        "queue.history.claim.queued": (
            "Mise en attente d'export vers l'organisme.",
            "Queued for export to the insurer.",
        ),
        "queue.history.claim.override": (
            "Plafond dépassé : envoi autorisé par l'administrateur {by}.",
            "Ceiling exceeded: sending authorised by the administrator {by}.",
        ),
        "queue.history.claim.corrected": (
            "Lignes corrigées : {lines}, part complémentaire {amc}.",
            "Lines corrected: {lines}, insurer's share {amc}.",
        ),
        "queue.history.claim.voided": ("Demande annulée.", "Claim voided."),
        "queue.history.claim.rectified": (
            "Version {version} créée pour corriger la demande rejetée.",
            "Version {version} created to correct the rejected claim.",
        ),
        "queue.history.claim.draft": ("Remise en brouillon pour correction.", "Taken back to draft for correction."),
        "queue.history.claim.exported": ("Exportée dans un lot.", "Exported in a batch."),
        "queue.history.claim.accepted": ("Acceptée par l'organisme.", "Accepted by the insurer."),
        "queue.history.claim.rejected": ("Rejetée par l'organisme.", "Rejected by the insurer."),
        "queue.history.claim.rejected_code": (
            "Rejetée par l'organisme (motif {code}).",
            "Rejected by the insurer (reason {code}).",
        ),
        "queue.history.claim.paid": ("Payée par l'organisme.", "Paid by the insurer."),
        "queue.history.other": ("Action enregistrée : {action}.", "Recorded action: {action}."),
        "queue.lines_one": ("{n} ligne", "{n} line"),
        "queue.lines_many": ("{n} lignes", "{n} lines"),
        "queue.method.card": ("Carte papier vue", "Paper card seen"),
        "queue.method.hotline": ("Appel à la plateforme de l'organisme", "Call to the insurer's hotline"),
        "queue.method.portal": ("Portail de l'organisme", "Insurer's portal"),
        "queue.method.fax": ("Fax", "Fax"),
        "queue.guarantee": ("{domain} {rate} % BR", "{domain} {rate}% of BR"),
        "queue.guarantee_ph2": (
            "{domain} {rate} % BR (médicaments à 15 % inclus)",
            "{domain} {rate}% of BR (15% drugs included)",
        ),
    }
)


def lines_text(n: int) -> str:
    one = n in (0, 1) if i18n.language() == "fr" else n == 1
    return i18n.tr("queue.lines_one" if one else "queue.lines_many", n=n)


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
        return i18n.tr(
            f"queue.history.{action}", lines=lines_text(int(str(d.get("lines", 0)))), amc=_amount(d.get("amc", "0"))
        )
    if action == "claim.override":
        return i18n.tr("queue.history.claim.override", by=d.get("by", "?"))
    if action == "claim.rectified":
        return i18n.tr("queue.history.claim.rectified", version=d.get("version", "?"))
    if action == "claim.rejected" and d.get("code"):
        return i18n.tr("queue.history.claim.rejected_code", code=d["code"])
    if action in (
        "claim.queued",
        "claim.voided",
        "claim.draft",
        "claim.exported",
        "claim.accepted",
        "claim.rejected",
        "claim.paid",
    ):
        return i18n.tr(f"queue.history.{action}")
    return i18n.tr("queue.history.other", action=action)


def method_text(method: str) -> str:
    return i18n.tr(f"queue.method.{method}")


def outcome_text(outcome: str) -> str:
    return outcome_label(outcome)


def guarantees_text(guarantees: list[Guarantee]) -> str:
    return ", ".join(
        i18n.tr("queue.guarantee_ph2" if g.covers_ph2 else "queue.guarantee", domain=g.domain, rate=format_rate(g.rate))
        for g in guarantees
    )


def spaced_nir(nir: str) -> str:
    """The full NIR grouped as on the card: 2 68 03 75 056 101 42."""
    if len(nir) != 15:
        return nir
    return " ".join((nir[0], nir[1:3], nir[3:5], nir[5:7], nir[7:10], nir[10:13], nir[13:15]))
