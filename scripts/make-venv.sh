#!/usr/bin/env bash
# Creates a Python venv at $1 with the pinned packages of $2 (default: the interop tests'
# tests/interop/requirements.txt), once: it is rebuilt only when the requirements change.
set -euo pipefail
venv=${1:?usage: make-venv.sh VENV_DIR [REQUIREMENTS]}
requirements=${2:-"$(dirname "$0")/../tests/interop/requirements.txt"}
stamp="$venv/.requirements"
if [[ -f "$stamp" ]] && cmp -s "$stamp" "$requirements"; then exit 0; fi
echo "make-venv: installing $(grep -cv '^#' "$requirements") packages into $venv"
rm -rf "$venv"
python3 -m venv "$venv"
"$venv/bin/pip" install --quiet --disable-pip-version-check -r "$requirements"
cp "$requirements" "$stamp"
