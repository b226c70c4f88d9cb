"""The queue of a site with a pharmacy and a clinic: stays and consultations listed with
their kind, a stay not invoiced yet said as such, a stay opened with its PEC (issue 11)."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.gui.test_queue import make_view as make_queue_view
from tests.gui.test_queue import open_row, row_of, search
from verifier.domain.states import ClaimKind
from verifier.gui.queue.model import FLAGS, STATUS
from verifier.services import auth, demo
from verifier.services.context import Context
from verifier.store.engine import Location


@pytest.fixture(scope="module")
def clinic_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from tests.conftest import TEST_KDF
    from verifier.security import crypto

    crypto.set_default_kdf(TEST_KDF)
    folder = tmp_path_factory.mktemp("clinic-demo")
    demo.build(Location(sqlite_path=folder / "verifier.db"), activities=("pharmacy", "clinic", "centre"))
    return folder


@pytest.fixture
def ctx(clinic_template: Path, tmp_path: Path) -> Iterator[Context]:
    folder = tmp_path / "db"
    shutil.copytree(clinic_template, folder)
    context = auth.sign_in(Location(sqlite_path=folder / "verifier.db"), demo.DEMO_ADMIN, demo.DEMO_PASSWORD)
    yield context
    context.close()


def test_stays_and_consultations_are_listed_with_their_kind(qtbot, ctx: Context) -> None:  # type: ignore[no-untyped-def]
    view = make_queue_view(qtbot, ctx)
    kinds = {r.kind for r in view.model.rows}
    assert kinds == {ClaimKind.PHARMACY, ClaimKind.STAY, ClaimKind.CONSULTATION}
    open_stay = row_of(view, lambda r: r.open_stay)
    assert str(view.model.data(view.model.index(open_stay, STATUS))) == "Séjour en cours"
    assert "séjour" in str(view.model.data(view.model.index(open_stay, FLAGS)))
    surgery = row_of(view, lambda r: r.kind is ClaimKind.STAY and str(r.amc) == "787.50")
    dialog = open_row(qtbot, view, surgery)
    assert "prise en charge PEC-" in dialog.notes.text() and "(MT 03, DMT 122)" in dialog.notes.text()
    assert not dialog.correct_button.isEnabled()  # a stay's lines follow from its dates
    assert dialog.lines_model.rowCount() == 6
    dialog.close()
    search(qtbot, view, "VALMORIN")
    assert {r.kind for r in view.model.rows} >= {ClaimKind.STAY}
