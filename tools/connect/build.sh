#!/usr/bin/env bash
# Builds the project's slim Redpanda Connect (tools/connect) into .tools/bin/redpanda-connect.
# Skips the build when .tools/bin/redpanda-connect.version records the same pinned version and the
# same hash of go.mod, go.sum and main.go. FORCE=1 rebuilds.
set -euo pipefail
ROOT="${NB67_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}"
SRC="$ROOT/tools/connect"
BIN_DIR="$ROOT/.tools/bin"
BIN="$BIN_DIR/redpanda-connect"
STAMP="$BIN.version"

command -v go >/dev/null || { echo "build.sh: Go toolchain not found (needs Go >= 1.26, see tools/connect/go.mod)" >&2; exit 1; }

pin="$(awk '$1 == "github.com/redpanda-data/connect/v4" { print $2; exit }' "$SRC/go.mod")"
[[ -n "$pin" ]] || { echo "build.sh: no github.com/redpanda-data/connect/v4 requirement in $SRC/go.mod" >&2; exit 1; }
hash="$(cat "$SRC/go.mod" "$SRC/go.sum" "$SRC/main.go" | sha256sum | cut -c1-16)"
want="$pin $hash"

if [[ "${FORCE:-0}" != 1 && -x "$BIN" && -f "$STAMP" && "$(cat "$STAMP")" == "$want" ]]; then
  exit 0
fi

echo "connect: building redpanda-connect $pin (slim, tools/connect) into ${BIN#$ROOT/}"
start=$(date +%s)
mkdir -p "$BIN_DIR"
(
  cd "$SRC"
  CGO_ENABLED=0 go build -tags timetzdata -trimpath \
    -ldflags "-s -w -X main.Version=$pin" -o "$BIN.tmp" .
)
mv "$BIN.tmp" "$BIN"
echo "$want" >"$STAMP"
got="$("$BIN" --version | awk '/^Version:/ { print $2 }')"
[[ "$got" == "$pin" ]] || { echo "build.sh: built binary reports version '$got', expected '$pin'" >&2; exit 1; }
echo "connect: built $pin in $(( $(date +%s) - start ))s ($(du -h "$BIN" | cut -f1))"
