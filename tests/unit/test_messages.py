"""Every message the code can show exists in French and in English.

Texts are gettext messages with French msgids (verifier/i18n.py); problems and errors carry a
code whose text is registered once. tests/unit/test_catalogs.py checks code against catalogs.
"""

from __future__ import annotations

import ast
import importlib
import pkgutil
from pathlib import Path

import verifier
from verifier import i18n

ROOT = Path(verifier.__file__).resolve().parent
# Calls whose first argument is a problem or error code (Problem, DomainError and subclasses, say).
CODE_TAKERS = {
    "Problem",
    "say",
    "DomainError",
    "ValidationError",
    "IllegalTransition",
    "PermissionDenied",
    "NotFound",
    "AuthFailed",
    "SiteMoveError",
    "DatabaseMissing",
    "DatabaseExists",
    "DatabaseUnreachable",
    "ServerUnreachable",
    "CeilingExceeded",
    "BundleInconsistent",
}


def _import_everything() -> None:
    for mod in pkgutil.walk_packages([str(ROOT)], prefix="verifier."):
        if ".migrations" in mod.name or mod.name.endswith("__main__"):
            continue
        importlib.import_module(mod.name)


def _literal_codes() -> list[tuple[str, str]]:
    found = []
    for path in ROOT.rglob("*.py"):
        if "migrations" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if not isinstance(node, ast.Call) or not node.args:
                continue
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            first = node.args[0]
            if name == "say" and getattr(getattr(func, "value", None), "id", "") != "i18n":
                continue  # a widget's own say(), not i18n.say
            if name in CODE_TAKERS and isinstance(first, ast.Constant) and isinstance(first.value, str):
                found.append((f"{path.relative_to(ROOT)}:{node.lineno}", first.value))
    return found


def test_every_literal_code_has_a_registered_text() -> None:
    _import_everything()
    codes = _literal_codes()
    assert len(codes) > 200  # the scan sees the code's problems
    assert [f"{where}: {code}" for where, code in codes if not i18n.has_code(code)] == []


def test_every_registered_text_is_translated_in_both_languages() -> None:
    _import_everything()
    for language in i18n.LANGUAGES:
        translations = i18n.translations(language)
        for code, text in i18n._codes.items():
            context, msgid = text if isinstance(text, tuple) else (None, text)
            shown = translations.pgettext(context, msgid) if context else translations.gettext(msgid)
            if language == "en" and len(msgid) > 25:
                assert shown != msgid, f"{code}: no English for {msgid!r}"
            assert shown.strip(), code


def test_an_unknown_code_is_loud_in_tests_and_shown_as_is_otherwise() -> None:
    try:
        i18n.say("no.such.code")
    except LookupError as exc:
        assert "no.such.code" in str(exc)
    else:
        raise AssertionError("an unknown code passed silently")
    i18n.strict = False
    try:
        assert i18n.say("no.such.code") == "no.such.code"
    finally:
        i18n.strict = True


def test_plurals_follow_each_language() -> None:
    assert [i18n.ntr("{n} ligne", "{n} lignes", n) for n in (0, 1, 2)] == ["0 ligne", "1 ligne", "2 lignes"]
    i18n.set_language("en")
    assert [i18n.ntr("{n} ligne", "{n} lignes", n) for n in (0, 1, 2)] == ["0 lines", "1 line", "2 lines"]


def test_one_french_text_can_have_two_translations_by_context() -> None:
    i18n.set_language("en")
    assert i18n.ptr("counter", "&Rechercher :") == "&Find:"
    assert i18n.ptr("queue", "&Rechercher :") == "Sea&rch:"
