"""Where verifier keeps its files (platformdirs), overridable with VERIFIER_DATA_DIR."""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
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
        _receipts = Path(tempfile.mkdtemp(prefix="verifier-receipts-"))
        atexit.register(shutil.rmtree, _receipts, True)
    return _receipts
