#!/usr/bin/env bash
# Start verifier (first run opens the set-up). Any arguments go to the `verifier` command.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
"$root/scripts/venv.sh"
# Qt's window needs system libraries pip cannot install: say which, with the apt-get line
# (scripts/qt_check.py; only ldd, no Qt started; VERIFIER_SKIP_QT_CHECK=1 skips it). The
# window is what needs them: with arguments (a command) the message is only a warning.
if ! "$root/.venv/bin/python" "$root/scripts/qt_check.py" && [ $# -eq 0 ]; then
    exit 1
fi
exec "$root/.venv/bin/verifier" "$@"
