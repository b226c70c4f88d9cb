"""Issue 12 point 9: receipt PDFs left in `$TMPDIR/verifier-receipts-*` after a crash held a
name, birth date and NIR in clear. The next start removes what a dead run left."""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from pathlib import Path

from verifier import paths


def _left_by(pid: int) -> Path:
    folder = Path(tempfile.mkdtemp(prefix=f"{paths.RECEIPTS_PREFIX}{pid}-"))
    (folder / "recu-0000042.pdf").write_bytes(b"%PDF- DURANDEAU Elodie 2 68 03 75 056 101 07")
    return folder


def test_a_crashed_runs_receipts_are_removed_and_a_live_ones_kept() -> None:
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    crashed = _left_by(int(dead.stdout))  # that process is gone: as after a crash
    sleeper = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        running = _left_by(sleeper.pid)  # another verifier still open
        old_style = Path(tempfile.mkdtemp(prefix=paths.RECEIPTS_PREFIX + "ab"))  # no process id
        own = paths.receipts_dir()
        (own / "recu.pdf").write_bytes(b"%PDF-")
        assert paths.sweep_receipts() >= 2
        assert not crashed.exists() and not old_style.exists()
        assert running.exists() and own.exists()
        later = time.time() + paths.STALE_RECEIPTS_SECONDS + 60
        paths.sweep_receipts(now=later)  # a day on, even a live run's folder goes
        assert not running.exists() and own.exists()
    finally:
        sleeper.kill()
        sleeper.wait()
