#!/usr/bin/env bash
# Creates the pipeline topics idempotently (partitions and retention from the environment):
#   SOURCE_TOPIC_NAME=signal-in           SOURCE_TOPIC_RETENTION_HOURS=24
#   PARSED_TOPIC_NAME=signal-parsed       PARSED_TOPIC_RETENTION_HOURS=24
#   DEAD_LETTER_TOPIC=signal-dead-letter  DEAD_LETTER_TOPIC_RETENTION_HOURS=168
#   TOPIC_PARTITIONS=3
# Archive topics MACDA-archive-<PARSED_TOPIC_NAME>-<dvc>: those of ARCHIVE_DEVICES are created here
# (ARCHIVE_TOPIC_RETENTION_HOURS=168, ARCHIVE_TOPIC_PARTITIONS=1); ingest archives only these devices
# unless ARCHIVE_AUTO_CREATE=true (pipelines/ingest.yaml). Retention trade-off: docs/storage.md.
set -euo pipefail
ROOT="${NB67_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}"
cd "$ROOT"
[[ -x node_modules/.bin/tsx ]] || npm install --no-audit --no-fund >/dev/null
exec node_modules/.bin/tsx tools/stack/topics.ts
