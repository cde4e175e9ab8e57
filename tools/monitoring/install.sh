#!/usr/bin/env bash
# Installs promtool (Prometheus's rule checker, from Debian's `prometheus` package) into .tools/bin
# for `make test` (promtool check rules / test rules on config/monitoring/alerts.yaml).
# Only the binary is extracted from the .deb (apt-get download + dpkg-deb -x): installing the
# package would also install and start a Prometheus server, which the tests do not need.
# Idempotent: does nothing when .tools/bin/promtool is the pinned version.
set -euo pipefail
ROOT="${NB67_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}"
VERSION="${PROMETHEUS_DEB_VERSION:-2.42.0+ds-5+deb12u1}"
BIN="$ROOT/.tools/bin/promtool"
STAMP="$ROOT/.tools/promtool.version"
if [[ -x "$BIN" && -f "$STAMP" ]] && "$BIN" --version >/dev/null 2>&1; then
  exit 0
fi
mkdir -p "$ROOT/.tools/bin"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cd "$work"
fetch() { apt-get download -qq "$@" >/dev/null 2>&1; }
if ! fetch "prometheus=$VERSION"; then
  # The package lists may be missing or older than the pin: refresh once.
  if [[ $(id -u) -ne 0 ]]; then SUDO=sudo; else SUDO=; fi
  $SUDO apt-get update -qq >/dev/null
  if ! fetch "prometheus=$VERSION"; then
    # Debian replaced the pinned build (a stable update): take its successor, say so.
    echo "monitoring: prometheus=$VERSION is no longer available; using the current Debian build" >&2
    fetch prometheus || { echo "monitoring: apt-get download prometheus failed" >&2; exit 1; }
  fi
fi
deb="$(ls prometheus_*.deb)"
dpkg-deb -x "$deb" x
install -m 0755 x/usr/bin/promtool "$BIN"
echo "${deb}" > "$STAMP"
echo "monitoring: $("$BIN" --version 2>&1 | head -1) -> .tools/bin/promtool" >&2
