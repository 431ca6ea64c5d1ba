#!/usr/bin/env bash
# Install TAG into ./.venv. Usage: scripts/install.sh [EXTRAS]   (e.g. "ml,train,test")
set -euo pipefail
cd "$(dirname "$0")/.."
extras="${1:-}"

as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

python=${PYTHON:-python3}
if ! "$python" -c 'import sys; assert sys.version_info >= (3, 11)' 2>/dev/null; then
    echo "TAG needs Python 3.11 or newer as '$python' (set PYTHON=...)" >&2
    exit 1
fi
if [ ! -x .venv/bin/python ]; then
    if ! "$python" -m venv .venv 2>/dev/null; then
        # Debian and Ubuntu ship venv separately.
        rm -rf .venv
        as_root apt-get update -qq
        as_root apt-get install -y -qq "python3-venv" >/dev/null
        "$python" -m venv .venv
    fi
fi
.venv/bin/python -m pip install -q --upgrade pip
spec="."
[ -n "$extras" ] && spec=".[$extras]"
.venv/bin/python -m pip install -q -e "$spec"
echo "installed: $(.venv/bin/tag --version) in $(pwd)/.venv"
