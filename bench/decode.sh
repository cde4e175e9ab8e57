#!/usr/bin/env bash
# make bench-decode: the decode step through the real Redpanda Connect binary, as shipped beside as it
# was before (the previous module and Go GC settings), so the trade-off stays visible. Not a test.
# Connect, file input (538-byte chunks, batches of NB67_BENCH_BATCH=256) -> wasm decode -> drop, one
# pipeline thread; RUNS (3) rounds, every case once per round (interleaved), medians:
#   shipped  = NB67_WASM (./dist/nb67-decode.wasm, the module ingest loads) at the shipped GC settings
#              (GOGC and GOMEMLIMIT defaults of config/settings.yaml, which `make run` and the images use);
#   previous = the full module of PREV_REF (built from git into .tools/bench/prev/: one metadata read per
#              option, four metadata writes) at PREV_GC (GOGC=off GOMEMLIMIT=1GiB, the defaults before);
#   the two crossings (module vs GC settings), the same pipeline with `noop` instead of `wasm` at each
#   GC setting (so "decode step" = case minus its noop), and shipped on all threads.
# Per case: CPU per frame (user + sys from /usr/bin/time, start-up subtracted), peak resident memory
# (max RSS), frames/s. Then the time wazero needs to compile each module for one pooled instance (what
# Connect pays again whenever GC empties the instance pool), module sizes, and the in-process Node rate.
# Env: RUNS, FRAMES (200000), CONNECT, NB67_WASM, PREV_REF, PREV_GC, SHIPPED_GC.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
CONNECT=${CONNECT:-$ROOT/.tools/bin/redpanda-connect}
WASM=${NB67_WASM:-./dist/nb67-decode.wasm}
RUNS=${RUNS:-3}
FRAMES=${FRAMES:-200000}
# the last commit before the module per function and the one-read options
PREV_REF=${PREV_REF:-523b15cc5a14350b190804f8d890f9d732bee850}
PREV_GC=${PREV_GC:-GOGC=off GOMEMLIMIT=1GiB}
setting() { awk -v n="$1" '$2 == "name:" && $3 == n {f = 1} f && $1 == "default:" {gsub("\"", "", $2); print $2; exit}' config/settings.yaml; }
SHIPPED_GC=${SHIPPED_GC:-GOGC=$(setting GOGC) GOMEMLIMIT=$(setting GOMEMLIMIT)}
DIR=$ROOT/.tools/bench
mkdir -p "$DIR"
[ -x "$CONNECT" ] || { echo "missing $CONNECT (make connect)"; exit 1; }
[ -f "$WASM" ] || { echo "missing $WASM (make build)"; exit 1; }
DATA=$DIR/frames-$FRAMES.bin
[ -f "$DATA" ] || npx --no-install tsx bench/decode-frames.ts "$DATA" "$FRAMES" >/dev/null
head -c 538 "$DATA" > "$DIR/frames-1.bin"

# --- the previous module, reproducible from git (same compiler from node_modules) ---------------------------
PREV_WASM=$DIR/prev/nb67-$PREV_REF.wasm
if [ ! -f "$PREV_WASM" ]; then
  rm -rf "$DIR/prev/src" && mkdir -p "$DIR/prev/src"
  git archive "$PREV_REF" plugin | tar -x -C "$DIR/prev/src"
  ( cd "$DIR/prev/src" && "$ROOT/node_modules/.bin/asc" plugin/index.ts --config plugin/asconfig.json --target release --outFile "$PREV_WASM" )
fi

# --- compile time of a module for one pooled instance: what Connect's wasm processor does per instance ------
# (new wazero runtime, host module benthos_wasm, WASI, the module), built against Connect's own go.mod so it
# is the same wazero; needs only the module cache `make connect` filled.
CT=$DIR/wasm-compile
mkdir -p "$CT"
cp tools/connect/go.mod tools/connect/go.sum "$CT/"
sed -i '1s|^module .*|module nb67/wasmcompile|' "$CT/go.mod"
cat > "$CT/main.go" <<'EOF'
package main

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"syscall"
	"time"

	"github.com/tetratelabs/wazero"
	"github.com/tetratelabs/wazero/api"
	"github.com/tetratelabs/wazero/imports/wasi_snapshot_preview1"
)

