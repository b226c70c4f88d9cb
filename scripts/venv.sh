#!/usr/bin/env bash
# Create or refresh the project's virtual environment in .venv.
# Usage: scripts/venv.sh [extra]   (extra = "test" installs the test dependencies too)
# Reinstalls only when pyproject.toml changed since the last install (a stamp file records it).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
venv="$root/.venv"
extra="${1:-}"
py="${PYTHON:-python3}"
if [ ! -x "$venv/bin/python" ]; then
    echo "Creating the virtual environment in $venv" >&2
    "$py" -m venv "$venv"
    "$venv/bin/python" -m pip install --quiet --disable-pip-version-check --upgrade pip >/dev/null 2>&1 || true
fi
stamp="$venv/.installed-${extra:-app}"
want="$(sha256sum "$root/pyproject.toml" | cut -d' ' -f1)"
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
    spec="$root"
    [ -n "$extra" ] && spec="$root[$extra]"
    echo "Installing verifier${extra:+ with its $extra dependencies} into $venv" >&2
    # pip's chatter goes to a log; on failure its end is shown.
    if ! "$venv/bin/python" -m pip install --disable-pip-version-check -e "$spec" >"$venv/install.log" 2>&1; then
        tail -n 40 "$venv/install.log" >&2
        echo "Installing the dependencies failed (full log: $venv/install.log)." >&2
        exit 1
    fi
    echo "$want" > "$stamp"
fi
# The message catalogs (.po, in git) compiled to .mo (not in git): every run, it takes a moment.
"$venv/bin/python" "$root/scripts/catalogs.py" compile
