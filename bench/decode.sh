#!/usr/bin/env bash
# make bench-decode: decode throughput of dist/nb67.wasm through the real Redpanda Connect binary.
# Not a test. Prints medians of RUNS runs (default 3) and ratios:
#   - Connect, file input (538-byte chunks, batches of NB67_BENCH_BATCH=256) -> wasm decode -> drop,
#     with pipeline.threads 1 and with all threads (-1 = GOMAXPROCS);
#   - the same pipeline with `noop` instead of `wasm` (isolates the decode cost);
#   - CPU time per frame from /usr/bin/time (user + sys) and the fixed start-up cost (1-frame file);
#   - the in-process Node rate (bench/decode-node.ts), and the module size.
# Env: RUNS, FRAMES (default 200000), CONNECT, NB67_WASM.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
CONNECT=${CONNECT:-$ROOT/.tools/bin/redpanda-connect}
WASM=${NB67_WASM:-./dist/nb67.wasm}
RUNS=${RUNS:-3}
FRAMES=${FRAMES:-200000}
DIR=$ROOT/.tools/bench
mkdir -p "$DIR"
[ -x "$CONNECT" ] || { echo "missing $CONNECT (make connect)"; exit 1; }
[ -f "$WASM" ] || { echo "missing $WASM (make build)"; exit 1; }
DATA=$DIR/frames-$FRAMES.bin
[ -f "$DATA" ] || npx --no-install tsx bench/decode-frames.ts "$DATA" "$FRAMES" >/dev/null
head -c 538 "$DATA" > "$DIR/frames-1.bin"

# run <config> <threads> <file> [env...] -> prints "wall cpu"
run() {
  local cfg=$1 threads=$2 file=$3; shift 3
  local out
  out=$( { env "$@" NB67_WASM="$WASM" NB67_BENCH_FRAMES="$file" NB67_BENCH_THREADS="$threads" \
      /usr/bin/time -f "TIME %e %U %S" "$CONNECT" run "$cfg" >/dev/null; } 2>&1 | grep '^TIME' | tail -1)
  awk '{printf "%.3f %.3f\n", $2, $3 + $4}' <<<"$out"
}
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

declare -A RATE CPU
startup_wall=()
for i in $(seq "$RUNS"); do startup_wall+=("$(run bench/decode.yaml 1 "$DIR/frames-1.bin" | cut -d' ' -f1)"); done
STARTUP=$(printf '%s\n' "${startup_wall[@]}" | median)

CASES=("wasm-t1 bench/decode.yaml 1" "wasm-all bench/decode.yaml -1" "noop-t1 bench/decode-nowasm.yaml 1" "noop-all bench/decode-nowasm.yaml -1" "wasm-t1-gogc400 bench/decode.yaml 1 GOGC=400" "wasm-t1-memlimit bench/decode.yaml 1 GOGC=off GOMEMLIMIT=1GiB" "wasm-all-memlimit bench/decode.yaml -1 GOGC=off GOMEMLIMIT=1GiB" "noop-t1-memlimit bench/decode-nowasm.yaml 1 GOGC=off GOMEMLIMIT=1GiB")
for c in "${CASES[@]}"; do
  read -r name cfg threads extra <<<"$c"
  walls=(); cpus=()
  for i in $(seq "$RUNS"); do
    read -r w u <<<"$(run "$cfg" "$threads" "$DATA" ${extra:-})"
    walls+=("$w"); cpus+=("$u")
  done
  w=$(printf '%s\n' "${walls[@]}" | median)
  u=$(printf '%s\n' "${cpus[@]}" | median)
  RATE[$name]=$(awk -v n="$FRAMES" -v w="$w" -v s="$STARTUP" 'BEGIN {printf "%d", n / (w - s)}')
  CPU[$name]=$(awk -v n="$FRAMES" -v u="$u" 'BEGIN {printf "%.2f", u / n * 1e6}')
  printf '%-16s runs wall %-24s median %6.2f s  -> %8d frames/s (start-up %.2f s subtracted), CPU %6.2f us/frame\n' \
    "$name" "$(IFS=,; echo "${walls[*]}")" "$w" "${RATE[$name]}" "$STARTUP" "${CPU[$name]}"
done
NODE=$(npx --no-install tsx bench/decode-node.ts "$DATA" "$RUNS" 300000 | tail -1)

echo
echo "== NB67 decode benchmark ($(date -u +%FT%TZ), $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg), $FRAMES frames, batch ${NB67_BENCH_BATCH:-256})"
echo "module: $WASM $(stat -c %s "$WASM") bytes"
echo "Connect start-up (1 frame): ${STARTUP} s"
printf 'Connect wasm decode, 1 thread : %8d frames/s, %6s us CPU/frame\n' "${RATE[wasm-t1]}" "${CPU[wasm-t1]}"
printf 'Connect wasm decode, all      : %8d frames/s, %6s us CPU/frame\n' "${RATE[wasm-all]}" "${CPU[wasm-all]}"
printf 'Connect no wasm,     1 thread : %8d frames/s, %6s us CPU/frame\n' "${RATE[noop-t1]}" "${CPU[noop-t1]}"
printf 'Connect no wasm,     all      : %8d frames/s, %6s us CPU/frame\n' "${RATE[noop-all]}" "${CPU[noop-all]}"
printf 'Connect wasm, 1 thread GOGC=400: %7d frames/s, %6s us CPU/frame\n' "${RATE[wasm-t1-gogc400]}" "${CPU[wasm-t1-gogc400]}"
printf 'Connect wasm, 1 thread GOGC=off GOMEMLIMIT=1GiB: %7d frames/s, %6s us CPU/frame\n' "${RATE[wasm-t1-memlimit]}" "${CPU[wasm-t1-memlimit]}"
printf 'Connect wasm, all      GOGC=off GOMEMLIMIT=1GiB: %7d frames/s, %6s us CPU/frame\n' "${RATE[wasm-all-memlimit]}" "${CPU[wasm-all-memlimit]}"
printf 'Connect no wasm, 1 th. GOGC=off GOMEMLIMIT=1GiB: %7d frames/s, %6s us CPU/frame\n' "${RATE[noop-t1-memlimit]}" "${CPU[noop-t1-memlimit]}"
awk -v a="${CPU[wasm-t1-memlimit]}" -v b="${CPU[noop-t1-memlimit]}" 'BEGIN {d = a - b; printf "decode cost in Connect with GOMEMLIMIT: %.2f us CPU/frame -> %d frames/s per core for the wasm step alone\n", d, (d > 0 ? 1e6 / d : 0)}'
awk -v a="${CPU[wasm-t1]}" -v b="${CPU[noop-t1]}" 'BEGIN {d = a - b; printf "decode cost in Connect: %.2f us CPU/frame -> %d frames/s per core for the wasm step alone\n", d, (d > 0 ? 1e6 / d : 0)}'
awk -v a="${CPU[wasm-t1]}" 'BEGIN {printf "whole pipeline per core (CPU): %d frames/s\n", 1e6 / a}'
awk -v a="${RATE[wasm-t1]}" -v b="${RATE[noop-t1]}" -v c="${RATE[wasm-all]}" 'BEGIN {printf "ratios: wasm/noop (1 thread) %.2f, all/1 thread %.2f\n", a / b, c / a}'
echo "Node in-process (same ABI sequence): $NODE"
