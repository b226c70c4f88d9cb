"""Issue 12 point 7: every importer on arbitrary input: the returns (CSV and JSON), the
insurers' directory (CSV) and the drug reference (ANSM files).

Whatever the bytes, each either refuses them with the service's own errors (ValidationError,
DomainError: a sentence, never "Unexpected error") and changes nothing, or imports what is
valid input after all.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.factories import AMC, make_site, queued_claim
from verifier.domain.errors import DomainError
from verifier.services import batches, claims, directory, returns
from verifier.services.context import Context
from verifier.store.engine import Location

FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
HEADER = "claim_number;status;reason_code;reason_text;paid_amount;payment_date"


@pytest.fixture
def exported(location: Location) -> Iterator[tuple[Context, list[claims.ClaimInfo]]]:
    ctx = make_site(location)
    made = [queued_claim(ctx, order=500 + i) for i in range(3)]
    batches.create_batch(ctx, directory.get_insurer(ctx, AMC).id)
    yield ctx, made
    ctx.close()


def _statuses(ctx: Context, made: list[claims.ClaimInfo]) -> list[object]:
    return [claims.get(ctx, m.id).status for m in made]


def _check(ctx: Context, made: list[claims.ClaimInfo], path: Path, data: bytes, may_import: bool = False) -> None:
    """Import `data`; a refusal must be the service's own and leave every claim as it was."""
    path.write_bytes(data)
    before = _statuses(ctx, made)
    try:
        returns.import_file(ctx, path)
    except DomainError as exc:  # ValidationError is one: a sentence for the user
        assert str(exc)
        assert _statuses(ctx, made) == before
        return
    assert may_import, data[:200]


def _cell() -> st.SearchStrategy[str]:
    return st.one_of(
        st.text(max_size=30),
        st.sampled_from(
            ["accepted", "rejected", "paid", "PAID ", "NaN", "sNaN", "-0", "1e999", "²", "٣", "2026-02-30"]
        ),
        st.integers().map(str),
        st.just("9" * 5000),
    )


def test_arbitrary_bytes(exported: tuple[Context, list[claims.ClaimInfo]], tmp_path: Path) -> None:
    ctx, made = exported

    @FUZZ
    @given(st.binary(max_size=3000))
    def check(data: bytes) -> None:
        _check(ctx, made, tmp_path / "retour.csv", data)

    check()


def test_arbitrary_text(exported: tuple[Context, list[claims.ClaimInfo]], tmp_path: Path) -> None:
    ctx, made = exported

    @FUZZ
    @given(st.text(max_size=2000), st.sampled_from(["utf-8", "utf-8-sig", "cp1252", "utf-16"]))
    def check(text: str, encoding: str) -> None:
        _check(ctx, made, tmp_path / "retour.csv", text.encode(encoding, errors="replace"))

    check()


def test_csv_shaped_text(exported: tuple[Context, list[claims.ClaimInfo]], tmp_path: Path) -> None:
    ctx, made = exported
    numbers = st.one_of(st.sampled_from([str(m.number) for m in made]), _cell())
    rows = st.lists(st.tuples(numbers, _cell(), _cell(), _cell(), _cell(), _cell()), max_size=6)

    @FUZZ
    @given(rows, st.sampled_from([";", ","]))
    def check(cells: list[tuple[str, ...]], sep: str) -> None:
        body = "\n".join([HEADER.replace(";", sep)] + [sep.join(row) for row in cells])
        _check(ctx, made, tmp_path / "retour.csv", body.encode("utf-8"), may_import=True)

    check()


def test_json_shaped_text(exported: tuple[Context, list[claims.ClaimInfo]], tmp_path: Path) -> None:
    ctx, made = exported
    scalars = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), _cell())
    values = st.recursive(
        scalars,
        lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=5), inner, max_size=3)),
        max_leaves=8,
    )
    answer = st.fixed_dictionaries(
        {},
        optional={
            "claim_number": st.one_of(st.sampled_from([m.number for m in made]), values),
            "status": st.one_of(st.sampled_from(["accepted", "rejected", "paid"]), values),
            "reason_code": values,
            "reason_text": values,
            "paid_amount": values,
            "payment_date": values,
        },
    )
    documents = st.one_of(
        st.lists(st.one_of(answer, values), max_size=5),
        st.fixed_dictionaries({"returns": st.lists(answer, max_size=5)}),
        values,
    )

    @FUZZ
    @given(documents)
    def check(document: object) -> None:
        _check(ctx, made, tmp_path / "retour.json", json.dumps(document).encode("utf-8"), may_import=True)

    check()


# --- the other importers: the insurers' directory (CSV) and the drug reference (ANSM files)


@pytest.fixture
def admin_site(location: Location) -> Iterator[Context]:
    ctx = make_site(location)
    yield ctx
    ctx.close()


def _directory(ctx: Context) -> list[object]:
    return [(i.amc_number, i.name, i.operator_code, i.hotline, i.portal) for i in directory.list_insurers(ctx)]


def test_the_directory_import_on_arbitrary_bytes(admin_site: Context, tmp_path: Path) -> None:
    path = tmp_path / "organismes.csv"
    header = st.sampled_from(
        [b"", b"amc_number;name\n", b"numero_amc,nom,operateur\r\n", b"\xef\xbb\xbfamc_number;name;portal\n"]
    )

    @FUZZ
    @given(header, st.binary(max_size=2000))
    def attempt(head: bytes, body: bytes) -> None:
        before = _directory(admin_site)
        path.write_bytes(head + body)
        try:
            directory.import_insurers_csv(admin_site, path)
        except DomainError as exc:
            assert str(exc)
            assert _directory(admin_site) == before
            return
        # Accepted only when every line was a valid insurer: then each is in the directory.

    attempt()


def test_the_drug_import_on_arbitrary_bytes(admin_site: Context, tmp_path: Path) -> None:
    from verifier.services import drugs

    path = tmp_path / "CIS_CIP_bdpm.txt"
    line = st.lists(
        st.one_of(st.text(max_size=20), st.sampled_from(["3400930000001", "2,27", "65 %", "oui"])), max_size=14
    )
    body = st.one_of(
        st.binary(max_size=3000),
        st.lists(line, max_size=30).map(lambda rows: "\n".join("\t".join(r) for r in rows).encode("cp1252", "replace")),
    )

    @FUZZ
    @given(body)
    def attempt(data: bytes) -> None:
        before = drugs.reference(admin_site)
        path.write_bytes(data)
        try:
            drugs.import_reference(admin_site, path)
        except DomainError as exc:
            assert str(exc)
            assert drugs.reference(admin_site) == before
            return
        assert before is None or not before.count  # replaced only when there was no reference to shrink

    attempt()
