#!/usr/bin/env bash
# Runs gigalert's services as local processes with pid and log files.
#   deploy/local/services.sh up|down|status
# `up` first makes this machine's own secrets (the channel key and the ops API's admin
# token) once, in deploy/local/.state/secrets.env (git-ignored), and hands them to the
# services only: not in ./.env, which every gigalert process run here reads, the tests too.
# A value set in the environment or in ./.env wins over the generated one. The services run
# with GIGALERT_ENV=development (links in mail are http://127.0.0.1 here, which production
# refuses), unless the environment or ./.env says otherwise.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
STATE="${GIGALERT_STATE_DIR:-$HERE/.state}/services"
SECRETS="${GIGALERT_STATE_DIR:-$HERE/.state}/secrets.env"
mkdir -p "$STATE"

# name -> command; a service joins this list when it exists.
declare -A COMMANDS=()
declare -A PORTS=([ingest]="${GIGALERT_HTTP_INGEST_PORT:-8001}" [matcher]="${GIGALERT_HTTP_MATCHER_PORT:-8002}" [notifier]="${GIGALERT_HTTP_NOTIFIER_PORT:-8003}" [web]="${GIGALERT_WEB_PORT:-8000}")
COMMANDS[ingest]="gigalert ingest serve"
COMMANDS[matcher]="gigalert matcher serve"
COMMANDS[notifier]="gigalert notifier serve"
COMMANDS[web]="gigalert web serve"

running() { [[ -f "$STATE/$1.pid" ]] && kill -0 "$(cat "$STATE/$1.pid")" 2>/dev/null; }

wait_ready() {  # wait_ready NAME PORT
  local name="$1" port="$2"
  for _ in $(seq 1 120); do
    if "$ROOT/.venv/bin/python" -c "import urllib.request,sys; urllib.request.urlopen('http://127.0.0.1:$port/readyz', timeout=2)" 2>/dev/null; then
      echo "[services] $name ready on 127.0.0.1:$port" >&2; return 0
    fi
    running "$name" || { echo "[services] $name exited; see $STATE/$name.log" >&2; tail -20 "$STATE/$name.log" >&2; return 1; }
    sleep 0.5
  done
  echo "[services] $name not ready after 60 s; see $STATE/$name.log" >&2; return 1
}

local_secrets() {  # make secrets.env once (never rewritten), export what nothing else sets
  if [[ ! -s "$SECRETS" ]]; then
    (umask 077 && "$ROOT/.venv/bin/python" -c 'import secrets
for name in ("GIGALERT_CHANNEL_SECRET_KEY", "GIGALERT_HTTP_ADMIN_TOKEN"):
    print(f"{name}={secrets.token_urlsafe(32)}")' >"$SECRETS.part") && mv "$SECRETS.part" "$SECRETS"
    echo "[services] generated this machine's secrets in $SECRETS" >&2
  fi
  local key value
  while IFS='=' read -r key value; do
    [[ "$key" =~ ^GIGALERT_[A-Z0-9_]+$ ]] || continue
    [[ -n "${!key+set}" ]] && continue
    grep -q "^[[:space:]]*$key=" "$ROOT/.env" 2>/dev/null && continue
    export "$key=$value"
  done <"$SECRETS"
  if [[ -z "${GIGALERT_ENV+set}" ]] && ! grep -q "^[[:space:]]*GIGALERT_ENV=" "$ROOT/.env" 2>/dev/null; then
    export GIGALERT_ENV=development
  fi
}

up() {
  local_secrets
  for name in "${!COMMANDS[@]}"; do
    if running "$name"; then echo "[services] $name already running" >&2; continue; fi
    # shellcheck disable=SC2086
    (cd "$ROOT" && exec "$ROOT/.venv/bin/"${COMMANDS[$name]} >> "$STATE/$name.log" 2>&1 < /dev/null) &
    echo $! > "$STATE/$name.pid"
    echo "[services] $name started (log $STATE/$name.log)" >&2
  done
  local failed=0
  for name in "${!COMMANDS[@]}"; do wait_ready "$name" "${PORTS[$name]}" || failed=1; done
  return "$failed"
}

down() {
  for pidfile in "$STATE"/*.pid; do
    [[ -f "$pidfile" ]] || continue
    local pid; pid="$(cat "$pidfile")"
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 1 40); do kill -0 "$pid" 2>/dev/null || break; sleep 0.25; done
    kill -KILL "$pid" 2>/dev/null || true
    rm -f "$pidfile"
    echo "[services] $(basename "$pidfile" .pid) stopped" >&2
  done
}

status() {
  if (( ${#COMMANDS[@]} == 0 )); then echo "services: none built yet"; return; fi
  for name in "${!COMMANDS[@]}"; do
    if running "$name"; then echo "$name: running (pid $(cat "$STATE/$name.pid"))"; else echo "$name: stopped"; fi
  done
}

case "${1:-}" in
  up) up ;; down) down ;; status) status ;;
  *) echo "usage: $0 up|down|status" >&2; exit 2 ;;
esac