func cpu() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// prints the CPU ms per instance
func main() {
	bin, err := os.ReadFile(os.Args[1])
	if err != nil {
		panic(err)
	}
	n, _ := strconv.Atoi(os.Args[2])
	ctx := context.Background()
	c0 := cpu()
	for i := 0; i < n; i++ {
		r := wazero.NewRuntime(ctx)
		b := r.NewHostModuleBuilder("benthos_wasm")
		b = b.NewFunctionBuilder().WithFunc(func(context.Context, api.Module) uint64 { return 0 }).Export("v0_msg_as_bytes")
		b = b.NewFunctionBuilder().WithFunc(func(context.Context, api.Module, uint32, uint32) {}).Export("v0_msg_set_bytes")
		b = b.NewFunctionBuilder().WithFunc(func(context.Context, api.Module, uint32, uint32) uint64 { return 0 }).Export("v0_msg_get_meta")
		b = b.NewFunctionBuilder().WithFunc(func(context.Context, api.Module, uint32, uint32, uint32, uint32) {}).Export("v0_msg_set_meta")
		if _, err := b.Instantiate(ctx); err != nil {
			panic(err)
		}
		wasi_snapshot_preview1.MustInstantiate(ctx, r)
		if _, err := r.Instantiate(ctx, bin); err != nil {
			panic(err)
		}
		_ = r.Close(ctx)
	}
	fmt.Printf("%.2f\n", float64(cpu()-c0)/float64(n)/1e6)
}
EOF
COMPILE_OK=1
( cd "$CT" && GOFLAGS=-mod=mod GOPROXY=off go build -o wasm-compile . ) >/dev/null 2>&1 || COMPILE_OK=0

# run <config> <wasm> <threads> <file> [env...] -> "wall cpu maxrss_kb"
run() {
  local cfg=$1 wasm=$2 threads=$3 file=$4; shift 4
  local out
  out=$( { env "$@" NB67_WASM="$wasm" NB67_BENCH_FRAMES="$file" NB67_BENCH_THREADS="$threads" \
      /usr/bin/time -f "TIME %e %U %S %M" "$CONNECT" run "$cfg" >/dev/null; } 2>&1 | grep '^TIME' | tail -1)
  awk '{printf "%.3f %.3f %d\n", $2, $3 + $4, $5}' <<<"$out"
}
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

# case name | config | module | threads | GC settings
CASES=(
  "shipped|bench/decode.yaml|$WASM|1|$SHIPPED_GC"
  "previous|bench/decode.yaml|$PREV_WASM|1|$PREV_GC"
  "shipped-module@previous-gc|bench/decode.yaml|$WASM|1|$PREV_GC"
  "previous-module@shipped-gc|bench/decode.yaml|$PREV_WASM|1|$SHIPPED_GC"
  "noop@shipped-gc|bench/decode-nowasm.yaml|$WASM|1|$SHIPPED_GC"
  "noop@previous-gc|bench/decode-nowasm.yaml|$WASM|1|$PREV_GC"
  "shipped-all-threads|bench/decode.yaml|$WASM|-1|$SHIPPED_GC"
)
declare -A W U M RATE CPU RSS
start_w=(); start_u=()
for i in $(seq "$RUNS"); do
  read -r w u _ <<<"$(run bench/decode.yaml "$WASM" 1 "$DIR/frames-1.bin" $SHIPPED_GC)"
  start_w+=("$w"); start_u+=("$u")
done
STARTUP_W=$(printf '%s\n' "${start_w[@]}" | median)
STARTUP_U=$(printf '%s\n' "${start_u[@]}" | median)
for c in "${CASES[@]}"; do IFS='|' read -r name _ <<<"$c"; W[$name]=""; U[$name]=""; M[$name]=""; done
for i in $(seq "$RUNS"); do
  for c in "${CASES[@]}"; do
    IFS='|' read -r name cfg wasm threads gc <<<"$c"
    # shellcheck disable=SC2086
    read -r w u m <<<"$(run "$cfg" "$wasm" "$threads" "$DATA" $gc)"
    W[$name]+="$w "; U[$name]+="$u "; M[$name]+="$m "
  done
