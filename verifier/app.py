"""GUI start-up (placeholder until the counter-desk issue): set-up or sign-in, then a status window."""

from __future__ import annotations


def run_gui(db: str | None) -> int:
    from verifier.gui.start import main

    return main(db)
