#!/usr/bin/env bash
# Builds the test-only images of TEST_STACK=containers on the project's dockerd (DOCKER_HOST must
# point at it: `eval "$(tools/docker/dockerd.sh env)"`):
#   nb67/test-kafka:local     Apache Kafka (KRaft) from the jars tools/kafka/fetch.sh resolves
#   nb67/test-postgres:local  Debian's PostgreSQL 15
# Each image carries the hash of its inputs (Dockerfile, scripts, the Kafka pom, the base image's
# id) as the label nb67.inputs; an image whose label matches is not rebuilt, so a warm machine
# skips both builds. Nothing is pulled: the base is nb67/debian:bookworm (tools/docker/base.sh).
#   tools/images/test-images.sh [kafka|postgres ...]   (default: both)
set -euo pipefail
ROOT="${NB67_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}"
cd "$ROOT"
BASE="${TEST_IMAGE_BASE:-nb67/debian:bookworm}"
STAGE="$ROOT/.tools/images"
: "${DOCKER_HOST:?test-images.sh: DOCKER_HOST is not set (eval \"\$(tools/docker/dockerd.sh env)\")}"

log() { echo "test-images: $*"; }

base_id() {
  if ! docker image inspect "$BASE" >/dev/null 2>&1; then tools/docker/base.sh >&2; fi
  docker image inspect -f '{{.Id}}' "$BASE"
}

# build NAME TAG CONTEXT INPUT...: builds TAG from CONTEXT unless its nb67.inputs label matches
build() {
  local name="$1" tag="$2" ctx="$3"; shift 3
  local want have start
  want="$( { base_id; sha256sum "$@" | sed "s# $ROOT/# #"; } | sha256sum | cut -c1-32)"
  have="$(docker image inspect -f '{{index .Config.Labels "nb67.inputs"}}' "$tag" 2>/dev/null || true)"
  if [[ "$have" == "$want" ]]; then log "$tag up to date"; return 0; fi
  log "building $tag (inputs $want)"
  start=$(date +%s)
  mkdir -p "$STAGE"
  # the classic builder: --network host for apt, no BuildKit daemon state to clean up
  if ! DOCKER_BUILDKIT=0 docker build --network host --build-arg "BASE=$BASE" --label "nb67.inputs=$want" \
      -t "$tag" -f "$ctx/Dockerfile" "$ctx" >"$STAGE/$name.build.log" 2>&1; then
    tail -30 "$STAGE/$name.build.log" >&2
    echo "test-images.sh: building $tag failed (log: ${STAGE#"$ROOT/"}/$name.build.log)" >&2
    exit 1
  fi
  log "$tag built in $(( $(date +%s) - start ))s"
}

kafka() {
  tools/kafka/fetch.sh
  local src="$ROOT/tools/images/test-kafka" ctx="$STAGE/test-kafka"
  # the jars are third-party: staged under .tools (ignored), never in the repository
  rm -rf "$ctx"; mkdir -p "$ctx"
  cp -l "$ROOT/.tools/kafka/libs/"*.jar "$ctx/" 2>/dev/null || cp "$ROOT/.tools/kafka/libs/"*.jar "$ctx/"
  mkdir -p "$ctx/libs"; mv "$ctx/"*.jar "$ctx/libs/"
  cp "$src/Dockerfile" "$src/entrypoint.sh" "$ROOT/tools/kafka/log4j2.properties" "$ctx/"
  build kafka "${TEST_KAFKA_IMAGE_TAG:-nb67/test-kafka:local}" "$ctx" \
    "$src/Dockerfile" "$src/entrypoint.sh" "$ROOT/tools/kafka/log4j2.properties" "$ROOT/tools/kafka/pom.xml"
}

postgres() {
  local src="$ROOT/tools/images/test-postgres"
  build postgres "${TEST_PG_IMAGE_TAG:-nb67/test-postgres:local}" "$src" "$src/Dockerfile" "$src/entrypoint.sh"
}

for what in "${@:-kafka postgres}"; do
  for w in $what; do
    case "$w" in
      kafka) kafka ;;
      postgres) postgres ;;
      *) echo "usage: $0 [kafka|postgres ...]" >&2; exit 2 ;;
    esac
  done
done
