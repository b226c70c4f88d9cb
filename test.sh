#!/usr/bin/env bash
# Install what the tests need into .venv and run the whole suite (SQLite and PostgreSQL).
# Extra arguments go to pytest, e.g. ./test.sh -k nir
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
"$root/scripts/venv.sh" test
cd "$root"
export QT_QPA_PLATFORM="${QT_QPA_PLATFORM:-offscreen}"
set +e
"$root/.venv/bin/python" -m pytest "$@"
rc=$?
set -e
# pytest exits 5 when it collected no test: that is a failure here, never a pass.
if [ "$rc" -eq 5 ]; then
    echo "No test was collected: failing." >&2
    exit 1
fi
exit "$rc"
