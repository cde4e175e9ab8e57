#!/usr/bin/env bash
# Fetches the Apache Kafka broker (KRaft) and its admin tools from Maven Central into
# .tools/kafka/libs, as pinned in tools/kafka/pom.xml. Skips when already fetched for the same pom.
set -euo pipefail
ROOT="${NB67_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}"
POM="$ROOT/tools/kafka/pom.xml"
DEST="${KAFKA_HOME_DIR:-$ROOT/.tools/kafka}"
LIBS="$DEST/libs"
STAMP="$LIBS/.fetched"

for tool in java mvn; do
  command -v "$tool" >/dev/null || { echo "fetch.sh: '$tool' not found (apt-get install -y openjdk-17-jre-headless maven)" >&2; exit 1; }
done

want="$(sha256sum "$POM" | cut -d' ' -f1)"
if [[ -f "$STAMP" && "$(cat "$STAMP")" == "$want" ]]; then
  exit 0
fi

version="$(sed -n 's:.*<kafka.version>\(.*\)</kafka.version>.*:\1:p' "$POM")"
echo "kafka: fetching Apache Kafka $version from Maven Central into ${LIBS#$ROOT/}"
start=$(date +%s)
rm -rf "$LIBS.tmp"
mkdir -p "$DEST"
if ! mvn -q -B -f "$POM" dependency:copy-dependencies \
      -DoutputDirectory="$LIBS.tmp" -DincludeScope=runtime >"$DEST/fetch.log" 2>&1; then
  cat "$DEST/fetch.log" >&2
  echo "fetch.sh: maven failed (log: $DEST/fetch.log)" >&2
  exit 1
fi
rm -rf "$LIBS"
mv "$LIBS.tmp" "$LIBS"
echo "$want" >"$STAMP"
echo "kafka: $(ls "$LIBS" | wc -l) jars in $(( $(date +%s) - start ))s"
