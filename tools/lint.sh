#!/usr/bin/env bash
# Lint: every Connect config (pipelines, root config, config tests) with `redpanda-connect lint`,
# then the TypeScript type check. Exits non-zero on any error.
set -euo pipefail
ROOT="${NB67_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}"
cd "$ROOT"
CONNECT="${CONNECT:-$ROOT/.tools/bin/redpanda-connect}"
[[ -x "$CONNECT" ]] || tools/connect/build.sh

shopt -s nullglob globstar
files=(rpk-connect.yaml pipelines/*.yaml pipelines/*.yml pipelines/resources/*.yaml test/config/**/*.yaml test/config/**/*.yml)
streams=(pipelines/*.yaml pipelines/*.yml)
shopt -u nullglob globstar

echo "lint: redpanda-connect lint over ${#files[@]} file(s)"
rc=0
"$CONNECT" lint --deprecated "${files[@]}" || rc=$?
if ((rc != 0)); then
  echo "lint: redpanda-connect lint failed (exit $rc)" >&2
  exit "$rc"
fi

# Streams mode (make run) refuses stream files that declare resources (`processor_resources:` and
# the like): those belong in pipelines/resources/*.yaml, which run.sh passes with -r. Plain lint
# accepts them, so check here.
for f in "${streams[@]}"; do
  if bad="$(grep -nE '^[a-z_]+_resources:' "$f" | paste -sd " ")"; then
    echo "$f: $bad: not allowed in a streams-mode pipeline file; move it to pipelines/resources/*.yaml" >&2
    rc=1
  fi
done
((rc == 0)) || exit "$rc"

echo "lint: TypeScript (npm run typecheck)"
npm run --silent typecheck
echo "lint: ok"
