#!/bin/bash
# Writes the broker config from the environment, formats the log dir once, runs the broker in the
# foreground (PID 1's child under `docker run --init`, or PID 1: SIGTERM stops it cleanly).
#   KAFKA_HOST (127.0.0.1), KAFKA_PORT (9092), KAFKA_CONTROLLER_PORT (9093),
#   KAFKA_HEAP_OPTS (-Xms256m -Xmx512m), KAFKA_NUM_PARTITIONS (1)
set -euo pipefail
HOST="${KAFKA_HOST:-127.0.0.1}"
PORT="${KAFKA_PORT:-9092}"
CPORT="${KAFKA_CONTROLLER_PORT:-9093}"
DATA=/var/lib/kafka/data
CONF=/var/lib/kafka/server.properties
K=/opt/kafka
cat >"$CONF" <<PROPS
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@$HOST:$CPORT
listeners=PLAINTEXT://$HOST:$PORT,CONTROLLER://$HOST:$CPORT
advertised.listeners=PLAINTEXT://$HOST:$PORT
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
log.dirs=$DATA
num.partitions=${KAFKA_NUM_PARTITIONS:-1}
default.replication.factor=1
min.insync.replicas=1
auto.create.topics.enable=true
delete.topic.enable=true
offsets.topic.replication.factor=1
offsets.topic.num.partitions=10
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
group.initial.rebalance.delay.ms=0
message.max.bytes=4194304
num.network.threads=2
num.io.threads=4
PROPS
java_cp() { java -Dlog4j2.configurationFile="$K/log4j2.properties" -cp "$K/libs/*" "$@"; }
if [[ ! -f "$DATA/meta.properties" ]]; then
  java_cp kafka.tools.StorageTool format -t "$(java_cp kafka.tools.StorageTool random-uuid)" -c "$CONF" --ignore-formatted >/dev/null
fi
# shellcheck disable=SC2086
exec java ${KAFKA_HEAP_OPTS:--Xms256m -Xmx512m} -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -Djava.awt.headless=true \
  -Dlog4j2.configurationFile="$K/log4j2.properties" -cp "$K/libs/*" kafka.Kafka "$CONF"
