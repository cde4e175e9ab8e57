#!/usr/bin/env bash
# make bench-edge: frames/s MQTT publish -> signal-in and Connect's CPU per frame (bench/edge.ts).
# Needs the local stack's Kafka (make stack-up) and Mosquitto (make mqtt); BENCH_EDGE_FRAMES (50000).
set -euo pipefail
ROOT="${NB67_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}"
cd "$ROOT"
tools/mqtt/mosquitto.sh install >/dev/null
tools/stack/stack.sh status >/dev/null 2>&1 || tools/stack/stack.sh up
exec node_modules/.bin/tsx bench/edge.ts "${BENCH_EDGE_FRAMES:-50000}"
