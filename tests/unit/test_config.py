"""config.json: this computer's database, language and second backup folder, nothing else."""

from __future__ import annotations

import json

from verifier.config import Config


def test_an_older_config_with_the_idle_lock_still_loads_and_the_key_goes_at_the_next_save() -> None:
    path = Config.path()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"database": "/srv/verifier.db", "language": "en", "idle_lock_minutes": 3}), "utf-8")
    config = Config.load()
    assert (config.database, config.language) == ("/srv/verifier.db", "en")
    config.save()
    assert json.loads(path.read_text("utf-8")) == {
        "database": "/srv/verifier.db",
        "language": "en",
        "backup_copy": None,
    }
    assert sorted(p.name for p in path.parent.iterdir()) == ["config.json"]  # no temporary left
