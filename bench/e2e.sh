#!/usr/bin/env bash
# make bench-e2e: sustained frames/s Kafka -> rows, latency produce -> row visible at 560 and 1,120
# frames/s, Connect RSS, for both store methods and a legacy-like per-row INSERT baseline; in the store
# phase also a legacy-equivalent COPY worker (bench/baseline_legacy_store.py, LEGACY_COPY=1 by default) and
# each method's CPU per row against it in the same run (goal: insert <= 0.5x); then the
# Connect process as make run starts it (every stream) at the shipped GC settings beside the previous
# ones (GOGC=off GOMEMLIMIT=1GiB): peak and steady RSS and CPU per frame, draining a FRAMES backlog
# and at 560 frames/s (PHASES=memory runs only that).
# Not a test; needs the local stack (make stack-up) and dist/nb67.wasm. Env: see bench/e2e.ts.
# Also BENCH_STORAGE=1 runs bench/storage.sh (bytes per frame, 1,000,000 frames) afterwards.
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p .reports
out=".reports/bench-e2e-$(date -u +%Y%m%dT%H%M%SZ).md"
npx tsx bench/e2e.ts | tee "$out"
if [[ "${BENCH_STORAGE:-0}" == 1 ]]; then bash bench/storage.sh | tee -a "$out"; fi
echo "report: $out"
