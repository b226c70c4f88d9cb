"""Logging to a rotating file in the user's log folder.

Log lines name records by their identifiers and counts, never a patient's name, birth
date, NIR or member number: the services only ever log those kinds of values.
"""

from __future__ import annotations

import logging
import logging.handlers
from pathlib import Path

from verifier import paths


def log_file() -> Path:
    return paths.log_dir() / "verifier.log"


def setup(level: int = logging.INFO) -> Path:
    path = log_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    handler = logging.handlers.RotatingFileHandler(path, maxBytes=2_000_000, backupCount=10, encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.setLevel(level)
    logging.getLogger("alembic").setLevel(logging.WARNING)
    if not any(isinstance(h, logging.handlers.RotatingFileHandler) for h in root.handlers):
        root.addHandler(handler)
    return path
