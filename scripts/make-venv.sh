#!/usr/bin/env bash
# Creates the Python venv of the interop tests (tests/interop/requirements.txt) at $1, once: it is
# rebuilt only when the requirements change.
set -euo pipefail
venv=${1:?usage: make-venv.sh VENV_DIR}
requirements="$(dirname "$0")/../tests/interop/requirements.txt"
stamp="$venv/.requirements"
if [[ -f "$stamp" ]] && cmp -s "$stamp" "$requirements"; then exit 0; fi
echo "make-venv: installing $(grep -vc '^#' "$requirements") packages into $venv"
rm -rf "$venv"
python3 -m venv "$venv"
"$venv/bin/pip" install --quiet --disable-pip-version-check -r "$requirements"
cp "$requirements" "$stamp"
