#!/usr/bin/env bash
# `make run`, after `make stack-up`: checks the settings (config/settings.yaml), starts every pipeline
# in streams mode and the frame simulator, waits for Connect's /ready and prints where to look.
# `make stop` stops it all.
#
# Streams mode runs with --no-api: its REST API (/streams) creates and shows streams without any
# authentication, which is remote code execution (a `command` processor) and leaks the configs with
# the environment filled in (database password). The HTTP server then serves only /ping, /ready and
# /metrics (and /version), which is all a probe or Prometheus needs.
set -euo pipefail
ROOT="${NB67_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}"
export NB67_ROOT="$ROOT"
cd "$ROOT"
RUN="$ROOT/.tools/run"
CONNECT="${CONNECT:-$ROOT/.tools/bin/redpanda-connect}"
export CONNECT_HTTP_ADDRESS="${CONNECT_HTTP_ADDRESS:-127.0.0.1:4195}"
KAFKA="${KAFKA_BOOTSTRAP_SERVER:-127.0.0.1:19092}"
TSDB_URL="${TSDB_URL:-postgres://nb67@127.0.0.1:15432/nb67?sslmode=disable}"
READY_TIMEOUT="${CONNECT_READY_TIMEOUT:-60}"

# Every setting is validated before anything starts: one line per bad value, exit 1.
node_modules/.bin/tsx tools/settings/check.ts --quiet || { echo "run: not started, fix the settings above" >&2; exit 1; }

mkdir -p "$RUN"

alive() { [[ -f "$RUN/$1.pid" ]] && kill -0 "$(cat "$RUN/$1.pid")" 2>/dev/null; }
# The default of a setting in config/settings.yaml (quotes removed).
setting_default() { awk -v n="$1" '$2 == "name:" && $3 == n {f = 1} f && $1 == "default:" {gsub("\"", "", $2); print $2; exit}' config/settings.yaml; }

tools/stack/stack.sh status >/dev/null 2>&1 || tools/stack/stack.sh up >/dev/null

# The simulated devices' archive topics, created before the first frame (ARCHIVE_DEVICES: an
# operator sets it to the fleet's device numbers; here the simulator lists its own).
if [[ -z "${ARCHIVE_DEVICES:-}" && -f tools/sim/main.ts ]] && ! alive sim; then
  ARCHIVE_DEVICES="$(node_modules/.bin/tsx tools/sim/main.ts --list-devices | tr '\n' ' ')"
  export ARCHIVE_DEVICES
  tools/stack/topics.sh | grep -F '<device>' || echo "topics: could not pre-create the archive topics; ingest creates them on each device's first frame"
fi

