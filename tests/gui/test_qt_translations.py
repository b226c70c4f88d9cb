"""Qt's own dialogs speak the user's language: a widget (non-native) save dialog in French.

The save dialog used to say "Look in:" and "Files of type:" (issue 9, point 10).
"""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QLibraryInfo
from PySide6.QtWidgets import QApplication, QFileDialog, QLabel, QPushButton

from verifier import i18n
from verifier.gui.qt_language import apply_qt_language


@pytest.fixture
def french(qapp: QApplication) -> Iterator[QApplication]:
    i18n.set_language("fr")
    apply_qt_language(qapp)
    yield qapp
    i18n.set_language("fr")
    apply_qt_language(qapp)


def _texts(qtbot, dialog_parent=None) -> list[str]:  # type: ignore[no-untyped-def]
    dialog = QFileDialog(dialog_parent, "Enregistrer le reçu")
    qtbot.addWidget(dialog)
    dialog.setOption(QFileDialog.Option.DontUseNativeDialog)
    dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
    dialog.setNameFilter("Documents PDF (*.pdf)")
    dialog.show()
    qtbot.waitExposed(dialog)
    texts = [w.text() for w in dialog.findChildren(QLabel)] + [b.text() for b in dialog.findChildren(QPushButton)]
    dialog.reject()
    return texts


def test_qt_ships_its_french_catalogue_where_the_spec_takes_it() -> None:
    folder = Path(QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath))
    assert (folder / "qtbase_fr.qm").is_file() and (folder / "qtbase_en.qm").is_file()
    spec = (Path(__file__).parents[2] / "packaging" / "verifier.spec").read_text(encoding="utf-8")
    assert 'endswith(("_fr", "_en"))' in spec  # the spec keeps Qt's *_fr/*_en catalogues


def test_the_file_dialog_speaks_french_and_follows_the_language(qtbot, french: QApplication) -> None:  # type: ignore[no-untyped-def]
    texts = _texts(qtbot)
    joined = " | ".join(texts)
    assert "&Voir dans\u00a0:" in texts and "Fichiers de &type\u00a0:" in texts, joined
    assert "&Nom de fichier\u00a0:" in texts and "&Enregistrer" in texts and "Annuler" in texts, joined
    assert "Look in" not in joined and "Files of" not in joined and "Cancel" not in joined
    assert QApplication.translate("QFileDialog", "Look in:") == "Voir dans\u00a0:"  # qtbase_fr.qm itself

    i18n.set_language("en")
    apply_qt_language(french)
    english = " | ".join(_texts(qtbot))
    assert "&Look in:" in english and "Files of &type:" in english and "Cancel" in english, english
