"""Issue 12 point 6: a truncated drug file no longer replaces the reference (10 presentations
kept of 20,747 before): below 80 % of the current count it is refused, nothing replaced, unless
the administrator says it is complete (--allow-shrink)."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest

from tests.integration.test_cli import demo_db, signed  # noqa: F401 - the module's demo database
from verifier.domain.errors import ValidationError
from verifier.reference.bdpm import CIS_CIP_FILE
from verifier.reference.snapshot import shipped_snapshot_dir
from verifier.services import drugs
from verifier.services.context import Context
from verifier.store.engine import Location


def _truncated(tmp_path: Path, lines: int) -> Path:
    """The shipped download cut after `lines` lines, as an interrupted download leaves it."""
    whole = gzip.decompress((shipped_snapshot_dir() / f"{CIS_CIP_FILE}.gz").read_bytes()).splitlines(keepends=True)
    folder = tmp_path / "download"
    folder.mkdir(parents=True)
    (folder / CIS_CIP_FILE).write_bytes(b"".join(whole[:lines]))
    return folder / CIS_CIP_FILE


def test_a_truncated_file_is_refused_and_the_reference_kept(location: Location, tmp_path: Path) -> None:
    from tests.factories import make_site

    ctx: Context = make_site(location)
    drugs.load_shipped_snapshot(ctx.store, "admin", ctx.actor.user_id)
    before = drugs.reference(ctx)
    assert before is not None and before.count > 20000
    with pytest.raises(ValidationError) as refused:
        drugs.import_reference(ctx, _truncated(tmp_path, 10))
    (problem,) = refused.value.problems
    assert problem.code == "drug.import_shrink" and problem.params["new"] == 10
    after = drugs.reference(ctx)
    assert after is not None and (after.count, after.imported_at) == (before.count, before.imported_at)
    assert drugs.import_reference(ctx, _truncated(tmp_path / "again", 10), allow_shrink=True).records
    shrunk = drugs.reference(ctx)
    assert shrunk is not None and shrunk.count == 10  # said complete: replaced
    ctx.close()


def test_the_command_says_how_many_and_what_to_do(demo_db: Path, tmp_path: Path) -> None:  # noqa: F811
    path = _truncated(tmp_path, 100)
    refused = signed(tmp_path, demo_db, "drugs", "import", str(path))
    assert refused.returncode == 1 and "Traceback" not in refused.stderr
    assert "ne contient que 100 présentations" in refused.stderr and "--allow-shrink" in refused.stderr
    shown = signed(tmp_path, demo_db, "drugs", "show", "3400922457116")
    assert shown.returncode == 0, shown.stderr  # the reference is still whole
    allowed = signed(tmp_path, demo_db, "drugs", "import", str(path), "--allow-shrink")
    assert allowed.returncode == 0, allowed.stderr
