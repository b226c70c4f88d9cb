"""Every message the code asks for exists in French and in English."""

from __future__ import annotations

import importlib
import pkgutil
import re
from pathlib import Path

import verifier
from verifier import i18n

ROOT = Path(verifier.__file__).resolve().parent
# tr("code") and Problem("code") / DomainError subclasses("code") with a literal code
LITERAL = re.compile(
    r"""(?:\btr|Problem|Error|Denied|Failed|Found|Exceeded|Missing|Exists|Unreachable|Transition)\(\s*["']([a-z_]+(?:\.[a-z0-9_]+)+)["']"""
)


def _import_everything() -> None:
    for mod in pkgutil.walk_packages([str(ROOT)], prefix="verifier."):
        if ".migrations" in mod.name or mod.name.endswith("__main__") or ".gui.queue" in mod.name:
            continue
        importlib.import_module(mod.name)


def test_every_literal_code_is_registered_in_both_languages() -> None:
    _import_everything()
    missing = []
    for path in ROOT.rglob("*.py"):
        for code in LITERAL.findall(path.read_text("utf-8")):
            if code not in i18n._catalog:
                missing.append(f"{path.relative_to(ROOT)}: {code}")
    assert missing == []


def test_no_message_is_empty_or_untranslated() -> None:
    _import_everything()
    for code, (fr, en) in i18n._catalog.items():
        assert fr.strip() and en.strip(), code
        # the French text is not a copy of the English one (proper nouns and codes aside)
        if len(fr) > 25:
            assert fr != en, code
