#!/usr/bin/env bash
# Baseline: our decoder (dist/nb67-decode.wasm, the module ingest loads, in our Connect binary) vs the
# competing native-Go Connect plugin
# (public repository zinohome/Macda-Connector, connect/cmd/connect-nb67, processor `nb67_parser`), measured in
# the same run, interleaved (ours, peer, ours, peer, ...), on the same frames with the same input method.
# Not a test; prints medians of RUNS runs and ratios. See bench/baselines.md.
#
#   bench/baseline-peer.sh                  (PEER_SRC defaults to .tools/peer/connect-nb67)
# Env: PEER_SRC   directory holding the peer's connect/cmd/connect-nb67 sources (main.go, nb67_processor.go,
#                 nb67.go, go.mod[, go.sum]); never downloaded by this script
#      PEER_CONFIG the peer's connect/config/nb67-parser.yaml (optional: enables the "+ Bloblang" case)
#      RUNS (3), FRAMES (100000), NB67_BENCH_BATCH (256), CONNECT, NB67_WASM (./dist/nb67-decode.wasm)
#      OURS_GC: the Go GC settings of our cases, default the shipped ones (GOGC and GOMEMLIMIT defaults of
#      config/settings.yaml, which `make run` and the images use). The peer runs with Go's defaults (as its
#      image does) and, as a control, with OURS_GC too; ours also with Go's defaults.
# Output: table on stdout and .tools/peer/work/baseline-peer-<UTC time>.txt
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
PEER_SRC=${PEER_SRC:-$ROOT/.tools/peer/connect-nb67}
PEER_CONFIG=${PEER_CONFIG:-$ROOT/.tools/peer/config/nb67-parser.yaml}
CONNECT=${CONNECT:-$ROOT/.tools/bin/redpanda-connect}
WASM=${NB67_WASM:-$ROOT/dist/nb67-decode.wasm}
setting() { awk -v n="$1" '$2 == "name:" && $3 == n {f = 1} f && $1 == "default:" {gsub("\"", "", $2); print $2; exit}' "$ROOT/config/settings.yaml"; }
OURS_GC=${OURS_GC:-GOGC=$(setting GOGC) GOMEMLIMIT=$(setting GOMEMLIMIT)}
GODEFAULT="GOGC=100 GOMEMLIMIT=off"
RUNS=${RUNS:-3}
FRAMES=${FRAMES:-100000}
VECTORS=${VECTORS:-$ROOT/test/fixtures/legacy}
PEER_BIN=$ROOT/.tools/peer/bin/connect-nb67
WORK=$ROOT/.tools/peer/work

if [ ! -f "$PEER_SRC/nb67_processor.go" ] || [ ! -f "$PEER_SRC/nb67.go" ] || [ ! -f "$PEER_SRC/go.mod" ]; then
  cat <<EOF
baseline-peer: no peer sources in $PEER_SRC
  The peer is the public repository https://github.com/zinohome/Macda-Connector (studied at HEAD 6364bd0),
  directory connect/cmd/connect-nb67 (main.go, nb67_processor.go, nb67.go, go.mod, go.sum) and, for the
  Bloblang case, connect/config/nb67-parser.yaml. To run this baseline, fetch them yourself, e.g.
    git clone https://github.com/zinohome/Macda-Connector /tmp/macda && \\
      mkdir -p .tools/peer/config && cp -r /tmp/macda/connect/cmd/connect-nb67 .tools/peer/ && \\
      cp /tmp/macda/connect/config/nb67-parser.yaml .tools/peer/config/
  Keep them under .tools/peer/ (gitignored) or /tmp: third-party code never goes into tracked paths.
baseline-peer: skipped
EOF
  exit 0
fi
[ -x "$CONNECT" ] || { echo "missing $CONNECT (make connect)"; exit 1; }
[ -f "$WASM" ] || { echo "missing $WASM (make build)"; exit 1; }
command -v go >/dev/null || { echo "baseline-peer: go not installed; skipped"; exit 0; }
mkdir -p "$WORK" "$(dirname "$PEER_BIN")" "$ROOT/.tools/bench"
LOAD_START=$(cut -d" " -f1-3 /proc/loadavg)

