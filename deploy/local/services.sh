#!/usr/bin/env bash
# Runs gigalert's services as local processes with pid and log files.
#   deploy/local/services.sh up|down|status
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
STATE="${GIGALERT_STATE_DIR:-$HERE/.state}/services"
mkdir -p "$STATE"

# name -> command; a service joins this list when it exists.
declare -A COMMANDS=()
[[ -d "$ROOT/services/ingest/src/gigalert_ingest/api" ]] && COMMANDS[ingest]="gigalert ingest serve"
[[ -d "$ROOT/services/matcher/src/gigalert_matcher/api" ]] && COMMANDS[matcher]="gigalert matcher serve"
[[ -d "$ROOT/services/notifier/src/gigalert_notifier/api" ]] && COMMANDS[notifier]="gigalert notifier serve"

running() { [[ -f "$STATE/$1.pid" ]] && kill -0 "$(cat "$STATE/$1.pid")" 2>/dev/null; }

up() {
  for name in "${!COMMANDS[@]}"; do
    if running "$name"; then echo "[services] $name already running" >&2; continue; fi
    # shellcheck disable=SC2086
    (cd "$ROOT" && nohup "$ROOT/.venv/bin/"${COMMANDS[$name]} >> "$STATE/$name.log" 2>&1 & echo $! > "$STATE/$name.pid")
    echo "[services] $name started (log $STATE/$name.log)" >&2
  done
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
