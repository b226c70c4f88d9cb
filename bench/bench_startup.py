"""Start-up time to the first window on screen: verifier against a bare PySide6 window.

Each run is a fresh Python process (QT_QPA_PLATFORM=offscreen). The parent takes
`time.perf_counter_ns()` just before starting the child and passes it in the environment;
the child prints the elapsed time from a zero-delay QTimer set after the window is shown,
i.e. once the event loop has processed the show (the same point for both). On Linux and
Windows `perf_counter` is a system-wide monotonic clock, so the two processes agree.

(a) baseline: import PySide6.QtWidgets, create the QApplication, show a QMainWindow.
(b) verifier: `verifier.cli.main(["--db", <existing database>])`, as `python -m verifier`
    does; the first window is the sign-in window. The only addition is a probe wrapped
    around `verifier.gui.start.Flow.start` that arms the zero-delay timer.

Then one more run of (b) under `python -X importtime` lists what was imported before the
window appeared, per top-level package, and which verifier module first pulled it in.

    .venv/bin/python bench/bench_startup.py            # 7 runs each
    .venv/bin/python bench/bench_startup.py --repeat 11
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TARGET = 1.25
MARK = "--window-shown--"

BARE = f"""
import os, sys, time
t0 = int(os.environ["BENCH_T0"])
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMainWindow
app = QApplication(sys.argv[:1])
window = QMainWindow()
window.show()
def shown():
    print(f"{{(time.perf_counter_ns() - t0) / 1e6:.2f}}", flush=True)
    sys.stderr.write("{MARK}\\n")
    sys.stderr.flush()
    os._exit(0)
QTimer.singleShot(0, shown)
app.exec()
"""

# The same kinds of widgets as the sign-in window, for reference: what such a window costs
# in PySide6 by itself (each Qt class used brings its enums into Python on first import).
DIALOG = BARE.replace(
    "from PySide6.QtWidgets import QApplication, QMainWindow",
    "from PySide6.QtGui import QFont\n"
    "from PySide6.QtWidgets import (QApplication, QDialog, QDialogButtonBox, QFormLayout, QLabel, QLineEdit,\n"
    "    QVBoxLayout)",
).replace(
    "window = QMainWindow()",
    "window = QDialog()\nform = QFormLayout()\nform.addRow(QLabel('a'), QLineEdit())\nsecret = QLineEdit()\n"
    "secret.setEchoMode(QLineEdit.EchoMode.Password)\nform.addRow(QLabel('b'), secret)\n"
    "buttons = QDialogButtonBox()\nbuttons.addButton('ok', QDialogButtonBox.ButtonRole.AcceptRole)\n"
    "buttons.addButton('quit', QDialogButtonBox.ButtonRole.RejectRole)\nlayout = QVBoxLayout(window)\n"
    "layout.addLayout(form)\nlayout.addWidget(QLabel('where'))\nlayout.addWidget(buttons)",
)

APP = f"""
import os, sys, time
t0 = int(os.environ["BENCH_T0"])
import verifier.gui.start as start
from PySide6.QtCore import QTimer
original = start.Flow.start
def probed(self):
    window = original(self)
    def shown():
        print(f"{{(time.perf_counter_ns() - t0) / 1e6:.2f}} {{type(window).__name__}}", flush=True)
        sys.stderr.write("{MARK}\\n")
        sys.stderr.flush()
        os._exit(0)  # measured; do not wait for the background work to finish
    QTimer.singleShot(0, shown)
    return window
