#!/usr/bin/env bash
# Installs Debian's chromium for the console's browser tests, screenshots and benchmark.
# Idempotent: does nothing when /usr/bin/chromium exists. playwright-core (npm, pinned) drives it;
# Playwright's own browser download is never used (offline control-room builds, one package source).
set -euo pipefail
CHROMIUM="${CHROMIUM:-/usr/bin/chromium}"
if [[ -x "$CHROMIUM" ]]; then
  exit 0
fi
if [[ $(id -u) -ne 0 ]]; then
  SUDO=sudo
else
  SUDO=
fi
export DEBIAN_FRONTEND=noninteractive
echo "browser: installing Debian chromium (apt-get)" >&2
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends chromium fonts-noto-cjk >/dev/null
[[ -x "$CHROMIUM" ]] || { echo "browser: $CHROMIUM missing after install" >&2; exit 1; }