done
for c in "${CASES[@]}"; do
  IFS='|' read -r name _ <<<"$c"
  w=$(tr ' ' '\n' <<<"${W[$name]}" | grep . | median)
  u=$(tr ' ' '\n' <<<"${U[$name]}" | grep . | median)
  m=$(tr ' ' '\n' <<<"${M[$name]}" | grep . | median)
  RATE[$name]=$(awk -v n="$FRAMES" -v w="$w" -v s="$STARTUP_W" 'BEGIN {printf "%d", n / (w - s)}')
  CPU[$name]=$(awk -v n="$FRAMES" -v u="$u" -v s="$STARTUP_U" 'BEGIN {printf "%.2f", (u - s) / n * 1e6}')
  RSS[$name]=$(awk -v m="$m" 'BEGIN {printf "%d", m / 1024}')
done
COMPILE=()
if [ "$COMPILE_OK" = 1 ]; then
  # interleaved, 3 rounds of 20 instances each, median CPU ms per instance
  declare -A CMS
  for i in 1 2 3; do for f in "$WASM" "$PREV_WASM" dist/nb67.wasm dist/nb67-predict.wasm; do
    [ -f "$f" ] && CMS[$f]+="$("$CT/wasm-compile" "$f" 20) "
  done; done
  for f in "$WASM" "$PREV_WASM" dist/nb67.wasm dist/nb67-predict.wasm; do
    [ -f "$f" ] && COMPILE+=("$(printf '%-44s %7d B  compile %6.2f ms CPU per instance' "$(basename "$f")" "$(stat -c %s "$f")" "$(tr ' ' '\n' <<<"${CMS[$f]}" | grep . | median)")")
  done
fi
NODE=$(npx --no-install tsx bench/decode-node.ts "$DATA" "$RUNS" 300000 | tail -1)

echo
echo "== NB67 decode benchmark ($(date -u +%FT%TZ), $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg), $FRAMES frames, batch ${NB67_BENCH_BATCH:-256}, $RUNS interleaved rounds, medians)"
echo "shipped : $WASM at $SHIPPED_GC"
echo "previous: full module of ${PREV_REF:0:7} at $PREV_GC"
echo "Connect start-up (1 frame, subtracted): ${STARTUP_W} s wall, ${STARTUP_U} s CPU"
printf '%-30s %10s %14s %10s   %s\n' case frames/s "CPU us/frame" "max RSS" "CPU runs (s)"
for c in "${CASES[@]}"; do
  IFS='|' read -r name _ <<<"$c"
  printf '%-30s %10d %14s %7s MB   %s\n' "$name" "${RATE[$name]}" "${CPU[$name]}" "${RSS[$name]}" "$(tr ' ' ',' <<<"${U[$name]% }")"
done
awk -v s="${CPU[shipped]}" -v sn="${CPU[noop@shipped-gc]}" -v p="${CPU[previous]}" -v pn="${CPU[noop@previous-gc]}" \
  -v sp="${CPU[shipped-module@previous-gc]}" -v ps="${CPU[previous-module@shipped-gc]}" -v rs="${RSS[shipped]}" -v rp="${RSS[previous]}" 'BEGIN {
  printf "decode step alone (case minus its noop): shipped %.2f us, previous %.2f us CPU/frame -> ratio shipped/previous %.2f\n", s - sn, p - pn, (s - sn) / (p - pn);
  printf "same GC settings, module only: at previous GC %.2f -> %.2f us (%.2f), at shipped GC %.2f -> %.2f us (%.2f) decode step\n", p - pn, sp - pn, (sp - pn) / (p - pn), ps - sn, s - sn, (s - sn) / (ps - sn);
  printf "whole pipeline: shipped %.2f us CPU/frame and %d MB max RSS, previous %.2f us and %d MB (CPU ratio %.2f, RSS ratio %.2f)\n", s, rs, p, rp, s / p, rs / rp }'
if [ "${#COMPILE[@]}" -gt 0 ]; then printf '%s\n' "${COMPILE[@]}"; else echo "module compile time: skipped (could not build $CT from the Go module cache; run make connect)"; fi
echo "Node in-process, shipped module (same ABI sequence): $NODE"