start.Flow.start = probed
from verifier.cli import main
sys.exit(main(["--db", os.environ["BENCH_DB"]]))
"""


def run_child(code: str, env: dict[str, str], importtime: bool = False) -> tuple[float, str, str]:
    args = [sys.executable, *(["-X", "importtime"] if importtime else []), "-c", code]
    env = dict(env, BENCH_T0=str(time.perf_counter_ns()))
    proc = subprocess.run(args, env=env, cwd=ROOT, capture_output=True, text=True, timeout=120)
    if proc.returncode != 0 or not proc.stdout.strip():
        raise SystemExit(f"child failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr[-3000:]}")
    first = proc.stdout.split()
    return float(first[0]), " ".join(first[1:]), proc.stderr


def make_database(folder: Path) -> Path:
    """An existing site (cheap key derivation: sign-in is not part of the measurement)."""
    from verifier.security import crypto
    from verifier.services import auth
    from verifier.store.engine import Location

    crypto.set_default_kdf(crypto.KdfParams(time_cost=1, memory_cost=1024, parallelism=1))
    path = folder / "verifier.db"
    ctx, _code = auth.initialise(
        Location(sqlite_path=path),
        auth.SiteInput("Pharmacie du banc d'essai"),
        "admin",
        "Admin",
        "correct horse battery",
    )
    ctx.close()
    return path


def import_breakdown(stderr: str) -> tuple[dict[str, int], dict[str, str], int]:
    """Self time (µs) per top-level package imported before the window, and who imported it."""
    lines = []
    for raw in stderr.splitlines():
        if raw.strip() == MARK:
            break
        if not raw.startswith("import time:") or "self [us]" in raw:
            continue
        parts = raw.split("|")
        self_us = int(parts[0].split(":")[1])
        label = parts[2]
        depth = (len(label) - len(label.lstrip(" "))) // 2
        lines.append((self_us, depth, label.strip()))
    per_package: dict[str, int] = defaultdict(int)
    first_by: dict[str, str] = {}
    for i, (self_us, depth, name) in enumerate(lines):
        package = name.split(".")[0]
        per_package[package] += self_us
        if package in first_by or package == "verifier":
            continue
        # importtime lists children before their parent: each ancestor is the next shallower line
        top, importer = name, ""
        for _s, d, parent in lines[i + 1 :]:
            if d >= depth:
                continue
            depth = d
            if parent.split(".")[0] == package:
                top = parent  # the package's module that was asked for
                continue
            importer = importer or parent
            if parent.startswith("verifier"):
                via = "" if importer == parent else f" (through {importer.split('.')[0]})"
                first_by[package] = f"{parent} -> {top}{via}"
                break
    total = sum(per_package.values())
    mine = sorted(((us, name) for us, _d, name in lines if name.startswith("verifier")), reverse=True)
    first_by["verifier"] = ", ".join(f"{name} {us / 1000:.1f}" for us, name in mine[:4])
    return dict(per_package), first_by, total


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-startup-") as tmp:
        folder = Path(tmp)
        env = dict(
            os.environ,
            QT_QPA_PLATFORM="offscreen",
            VERIFIER_DATA_DIR=str(folder / "data"),
            VERIFIER_LANG="fr",
            PYTHONPATH=str(ROOT),
            PYTHONDONTWRITEBYTECODE="",
        )
        env.pop("VERIFIER_DATABASE_URL", None)
        env["BENCH_DB"] = str(make_database(folder))
        run_child(BARE, env)  # warm the file cache for both
        _ms, first_window, _err = run_child(APP, env)
        bare: list[float] = []
        dialog: list[float] = []
        app: list[float] = []
        for _ in range(args.repeat):  # interleaved, so background noise hits all alike
            bare.append(run_child(BARE, env)[0])
            dialog.append(run_child(DIALOG, env)[0])
            app.append(run_child(APP, env)[0])
        _ms, _w, stderr = run_child(APP, env, importtime=True)

    b, d, a = statistics.median(bare), statistics.median(dialog), statistics.median(app)
    ratio = a / b
    print(
        f"Start-up to the first window on screen (QT_QPA_PLATFORM=offscreen), fresh process each run, "
        f"median of {args.repeat}"
    )
    print(f"  {'':52}{'ms':>8}{'ratio':>9}{'target':>9}{'met':>6}")
    print(f"  {'(a) bare PySide6: QApplication + QMainWindow.show()':52}{b:8.1f}{1.0:8.2f}x")
    print(
        f"  {'(b) verifier.cli.main, first window: ' + first_window:52}{a:8.1f}{ratio:8.2f}x"
        f"{'<=' + str(TARGET) + 'x':>9}{'yes' if ratio <= TARGET else 'NO':>6}"
    )
    print(f"  {'    for reference: a bare QDialog with the same widgets':52}{d:8.1f}{d / b:8.2f}x")
    print(
        f"  runs (ms): bare {', '.join(f'{x:.0f}' for x in bare)}; dialog {', '.join(f'{x:.0f}' for x in dialog)}; "
        f"verifier {', '.join(f'{x:.0f}' for x in app)}"
    )
    per_package, first_by, total = import_breakdown(stderr)
    print(
        f"\nImported before the first window, (b) under -X importtime (one run; importtime adds its own "
        f"overhead): {total / 1000:.0f} ms of import self time"
    )
    for package, us in sorted(per_package.items(), key=lambda kv: -kv[1])[:12]:
        who = first_by.get(package, "")
        print(f"  {package:18}{us / 1000:7.1f} ms   {who}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
