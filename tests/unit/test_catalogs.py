"""The gettext catalogs match the code: Babel's extraction of verifier/ finds no message
missing from fr or en, no untranslated one, and no catalog entry the code no longer uses."""

from __future__ import annotations

import importlib.util
import shutil
import sys
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parents[2]


def _catalogs() -> ModuleType:
    spec = importlib.util.spec_from_file_location("catalogs", ROOT / "scripts" / "catalogs.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["catalogs"] = module
    spec.loader.exec_module(module)
    return module


def test_the_catalogs_hold_every_message_of_the_code_and_nothing_else() -> None:
    catalogs = _catalogs()
    assert len(catalogs.keys(catalogs.extracted())) > 1000
    assert list(catalogs.problems()) == []


def test_a_new_message_an_untranslated_one_and_an_unused_one_are_each_reported(tmp_path: Path) -> None:
    catalogs = _catalogs()
    package = tmp_path / "verifier"
    shutil.copytree(ROOT / "verifier", package, ignore=shutil.ignore_patterns("__pycache__", "resources", "*.mo"))
    locale = package / "locale"
    probe = package / "domain" / "money.py"
    probe.write_text(probe.read_text("utf-8") + '\n\nNEW = i18n.tr("Un message tout neuf.")\n', "utf-8")
    en = locale / "en" / "LC_MESSAGES" / "verifier.po"
    text = en.read_text("utf-8")
    text = text.replace('msgstr "Sign in"', 'msgstr ""', 1)  # one translation lost
    text += '\nmsgid "Plus utilisé nulle part."\nmsgstr "Used nowhere any more."\n'
    en.write_text(text, "utf-8")
    found = list(catalogs.problems(package, locale))
    assert "fr: missing 'Un message tout neuf.'" in found
    assert "en: missing 'Un message tout neuf.'" in found
    assert "en: unused 'Plus utilisé nulle part.'" in found
    assert any(line.startswith("en: not translated") for line in found), found


def test_the_compiled_catalogs_are_what_the_program_reads() -> None:
    from verifier import i18n

    for language in i18n.LANGUAGES:
        po, mo = i18n.catalog_paths(language)
        assert po.exists() and mo.exists(), f"run scripts/catalogs.py compile ({language})"
    i18n.set_language("en")
    assert i18n.tr("La saisie est invalide.") == "The input is invalid."


def test_pybabel_extract_as_documented_finds_nothing_missing_from_fr_and_en(tmp_path: Path) -> None:
    """The command of docs/translations.md, run for real: its .pot against both catalogs."""
    import subprocess

    from babel.messages.pofile import read_po

    pybabel = Path(sys.executable).with_name("pybabel")
    pot = tmp_path / "verifier.pot"
    keywords = ["-k", "tr", "-k", "ntr:1,2", "-k", "ptr:1c,2", "-k", "NP_:1c,2"]
    result = subprocess.run(
        [str(pybabel), "extract", "-F", "babel.cfg", *keywords, "-o", str(pot), "."],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    catalogs = _catalogs()
    with pot.open("rb") as f:
        wanted = set(catalogs.keys(read_po(f)))
    assert len(wanted) > 1000
    for language in ("fr", "en"):
        have = catalogs.keys(catalogs.read(language))
        assert sorted(k[1] for k in wanted - have.keys()) == [], language
