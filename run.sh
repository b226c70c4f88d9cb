#!/usr/bin/env bash
# Start verifier (first run opens the set-up). Any arguments go to the `verifier` command.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
"$root/scripts/venv.sh"
exec "$root/.venv/bin/verifier" "$@"
