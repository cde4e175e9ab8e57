#!/usr/bin/env bash
# Baseline: the legacy decode path (Faust/Python: Kaitai-generated Python parser + Nb67.from_bytes_to_dict +
# the Kafka envelope JSON), re-created in CPython, single-threaded, on the same frames as bench/baseline-peer.sh.
# Not a test. Steps:
#   1. .tools/legacy/nb67_legacy.ksy = codec/NB67.ksy with the legacy tail (seq up to ig_rsv68, then the legacy
#      reserved u4 ig_rsv69 at 488: 314 fields, 492 bytes) and without our custom "-nb67-*" keys;
#   2. compiled to Python with kaitai-struct-compiler (npm, JS API) into .tools/legacy/;
#   3. venv .tools/venv with the pinned PyPI runtime (kaitaistruct, simplejson as Faust's json codec uses);
#   4. parity check of bench/baseline_legacy.py against test/fixtures/legacy (real frame, random, edge cases);
#   5. RUNS timed runs (default 3, separate processes), median frames/s and CPU us/frame (time.process_time,
#      user+sys, start-up and file read excluded).
# Env: RUNS (3), LEGACY_FRAMES (20000, the first frames of .tools/bench/frames-100000.bin), PYTHON (python3)
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
RUNS=${RUNS:-3}
N=${LEGACY_FRAMES:-20000}
VECTORS=${VECTORS:-$ROOT/test/fixtures/legacy}
PY=${PYTHON:-python3}
KAITAISTRUCT_VERSION=0.11   # the compiler in node_modules is 0.11; its Python output requires runtime API 0.11
SIMPLEJSON_VERSION=3.19.3
OUT=$ROOT/.tools/legacy
VENV=$ROOT/.tools/venv
mkdir -p "$OUT" "$ROOT/.tools/bench"
LOAD_START=$(cut -d' ' -f1-3 /proc/loadavg)

# 1 + 2: legacy-layout .ksy and its Python parser
node - "$ROOT/codec/NB67.ksy" "$OUT" <<'JS'
const fs = require("fs");
const YAML = require("yaml");
const compiler = require("kaitai-struct-compiler");
const [src, out] = process.argv.slice(2);
const strip = (o) => Array.isArray(o) ? o.map(strip) : o && typeof o === "object"
  ? Object.fromEntries(Object.entries(o).filter(([k]) => !k.startsWith("-")).map(([k, v]) => [k, strip(v)])) : o;
const ksy = strip(YAML.parse(fs.readFileSync(src, "utf8")));
const cut = ksy.seq.findIndex((s) => s.id === "ig_rsv68");
if (cut < 0 || ksy.seq[cut].type !== "u4") throw new Error("codec/NB67.ksy: ig_rsv68 (u4) not found");
ksy.seq = ksy.seq.slice(0, cut + 1).concat([{ id: "ig_rsv69", type: "u4", doc: "Reserved (legacy tail)" }]);
ksy.meta.id = "nb67_legacy";
const size = { u1: 1, u2: 2, s2: 2, u4: 4 };
let bits = 0, bytes = 0;
for (const s of ksy.seq) { if (s.type === "b1le" || s.type === "b1") bits++; else { bytes += Math.ceil(bits / 8) + size[s.type]; bits = 0; } }
if (ksy.seq.length !== 314 || bytes !== 492) throw new Error(`legacy layout check failed: ${ksy.seq.length} fields, ${bytes} bytes`);
fs.writeFileSync(`${out}/nb67_legacy.ksy`, YAML.stringify(ksy));
compiler.compile("python", ksy, null, false).then((files) => {
  for (const [name, code] of Object.entries(files)) fs.writeFileSync(`${out}/${name}`, code);
  console.log(`legacy ksy: 314 fields, 492 bytes -> ${Object.keys(files).join(", ")} (kaitai-struct-compiler ${require("kaitai-struct-compiler/package.json").version})`);
});
JS

# 3: venv with pinned runtime
if [ ! -x "$VENV/bin/python" ]; then "$PY" -m venv "$VENV"; fi
"$VENV/bin/python" -c "import kaitaistruct, simplejson, sys; sys.exit(kaitaistruct.__version__ != '$KAITAISTRUCT_VERSION' or simplejson.__version__ != '$SIMPLEJSON_VERSION')" 2>/dev/null \
  || "$VENV/bin/pip" install -q "kaitaistruct==$KAITAISTRUCT_VERSION" "simplejson==$SIMPLEJSON_VERSION"
export PYTHONPATH=$OUT:$ROOT/bench
VPY=$VENV/bin/python

# 4: parity (the baseline must do the real work)
"$VPY" bench/baseline_legacy.py check "$VECTORS"

# 5: timed runs on the same frames as baseline-peer.sh
DATA=$ROOT/.tools/bench/frames-100000.bin
[ -f "$DATA" ] || npx --no-install tsx bench/decode-frames.ts "$DATA" 100000 >/dev/null
lines=()
for i in $(seq "$RUNS"); do lines+=("$("$VPY" bench/baseline_legacy.py bench "$DATA" "$N")"); done
printf '%s\n' "${lines[@]}" > "$OUT/runs.jsonl"
RESULT=$OUT/baseline-legacy-$(date -u +%Y%m%dT%H%M%SZ).txt
"$VPY" - "$OUT/runs.jsonl" <<PY | tee "$RESULT"
import json, statistics, sys, platform, kaitaistruct, simplejson
runs = [json.loads(l) for l in open(sys.argv[1])]
med = lambda k: statistics.median(r[k] for r in runs)
print("== NB67 baseline: legacy-equivalent CPython decode (finished $(date -u +%FT%TZ), load average at start $LOAD_START, after the runs $(cut -d' ' -f1-3 /proc/loadavg))")
print("CPython %s, kaitaistruct %s, simplejson %s; %d frames of $DATA, %d runs, single thread" % (
    platform.python_version(), kaitaistruct.__version__, simplejson.__version__, runs[0]["frames"], len(runs)))
print("runs frames/s: %s" % ",".join(str(r["frames_per_s"]) for r in runs))
print("runs CPU us/frame: %s" % ",".join(str(r["cpu_us_per_frame"]) for r in runs))
print("legacy-t1: %d frames/s, %.2f us CPU/frame, %d output bytes/frame (envelope JSON), %d errors" % (
    med("frames_per_s"), med("cpu_us_per_frame"), med("out_bytes_per_frame"), runs[0]["errors"]))
PY
echo "(saved to $RESULT)"
