"""The prise en charge of a stay: what is refused, what is warned about, and whether it still
covers the stay at discharge."""

from __future__ import annotations

from datetime import date

from verifier.domain.care import Stay
from verifier.domain.care_guarantees import parse_guarantees
from verifier.domain.pec import PecMethod, check_pec, problems_at_discharge

TODAY = date(2026, 3, 1)
COVERED = parse_guarantees(["SEJOUR 100 % BR", "FJ 100 % FR", "CP 50 €/j 60 j/an"])


def _check(**kw: object):  # type: ignore[no-untyped-def]
    args: dict[str, object] = {
        "method": PecMethod.FAX,
        "number": "PEC-2026-000123",
        "obtained_on": date(2026, 2, 27),
        "valid_until": date(2026, 3, 31),
        "admission": date(2026, 3, 2),
        "planned_discharge": date(2026, 3, 6),
        "mode": "03",
        "dmt": "181",
        "guarantees": COVERED,
        "today": TODAY,
    }
    args.update(kw)
    return check_pec(**args)  # type: ignore[arg-type]


def test_a_pec_by_fax_before_admission_is_recorded() -> None:
    checked = _check()
    assert checked.ok and checked.warnings == ()
    pec = checked.unwrap()
    assert pec.mode_label() == "hospitalisation complète" and len(pec.guarantees) == 3
    assert problems_at_discharge(pec, Stay(date(2026, 3, 2), date(2026, 3, 6))) == []


def test_every_problem_is_named_at_once() -> None:
    checked = _check(
        number="",
        obtained_on=date(2026, 3, 5),
        valid_until=date(2026, 3, 4),
        planned_discharge=date(2026, 3, 1),
        mode="3",
        dmt="18A",
        guarantees=[],
    )
    assert [p.code for p in checked.problems] == [
        "pec.number_missing",
        "pec.obtained_future",
        "pec.validity_before_obtained",
        "pec.discharge_before_admission",
        "pec.mode_format",
        "pec.dmt_format",
        "pec.no_guarantee",
    ]
    assert all(p.field and "{" not in p.message() for p in checked.problems)


def test_a_paper_pec_may_have_no_number_and_an_unusual_mode_is_a_warning() -> None:
    checked = _check(method=PecMethod.PAPER, number="", mode="07")
    assert checked.ok and [w.code for w in checked.warnings] == ["pec.mode_unusual"]


def test_at_discharge_a_longer_stay_or_another_admission_is_flagged() -> None:
    pec = _check(valid_until=date(2026, 3, 5)).unwrap()
    longer = problems_at_discharge(pec, Stay(date(2026, 3, 2), date(2026, 3, 9)))
    assert [p.code for p in longer] == ["pec.expired_before_discharge"]
    assert "05/03/2026" in longer[0].message()
    other = problems_at_discharge(pec, Stay(date(2026, 3, 3), date(2026, 3, 4)))
    assert [p.code for p in other] == ["pec.other_admission"]
    assert [p.code for p in _check(admission=date(2026, 4, 2), planned_discharge=None).problems] == [
        "pec.admission_after_validity"
    ]
