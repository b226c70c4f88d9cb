"""The message catalogs: extract, update, compile, check (Babel).

    python scripts/catalogs.py extract   # verifier/**.py -> verifier/locale/verifier.pot
    python scripts/catalogs.py update    # the .pot into fr and en .po (fr: msgstr = msgid)
    python scripts/catalogs.py compile   # .po -> .mo (scripts/venv.sh runs it, so both README commands do)
    python scripts/catalogs.py check     # exit 1 if a message lacks a translation or a catalog has an unused one

The msgids are the French texts (verifier/i18n.py says why). A new message: write it with
`i18n.tr("…")`, run `update`, translate its empty `msgstr` in en/LC_MESSAGES/verifier.po.
"""

from __future__ import annotations

import io
import sys
from collections.abc import Iterator
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "verifier"
LOCALE = PACKAGE / "locale"
POT = LOCALE / "verifier.pot"
LANGUAGES = ("fr", "en")
# How the code marks its messages (verifier/i18n.py): first argument, or context + msgid,
# or singular + plural.
KEYWORDS: dict[str, object] = {
    "tr": None,
    "N_": None,
    "ptr": ((1, "c"), 2),
    "NP_": ((1, "c"), 2),
    "ntr": (1, 2),
}
PLURALS = {"fr": (2, "(n > 1)"), "en": (2, "(n != 1)")}
HEADER = "verifier: messages of the counter, the administration and the command line"

Key = tuple[str | None, str]  # (context, msgid) where msgid is the singular


def extracted(package: Path = PACKAGE) -> Catalog:
    """Every marked message of verifier/ (migrations aside), with where it is used."""
    catalog = Catalog(project="verifier", header_comment=f"# {HEADER}", fuzzy=False)
    found = extract_from_dir(
        str(package),
        method_map=[("store/migrations/**.py", "ignore"), ("**.py", "python")],
        keywords=KEYWORDS,
        comment_tags=("TRANSLATORS:",),
        strip_comment_tags=True,
    )
    for filename, lineno, message, comments, context in found:
        catalog.add(message, None, [(f"verifier/{filename}", lineno)], auto_comments=comments, context=context)
    return catalog


def po_path(language: str, locale: Path = LOCALE) -> Path:
    return locale / language / "LC_MESSAGES" / "verifier.po"


def read(language: str, locale: Path = LOCALE) -> Catalog:
    with po_path(language, locale).open("rb") as f:
        return read_po(f, locale=language, domain="verifier")


def write(catalog: Catalog, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    buffer = io.BytesIO()
    write_po(buffer, catalog, width=100, sort_output=True, include_lineno=False)
    path.write_bytes(buffer.getvalue())


def _key(message_id: str | tuple[str, ...], context: str | None) -> Key:
    singular = message_id[0] if isinstance(message_id, tuple) else message_id
    return (context, singular)


def keys(catalog: Catalog) -> dict[Key, object]:
    return {_key(m.id, m.context): m for m in catalog if m.id}


def update() -> None:
    """Bring both catalogs to the code: new messages added (French filled in, English
    empty for the translator), vanished ones removed."""
    template = extracted()
    write(template, POT)
    for language in LANGUAGES:
        path = po_path(language)
        old = keys(read(language)) if path.exists() else {}
        fresh = Catalog(
            locale=language, domain="verifier", project="verifier", header_comment=f"# {HEADER}", fuzzy=False
        )
        # gettext's classic two forms (French: 0 and 1 singular), not CLDR's three for French
        fresh._num_plurals, fresh._plural_expr = PLURALS[language]
        for message in template:
            if not message.id:
                continue
            previous = old.get(_key(message.id, message.context))
            string = getattr(previous, "string", None)
            if language == "fr" and not _filled(string):
                string = message.id if not isinstance(message.id, tuple) else list(message.id)
            fresh.add(message.id, string, message.locations, context=message.context)
        write(fresh, path)


def _filled(string: object) -> bool:
    if isinstance(string, (list, tuple)):
        return all(isinstance(s, str) and s for s in string)
    return isinstance(string, str) and bool(string)


def compile_all() -> None:
    for language in LANGUAGES:
        catalog = read(language)
        with po_path(language).with_suffix(".mo").open("wb") as f:
            write_mo(f, catalog)


def problems(package: Path = PACKAGE, locale: Path = LOCALE) -> Iterator[str]:
    """What is wrong between the code and the catalogs, one sentence each."""
    wanted = keys(extracted(package))
    for language in LANGUAGES:
        have = keys(read(language, locale))
        for key, message in wanted.items():
            entry = have.get(key)
            if entry is None:
                yield f"{language}: missing {key[1]!r}" + (f" (context {key[0]})" if key[0] else "")
            elif not _filled(getattr(entry, "string", None)):
                yield f"{language}: not translated {key[1]!r}"
            elif isinstance(getattr(message, "id", None), tuple) != isinstance(getattr(entry, "id", None), tuple):
                yield f"{language}: {key[1]!r} is a plural in one place and not in the other"
        for key in have.keys() - wanted.keys():
            yield f"{language}: unused {key[1]!r}"


def main(argv: list[str]) -> int:
    command = argv[1] if len(argv) > 1 else "check"
    if command == "extract":
        write(extracted(), POT)
    elif command == "update":
        update()
    elif command == "compile":
        compile_all()
    elif command == "check":
        found = list(problems())
        for line in found:
            print(line)
        return 1 if found else 0
    else:
        print(__doc__)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
