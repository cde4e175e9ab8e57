#!/usr/bin/env bash
# Installs schemathesis (PyPI, pinned) into .tools/venv (git-ignored); idempotent: does nothing when
# the pinned version is already there. Needs python3 with venv (Debian: python3-venv).
set -euo pipefail
ROOT="${NB67_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)}"
VERSION="${SCHEMATHESIS_VERSION:-4.32.5}"
VENV="$ROOT/.tools/venv"
if [[ -x "$VENV/bin/st" ]] && "$VENV/bin/python" -c "import importlib.metadata as m, sys; sys.exit(m.version('schemathesis') != '$VERSION')" 2>/dev/null; then
  exit 0
fi
if ! python3 -m venv --help >/dev/null 2>&1; then
  echo "schemathesis: python3 with venv is needed (Debian: apt-get install python3-venv)" >&2
  exit 1
fi
[[ -x "$VENV/bin/python" ]] || python3 -m venv "$VENV"
"$VENV/bin/python" -m pip install --quiet --disable-pip-version-check "schemathesis==$VERSION"
"$VENV/bin/st" --version
