#!/usr/bin/env bash
# Local infrastructure without Docker: Kafka (KRaft, from Maven Central jars), PostgreSQL
# (Debian's packages, run as the postgres user) and an SMTP sink that keeps every mail.
#   deploy/local/infra.sh up|down|status [kafka|postgres|smtp ...]
# Every step is idempotent: `up` twice is harmless. State, pid and log files live in
# $GIGALERT_STATE_DIR (default deploy/local/.state); the Kafka jars in .cache/kafka.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
STATE="${GIGALERT_STATE_DIR:-$HERE/.state}"
CACHE="${GIGALERT_CACHE_DIR:-$ROOT/.cache}"
KAFKA_VERSION="$(sed -n 's:.*<kafka.version>\(.*\)</kafka.version>.*:\1:p' "$HERE/kafka-pom.xml")"
KAFKA_LIBS="$CACHE/kafka/$KAFKA_VERSION/libs"
KAFKA_PORT="${GIGALERT_LOCAL_KAFKA_PORT:-19092}"
KAFKA_CONTROLLER_PORT="${GIGALERT_LOCAL_KAFKA_CONTROLLER_PORT:-19093}"
KAFKA_PARTITIONS="${GIGALERT_KAFKA_PARTITIONS:-6}"
PG_PORT="${GIGALERT_LOCAL_PG_PORT:-15432}"
PG_DATA="$STATE/postgres"
SMTP_PORT="${GIGALERT_LOCAL_SMTP_PORT:-8025}"
PG_BIN="${PG_BIN:-}"

log() { printf '[infra] %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

is_running() { [[ -f "$1" ]] && kill -0 "$(cat "$1")" 2>/dev/null; }

wait_until() {  # wait_until SECONDS DESCRIPTION COMMAND...
  local secs="$1" what="$2"; shift 2
  local end=$((SECONDS + secs))
  until "$@" >/dev/null 2>&1; do
    (( SECONDS < end )) || return 1
    sleep 0.5
  done
  log "$what ready"
}

stop_pidfile() {  # stop_pidfile NAME PIDFILE
  local name="$1" pidfile="$2"
  if is_running "$pidfile"; then
    local pid; pid="$(cat "$pidfile")"
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 1 60); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
    kill -0 "$pid" 2>/dev/null && { log "$name did not stop in 30 s; killing"; kill -KILL "$pid" || true; }
    log "$name stopped"
  fi
  rm -f "$pidfile"
}

# ---------------------------------------------------------------- Kafka
kafka_fetch() {
  if [[ -f "$KAFKA_LIBS/kafka_2.13-$KAFKA_VERSION.jar" ]]; then return; fi
  command -v mvn >/dev/null || die "mvn not found (apt-get install maven)"
  log "fetching Kafka $KAFKA_VERSION and its runtime dependencies from Maven Central"
  local tmp="$KAFKA_LIBS.tmp"
  rm -rf "$tmp"; mkdir -p "$tmp"
  mvn -q -B -f "$HERE/kafka-pom.xml" dependency:copy-dependencies \
      -DoutputDirectory="$tmp" -DincludeScope=runtime
  mv "$tmp" "$KAFKA_LIBS"
}

kafka_config() {
  mkdir -p "$STATE/kafka/data"
  cat > "$STATE/kafka/server.properties" <<PROPS
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$KAFKA_CONTROLLER_PORT
listeners=PLAINTEXT://127.0.0.1:$KAFKA_PORT,CONTROLLER://127.0.0.1:$KAFKA_CONTROLLER_PORT
advertised.listeners=PLAINTEXT://127.0.0.1:$KAFKA_PORT
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT
log.dirs=$STATE/kafka/data
num.partitions=$KAFKA_PARTITIONS
auto.create.topics.enable=true
offsets.topic.replication.factor=1
offsets.topic.num.partitions=6
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
group.initial.rebalance.delay.ms=0
log.retention.hours=168
PROPS
}

kafka_java() { java -Xms256m -Xmx512m -XX:+UseG1GC -Djava.awt.headless=true \
  -Dlog4j2.configurationFile="$HERE/log4j2.properties" -cp "$KAFKA_LIBS/*" "$@"; }

kafka_ready() { "$ROOT/.venv/bin/python" -m gigalert_shared.readiness kafka "127.0.0.1:$KAFKA_PORT"; }

kafka_up() {
  local pidfile="$STATE/kafka/kafka.pid"
  if is_running "$pidfile"; then log "kafka already running (pid $(cat "$pidfile"))"; return; fi
  command -v java >/dev/null || die "java not found (apt-get install openjdk-17-jre-headless)"
  kafka_fetch
  kafka_config
  if [[ ! -f "$STATE/kafka/data/meta.properties" ]]; then
    local cid; cid="$(kafka_java kafka.tools.StorageTool random-uuid | tail -1)"
    kafka_java kafka.tools.StorageTool format -t "$cid" -c "$STATE/kafka/server.properties" -g \
      >> "$STATE/kafka/kafka.log" 2>&1
    log "kafka storage formatted (cluster $cid)"
  fi
  nohup java -Xms256m -Xmx512m -XX:+UseG1GC -Djava.awt.headless=true \
    -Dlog4j2.configurationFile="$HERE/log4j2.properties" -cp "$KAFKA_LIBS/*" \
    kafka.Kafka "$STATE/kafka/server.properties" >> "$STATE/kafka/kafka.log" 2>&1 &
  echo $! > "$pidfile"
  wait_until 90 "kafka on 127.0.0.1:$KAFKA_PORT" kafka_ready \
    || { tail -30 "$STATE/kafka/kafka.log" >&2; die "kafka did not become ready"; }
}

