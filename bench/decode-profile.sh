#!/usr/bin/env bash
# make bench-decode-profile: where the CPU of bench/decode.yaml (file -> wasm decode -> drop, one
# pipeline thread, the module ingest ships, GOGC/GOMEMLIMIT as `make run` sets them unless given) goes
# inside Connect: a CPU profile of PROFILE_SECONDS (10) from Connect's /debug/pprof, summarised as
# shares of all samples. Not a test.
# Env: FRAMES (1000000; the profile must end before the input does), PROFILE_PORT (4299), CONNECT,
#      NB67_WASM (./dist/nb67-decode.wasm), GOGC and GOMEMLIMIT (default: config/settings.yaml's).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
CONNECT=${CONNECT:-$ROOT/.tools/bin/redpanda-connect}
FRAMES=${FRAMES:-1000000}
SECS=${PROFILE_SECONDS:-10}
PORT=${PROFILE_PORT:-4299}
DIR=$ROOT/.tools/bench
mkdir -p "$DIR"
command -v go >/dev/null || { echo "needs the Go toolchain (go tool pprof)"; exit 1; }
DATA=$DIR/frames-$FRAMES.bin
[ -f "$DATA" ] || npx --no-install tsx bench/decode-frames.ts "$DATA" "$FRAMES" >/dev/null
CFG=$DIR/decode-profile.yaml
# bench/decode.yaml with the HTTP server (debug endpoints) switched on
sed -e "s|^  enabled: false|  enabled: true\n  address: 127.0.0.1:$PORT\n  debug_endpoints: true|" bench/decode.yaml >"$CFG"
WASM=${NB67_WASM:-./dist/nb67-decode.wasm}
setting() { awk -v n="$1" '$2 == "name:" && $3 == n {f = 1} f && $1 == "default:" {gsub("\"", "", $2); print $2; exit}' config/settings.yaml; }
GOGC=${GOGC:-$(setting GOGC)}
GOMEMLIMIT=${GOMEMLIMIT:-$(setting GOMEMLIMIT)}
GOGC=$GOGC GOMEMLIMIT=$GOMEMLIMIT NB67_WASM="$WASM" NB67_BENCH_FRAMES="$DATA" NB67_BENCH_THREADS=1 \
  "$CONNECT" run "$CFG" >"$DIR/decode-profile.log" 2>&1 &
PID=$!
trap 'kill $PID 2>/dev/null || true' EXIT
sleep 2
curl -sf -o "$DIR/decode.pprof" "http://127.0.0.1:$PORT/debug/pprof/profile?seconds=$SECS"
kill $PID 2>/dev/null || true
TOP=$(go tool pprof -top -cum -nodecount=400 "$CONNECT" "$DIR/decode.pprof" 2>/dev/null)
# share of all samples (cum %) of the first row matching a pattern, flat % for "flat:" patterns
share() { awk -v pat="$1" -v col="${2:-5}" 'index($0, pat) { gsub("%", "", $col); print $col; f = 1; exit } END { if (!f) print "0" }' <<<"$TOP"; }
echo "== where the CPU of file -> wasm decode -> drop goes ($(date -u +%FT%TZ), ${SECS} s profile, $(nproc) cores)"
echo "module $WASM ($(stat -c %s "$WASM") B), GOGC=$GOGC GOMEMLIMIT=$GOMEMLIMIT"
printf '%-62s %6s %%\n' "host calls from the module (wazero callGoFunc, cum)" "$(share 'wasm.callGoFunc')"
printf '%-62s %6s %%\n' "  inside: reflect.Value.call (the reflective call itself)" "$(share 'reflect.Value.call')"
printf '%-62s %6s %%\n' "  inside: reflect.implements (ctx/module interface checks; overlaps)" "$(share 'reflect.implements')"
printf '%-62s %6s %%\n' "module code itself (runtime._ExternalCode, flat)" "$(share 'runtime._ExternalCode' 2)"
printf '%-62s %6s %%\n' "file input (fileConsumer.ReadBatch, cum)" "$(share 'fileConsumer).ReadBatch')"
printf '%-62s %6s %%\n' "garbage collection (runtime.gcBgMarkWorker, cum)" "$(share 'runtime.gcBgMarkWorker')"
printf '%-62s %6s %%\n' "module compiles for new pool instances (wasm.(*wazeroAllocProcessor).newModule, cum)" "$(share 'wazeroAllocProcessor).newModule')"
printf '%-62s %6s %%\n' "calls into the module: decode, malloc, free (wazero callEngine.call, cum)" "$(share 'callEngine).call')"
echo "profile: $DIR/decode.pprof (go tool pprof -top $CONNECT $DIR/decode.pprof)"
