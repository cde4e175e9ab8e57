#!/usr/bin/env bash
# `make images`: the bundle, migrate and console images, built on this machine's project dockerd
# (tools/docker/dockerd.sh) on local bases (tools/docker/base.sh), since no registry is reachable:
#   nb67/bundle:<version>   tools/images/bundle/Dockerfile  (CONNECT_IMAGE=nb67/connect-slim:local)
#   nb67/migrate:<version>  the same Dockerfile, --target migrate (psql + sql/)
#   nb67/console:<version>  tools/images/console/Dockerfile
# each also tagged :local. <version> is package.json's. Builders run on nb67/debian:trixie (Debian's
# nodejs 20.19: vite 8 needs >= 20.19; bookworm has 18). Warm rebuilds are fast: the rootfs tarballs
# are cached in .tools/docker-cache, the npm download is a layer reused until package-lock.json
# changes (shared by both Dockerfiles), and unchanged steps are cached layers.
# Starts dockerd if it is not running and stops it again afterwards (NB67_DOCKERD_KEEP=1 keeps it).
# Build logs: .tools/images/<image>.build.log
set -euo pipefail
ROOT="${NB67_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}"
cd "$ROOT"
PATH="${PATH:+$PATH:}/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
DOCKERD="$ROOT/tools/docker/dockerd.sh"
LOGS="$ROOT/.tools/images"
VERSION="$(sed -n 's/^  "version": "\(.*\)",$/\1/p' package.json)"
[[ -n "$VERSION" ]] || { echo "images: no version in package.json" >&2; exit 1; }

started=false
if ! "$DOCKERD" status >/dev/null 2>&1; then "$DOCKERD" up; started=true; fi
stop() { if [[ $started == true && "${NB67_DOCKERD_KEEP:-0}" != 1 ]]; then "$DOCKERD" down; fi; }
trap stop EXIT
eval "$("$DOCKERD" env)"
export DOCKER_HOST

t0=$(date +%s)
tools/docker/base.sh debian bookworm
tools/docker/base.sh debian trixie
tools/docker/base.sh connect-slim

mkdir -p "$LOGS"
# Behind a TLS-inspecting proxy the machine trusts extra CAs, added the Debian way in
# /usr/local/share/ca-certificates; the build stages' npm gets the same (EXTRA_CA_CERTS in the
# Dockerfiles, used by the npm step only), nothing of it ships.
ca=()
shopt -s nullglob
extra=(/usr/local/share/ca-certificates/*.crt /usr/local/share/ca-certificates/*/*.crt)
shopt -u nullglob
if ((${#extra[@]})); then ca=(--build-arg "EXTRA_CA_CERTS=$(cat "${extra[@]}")"); fi
build() { # build NAME DOCKERFILE [docker build args...]
  local name="$1" file="$2"; shift 2
  local start; start=$(date +%s)
  # the classic builder: --network host for apt and npm, no BuildKit state left behind
  if ! DOCKER_BUILDKIT=0 docker build --network host -f "$file" \
      -t "nb67/$name:$VERSION" -t "nb67/$name:local" "${ca[@]}" "$@" . >"$LOGS/$name.build.log" 2>&1; then
    tail -40 "$LOGS/$name.build.log" >&2
    echo "images: nb67/$name failed (log .tools/images/$name.build.log)" >&2
    exit 1
  fi
  echo "images: nb67/$name:$VERSION in $(( $(date +%s) - start ))s"
}
build bundle tools/images/bundle/Dockerfile --build-arg CONNECT_IMAGE=nb67/connect-slim:local \
  --build-arg BUILDER_IMAGE=nb67/debian:trixie --build-arg MIGRATE_IMAGE=nb67/debian:bookworm
build migrate tools/images/bundle/Dockerfile --target migrate --build-arg CONNECT_IMAGE=nb67/connect-slim:local \
  --build-arg BUILDER_IMAGE=nb67/debian:trixie --build-arg MIGRATE_IMAGE=nb67/debian:bookworm
build console tools/images/console/Dockerfile \
  --build-arg BUILDER_IMAGE=nb67/debian:trixie --build-arg RUNTIME_IMAGE=nb67/debian:trixie
# No `docker image prune`: the builder stages are untagged images, and they are the warm cache.
echo "images: done in $(( $(date +%s) - t0 ))s"
docker images --format '  {{.Repository}}:{{.Tag}}  {{.Size}}' | grep -E "nb67/(bundle|migrate|console):$VERSION" || true
