"""The life cycle of a claim: its statuses, the moves allowed between them, versions.

draft -> queued -> exported (in a numbered batch) -> accepted / rejected -> paid.
A queued claim can be taken back to draft for correction; an exported claim returns to
the queue when its batch is voided before it was sent. Voiding is not resetting: nothing
leaves void or paid. A rejected claim is never edited nor moved back: it is corrected as
a new version (a new draft linked to it) and stays readable, or it is voided.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass

from verifier import i18n
from verifier.domain.errors import IllegalTransition


class ClaimStatus(enum.StrEnum):
    """Where a claim is in its life cycle; the value is what the database stores."""

    DRAFT = "draft"
    QUEUED = "queued"
    EXPORTED = "exported"
    ACCEPTED = "accepted"
    REJECTED = "rejected"
    PAID = "paid"
    VOID = "void"

    def label(self) -> str:
        """The status as the user reads it, in the current language."""
        return i18n.say(f"claim_status.{self.value}")


class ClaimKind(enum.StrEnum):
    """What a claim bills; the value is what the database stores (migration 0010)."""

    PHARMACY = "pharmacy"  # a dispensing at an officine's counter
    STAY = "stay"  # a stay in an établissement de santé (or an emergency visit), under a PEC
    CONSULTATION = "consultation"  # a consultation or act in a centre de santé or an outpatient clinic

    def label(self) -> str:
        return i18n.say(f"claim_kind.{self.value}")


class BatchStatus(enum.StrEnum):
    """Where a numbered batch is; the value is what the database stores.

    EXPORTED: made, its claims are in it (its file may not be written yet: the services
    call that "to export" on screen); SENT: the file went to the insurer; VOID: undone
    before it was sent, its claims back in the queue. Nothing leaves SENT or VOID.
    """

    EXPORTED = "exported"
    SENT = "sent"
    VOID = "void"


# A claim is in at most one batch in these states.
LIVE_BATCH_STATUSES = frozenset({BatchStatus.EXPORTED, BatchStatus.SENT})


class CheckMethod(enum.StrEnum):
    """How the counter checked the patient's rights while the operator was down."""

    CARD = "card"  # the paper card seen
    HOTLINE = "hotline"  # the insurer's telephone line
    PORTAL = "portal"  # the insurer's web portal
    FAX = "fax"

    @property
    def needs_reference(self) -> bool:
        """Whether the check gives a reference to note (all but the paper card)."""
        return self is not CheckMethod.CARD


class CheckOutcome(enum.StrEnum):
    """What the check said about the patient's rights."""

    COVERED = "covered"
    PARTIAL = "partial"
    NOT_COVERED = "not_covered"
    UNVERIFIED = "unverified"

    @property
    def allows_claim(self) -> bool:
        """Whether a claim may be queued against the insurer after this outcome."""
        return self in (CheckOutcome.COVERED, CheckOutcome.PARTIAL)

    def label(self, in_sentence: bool = False) -> str:
        """The outcome's one wording everywhere ("Droits ouverts"): the counter said "Couvert"
        where the claim window said "Droits ouverts" (issue 9, point 10). In a sentence, with a
        small first letter."""
        text = i18n.say(f"outcome.{self.value}")
        return text[:1].lower() + text[1:] if in_sentence else text


def outcome_label(outcome: str, in_sentence: bool = False) -> str:
    """`CheckOutcome(outcome).label(in_sentence)`, for a value read from a row or a combo box."""
    return CheckOutcome(outcome).label(in_sentence)


i18n.register(
    {
        "outcome.covered": i18n.N_("Droits ouverts"),
        "outcome.partial": i18n.N_("Droits partiels"),
        "outcome.not_covered": i18n.N_("Droits non ouverts"),
        "outcome.unverified": i18n.N_("Droits impossibles à vérifier"),
        "claim_status.draft": i18n.N_("brouillon"),
        "claim_status.queued": i18n.N_("en attente"),
        "claim_status.exported": i18n.N_("exportée"),
        "claim_status.accepted": i18n.N_("acceptée"),
        "claim_status.rejected": i18n.N_("rejetée"),
        "claim_status.paid": i18n.N_("payée"),
        "claim_status.void": i18n.N_("annulée"),
        "claim_kind.pharmacy": i18n.N_("officine"),
        "claim_kind.stay": i18n.N_("séjour"),
        "claim_kind.consultation": i18n.N_("consultation"),
        "claim.transition.same": i18n.N_("La demande est déjà « {current} » : il n'y a rien à changer."),
        "claim.transition.illegal": i18n.N_("Une demande « {current} » ne peut pas passer à « {target} »."),
        "claim.transition.not_queued": i18n.N_(
            "Une demande « {current} » ne peut pas passer à « {target} » : mettez-la d'abord en attente, puis exportez-la dans un lot."
        ),
        "claim.transition.not_exported": i18n.N_(
            "Une demande « {current} » ne peut pas passer à « {target} » : exportez-la d'abord dans un lot envoyé à l'assureur."
        ),
        "claim.transition.exported": i18n.N_(
            "Une demande « {current} » ne peut pas passer à « {target} » : si son lot n'a pas été envoyé, annulez le lot pour la remettre en attente, sinon attendez la réponse de l'assureur."
        ),
        "claim.transition.accepted": i18n.N_(
            "Une demande « {current} » ne peut pas passer à « {target} » : l'assureur l'a acceptée, attendez son paiement ou son rejet."
        ),
        "claim.transition.rejected": i18n.N_(
            "Une demande « {current} » ne peut pas passer à « {target} » : corrigez-la en créant une nouvelle version (rectification), ou annulez-la."
        ),
        "claim.transition.paid": i18n.N_(
            "Une demande « {current} » ne peut pas passer à « {target} » : elle est réglée et reste consultable dans l'historique."
        ),
        "claim.transition.void": i18n.N_(
            "Une demande « {current} » ne peut pas passer à « {target} » : créez une nouvelle demande si elle doit encore être facturée."
        ),
        "claim.rectify_not_rejected": i18n.N_(
            "Une demande « {current} » ne peut pas être rectifiée : seule une demande « {rejected} » se corrige par une nouvelle version ; modifiez-la directement si elle est encore en brouillon ou en attente."
        ),
    }
)

