"""Messages take room kept for them: showing or clearing one never moves the scan field or
the lines table (issue 9, point 10: "messages insert rows and make the form jump")."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QWidget

from tests.gui.test_counter import NIR, UNKNOWN, ctx, make_counter, scan, stop, type_into  # noqa: F401
from verifier import i18n
from verifier.gui.counter import CounterWidget
from verifier.services.context import Context


def _where(widget: CounterWidget) -> tuple[int, int, int]:
    def y(w: QWidget) -> int:
        return w.mapTo(widget, QPoint(0, 0)).y()

    return y(widget.lines.scan_edit), y(widget.lines.table), y(widget.queue_button)


def test_messages_do_not_move_the_scan_field_nor_the_table(qtbot, ctx: Context) -> None:  # type: ignore[no-untyped-def]
    widget = make_counter(qtbot, ctx)
    before = _where(widget)

    scan(qtbot, widget, UNKNOWN)  # a sentence under the scan field
    assert widget.lines.scan_feedback.isVisible() and "n'est pas dans la base" in widget.lines.scan_feedback.text()
    assert _where(widget) == before

    scan(qtbot, widget, "12345")  # refused: its sentence under the scan row
    message = widget.lines.fields.fields["scan"].message
    assert message.isVisible() and message.text()
    assert _where(widget) == before

    # a warning under the NIR, in the patient panel above the lines
    p = widget.patient
    type_into(qtbot, p.nir_edit, NIR)
    type_into(qtbot, p.birth_edit, "14/03/1968")  # the NIR says February 1980
    qtbot.keyClick(p.birth_edit, Qt.Key.Key_Tab)
    nir_message = p.fields.fields["nir"].message
    assert nir_message.isVisible() and nir_message.text() == i18n.tr(
        "L'année ou le mois du NIR diffère de la date de naissance : vérifiez les deux."
    )
    assert _where(widget) == before

    # and back: the sentences go, nothing moves either
    p.fields.say("nir", "")
    widget.lines.fields.say("scan", "")
    assert _where(widget) == before
    stop(widget)
