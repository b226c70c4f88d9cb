"""Issue 12 point 9: an insurer's rejection text is shown as written. The claim window's
QLabel interpreted it as HTML (automatic text format): `<img src=…>` or a link would render."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import Qt

from tests.gui.test_queue import ctx, demo_template, make_view, open_row, row_of  # noqa: F401 - fixtures
from verifier.domain.states import ClaimStatus
from verifier.services import claims
from verifier.services.context import Context

MARKUP = '<img src="http://attaquant.example/p.png"><a href="http://x">Payé, cliquez ici</a>'


def test_a_rejection_text_with_markup_is_shown_as_written(qtbot, ctx: Context) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    view = make_view(qtbot, ctx)
    row = row_of(view, lambda r: r.status is ClaimStatus.EXPORTED)
    claim_id = view.model.rows[row].id
    claims.transition(ctx, claim_id, ClaimStatus.REJECTED, code="<b>X</b>", text_=MARKUP)
    view.refresh()
    qtbot.waitUntil(lambda: not view.model.loading, timeout=10_000)
    dialog = open_row(qtbot, view, row_of(view, lambda r: r.id == claim_id))
    assert dialog.notes.textFormat() == Qt.TextFormat.PlainText
    assert MARKUP in dialog.notes.text() and "<b>X</b>" in dialog.notes.text()
    assert all(label.textFormat() == Qt.TextFormat.PlainText for label in dialog.fields.values())
