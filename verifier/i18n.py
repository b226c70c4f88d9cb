"""User-facing messages in French (default) and English.

Every module that can say something to a user registers its messages here with
`register({code: (french, english)})`; `tr(code, **params)` renders one in the current
language. Qt-free on purpose: the domain, the services, the command line and the GUI all
speak through it, so an error raised deep in the domain reaches the user in their language.
"""

from __future__ import annotations

import os
from collections.abc import Mapping

LANGUAGES = ("fr", "en")
_catalog: dict[str, tuple[str, str]] = {}
_language = "fr"


def register(messages: Mapping[str, tuple[str, str]]) -> None:
    """Add messages (code -> (french, english)); a code registered twice must not change."""
    for code, pair in messages.items():
        existing = _catalog.get(code)
        if existing is not None and existing != pair:
            raise ValueError(f"message {code!r} registered twice with different texts")
        _catalog[code] = pair


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


def tr(code: str, /, **params: object) -> str:
    """The message `code` in the current language, with its parameters filled in."""
    pair = _catalog.get(code)
    if pair is None:
        return code if not params else f"{code} {params}"
    text = pair[0] if _language == "fr" else pair[1]
    return text.format(**params) if params else text
