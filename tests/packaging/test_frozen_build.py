"""The frozen build: packaging/build.py freezes verifier with PyInstaller, smoke-tests the
frozen program (CLI, drug look-up from the bundled snapshot, batch export, GUI offscreen)
and packs the Linux tarball.

Slow (about two to three minutes), so marked `slow`: `-m "not slow"` leaves it out, but it
runs by default, in the normal suite.
"""

from __future__ import annotations

import re
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest

from verifier import __version__

ROOT = Path(__file__).resolve().parents[2]
FROZEN = ROOT / "dist" / "verifier" / "_internal"
APP_ID = "fr.verifier.Verifier"


@pytest.mark.slow
@pytest.mark.skipif(
    not sys.platform.startswith("linux"),
    reason="the Linux build is tested here; Windows is built as docs/packaging.md says",
)
def test_build_freezes_smoke_tests_and_packs_the_tarball() -> None:
    result = subprocess.run(
        [sys.executable, str(ROOT / "packaging" / "build.py"), "--python", sys.executable],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-8000:]

    runs = re.search(r"^smoke test passed: (\d+) runs of the frozen program", output, re.MULTILINE)
    assert runs and int(runs.group(1)) >= 12, output
    for step in (
        "--version",
        "drugs show",
        "batch export",
        "PostgreSQL driver",
        "GUI offscreen, first run",
        "GUI offscreen, sign-in",
    ):
        assert re.search(rf"^  ok  {re.escape(step)}", output, re.MULTILINE), f"{step} did not run:\n{output}"
    size = re.search(r"^frozen folder size: ([\d.]+) MB", output, re.MULTILINE)
    assert size and 50 < float(size.group(1)) < 800, output
    packed = re.search(r"^tarball size: ([\d.]+) MB \((.+)\)$", output, re.MULTILINE)
    assert packed, output

    # What the spec must have put in: package data found through importlib.resources, the
    # migrations as .py files for Alembic, SQLCipher, Qt's platforms and French texts.
    migrations = sorted(p.name for p in (ROOT / "verifier/store/migrations/versions").glob("*.py"))
    assert sorted(p.name for p in (FROZEN / "verifier/store/migrations/versions").glob("*.py")) == migrations
    assert (FROZEN / "verifier/store/migrations/env.py").is_file()
    for name in ("CIS_CIP_bdpm.txt.gz", "CIS_bdpm.txt.gz", "snapshot.json"):
        assert (FROZEN / "verifier/resources/data/bdpm" / name).is_file()
    assert (FROZEN / "verifier/resources/icons/verifier-256.png").is_file()
    assert list((FROZEN / "sqlcipher3").glob("_sqlite3*.so"))
    plugins = FROZEN / "PySide6/Qt/plugins/platforms"
    assert (plugins / "libqxcb.so").is_file() and (plugins / "libqoffscreen.so").is_file()
    assert (FROZEN / "PySide6/Qt/translations/qtbase_fr.qm").is_file()

    tarball = Path(packed.group(2))
    assert tarball.name == f"verifier-{__version__}-linux-x86_64.tar.gz"
    top = f"verifier-{__version__}-linux-x86_64"
    with tarfile.open(tarball) as tar:
        names = set(tar.getnames())
        assert tar.getmember(f"{top}/AppRun").issym()
    expected = {
        f"{top}/{APP_ID}.desktop",
        f"{top}/install.sh",
        f"{top}/usr/lib/verifier/verifier",
        f"{top}/usr/share/applications/{APP_ID}.desktop",
        f"{top}/usr/share/metainfo/{APP_ID}.metainfo.xml",
        f"{top}/usr/share/icons/hicolor/scalable/apps/{APP_ID}.svg",
    }
    expected |= {f"{top}/usr/share/icons/hicolor/{s}x{s}/apps/{APP_ID}.png" for s in (16, 32, 48, 64, 128, 256)}
    assert expected <= names, sorted(expected - names)
