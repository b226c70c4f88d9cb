"""Where verifier keeps its files (platformdirs), overridable with VERIFIER_DATA_DIR."""

from __future__ import annotations

import atexit
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

from platformdirs import PlatformDirs

_dirs = PlatformDirs("verifier", appauthor=False)


def data_dir() -> Path:
    override = os.environ.get("VERIFIER_DATA_DIR")
    return Path(override) if override else Path(_dirs.user_data_dir)


def config_dir() -> Path:
    override = os.environ.get("VERIFIER_DATA_DIR")
    return Path(override) if override else Path(_dirs.user_config_dir)


def log_dir() -> Path:
    override = os.environ.get("VERIFIER_DATA_DIR")
    return Path(override) / "logs" if override else Path(_dirs.user_log_dir)


def default_database() -> Path:
    return data_dir() / "verifier.db"


_receipts: Path | None = None


def receipts_dir() -> Path:
    """Where receipts are written to be opened in the PDF reader: one folder per process that
    only this user can read (0700, made by `tempfile.mkdtemp`), removed when the process ends.

    A receipt names the patient (full NIR included), so it never goes to a shared folder.
    """
    global _receipts
    if _receipts is None or not _receipts.is_dir():
        _receipts = Path(tempfile.mkdtemp(prefix=f"{RECEIPTS_PREFIX}{os.getpid()}-"))
        atexit.register(shutil.rmtree, _receipts, True)
    return _receipts


RECEIPTS_PREFIX = "verifier-receipts-"
STALE_RECEIPTS_SECONDS = 24 * 3600


def _alive(pid: int) -> bool:
    if sys.platform == "win32":
        return True  # no cheap check there: the folder's age decides
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's process: not ours to judge
    return True


def sweep_receipts(now: float | None = None) -> int:
    """Remove the receipt folders a crashed or killed run left in the temp folder (each holds a
    patient's name, birth date and NIR in clear): this user's, whose process is gone, or older
    than a day. The running process's own folder is kept. Returns how many were removed."""
    now = time.time() if now is None else now
    removed = 0
    for folder in Path(tempfile.gettempdir()).glob(f"{RECEIPTS_PREFIX}*"):
        try:
            info = folder.stat()
            if not folder.is_dir() or folder == _receipts:
                continue
            if hasattr(os, "getuid") and info.st_uid != os.getuid():
                continue
            pid_text = folder.name[len(RECEIPTS_PREFIX) :].split("-", 1)[0]
            if not pid_text.isdigit():
                gone = True  # a folder of the first releases, without a process id
            else:
                pid = int(pid_text)
                gone = pid == os.getpid() or not _alive(pid)  # ours is skipped above
            if gone or now - info.st_mtime > STALE_RECEIPTS_SECONDS:
                shutil.rmtree(folder, ignore_errors=True)
                removed += not folder.exists()
        except OSError:
            continue  # another run is removing it, or it is not ours
    return removed
