#!/usr/bin/env bash
# A private, throw-away Kafka with TLS and SASL/SCRAM listeners, for tests of the pipelines' Kafka
# security settings (docs/security.md). Everything lives in DIR; nothing touches the local stack.
#   secure.sh start DIR    generate a CA, a server and a client certificate (openssl), format a
#                          KRaft node with the SCRAM user and start it; writes DIR/ports.env
#   secure.sh stop DIR     stop it (SIGTERM, then SIGKILL) and leave DIR for the caller to delete
# Environment (all required for start; the caller picks free ports and a fresh password):
#   SECURE_PLAIN_PORT      PLAINTEXT listener (set-up and checks only: topics, produce, consume)
#   SECURE_TLS_PORT        SSL listener, client certificate required (mutual TLS)
#   SECURE_SASL_PORT       SASL_SSL listener, SCRAM-SHA-256 and SCRAM-SHA-512, server certificate only
#   SECURE_SASL_PLAIN_PORT SASL_PLAINTEXT listener, SCRAM-SHA-256 and SCRAM-SHA-512 (no TLS)
#   SECURE_CONTROLLER_PORT KRaft controller
#   SECURE_SCRAM_USER / SECURE_SCRAM_PASSWORD   the SCRAM credential created at format time
set -euo pipefail
ROOT="${NB67_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}"
# shellcheck source=../stack/lib.sh
source "$ROOT/tools/stack/lib.sh"
LIBS="$ROOT/.tools/kafka/libs"
cmd="${1:-}"; DIR="${2:-}"
[[ -n "$DIR" ]] || { echo "usage: $0 start|stop DIR" >&2; exit 2; }
java_cp() { java -Dlog4j2.configurationFile="$ROOT/tools/kafka/log4j2.properties" -cp "$LIBS/*" "$@"; }

certs() {
  local d="$DIR/certs"; mkdir -p "$d"; cd "$d"
  openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=nb67-test-ca" -keyout ca.key -out ca.crt 2>/dev/null
  for who in server client; do
    openssl req -newkey rsa:2048 -nodes -subj "/CN=nb67-test-$who" -keyout "$who.key" -out "$who.csr" 2>/dev/null
    printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\n' >"$who.ext"
    openssl x509 -req -in "$who.csr" -CA ca.crt -CAkey ca.key -CAcreateserial -days 2 -extfile "$who.ext" -out "$who.crt" 2>/dev/null
  done
  # Kafka's PEM key store: the unencrypted PKCS#8 key, then the certificate chain
  cat server.key server.crt ca.crt >server.pem
  chmod 600 ./*.key server.pem
  cd - >/dev/null
}

config() {
  local c="$DIR/certs" h=127.0.0.1
  cat >"$DIR/server.properties" <<PROPS
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@$h:$SECURE_CONTROLLER_PORT
listeners=PLAINTEXT://$h:$SECURE_PLAIN_PORT,SSL://$h:$SECURE_TLS_PORT,SASL_SSL://$h:$SECURE_SASL_PORT,SASL_PLAINTEXT://$h:$SECURE_SASL_PLAIN_PORT,CONTROLLER://$h:$SECURE_CONTROLLER_PORT
advertised.listeners=PLAINTEXT://$h:$SECURE_PLAIN_PORT,SSL://$h:$SECURE_TLS_PORT,SASL_SSL://$h:$SECURE_SASL_PORT,SASL_PLAINTEXT://$h:$SECURE_SASL_PLAIN_PORT
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,SSL:SSL,SASL_SSL:SASL_SSL,SASL_PLAINTEXT:SASL_PLAINTEXT,CONTROLLER:PLAINTEXT
log.dirs=$DIR/data
num.partitions=1
offsets.topic.replication.factor=1
offsets.topic.num.partitions=3
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
group.initial.rebalance.delay.ms=0
auto.create.topics.enable=true
num.network.threads=2
num.io.threads=2
ssl.keystore.type=PEM
ssl.keystore.location=$c/server.pem
ssl.truststore.type=PEM
ssl.truststore.location=$c/ca.crt
ssl.endpoint.identification.algorithm=
listener.name.ssl.ssl.client.auth=required
listener.name.sasl_ssl.ssl.client.auth=none
sasl.enabled.mechanisms=SCRAM-SHA-256,SCRAM-SHA-512
listener.name.sasl_ssl.scram-sha-256.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required;
listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required;
listener.name.sasl_plaintext.scram-sha-256.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required;
listener.name.sasl_plaintext.scram-sha-512.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required;
PROPS
}

start() {
  : "${SECURE_PLAIN_PORT:?}" "${SECURE_TLS_PORT:?}" "${SECURE_SASL_PORT:?}" "${SECURE_SASL_PLAIN_PORT:?}" "${SECURE_CONTROLLER_PORT:?}"
  : "${SECURE_SCRAM_USER:?}" "${SECURE_SCRAM_PASSWORD:?}"
  [[ -d "$LIBS" ]] || "$ROOT/tools/kafka/fetch.sh"
  mkdir -p "$DIR/data"
  certs
  config
  local cid; cid="$(java_cp kafka.tools.StorageTool random-uuid)"
  java_cp kafka.tools.StorageTool format -t "$cid" -c "$DIR/server.properties" \
    --add-scram "SCRAM-SHA-256=[name=$SECURE_SCRAM_USER,password=$SECURE_SCRAM_PASSWORD]" \
    --add-scram "SCRAM-SHA-512=[name=$SECURE_SCRAM_USER,password=$SECURE_SCRAM_PASSWORD]" >"$DIR/format.log" 2>&1 \
    || { cat "$DIR/format.log" >&2; exit 1; }
  setsid nohup java -Xms128m -Xmx384m -XX:+UseSerialGC -Djava.awt.headless=true \
    -Dlog4j2.configurationFile="$ROOT/tools/kafka/log4j2.properties" \
    -cp "$LIBS/*" kafka.Kafka "$DIR/server.properties" >"$DIR/kafka.log" 2>&1 </dev/null &
  echo $! >"$DIR/kafka.pid"
  local pid=$!
  for _ in $(seq 1 120); do
    kill -0 "$pid" 2>/dev/null || { echo "secure.sh: broker exited:" >&2; tail -30 "$DIR/kafka.log" >&2; exit 1; }
    if java_cp org.apache.kafka.tools.TopicCommand --bootstrap-server "127.0.0.1:$SECURE_PLAIN_PORT" --list >/dev/null 2>&1; then
      echo "secure.sh: broker up (pid $pid)"; return 0
    fi
    sleep 1
  done
  echo "secure.sh: broker not ready" >&2; tail -30 "$DIR/kafka.log" >&2; exit 1
}

stop() {
  [[ -f "$DIR/kafka.pid" ]] || return 0
  local pid; pid="$(cat "$DIR/kafka.pid")"
  if kill -0 "$pid" 2>/dev/null && grep -q 'kafka.Kafka' "/proc/$pid/cmdline" 2>/dev/null; then
    stop_process secure-kafka "$pid" 20
  fi
  rm -f "$DIR/kafka.pid"
}

case "$cmd" in
  start) start ;;
  stop) stop ;;
  *) echo "usage: $0 start|stop DIR" >&2; exit 2 ;;
esac