shopt -s nullglob
# PIPELINES: a glob to run a subset, e.g. PIPELINES='pipelines/ingest.yaml' make run
pipelines=(${PIPELINES:-pipelines/*.yaml})
# The edge stream (MQTT -> signal-in) needs a broker: only with EDGE_MQTT=true, which also starts the
# project's Mosquitto (tools/mqtt/mosquitto.sh, 127.0.0.1:11883) and makes the simulator publish to it.
if [[ "${EDGE_MQTT:-false}" == true ]]; then
  tools/mqtt/mosquitto.sh start
else
  for i in "${!pipelines[@]}"; do if [[ "${pipelines[$i]}" == pipelines/edge.yaml ]]; then unset 'pipelines[i]'; fi; done
  pipelines=("${pipelines[@]}")
fi
resources=()
for r in pipelines/resources/*.yaml; do resources+=(-r "$r"); done
shopt -u nullglob

if alive connect; then
  echo "connect: already running (pid $(cat "$RUN/connect.pid")); make stop to stop it"
else
  [[ -x "$CONNECT" ]] || tools/connect/build.sh
  if ((${#pipelines[@]} == 0)); then
    echo "connect: no pipelines/*.yaml: starting streams mode with none (/ready and /metrics only)"
  fi
  echo "connect: streams mode with ${#pipelines[@]} pipeline(s): ${pipelines[*]:-none}"
  # Go's GC settings: the environment's, else the defaults of config/settings.yaml (the one place
  # both this script and the images take them from; why these values: README, "Memory and CPU").
  gogc="${GOGC:-$(setting_default GOGC)}"
  gomemlimit="${GOMEMLIMIT:-$(setting_default GOMEMLIMIT)}"
  setsid nohup env GOGC="$gogc" GOMEMLIMIT="$gomemlimit" "$CONNECT" streams --no-api -o rpk-connect.yaml "${resources[@]}" "${pipelines[@]}" \
    >>"$RUN/connect.log" 2>&1 </dev/null &
  echo $! >"$RUN/connect.pid"
fi

if [[ -f tools/sim/main.ts ]] && ! alive sim; then
  echo "simulator: npx tsx tools/sim/main.ts (log .tools/run/sim.log)"
  sim_args=()
  if [[ "${EDGE_MQTT:-false}" == true ]]; then sim_args=(--mqtt "mqtt://127.0.0.1:${MOSQUITTO_PORT:-11883}"); fi
  setsid nohup node_modules/.bin/tsx tools/sim/main.ts "${sim_args[@]}" >>"$RUN/sim.log" 2>&1 </dev/null &
  echo $! >"$RUN/sim.pid"
fi

code=""
for _ in $(seq 1 $((READY_TIMEOUT * 2))); do
  alive connect || { echo "connect exited; last log lines:" >&2; tail -30 "$RUN/connect.log" >&2; rm -f "$RUN/connect.pid"; exit 1; }
  code="$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "http://$CONNECT_HTTP_ADDRESS/ready" || true)"
  [[ "$code" == 200 ]] && break
  sleep 0.5
done
if [[ "$code" != 200 ]]; then
  echo "connect: /ready answered ${code:-nothing} after ${READY_TIMEOUT}s:" >&2
  curl -s --max-time 2 "http://$CONNECT_HTTP_ADDRESS/ready" >&2 || true
  echo; tail -30 "$RUN/connect.log" >&2
  exit 1
fi

# The operator console (console/server) after Connect. A local admin with a random password is
# created the first time only; its password is printed here once and stored nowhere in clear.
CONSOLE_ADDRESS="${CONSOLE_ADDRESS:-127.0.0.1:8080}"
console_login=""
if [[ -f console/server/main.ts ]] && ! alive console; then
  if out="$(TSDB_URL="$TSDB_URL" node_modules/.bin/tsx console/server/cli.ts user add admin --role admin --if-missing 2>/dev/null)" && [[ -n "$out" ]]; then
    console_login="             first login: admin / ${out#admin } (shown once; more users: npx tsx console/server/cli.ts user add <name> --role viewer|engineer|admin)"
  fi
  echo "console: npx tsx console/server/main.ts (log .tools/run/console.log)"
  TSDB_URL="$TSDB_URL" CONSOLE_ADDRESS="$CONSOLE_ADDRESS" CONNECT_READY_URLS="${CONNECT_READY_URLS:-http://$CONNECT_HTTP_ADDRESS/ready}" \
    setsid nohup node_modules/.bin/tsx console/server/main.ts >>"$RUN/console.log" 2>&1 </dev/null &
  echo $! >"$RUN/console.pid"
  for _ in $(seq 1 120); do
    curl -sf -o /dev/null --max-time 2 "http://$CONSOLE_ADDRESS/api/ready" && break
    alive console || { echo "console exited; last log lines:" >&2; tail -20 "$RUN/console.log" >&2; break; }
    sleep 0.5
  done
fi

tools/stack/stack.sh status || true
# Never print a password: with TSDB_URL from the environment, show the variable, not its value.
if [[ "$TSDB_URL" =~ ://[^/@]*:[^/@]*@ ]]; then psql_cmd='psql "$TSDB_URL"'; else psql_cmd="psql '$TSDB_URL'"; fi
# The operator console's lines (its URL and first admin login) go here, each ending in a newline, e.g.
#   console_lines+="  console    http://127.0.0.1:8088/  (admin login: ...)"$'\n'
console_lines=""
if alive console; then
  console_lines+="  console    http://$CONSOLE_ADDRESS/   (operator console; API /api/openapi.json; log .tools/run/console.log)"$'\n'
  [[ -n "$console_login" ]] && console_lines+="$console_login"$'\n'
fi
cat <<MSG

NB67 stack is running.
  health     curl http://$CONNECT_HTTP_ADDRESS/ready   (200 = every stream connected)   /ping
  metrics    curl http://$CONNECT_HTTP_ADDRESS/metrics  (Prometheus; alert rules and a Grafana dashboard in config/monitoring/)
             (Connect serves nothing else: streams mode runs with --no-api; probes need only /ready)
${console_lines}  topics     Kafka at $KAFKA: ${SOURCE_TOPIC_NAME:-signal-in}, ${PARSED_TOPIC_NAME:-signal-parsed}, ${DEAD_LETTER_TOPIC:-signal-dead-letter}, MACDA-archive-${PARSED_TOPIC_NAME:-signal-parsed}-<device>
             list:    java -cp '.tools/kafka/libs/*' org.apache.kafka.tools.TopicCommand --bootstrap-server $KAFKA --list
             consume: java -cp '.tools/kafka/libs/*' org.apache.kafka.tools.consumer.ConsoleConsumer --bootstrap-server $KAFKA --topic ${PARSED_TOPIC_NAME:-signal-parsed} --from-beginning
             or:      .tools/bin/redpanda-connect run --set http.enabled=false <(printf 'input: {redpanda: {seed_brokers: [$KAFKA], topics: [${PARSED_TOPIC_NAME:-signal-parsed}], consumer_group: peek}}\noutput: {stdout: {}}\n')
  tables     $psql_cmd -c '\\dt'
  logs       .tools/run/connect.log  .tools/run/kafka.log  .tools/run/postgres.log$([[ -f "$RUN/sim.pid" ]] && echo "  .tools/run/sim.log")
  stop       make stop
MSG