# --- build the peer (CGO_ENABLED=0, -s -w as in its Dockerfile) from a scratch copy of PEER_SRC ----------------
# Only main.go, nb67_processor.go and nb67.go are compiled: they hold the registration of nb67_parser, the
# processor and the Kaitai-generated decoder (nb67_event_builder/config_store are not needed for this benchmark).
# Adjustment: with the go.mod pins github.com/golang/protobuf v1.5.2 + google.golang.org/protobuf v1.36.x the
# build fails (descriptorpb.Default_FileOptions_PhpGenericServices undefined); golang/protobuf is raised to
# v1.5.4 (the minimal compatible release) when it is below that. A missing go.sum is filled from the module
# proxy (checksum database verified) with -mod=mod.
BUILD=$ROOT/.tools/peer/build
stamp=$(cat "$PEER_SRC"/*.go "$PEER_SRC/go.mod" | sha256sum | cut -c1-16)
if [ ! -x "$PEER_BIN" ] || [ "$(cat "$PEER_BIN.src" 2>/dev/null)" != "$stamp" ]; then
  rm -rf "$BUILD"; mkdir -p "$BUILD"
  cp "$PEER_SRC/main.go" "$PEER_SRC/nb67_processor.go" "$PEER_SRC/nb67.go" "$PEER_SRC/go.mod" "$BUILD/"
  [ -f "$PEER_SRC/go.sum" ] && cp "$PEER_SRC/go.sum" "$BUILD/"
  ( cd "$BUILD"
    if grep -q 'github.com/golang/protobuf v1\.5\.[0-3] ' go.mod; then
      echo "baseline-peer: raising github.com/golang/protobuf to v1.5.4 (build fix, see script header)"
      go mod edit -require=github.com/golang/protobuf@v1.5.4
    fi
    CGO_ENABLED=0 go build -mod=mod -ldflags "-s -w" -o "$PEER_BIN" . )
  echo "$stamp" > "$PEER_BIN.src"
fi
PEER_VERSION=$("$PEER_BIN" --version 2>/dev/null | head -1 | awk '{print $2}')

# --- frames: the same file as bench/decode.sh (real frames + seeded random frames, 538 bytes each) -------------
DATA=$ROOT/.tools/bench/frames-$FRAMES.bin
[ -f "$DATA" ] || npx --no-install tsx bench/decode-frames.ts "$DATA" "$FRAMES" >/dev/null
ONE=$WORK/frames-1.bin; head -c 538 "$DATA" > "$ONE"
SAMPLE=$WORK/frames-4000.bin; head -c $((538 * 4000)) "$DATA" > "$SAMPLE"

# --- the peer's Bloblang enrichment, taken from its own config at run time -------------------------------------
ENRICH=""
if [ -f "$PEER_CONFIG" ]; then
  python3 - "$PEER_CONFIG" "$WORK/peer-enrich.yaml" <<'PY'
import json, sys, yaml
procs = yaml.safe_load(open(sys.argv[1]))["pipeline"]["processors"]
maps = [p["mapping"] for p in procs if "mapping" in p]
assert len(maps) == 1, "expected one mapping after nb67_parser"
open(sys.argv[2], "w").write(json.dumps({"processor_resources": [{"label": "peer_enrich", "mapping": maps[0]}]}))
PY
  ENRICH=$WORK/peer-enrich.yaml
fi

# --- ours as deployed minus Kafka: the processors of pipelines/ingest.yaml (decode + legacy envelope) ----------
INGEST=$WORK/ours-ingest.yaml
python3 - "$ROOT/pipelines/ingest.yaml" "$ROOT/bench/baseline-ours.yaml" "$INGEST" <<'PY'
import re, sys, yaml
# only the pipeline section: the redpanda blocks' `${VAR:...}` inside flow mappings are not plain YAML
text = open(sys.argv[1]).read()
procs = yaml.safe_load(text[text.index("\npipeline:"):text.index("\noutput:")])["pipeline"]["processors"]
conf = yaml.safe_load(open(sys.argv[2]))
conf["pipeline"]["processors"] = procs
conf.pop("processor_resources")
text = yaml.safe_dump(conf, sort_keys=False, width=1000)
# numeric env defaults must stay unquoted (interpolation happens before the YAML is parsed)
open(sys.argv[3], "w").write(re.sub(r"'(\$\{NB67_BENCH_[A-Z]+:\d+\})'", r"\1", text))
PY

# run <ours|ours-ingest|peer> <threads> <file> [env...] -> "wall cpu"
run() {
  local who=$1 threads=$2 file=$3; shift 3
  local cmd
  if [ "$who" = ours ]; then cmd=("$CONNECT" run bench/baseline-ours.yaml)
  elif [ "$who" = ours-ingest ]; then cmd=("$CONNECT" run "$INGEST")
  else cmd=("$PEER_BIN"); [ -n "$ENRICH" ] && cmd+=(-r "$ENRICH"); cmd+=(-c bench/baseline-peer.yaml); fi
  local out
  out=$( { env "$@" NB67_WASM="$WASM" NB67_DECODE_WASM="$WASM" NB67_BENCH_FRAMES="$file" NB67_BENCH_THREADS="$threads" \
      /usr/bin/time -f "TIME %e %U %S" "${cmd[@]}" >/dev/null; } 2>&1 | grep -o 'TIME .*' | tail -1)
  awk '{printf "%.3f %.3f\n", $2, $3 + $4}' <<<"$out"
}
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

# case name | who | threads | env
CASES=(
  "ours-t1|ours|1|NB67_BASE_STEP=decode $OURS_GC"
  "peer-t1|peer|1|NB67_BASE_STEP=parser $GODEFAULT"
  "ours-noop-t1|ours|1|NB67_BASE_STEP=noop $OURS_GC"
  "peer-noop-t1|peer|1|NB67_BASE_STEP=noop $GODEFAULT"
  "ours-gd-t1|ours|1|NB67_BASE_STEP=decode $GODEFAULT"
  "ours-gd-noop-t1|ours|1|NB67_BASE_STEP=noop $GODEFAULT"
  "peer-og-t1|peer|1|NB67_BASE_STEP=parser $OURS_GC"
  "peer-og-noop-t1|peer|1|NB67_BASE_STEP=noop $OURS_GC"
  "ours-all|ours|-1|NB67_BASE_STEP=decode $OURS_GC"
  "peer-all|peer|-1|NB67_BASE_STEP=parser $GODEFAULT"
)
[ -n "$ENRICH" ] && CASES+=("peer-blobl-t1|peer|1|NB67_BASE_STEP=parser NB67_BASE_STEP2=peer_enrich $GODEFAULT")
# legacy acceptance (docs/deviations.md I9) so the random frames decode instead of going to the dead letter
LEGACY_ACCEPT="NB67_VALIDATE=none NB67_CARRIAGES=0-255 NB67_MAX_CLOCK_SKEW=0"
CASES+=("ours-ingest-t1|ours-ingest|1|NB67_BASE_STEP=decode $LEGACY_ACCEPT $OURS_GC")

declare -A W C S0W S0C RATE CPU
# start-up cost (1 frame), per binary, interleaved
for who in ours peer; do W[$who-start]=""; C[$who-start]=""; done
for i in $(seq "$RUNS"); do
  for who in ours peer; do
    step=decode; [ "$who" = peer ] && step=parser
    read -r w c <<<"$(run "$who" 1 "$ONE" NB67_BASE_STEP=$step)"
    W[$who-start]+="$w "; C[$who-start]+="$c "
  done
done
for who in ours peer; do
  S0W[$who]=$(tr ' ' '\n' <<<"${W[$who-start]}" | grep . | median)
  S0C[$who]=$(tr ' ' '\n' <<<"${C[$who-start]}" | grep . | median)
done
# the timed cases, interleaved round by round
for c in "${CASES[@]}"; do IFS='|' read -r name _ _ _ <<<"$c"; W[$name]=""; C[$name]=""; done
for i in $(seq "$RUNS"); do
  for c in "${CASES[@]}"; do
    IFS='|' read -r name who threads envs <<<"$c"
    # shellcheck disable=SC2086
    read -r w cpu <<<"$(run "$who" "$threads" "$DATA" $envs)"
    W[$name]+="$w "; C[$name]+="$cpu "
  done
done
LOAD_END=$(cut -d' ' -f1-3 /proc/loadavg)
for c in "${CASES[@]}"; do
  IFS='|' read -r name who _ _ <<<"$c"
  who=${who%-ingest}
  w=$(tr ' ' '\n' <<<"${W[$name]}" | grep . | median)
  cpu=$(tr ' ' '\n' <<<"${C[$name]}" | grep . | median)
  RATE[$name]=$(awk -v n="$FRAMES" -v w="$w" -v s="${S0W[$who]}" 'BEGIN {printf "%d", n / (w - s)}')
  CPU[$name]=$(awk -v n="$FRAMES" -v u="$cpu" -v s="${S0C[$who]}" 'BEGIN {printf "%.2f", (u - s) / n * 1e6}')
done

# --- output size (first 4000 frames of the same file) and bad-frame behaviour (not timed) ---------------------
bytes_per_msg() { awk '{n++; b += length($0)} END {printf "%d", b / n}'; }   # length() in bytes under LC_ALL=C
OURS_BYTES=$(NB67_WASM="$WASM" NB67_SAMPLE_FILE=$SAMPLE "$CONNECT" run bench/baseline-sample-ours.yaml | LC_ALL=C bytes_per_msg)
PEER_BYTES=$(NB67_SAMPLE_FILE=$SAMPLE "$PEER_BIN" -c bench/baseline-sample-peer.yaml | LC_ALL=C bytes_per_msg)
sed 's/^  drop: {}$/  stdout: {codec: lines}/' "$INGEST" > "$WORK/sample-ours-ingest.yaml"
# shellcheck disable=SC2086
OURS_INGEST_BYTES=$(env $LEGACY_ACCEPT NB67_DECODE_WASM="$WASM" NB67_BENCH_FRAMES=$SAMPLE "$CONNECT" run "$WORK/sample-ours-ingest.yaml" | LC_ALL=C bytes_per_msg)
PEER_BLOBL_BYTES=""
if [ -n "$ENRICH" ]; then
  sed 's/resource: ${NB67_BASE_VIEW:body}/resource: peer_enrich/' bench/baseline-sample-peer.yaml > "$WORK/sample-peer-blobl.yaml"
  PEER_BLOBL_BYTES=$(NB67_SAMPLE_FILE=$SAMPLE "$PEER_BIN" -r "$ENRICH" -c "$WORK/sample-peer-blobl.yaml" | LC_ALL=C bytes_per_msg)
fi
head -c 495 "$VECTORS/real/frame-whole.bin" > "$WORK/truncated-495.bin"
BAD=("$VECTORS/edge-truncated-100.bin" "$WORK/truncated-495.bin" "$VECTORS/edge-all-00.bin" "$VECTORS/edge-train-999.bin")
bad_report() {
  for f in "${BAD[@]}"; do
    printf '%s (%d bytes)\n' "$(basename "$f")" "$(stat -c %s "$f")"
    printf '  ours: %s\n' "$(NB67_WASM="$WASM" NB67_SAMPLE_FILE=$f NB67_BASE_VIEW=report "$CONNECT" run bench/baseline-sample-ours.yaml)"
    printf '  peer: %s\n' "$(NB67_SAMPLE_FILE=$f NB67_BASE_VIEW=report "$PEER_BIN" -c bench/baseline-sample-peer.yaml)"
  done
}

RESULT=$WORK/baseline-peer-$(date -u +%Y%m%dT%H%M%SZ).txt
{
echo "== NB67 baseline: ours vs peer (finished $(date -u +%FT%TZ), $(nproc) cores, load average at start $LOAD_START, after the timed runs $LOAD_END)"
echo "frames: $DATA ($FRAMES x 538 B, real + seeded random), file input 538-byte chunks, batch ${NB67_BENCH_BATCH:-256}, $RUNS runs interleaved, medians"
echo "ours: $CONNECT ($("$CONNECT" --version | head -1 | awk '{print $2}')) + $WASM ($(stat -c %s "$WASM") B); peer: $PEER_BIN (Benthos $PEER_VERSION)"
echo "Go GC: ours $OURS_GC (shipped; ours-gd: $GODEFAULT), peer $GODEFAULT (Go's default; peer-og: $OURS_GC)"
echo "start-up (1 frame) wall/CPU: ours ${S0W[ours]} s / ${S0C[ours]} s, peer ${S0W[peer]} s / ${S0C[peer]} s (subtracted below)"
echo
printf '%-14s %-32s %10s %14s\n' case "wall runs (s)" frames/s "CPU us/frame"
for c in "${CASES[@]}"; do
  IFS='|' read -r name _ _ _ <<<"$c"
  printf '%-14s %-32s %10d %14s\n' "$name" "$(tr ' ' ',' <<<"${W[$name]% }")" "${RATE[$name]}" "${CPU[$name]}"
done
echo
awk -v a="${RATE[ours-t1]}" -v b="${RATE[peer-t1]}" -v c="${RATE[ours-all]}" -v d="${RATE[peer-all]}" \
  'BEGIN {printf "frames/s ratio ours/peer: 1 thread %.2f, all threads %.2f\n", a / b, c / d}'
awk -v a="${CPU[ours-t1]}" -v b="${CPU[peer-t1]}" -v an="${CPU[ours-noop-t1]}" -v bn="${CPU[peer-noop-t1]}" \
  'BEGIN {printf "CPU/frame ratio peer/ours (whole pipeline, 1 thread): %.2f\n", b / a;
          printf "decode step alone (case minus its noop, 1 thread): ours %.2f us, peer %.2f us CPU/frame, ratio peer/ours %.2f\n", a - an, b - bn, (b - bn) / (a - an);
          printf "DECODE STEP RATIO ours/peer (ours shipped GC, peer Go default): %.2f (goal <= 1.00)\n", (a - an) / (b - bn)}'
awk -v a="${CPU[ours-gd-t1]}" -v an="${CPU[ours-gd-noop-t1]}" -v b="${CPU[peer-t1]}" -v bn="${CPU[peer-noop-t1]}" -v c="${CPU[ours-t1]}" -v cn="${CPU[ours-noop-t1]}" -v d="${CPU[peer-og-t1]}" -v dn="${CPU[peer-og-noop-t1]}" \
  'BEGIN {printf "decode step ratio ours/peer, both Go default GC: %.2f (ours %.2f us, peer %.2f us)\n", (a - an) / (b - bn), a - an, b - bn;
          printf "decode step ratio ours/peer, both at our shipped GC: %.2f (ours %.2f us, peer %.2f us)\n", (c - cn) / (d - dn), c - cn, d - dn}'
[ -n "$ENRICH" ] && awk -v b="${CPU[peer-t1]}" -v e="${CPU[peer-blobl-t1]}" \
  'BEGIN {printf "peer Bloblang enrichment (nb67-parser.yaml mapping) adds %.2f us CPU/frame\n", e - b}'
awk -v e="${CPU[ours-ingest-t1]}" -v r="${RATE[ours-ingest-t1]}" -v pe="${CPU[peer-blobl-t1]:-0}" -v pr="${RATE[peer-blobl-t1]:-0}" \
  'BEGIN {printf "as deployed minus Kafka, 1 thread: ours (ingest.yaml processors) %d frames/s %.2f us CPU/frame; peer (nb67_parser + Bloblang) %d frames/s %.2f us CPU/frame\n", r, e, pr, pe}'
echo "output bytes/message (first 4000 frames): ours $OURS_BYTES (record), ours ingest.yaml $OURS_INGEST_BYTES (legacy envelope), peer nb67_parser $PEER_BYTES${PEER_BLOBL_BYTES:+, peer + Bloblang $PEER_BLOBL_BYTES}"
echo
echo "bad frames (report view: errored/error = Connect processing error; nb67_error = our rejection metadata; out = message body after the step):"
bad_report
} | tee "$RESULT"
echo "(saved to $RESULT)"
