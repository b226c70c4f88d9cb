"""The BDPM snapshot shipped inside the application (ANSM, June 2022).

It is found through `importlib.resources`, so it works from the source tree, an installed
wheel and a PyInstaller bundle alike (the bundle must collect the ``verifier.resources``
package data). Its date and licence, in ``snapshot.json``, are shown to the user.
"""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path
from typing import cast

SNAPSHOT_PACKAGE = "verifier.resources"
SNAPSHOT_PARTS = ("data", "bdpm")
INFO_FILE = "snapshot.json"


def shipped_snapshot_dir() -> Path:
    """The directory holding the shipped ``CIS_CIP_bdpm.txt.gz`` and ``CIS_bdpm.txt.gz``.

    The package data is always on the file system for the ways the application is shipped
    (source, wheel, PyInstaller); a zipped install is refused rather than silently extracted.
    """
    traversable = resources.files(SNAPSHOT_PACKAGE).joinpath(*SNAPSHOT_PARTS)
    if not isinstance(traversable, Path):
        raise TypeError(f"the BDPM snapshot is not on the file system: {traversable!r}")
    return traversable


def shipped_snapshot_info() -> dict[str, object]:
    """The contents of ``snapshot.json``: source, date, licence, attribution and files."""
    text = (shipped_snapshot_dir() / INFO_FILE).read_text(encoding="utf-8")
    return cast(dict[str, object], json.loads(text))
