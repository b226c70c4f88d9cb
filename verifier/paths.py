"""Where verifier keeps its files (platformdirs), overridable with VERIFIER_DATA_DIR."""

from __future__ import annotations

import os
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
