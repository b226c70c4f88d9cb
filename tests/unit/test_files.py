"""atomic_write: the file holds the old content or the whole new one, and no temporary stays."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from verifier.files import PRIVATE, atomic_write


def test_the_new_content_replaces_the_old(tmp_path: Path) -> None:
    target = tmp_path / "config.json"
    target.write_bytes(b"old")
    with atomic_write(target) as out:
        out.write(b"new ")
        out.write(b"content")
    assert target.read_bytes() == b"new content"
    assert list(tmp_path.iterdir()) == [target]


def test_a_failure_mid_write_leaves_the_old_file_whole_and_no_temporary(tmp_path: Path) -> None:
    target = tmp_path / "report.pdf"
    target.write_bytes(b"the previous report")
    with pytest.raises(RuntimeError):
        with atomic_write(target) as out:
            out.write(b"half of the next one")
            raise RuntimeError("the renderer failed")
    assert target.read_bytes() == b"the previous report"
    assert list(tmp_path.iterdir()) == [target]


def test_a_failure_before_the_first_write_creates_nothing(tmp_path: Path) -> None:
    with pytest.raises(KeyboardInterrupt):
        with atomic_write(tmp_path / "new.json"):
            raise KeyboardInterrupt
    assert list(tmp_path.iterdir()) == []


def test_a_rename_that_fails_removes_the_temporary(tmp_path: Path) -> None:
    target = tmp_path / "taken"
    target.mkdir()
    (target / "inside").write_bytes(b"kept")
    with pytest.raises(OSError):
        with atomic_write(target) as out:
            out.write(b"data")
    assert [p.name for p in tmp_path.iterdir()] == ["taken"] and (target / "inside").read_bytes() == b"kept"


@pytest.mark.skipif(os.name == "nt", reason="POSIX permissions")
def test_private_files_are_this_users_only_and_others_follow_the_umask(tmp_path: Path) -> None:
    old = os.umask(0o022)
    try:
        with atomic_write(tmp_path / "keys", PRIVATE) as out:
            out.write(b"k")
        with atomic_write(tmp_path / "plain") as out:
            out.write(b"p")
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "keys").stat().st_mode) == 0o600
    assert stat.S_IMODE((tmp_path / "plain").stat().st_mode) == 0o644
