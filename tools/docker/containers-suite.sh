#!/usr/bin/env bash
# The integration suite on TEST_STACK=containers, self-contained: brings the project's dockerd up
# (tools/docker/dockerd.sh) unless it already runs, builds what is missing (`make images`: the
# bundle and console images; tools/images/test-images.sh: the test Kafka and PostgreSQL; all
# cached by their inputs), runs test/vitest.containers.config.ts, and brings dockerd down again if
# it started it, leaving no container, process or mount behind. Extra arguments go to vitest.
# Runs beside the local stack (other ports). Image names: TEST_KAFKA_IMAGE, TEST_PG_IMAGE,
# TEST_CONNECT_IMAGE (default here: the local images).
set -uo pipefail
ROOT="${NB67_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}"
cd "$ROOT"
export NB67_ROOT="$ROOT"
DOCKERD="$ROOT/tools/docker/dockerd.sh"

started=false
if ! "$DOCKERD" status >/dev/null 2>&1; then
  "$DOCKERD" up || { echo "containers: dockerd did not start" >&2; exit 1; }
  started=true
fi
down() {
  local ids
  ids="$(docker ps -aq --filter label=nb67.test 2>/dev/null || true)"
  # shellcheck disable=SC2086
  [[ -z "$ids" ]] || docker rm -f $ids >/dev/null 2>&1 || true
  if [[ $started == true ]]; then "$DOCKERD" down || echo "containers: dockerd did not stop cleanly" >&2; fi
}
trap down EXIT
eval "$("$DOCKERD" env)"

export TEST_KAFKA_IMAGE="${TEST_KAFKA_IMAGE:-nb67/test-kafka:local}"
export TEST_PG_IMAGE="${TEST_PG_IMAGE:-nb67/test-postgres:local}"
export TEST_CONNECT_IMAGE="${TEST_CONNECT_IMAGE:-nb67/bundle:local}"
t0=$(date +%s)
make --no-print-directory images || { echo "containers: make images failed" >&2; exit 1; }
tools/images/test-images.sh || { echo "containers: test images failed" >&2; exit 1; }
echo "containers: images ready in $(( $(date +%s) - t0 )) s"
TEST_STACK=containers npx vitest run --config test/vitest.containers.config.ts "$@"
