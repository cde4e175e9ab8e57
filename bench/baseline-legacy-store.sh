#!/usr/bin/env bash
# The legacy-equivalent store worker's runtime (bench/baseline_legacy_store.py, used by bench/e2e.ts's store
# phase with LEGACY_COPY=1): the project venv .tools/venv with the pinned PyPI packages, installed only when
# an import + version check fails. Prints the venv's python.
#   bench/baseline-legacy-store.sh              set up (idempotent)
#   bench/baseline-legacy-store.sh -- ARGS...   set up, then run the worker with ARGS (see its docstring)
# Env: PYTHON (python3, to create the venv when missing)
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=.tools/venv
AIOKAFKA_VERSION=0.14.0        # Faust's Kafka client
PGCOPY_VERSION=1.6.2           # the legacy worker's binary COPY
PSYCOPG2_VERSION=2.9.13        # psycopg2-binary, pgcopy's driver
SIMPLEJSON_VERSION=3.19.3      # Faust's json codec (as bench/baseline-legacy.sh)
if [ ! -x "$VENV/bin/python" ]; then "${PYTHON:-python3}" -m venv "$VENV"; fi
"$VENV/bin/python" - "$AIOKAFKA_VERSION" "$PGCOPY_VERSION" "$PSYCOPG2_VERSION" "$SIMPLEJSON_VERSION" 2>/dev/null <<'PY' \
  || "$VENV/bin/pip" install -q "aiokafka==$AIOKAFKA_VERSION" "pgcopy==$PGCOPY_VERSION" "psycopg2-binary==$PSYCOPG2_VERSION" "simplejson==$SIMPLEJSON_VERSION" >&2
import sys, aiokafka, pgcopy, psycopg2, simplejson
want = sys.argv[1:]
have = [aiokafka.__version__, pgcopy.__version__, psycopg2.__version__.split()[0], simplejson.__version__]
sys.exit(have != want)
PY
if [ "${1:-}" = "--" ]; then shift; exec "$VENV/bin/python" bench/baseline_legacy_store.py "$@"; fi
echo "$VENV/bin/python"
