"""Qt's own texts (standard dialogs, context menus, buttons, key names) in the user's language.

Used by the start-up and by the main window when the user switches language.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import QLibraryInfo, QLocale, QTranslator
from PySide6.QtWidgets import QApplication

from verifier import i18n

log = logging.getLogger(__name__)

_qt_translators: list[QTranslator] = []

# Qt texts that qtbase_fr.qm (Qt 6.12) lacks: the widget file dialog's labels gained
# mnemonics ("&Look in:") that the catalogue does not have yet, so the save dialog was half
# English. Checked by tests/gui/test_qt_translations.py against a real QFileDialog.
QT_FRENCH_GAPS = {
    ("QFileDialog", "&Look in:"): "&Voir dans\u00a0:",
    ("QFileDialog", "Files of &type:"): "Fichiers de &type\u00a0:",
    ("QFileDialog", "&File name:"): "&Nom de fichier\u00a0:",
}


class QtGapsTranslator(QTranslator):
    """French for the few Qt texts qtbase_fr.qm misses; "not found" for everything else."""

    def translate(self, context: str, source: str, disambiguation: str | None = None, n: int = -1) -> str:
        # None reaches Qt as a null string, "not mine": an empty string would blank the text.
        return QT_FRENCH_GAPS.get((context, source))  # type: ignore[return-value]

    def isEmpty(self) -> bool:
        return False


def apply_qt_language(app: QApplication) -> None:
    """Qt's own texts (standard dialogs, context menus, buttons, key names) in the user's language.

    French loads qtbase_fr.qm from Qt's translations folder (the PyInstaller spec bundles it),
    plus the gaps above; switching to English removes both."""
    while _qt_translators:
        app.removeTranslator(_qt_translators.pop())
    if i18n.language() != "fr":
        QLocale.setDefault(QLocale("en_GB"))  # by name: QLocale's enums are large to build
        return
    QLocale.setDefault(QLocale("fr_FR"))
    translator = QTranslator(app)
    if translator.load("qtbase_fr", QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)):
        app.installTranslator(translator)
        _qt_translators.append(translator)
    else:
        log.warning("Qt's French translations (qtbase_fr.qm) were not found: Qt's dialogs stay in English")
    gaps = QtGapsTranslator(app)
    app.installTranslator(gaps)  # searched first: it answers only for its own texts
    _qt_translators.append(gaps)
