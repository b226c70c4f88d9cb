"""The log file rotates at start-up once it is over its size."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from verifier import log


def test_rotation_keeps_older_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VERIFIER_DATA_DIR", str(tmp_path))
    monkeypatch.setattr(log, "MAX_BYTES", 10)
    path = log.log_file()
    path.parent.mkdir(parents=True)
    path.write_text("old enough to rotate\n")
    path.with_name("verifier.log.1").write_text("older\n")
    root = logging.getLogger()
    before = list(root.handlers)
    try:
        assert log.setup() == path
        logging.getLogger("test").info("fresh line")
        for h in root.handlers:
            h.flush()
        assert "fresh line" in path.read_text()
        assert path.with_name("verifier.log.1").read_text() == "old enough to rotate\n"
        assert path.with_name("verifier.log.2").read_text() == "older\n"
    finally:
        for h in root.handlers[:]:
            if h not in before:
                root.removeHandler(h)
                h.close()
