"""Claim statuses: every pair of statuses is either allowed or refused with a sentence."""

from __future__ import annotations

import itertools
import json

import pytest

from verifier import i18n
from verifier.domain.errors import DomainError, IllegalTransition
from verifier.domain.states import (
    TRANSITIONS,
    ClaimStatus,
    Version,
    can_rectify,
    can_transition,
    check_transition,
    editable,
    first_version,
    next_version,
    rectify,
)

S = ClaimStatus

ALLOWED = {
    (S.DRAFT, S.QUEUED),
    (S.DRAFT, S.VOID),
    (S.QUEUED, S.DRAFT),
    (S.QUEUED, S.EXPORTED),
    (S.QUEUED, S.VOID),
    (S.EXPORTED, S.QUEUED),
    (S.EXPORTED, S.ACCEPTED),
    (S.EXPORTED, S.REJECTED),
    (S.EXPORTED, S.PAID),
    (S.ACCEPTED, S.PAID),
    (S.ACCEPTED, S.REJECTED),
    (S.REJECTED, S.VOID),
}

FRENCH = {
    S.DRAFT: "brouillon",
    S.QUEUED: "en attente",
    S.EXPORTED: "exportée",
    S.ACCEPTED: "acceptée",
    S.REJECTED: "rejetée",
    S.PAID: "payée",
    S.VOID: "annulée",
}


def test_values_are_stable() -> None:
    # Stored in the database: changing one needs a migration.
    assert [s.value for s in ClaimStatus] == [
        "draft",
        "queued",
        "exported",
        "accepted",
        "rejected",
        "paid",
        "void",
    ]
    assert ClaimStatus("paid") is S.PAID
    assert str(S.PAID) == "paid"  # StrEnum: stored and compared as its value


def test_labels() -> None:
    assert {s: s.label() for s in ClaimStatus} == FRENCH
    i18n.set_language("en")
    assert [s.label() for s in ClaimStatus] == [s.value for s in ClaimStatus]


def test_transition_table_is_the_documented_one() -> None:
    table = {(a, b) for a, targets in TRANSITIONS.items() for b in targets}
    assert table == ALLOWED
    assert set(TRANSITIONS) == set(ClaimStatus)


@pytest.mark.parametrize(("current", "target"), list(itertools.product(ClaimStatus, repeat=2)))
def test_every_pair(current: ClaimStatus, target: ClaimStatus) -> None:
    if (current, target) in ALLOWED:
        assert can_transition(current, target)
        check_transition(current, target)
        return
    assert not can_transition(current, target)
    with pytest.raises(IllegalTransition) as error:
        check_transition(current, target)
    assert isinstance(error.value, DomainError)
    message = str(error.value)
    assert f"« {FRENCH[current]} »" in message
    assert f"« {FRENCH[target]} »" in message
    assert message.endswith(".")
    assert not message.startswith("claim.")  # a registered sentence, not a bare code
    i18n.set_language("en")
    english = str(error.value)
    assert f"“{current.value}”" in english and f"“{target.value}”" in english


def test_example_message() -> None:
    with pytest.raises(IllegalTransition) as error:
        check_transition(S.PAID, S.DRAFT)
    assert str(error.value).startswith("Une demande « payée » ne peut pas passer à « brouillon »")


def test_rejected_message_says_rectify() -> None:
    with pytest.raises(IllegalTransition) as error:
        check_transition(S.REJECTED, S.QUEUED)
    assert error.value.problem.code == "claim.transition.rejected"
    assert "nouvelle version" in str(error.value)


def test_exported_message_mentions_the_batch() -> None:
    with pytest.raises(IllegalTransition) as error:
        check_transition(S.EXPORTED, S.VOID)
    assert "lot" in str(error.value)


def test_params_stay_plain_values() -> None:
    # Params may be logged or stored: they serialise as the stable status values.
    with pytest.raises(IllegalTransition) as error:
        check_transition(S.VOID, S.QUEUED)
    assert json.dumps(error.value.problem.params) == '{"current": "void", "target": "queued"}'


def test_accepts_plain_strings() -> None:
    assert can_transition("draft", "queued")  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        check_transition("draft", "nonsense")  # type: ignore[arg-type]


@pytest.mark.parametrize("status", list(ClaimStatus))
def test_nothing_leaves_final_statuses(status: ClaimStatus) -> None:
    assert not can_transition(S.VOID, status)
    assert not can_transition(S.PAID, status)


def test_editable() -> None:
    assert {s for s in ClaimStatus if editable(s)} == {S.DRAFT, S.QUEUED}


def test_can_rectify() -> None:
    assert {s for s in ClaimStatus if can_rectify(s)} == {S.REJECTED}


# Versions ---------------------------------------------------------------------------


def test_versions_chain() -> None:
    v1 = first_version("a")
    assert v1 == Version("a", 1, None)
    v2 = next_version(v1, "b")
    assert v2 == Version("b", 2, "a")
    assert next_version(v2, "c") == Version("c", 3, "b")


def test_rectify_only_rejected() -> None:
    v1 = first_version("a")
    assert rectify(v1, S.REJECTED, "b") == Version("b", 2, "a")
    for status in ClaimStatus:
        if status is S.REJECTED:
            continue
        with pytest.raises(IllegalTransition) as error:
            rectify(v1, status, "b")
        assert error.value.problem.code == "claim.rectify_not_rejected"
        assert f"« {FRENCH[status]} »" in str(error.value)


@pytest.mark.parametrize(
    ("claim_id", "version", "previous_id"),
    [
        ("", 1, None),  # an empty id
        ("a", 0, None),
        ("a", 1, "z"),
        ("a", 2, None),
        ("a", 2, "a"),
    ],
)
def test_bad_versions(claim_id: str, version: int, previous_id: str | None) -> None:
    with pytest.raises(ValueError):
        Version(claim_id, version, previous_id)


def test_next_version_needs_a_new_id() -> None:
    with pytest.raises(ValueError):
        next_version(first_version("a"), "a")