kafka_down() { stop_pidfile kafka "$STATE/kafka/kafka.pid"; }

# ---------------------------------------------------------------- PostgreSQL
pg_bin() {
  if [[ -z "$PG_BIN" ]]; then
    PG_BIN="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1 || true)"
  fi
  if [[ -z "$PG_BIN" || ! -x "$PG_BIN/postgres" ]]; then
    log "installing PostgreSQL from Debian's packages"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
    PG_BIN="$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)"
  fi
}

as_postgres() { if [[ "$(id -u)" == 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi; }

pg_ready() { as_postgres "$PG_BIN/psql" -h 127.0.0.1 -p "$PG_PORT" -U postgres -d postgres -tAc 'SELECT 1'; }

postgres_up() {
  pg_bin
  mkdir -p "$PG_DATA"
  if [[ "$(id -u)" == 0 ]]; then chown postgres:postgres "$PG_DATA"; chmod 700 "$PG_DATA"; fi
  # The postgres user must be able to reach the data folder through the repository path.
  local dir="$PG_DATA"; while [[ "$dir" != / ]]; do dir="$(dirname "$dir")"; chmod o+x "$dir" 2>/dev/null || true; done
  if [[ ! -f "$PG_DATA/PG_VERSION" ]]; then
    as_postgres "$PG_BIN/initdb" -D "$PG_DATA" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
    cat >> "$PG_DATA/postgresql.conf" <<CONF
listen_addresses = '127.0.0.1'
port = $PG_PORT
unix_socket_directories = '$PG_DATA'
max_connections = 300
shared_buffers = 256MB
fsync = on
log_min_messages = warning
CONF
    log "postgres cluster initialised in $PG_DATA"
  fi
  if pg_ready >/dev/null 2>&1; then log "postgres already running"; else
    as_postgres "$PG_BIN/pg_ctl" -D "$PG_DATA" -l "$PG_DATA/postgres.log" -w -t 60 start >/dev/null
    wait_until 60 "postgres on 127.0.0.1:$PG_PORT" pg_ready || die "postgres did not become ready"
  fi
  as_postgres "$PG_BIN/psql" -h 127.0.0.1 -p "$PG_PORT" -U postgres -d postgres -v ON_ERROR_STOP=1 -q <<'SQL'
SELECT 'CREATE ROLE gigalert LOGIN CREATEDB PASSWORD ''gigalert'''
WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'gigalert') \gexec
-- Tests drop their databases WITH (FORCE): that must end autovacuum workers too.
GRANT pg_signal_backend TO gigalert;
SELECT 'CREATE DATABASE gigalert OWNER gigalert'
WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = 'gigalert') \gexec
SQL
}

postgres_down() {
  pg_bin
  if [[ -f "$PG_DATA/postmaster.pid" ]]; then
    as_postgres "$PG_BIN/pg_ctl" -D "$PG_DATA" -m fast -w stop >/dev/null || true
    log "postgres stopped"
  fi
}

# ---------------------------------------------------------------- SMTP sink
smtp_ready() { "$ROOT/.venv/bin/python" -m gigalert_shared.readiness smtp "127.0.0.1:$SMTP_PORT"; }

smtp_up() {
  local pidfile="$STATE/smtp/smtp.pid"
  if is_running "$pidfile"; then log "smtp sink already running (pid $(cat "$pidfile"))"; return; fi
  mkdir -p "$STATE/smtp" "$STATE/mail"
  nohup "$ROOT/.venv/bin/python" "$HERE/smtp_sink.py" --host 127.0.0.1 --port "$SMTP_PORT" \
    --maildir "$STATE/mail" >> "$STATE/smtp/smtp.log" 2>&1 &
  echo $! > "$pidfile"
  wait_until 30 "smtp sink on 127.0.0.1:$SMTP_PORT (mail in $STATE/mail)" smtp_ready \
    || { tail -20 "$STATE/smtp/smtp.log" >&2; die "smtp sink did not start"; }
}

smtp_down() { stop_pidfile "smtp sink" "$STATE/smtp/smtp.pid"; }

status() {
  for name in kafka smtp; do
    if is_running "$STATE/$name/$name.pid"; then echo "$name: running (pid $(cat "$STATE/$name/$name.pid"))"; else echo "$name: stopped"; fi
  done
  pg_bin; if pg_ready >/dev/null 2>&1; then echo "postgres: running (port $PG_PORT)"; else echo "postgres: stopped"; fi
}

cmd="${1:-}"; shift || true
parts=("$@"); [[ ${#parts[@]} -eq 0 ]] && parts=(postgres kafka smtp)
[[ -x "$ROOT/.venv/bin/python" ]] || die "no virtualenv: run 'uv sync' first (make does)"
mkdir -p "$STATE"
case "$cmd" in
  up) for p in "${parts[@]}"; do "${p}_up"; done ;;
  down) for p in "${parts[@]}"; do "${p}_down"; done ;;
  status) status ;;
  *) echo "usage: $0 up|down|status [kafka|postgres|smtp ...]" >&2; exit 2 ;;
esac
