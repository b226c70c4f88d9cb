"""Logging to a file in the user's log folder, rotated at start-up.

Log lines name records by their identifiers and counts, never a patient's name, birth
date, NIR or member number: the services only ever log those kinds of values.

Rotation happens when the application starts (the file is renamed `.1` … `.9` once it is
over 2 MB) rather than by `logging.handlers.RotatingFileHandler`, whose module pulls in
sockets and pickling and costs the counter a visible part of its start-up time; a single
working day does not write 2 MB.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

from verifier import paths

MAX_BYTES = 2_000_000
KEEP = 9


def log_file() -> Path:
    return paths.log_dir() / "verifier.log"


def _rotate(path: Path) -> None:
    try:
        if path.stat().st_size < MAX_BYTES:
            return
    except FileNotFoundError:
        return
    for n in range(KEEP - 1, 0, -1):
        older = path.with_name(f"{path.name}.{n}")
        if older.exists():
            os.replace(older, path.with_name(f"{path.name}.{n + 1}"))
    os.replace(path, path.with_name(f"{path.name}.1"))


def setup(level: int = logging.INFO) -> Path:
    path = log_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    root = logging.getLogger()
    root.setLevel(level)
    logging.getLogger("alembic").setLevel(logging.WARNING)
    if not any(getattr(h, "baseFilename", None) == str(path) for h in root.handlers):
        _rotate(path)
        handler = logging.FileHandler(path, encoding="utf-8")
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        root.addHandler(handler)
    return path