_S = ClaimStatus

# Every move allowed; anything else is refused. Kept as data so the GUI can offer only
# the actions that are possible and the tests can check every pair.
TRANSITIONS: Mapping[ClaimStatus, frozenset[ClaimStatus]] = {
    _S.DRAFT: frozenset({_S.QUEUED, _S.VOID}),
    _S.QUEUED: frozenset({_S.DRAFT, _S.EXPORTED, _S.VOID}),
    _S.EXPORTED: frozenset({_S.QUEUED, _S.ACCEPTED, _S.REJECTED, _S.PAID}),
    _S.ACCEPTED: frozenset({_S.PAID, _S.REJECTED}),
    _S.REJECTED: frozenset({_S.VOID}),
    _S.PAID: frozenset(),
    _S.VOID: frozenset(),
}

FINAL_STATUSES = frozenset({_S.PAID, _S.VOID})
EDITABLE_STATUSES = frozenset({_S.DRAFT, _S.QUEUED})

# Why a move is refused, by the status the claim is in; draft and queued depend on the
# target (see _refusal_code).
_REFUSAL_BY_CURRENT = {
    _S.EXPORTED: "claim.transition.exported",
    _S.ACCEPTED: "claim.transition.accepted",
    _S.REJECTED: "claim.transition.rejected",
    _S.PAID: "claim.transition.paid",
    _S.VOID: "claim.transition.void",
}
_NOT_YET_SENT = frozenset({_S.ACCEPTED, _S.REJECTED, _S.PAID})


class StatusName(str):
    """A status as a message parameter: stores the value ("paid"), renders the label.

    Problems are rendered when shown, maybe after the user switched language, and their
    parameters may be logged: a str subclass keeps the stable value for logs and JSON
    while ``"{current}".format(...)`` gives « payée » or “paid” at display time.
    """

    def __format__(self, spec: str) -> str:
        return format(ClaimStatus(str.__str__(self)).label(), spec)

    def __str__(self) -> str:
        return ClaimStatus(str.__str__(self)).label()


def can_transition(current: ClaimStatus, target: ClaimStatus) -> bool:
    """Whether a claim in `current` may move to `target`."""
    return ClaimStatus(target) in TRANSITIONS[ClaimStatus(current)]


def _refusal_code(current: ClaimStatus, target: ClaimStatus) -> str:
    if current == target:
        return "claim.transition.same"
    if current in _REFUSAL_BY_CURRENT:
        return _REFUSAL_BY_CURRENT[current]
    if current == _S.DRAFT and (target == _S.EXPORTED or target in _NOT_YET_SENT):
        return "claim.transition.not_queued"
    if current == _S.QUEUED and target in _NOT_YET_SENT:
        return "claim.transition.not_exported"
    return "claim.transition.illegal"  # pragma: no cover - every refusal is named above


def check_transition(current: ClaimStatus, target: ClaimStatus) -> None:
    """Raise IllegalTransition, naming both statuses and what to do, unless allowed."""
    current, target = ClaimStatus(current), ClaimStatus(target)
    if can_transition(current, target):
        return
    raise IllegalTransition(
        _refusal_code(current, target),
        current=StatusName(current.value),
        target=StatusName(target.value),
    )


def editable(status: ClaimStatus) -> bool:
    """Whether a claim's content may still be corrected in place (draft or queued)."""
    return ClaimStatus(status) in EDITABLE_STATUSES


def can_rectify(status: ClaimStatus) -> bool:
    """Whether a claim is corrected by creating a new version (only when rejected)."""
    return ClaimStatus(status) == _S.REJECTED


@dataclass(frozen=True)
class Version:
    """Which version of a corrected claim a record is, and which one it replaces.

    The first version has number 1 and no predecessor; a rectification has the next
    number and points to the claim it corrects, which stays unchanged and readable.
    Construction errors are programming errors: TypeError or ValueError.
    """

    claim_id: str
    version: int
    previous_id: str | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.claim_id, str):
            raise TypeError("claim_id must be a str")
        if isinstance(self.version, bool) or not isinstance(self.version, int):
            raise TypeError("version must be an int")
        if not self.claim_id:
            raise ValueError("claim_id must not be empty")
        if self.version < 1:
            raise ValueError("version numbers start at 1")
        if (self.version == 1) != (self.previous_id is None):
            raise ValueError("exactly the versions after the first have a previous_id")
        if self.previous_id == self.claim_id:
            raise ValueError("a version cannot replace itself")


def first_version(claim_id: str) -> Version:
    """The version record of a brand new claim."""
    return Version(claim_id=claim_id, version=1, previous_id=None)


def next_version(previous: Version, new_id: str) -> Version:
    """The version record of `new_id`, the correction of the claim `previous` describes."""
    return Version(claim_id=new_id, version=previous.version + 1, previous_id=previous.claim_id)


def rectify(previous: Version, status: ClaimStatus, new_id: str) -> Version:
    """`next_version`, refused with IllegalTransition unless the old claim was rejected."""
    if not can_rectify(status):
        raise IllegalTransition(
            "claim.rectify_not_rejected",
            current=StatusName(ClaimStatus(status).value),
            rejected=StatusName(_S.REJECTED.value),
        )
    return next_version(previous, new_id)
