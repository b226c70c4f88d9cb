"""Writing a file so that its readers see the old content or the whole new one, never half.

A leaf module: it imports nothing of verifier's, so every layer may use it (the exports and
security packages included, which otherwise import only the domain). The domain itself does
no I/O and stays without it.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

PRIVATE = 0o600  # readable and writable by this user only


@contextmanager
def atomic_write(path: Path, mode: int = 0o666) -> Iterator[BinaryIO]:
    """Yield a binary file in `path`'s folder; when the block ends normally, it is flushed,
    synced to disk and renamed over `path` in one step.

    If the block raises, the temporary file is removed and `path` is left as it was. `mode`
    is the new file's permissions before the umask, as for `open()` (`PRIVATE` for a file
    holding keys or patient data). The temporary name starts with a dot, so a folder
    listing that skips hidden files never shows one left by a crash.
    """
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), mode)
    try:
        with os.fdopen(fd, "wb") as out:
            yield out
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    _sync_folder(path.parent)


def _sync_folder(folder: Path) -> None:
    """Make the rename itself durable (POSIX); where a folder cannot be synced, the rename stands."""
    if os.name == "nt":
        return
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
