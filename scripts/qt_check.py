#!/usr/bin/env python3
"""Before the window opens: can Qt's X11 platform plugin (xcb) load on this Linux machine?

On a minimal Linux, Qt's xcb plugin needs system libraries (libxcb-icccm4, libxcb-keysyms1,
libxcb-cursor0...) that pip cannot install, and without them the application just fails.
This lists what the plugin's libraries lack (`ldd`, no Qt started: a few milliseconds) and
prints the `apt-get install` line for the missing ones. Exit status 1 when some are missing.

Skipped (exit 0) when not on Linux, with no display (no DISPLAY or WAYLAND_DISPLAY), when
QT_QPA_PLATFORM names another platform than xcb (offscreen, wayland...), or when
VERIFIER_SKIP_QT_CHECK=1. Standard library only: it runs with the virtualenv's Python but
imports nothing from it.

    python scripts/qt_check.py [--plugin PATH] [--ldd COMMAND] [--force]
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import subprocess
import sys
from pathlib import Path

# The shared library each Debian/Ubuntu package provides (names as ldd prints them).
PACKAGES = {
    "libxcb-icccm.so.4": "libxcb-icccm4",
    "libxcb-keysyms.so.1": "libxcb-keysyms1",
    "libxcb-cursor.so.0": "libxcb-cursor0",
    "libxcb-image.so.0": "libxcb-image0",
    "libxcb-render-util.so.0": "libxcb-render-util0",
    "libxcb-xinerama.so.0": "libxcb-xinerama0",
    "libxcb-randr.so.0": "libxcb-randr0",
    "libxcb-shape.so.0": "libxcb-shape0",
    "libxcb-shm.so.0": "libxcb-shm0",
    "libxcb-sync.so.1": "libxcb-sync1",
    "libxcb-xfixes.so.0": "libxcb-xfixes0",
    "libxcb-render.so.0": "libxcb-render0",
    "libxcb-xkb.so.1": "libxcb-xkb1",
    "libxcb-util.so.1": "libxcb-util1",
    "libxcb.so.1": "libxcb1",
    "libX11-xcb.so.1": "libx11-xcb1",
    "libX11.so.6": "libx11-6",
    "libxkbcommon.so.0": "libxkbcommon0",
    "libxkbcommon-x11.so.0": "libxkbcommon-x11-0",
    "libEGL.so.1": "libegl1",
    "libGL.so.1": "libgl1",
    "libGLX.so.0": "libglx0",
    "libGLdispatch.so.0": "libglvnd0",
    "libOpenGL.so.0": "libopengl0",
    "libfontconfig.so.1": "libfontconfig1",
    "libfreetype.so.6": "libfreetype6",
    "libdbus-1.so.3": "libdbus-1-3",
    "libglib-2.0.so.0": "libglib2.0-0",
    "libgthread-2.0.so.0": "libglib2.0-0",
    "libXau.so.6": "libxau6",
    "libXdmcp.so.6": "libxdmcp6",
}


def missing_libraries(ldd_output: str) -> list[str]:
    """The libraries ldd could not find (`libfoo.so.1 => not found`), in order, each once."""
    found: list[str] = []
    for line in ldd_output.splitlines():
        name, _, where = line.strip().partition("=>")
        if where.strip() == "not found" and name.strip() not in found:
            found.append(name.strip())
    return found


def apt_line(missing: list[str]) -> str:
    packages: list[str] = []
    for lib in missing:
        package = PACKAGES.get(lib)
        if package is not None and package not in packages:
            packages.append(package)
    return f"sudo apt-get install {' '.join(packages)}" if packages else ""


def report(missing: list[str]) -> str:
    unknown = [lib for lib in missing if lib not in PACKAGES]
    lines = [
        "verifier: Qt cannot open its window on this machine: these system libraries are missing:",
        "  " + " ".join(missing),
    ]
    line = apt_line(missing)
    if line:
        lines += ["Install them (Debian, Ubuntu) with:", "  " + line]
    if unknown:
        lines.append(
            "Find the package that provides "
            + ", ".join(unknown)
            + " with your distribution's tools (e.g. `apt-file search`)."
        )
    lines.append("Then run ./run.sh again. (VERIFIER_SKIP_QT_CHECK=1 skips this check.)")
    return "\n".join(lines)


def default_plugin() -> Path | None:
    spec = importlib.util.find_spec("PySide6")  # finds the package without importing it
    if spec is None or spec.origin is None:
        return None
    plugin = Path(spec.origin).parent / "Qt" / "plugins" / "platforms" / "libqxcb.so"
    return plugin if plugin.is_file() else None


def should_check(env: dict[str, str]) -> bool:
    if env.get("VERIFIER_SKIP_QT_CHECK") == "1" or not sys.platform.startswith("linux"):
        return False
    platform = env.get("QT_QPA_PLATFORM", "")
    if platform and not platform.startswith("xcb"):
        return False
    return bool(env.get("DISPLAY") or env.get("WAYLAND_DISPLAY"))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Check that Qt's xcb platform plugin can load.")
    parser.add_argument("--plugin", type=Path, help="the plugin to check (default: PySide6's libqxcb.so)")
    parser.add_argument("--ldd", default="ldd", help="the ldd command (default: ldd)")
    parser.add_argument("--force", action="store_true", help="check even without a display")
    args = parser.parse_args(argv)
    if not args.force and not should_check(dict(os.environ)):
        return 0
    plugin = args.plugin or default_plugin()
    if plugin is None:
        return 0  # no PySide6 wheel with xcb here: nothing this check can say
    try:
        done = subprocess.run([args.ldd, str(plugin)], capture_output=True, text=True, timeout=30, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return 0  # no ldd (e.g. a musl system): let Qt speak for itself
    missing = missing_libraries(done.stdout)
    if not missing:
        return 0
    print(report(missing), file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main())
