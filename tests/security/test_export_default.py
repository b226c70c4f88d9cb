"""Issue 12 point 3: exports are encrypted unless plain is chosen for that export. `batch
export` without a flag wrote a plain bundle (names, NIR, member numbers), though the README
promises a stolen export reveals no one; the GUI's first choice was "none"."""

from __future__ import annotations

import json
import re
from pathlib import Path

from sqlalchemy import select

from tests.integration.test_cli import demo_db, signed  # noqa: F401 - the module-wide demo database
from verifier.location import Location
from verifier.services import auth, demo
from verifier.store.schema import AuditEvent


def test_an_export_without_a_choice_is_refused_and_plain_is_said_and_audited(demo_db: Path, tmp_path: Path) -> None:  # noqa: F811
    made = signed(tmp_path, demo_db, "batch", "create", "--insurer", "80123456")
    assert made.returncode == 0, made.stderr
    batch_id = re.search(r"id=(\d+)", made.stdout).group(1)  # type: ignore[union-attr]
    refused = signed(tmp_path, demo_db, "batch", "export", batch_id, "--out", str(tmp_path / "outbox"))
    assert refused.returncode == 1 and "--encrypt-cert" in refused.stderr and "--plain" in refused.stderr
    assert not (tmp_path / "outbox").exists()  # nothing written
    plain = signed(tmp_path, demo_db, "batch", "export", batch_id, "--out", str(tmp_path / "outbox"), "--plain")
    assert plain.returncode == 0, plain.stderr
    assert "n'est pas chiffré et nomme les patients" in plain.stderr
    ctx = auth.sign_in(Location(sqlite_path=demo_db), demo.DEMO_ADMIN, demo.DEMO_PASSWORD)
    try:
        with ctx.store.read() as s:
            details = s.scalars(
                select(AuditEvent.details).where(AuditEvent.action == "batch.exported").order_by(AuditEvent.seq.desc())
            ).first()
    finally:
        ctx.close()
    assert details is not None and json.loads(details)["encrypted"] is False
