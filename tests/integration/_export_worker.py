"""A workstation exporting batches, run as a child process by test_export_crash.py.

argv: location (SQLite path or PostgreSQL URL), outbox folder, mode:
- "loop": export everything queued, again and again (voiding a batch to have work) until killed;
- "once": export everything queued once (prints "none" if nothing is queued);
- "subsets": ten times, export a random handful of the queued claims (another workstation
  may take some of them first).
Prints "go" once signed in, then one line "<batch number> <file>" per batch exported.
"""

from __future__ import annotations

import os
import random
import sys
from pathlib import Path

from verifier.domain.errors import ValidationError
from verifier.domain.states import ClaimStatus
from verifier.location import Location
from verifier.security import crypto
from verifier.services import auth, batches, directory, queue

crypto.set_default_kdf(crypto.KdfParams(time_cost=1, memory_cost=1024, parallelism=1))


def main() -> None:
    target, outbox, mode = sys.argv[1], Path(sys.argv[2]), sys.argv[3]
    ctx = auth.sign_in(Location.parse(target), "admin", "correct horse battery")
    insurer = directory.get_insurer(ctx, "90412345")
    print("go", flush=True)
    rng = random.Random(os.getpid())
    rounds = 10 if mode == "subsets" else None
    while rounds is None or rounds > 0:
        wanted = None
        if mode == "subsets":
            rounds -= 1
            queued = queue.list_claims(ctx, queue.Search(statuses=(ClaimStatus.QUEUED,)), limit=500).rows
            wanted = [r.id for r in rng.sample(queued, min(8, len(queued)))]
        try:
            made = batches.create_batch(ctx, insurer.id, wanted)
        except ValidationError:
            if mode == "loop":  # nothing queued: put the newest unsent batch back and go on
                live = [b for b in batches.list_batches(ctx, insurer.id) if b.status == "exported"]
                batches.void_batch(ctx, live[0].id, "essai de reprise")
                continue
            if mode == "once":
                print("none", flush=True)
                break
            continue  # subsets: the other workstation took them first
        path = batches.export_batch(ctx, made.batch.id, outbox)
        print(f"{made.batch.number} {path.name}", flush=True)
        if mode == "once":
            break
    ctx.close()


if __name__ == "__main__":
    main()
