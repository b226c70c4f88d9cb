"""User-facing messages in French (default) and English, through gettext catalogs.

The code is written in French: a message is marked where it is said, with its French text as
the msgid (`tr("Le NIR est vide.")`), extracted by Babel into `verifier/locale/verifier.pot`
and translated in `verifier/locale/{fr,en}/LC_MESSAGES/verifier.po` (compiled to `.mo` by
`scripts/catalogs.py compile`, which both README commands run). Why French msgids: French is
the product's language and the source of truth in meaning; the code then reads as the counter
sees it, and a French sentence that changes becomes a new msgid, so its English translation is
reported missing (tests/unit/test_catalogs.py) instead of silently staying stale.

- `tr(msgid, **params)`: the message in the current language, `{params}` filled in.
- `ntr(singular, plural, n, **params)`: the same with a plural (`{n}` is n unless given).
- `ptr(context, msgid, **params)`: where one French text needs two translations.
- `N_(msgid)` / `NP_(context, msgid)`: mark a text for extraction without translating it yet
  (tables, module-level constants).
- Problems and errors carry a stable *code* (audit details, tests, JSON output) whose text
  is declared once with `register({code: N_("...")})` next to where it is raised; `say(code)`
  renders it.

Qt-free on purpose: the domain, the services, the command line and the GUI all speak through
it, so an error raised deep in the domain reaches the user in their language. Function names
are `tr`/`ntr`/`ptr` rather than `_`/`ngettext` because `_` is Python's throwaway name and
these also fill the parameters in; Babel is told about them (scripts/catalogs.py KEYWORDS).
"""

from __future__ import annotations

import gettext
import logging
import os
from collections.abc import Mapping
from pathlib import Path

LANGUAGES = ("fr", "en")
DOMAIN = "verifier"
LOCALE_DIR = Path(__file__).resolve().parent / "locale"

Coded = str | tuple[str, str]  # a msgid, or (context, msgid)
_codes: dict[str, Coded] = {}
_language = "fr"
_translations: dict[str, gettext.NullTranslations] = {}
strict = False  # the test suite sets it: an unknown code is then an error, not a shown code
_log = logging.getLogger(__name__)


def N_(msgid: str) -> str:
    """Mark `msgid` for extraction; translated later, where it is shown."""
    return msgid


def NP_(context: str, msgid: str) -> tuple[str, str]:
    """Mark `msgid` in `context` for extraction."""
    return (context, msgid)


def register(codes: Mapping[str, Coded]) -> None:
    """Declare the text of problem and error codes (code -> N_(msgid)); a code keeps its text."""
    for code, text in codes.items():
        existing = _codes.get(code)
        if existing is not None and existing != text:
            raise ValueError(f"message {code!r} registered twice with different texts")
        _codes[code] = text


def set_language(language: str) -> None:
    global _language
    if language not in LANGUAGES:
        raise ValueError(f"unsupported language {language!r}")
    _language = language


def language() -> str:
    return _language


def system_language() -> str:
    """The language the system asks for: English if it says so, French otherwise."""
    for var in ("VERIFIER_LANG", "LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(var, "")
        if value:
            return "en" if value.lower().startswith("en") else "fr"
    import locale  # only when no variable says it: not on every start-up

    try:
        loc = locale.getlocale()[0] or ""
    except ValueError:
        loc = ""
    return "en" if loc.lower().startswith("en") else "fr"


def catalog_paths(language: str) -> tuple[Path, Path]:
    """The .po source and the compiled .mo of one language."""
    folder = LOCALE_DIR / language / "LC_MESSAGES"
    return folder / f"{DOMAIN}.po", folder / f"{DOMAIN}.mo"


def _load(language: str) -> gettext.NullTranslations:
    po, mo = catalog_paths(language)
    try:
        fresh = mo.stat().st_mtime >= po.stat().st_mtime if po.exists() else True
        if fresh:
            with mo.open("rb") as f:
                return gettext.GNUTranslations(f)
    except OSError:
        pass
    if po.exists():  # a source checkout whose catalogs were edited and not compiled yet
        import io

        from babel.messages.mofile import write_mo
        from babel.messages.pofile import read_po

        with po.open("rb") as f:
            catalog = read_po(f, locale=language, domain=DOMAIN)
        buffer = io.BytesIO()
        write_mo(buffer, catalog)
        buffer.seek(0)
        return gettext.GNUTranslations(buffer)
    _log.warning("no message catalog for %s: run scripts/catalogs.py compile", language)
    return gettext.NullTranslations()


def translations(language: str | None = None) -> gettext.NullTranslations:
    lang = language or _language
    found = _translations.get(lang)
    if found is None:
        found = _translations[lang] = _load(lang)
    return found


def _fill(text: str, params: Mapping[str, object]) -> str:
    return text.format(**params) if params else text


def tr(msgid: str, /, **params: object) -> str:
    """`msgid` (French) in the current language, with its parameters filled in."""
    return _fill(translations().gettext(msgid), params)


def ptr(context: str, msgid: str, /, **params: object) -> str:
    return _fill(translations().pgettext(context, msgid), params)


def ntr(singular: str, plural: str, n: int, /, **params: object) -> str:
    """The singular or plural form for `n`, by the current language's rule (French: 0 and 1
    are singular)."""
    return _fill(translations().ngettext(singular, plural, n), {"n": n, **params})


def say(code: str, /, **params: object) -> str:
    """The text registered for a problem or error `code`, in the current language."""
    text = _codes.get(code)
    if text is None:
        if strict:
            raise LookupError(f"no message is registered for the code {code!r}")
        _log.warning("no message for the code %s", code)
        return code if not params else f"{code} {params}"
    if isinstance(text, tuple):
        return ptr(text[0], text[1], **params)
    return tr(text, **params)


def has_code(code: str) -> bool:
    return code in _codes
