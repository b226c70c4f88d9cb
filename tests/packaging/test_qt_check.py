"""scripts/qt_check.py, run by ./run.sh: names the missing system libraries of Qt's xcb
plugin and prints the apt-get line; silent when everything is there (issue 9, point 11)."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "qt_check.py"

# What ldd prints for libqxcb.so on a minimal Debian (abridged).
LDD_MINIMAL = """\
\tlinux-vdso.so.1 (0x00007ffd5d9f2000)
\tlibQt6XcbQpa.so.6 => /opt/v/.venv/lib/python3.11/site-packages/PySide6/Qt/lib/libQt6XcbQpa.so.6 (0x00007f3c)
\tlibxcb-cursor.so.0 => not found
\tlibxcb-icccm.so.4 => not found
\tlibxcb-keysyms.so.1 => not found
\tlibxcb.so.1 => /lib/x86_64-linux-gnu/libxcb.so.1 (0x00007f3c1c000000)
\tlibxcb-icccm.so.4 => not found
\tlibfoo-unknown.so.3 => not found
"""


def _run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(SCRIPT), *args],
        capture_output=True,
        text=True,
        check=False,
        env=env if env is not None else dict(os.environ),
    )


def _fake_ldd(tmp_path: Path, output: str) -> Path:
    (tmp_path / "ldd-output.txt").write_text(output, encoding="utf-8")
    ldd = tmp_path / "ldd"
    ldd.write_text(f"#!/bin/sh\ncat '{tmp_path / 'ldd-output.txt'}'\n", encoding="utf-8")
    ldd.chmod(ldd.stat().st_mode | stat.S_IXUSR)
    return ldd


def test_missing_libraries_give_the_apt_get_line(tmp_path: Path) -> None:
    plugin = tmp_path / "platforms" / "libqxcb.so"
    plugin.parent.mkdir()
    plugin.write_bytes(b"\x7fELF")
    done = _run("--force", "--plugin", str(plugin), "--ldd", str(_fake_ldd(tmp_path, LDD_MINIMAL)))
    assert done.returncode == 1
    assert "sudo apt-get install libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1\n" in done.stderr
    assert "libxcb-cursor.so.0 libxcb-icccm.so.4 libxcb-keysyms.so.1 libfoo-unknown.so.3" in done.stderr
    assert "libfoo-unknown.so.3" in done.stderr.splitlines()[-2]  # named, with how to find its package
    assert "VERIFIER_SKIP_QT_CHECK=1" in done.stderr


def test_nothing_missing_says_nothing(tmp_path: Path) -> None:
    plugin = tmp_path / "libqxcb.so"
    plugin.write_bytes(b"\x7fELF")
    fine = "\n".join(line for line in LDD_MINIMAL.splitlines() if "not found" not in line)
    done = _run("--force", "--plugin", str(plugin), "--ldd", str(_fake_ldd(tmp_path, fine)))
    assert (done.returncode, done.stdout, done.stderr) == (0, "", "")


def test_this_machines_qt_plugin_is_read_with_the_real_ldd() -> None:
    """The real PySide6 libqxcb.so and the real ldd: silent when every library is there,
    otherwise the apt-get line for exactly what ldd says is missing (this machine's
    state is not the test's business; reading it right is)."""
    done = _run("--force")
    plugin = Path(__import__("PySide6").__file__).parent / "Qt" / "plugins" / "platforms" / "libqxcb.so"
    ldd = subprocess.run(["ldd", str(plugin)], capture_output=True, text=True, check=False).stdout
    missing = list(dict.fromkeys(line.split("=>")[0].strip() for line in ldd.splitlines() if "not found" in line))
    if not missing:
        assert (done.returncode, done.stderr) == (0, "")
    else:
        assert done.returncode == 1
        assert " ".join(missing) in done.stderr
        assert "sudo apt-get install" in done.stderr


def test_skipped_offscreen_without_a_display_or_when_asked(tmp_path: Path) -> None:
    ldd = _fake_ldd(tmp_path, LDD_MINIMAL)
    plugin = tmp_path / "libqxcb.so"
    plugin.write_bytes(b"\x7fELF")
    base = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")}
    for extra in (
        {},
        {"DISPLAY": ":0", "QT_QPA_PLATFORM": "offscreen"},
        {"DISPLAY": ":0", "VERIFIER_SKIP_QT_CHECK": "1"},
    ):
        done = _run("--plugin", str(plugin), "--ldd", str(ldd), env={**base, **extra})
        assert (done.returncode, done.stderr) == (0, ""), extra
    done = _run("--plugin", str(plugin), "--ldd", str(ldd), env={**base, "DISPLAY": ":0"})
    assert done.returncode == 1 and "apt-get install" in done.stderr


def test_run_sh_calls_the_check_before_starting() -> None:
    text = (ROOT / "run.sh").read_text(encoding="utf-8")
    assert text.index("scripts/qt_check.py") < text.index('exec "$root/.venv/bin/verifier"')
