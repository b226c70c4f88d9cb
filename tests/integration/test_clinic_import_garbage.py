"""A clinic's import file spoiled in any one place (issue 11, point 7): every spoiled value is
refused with its JSON path and a sentence, or accepted when it is still valid, and a refused
file stores nothing. Never an unexpected error."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from tests.factories import make_site
from verifier.services import claims_import
from verifier.services.context import Context
from verifier.services.json_reader import ImportRefused
from verifier.store.engine import Location
from verifier.store.schema import Claim

EXAMPLE = json.loads((Path(__file__).resolve().parents[2] / "examples" / "clinic-claims.json").read_text("utf-8"))
GARBAGE = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**30), max_value=10**30),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from(
        [
            "",
            " ",
            "NaN",
            "1E+999999",
            "9" * 5000,
            "-1",
            "0",
            "2026-02-30",
            "2026-13-01",
            "0000-00-00",
            "²",
            "\x00",
            "é" * 300,
        ]
    ),
    st.text(max_size=40),
    st.lists(st.integers(), max_size=3),
    st.dictionaries(st.text(max_size=5), st.integers(), max_size=2),
)


def _paths(value: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    yield path
    if isinstance(value, dict):
        for k, v in value.items():
            yield from _paths(v, (*path, k))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from _paths(v, (*path, i))


PATHS = [p for p in _paths(EXAMPLE) if p and p[0] == "claims" and len(p) > 1]


def _spoil(doc: Any, path: tuple[Any, ...], value: Any) -> Any:
    copy = json.loads(json.dumps(doc))
    target = copy
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    return copy


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Context]:
    from tests.conftest import TEST_KDF
    from verifier.security import crypto

    crypto.set_default_kdf(TEST_KDF)
    ctx = make_site(Location(sqlite_path=tmp_path_factory.mktemp("garbage") / "v.db"))  # its insurer is 90412345
    yield ctx
    ctx.close()


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.sampled_from(PATHS), GARBAGE)
def test_any_spoiled_value_is_refused_with_its_path_or_accepted(
    site: Context, path: tuple[Any, ...], value: Any
) -> None:
    doc = _spoil(EXAMPLE, path, value)
    text = json.dumps(doc, ensure_ascii=False, allow_nan=True)
    with site.store.read() as s:
        before = s.scalar(select(func.count()).select_from(Claim))
    try:
        claims_import.import_claims(site, text)
    except ImportRefused as refused:
        assert refused.problems
        for problem in refused.problems:
            assert problem.path.startswith("$"), problem
            assert problem.message and "Traceback" not in problem.message
        with site.store.read() as s:
            assert s.scalar(select(func.count()).select_from(Claim)) == before  # all or nothing


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ('{"claims": [{"kind": "stay", "lines": [{"quantity": ' + "9" * 5000 + "}]}]}", "trop long"),
        ("[" * 100_000 + "]" * 100_000, "trop imbriqué"),
        ('{"claims": [', "pas du JSON valide"),
    ],
)
def test_unreadable_text_is_refused_at_the_root(site: Context, text: str, said: str) -> None:
    from verifier.services import stay_simulation

    for read in (claims_import.parse, stay_simulation.parse):
        with pytest.raises(ImportRefused) as refused:
            read(text)
        (problem,) = refused.value.problems
        assert problem.path == "$" and said in problem.message


def test_an_unknown_kind_and_a_consultations_own_keys_are_named(site: Context) -> None:
    doc = json.loads(json.dumps(EXAMPLE))
    doc["claims"][0]["kind"] = "hospitalisation"
    with pytest.raises(ImportRefused) as refused:
        claims_import.parse(json.dumps(doc))
    assert [str(p) for p in refused.value.problems] == [
        "$.claims[0].kind: genre de demande inconnu : choisissez l'un de pharmacy, stay, consultation."
    ]
    doc = json.loads(json.dumps(EXAMPLE))
    for n, claim in enumerate(doc["claims"]):
        claim["reference"] = f"own-keys-{n}"  # not the example's: the module's site may hold it
    doc["claims"][1]["date"] = "2099-01-01"  # a consultation in the future
    doc["claims"][1]["exemption"] = "vacances"
    with pytest.raises(ImportRefused) as refused:
        claims_import.import_claims(site, json.dumps(doc))
    paths = {p.path for p in refused.value.problems}
    assert {"$.claims[1].date", "$.claims[1].exemption"} <= paths, paths
