#!/usr/bin/env bash
# The project's run command: installs whatever is missing, builds Vigile,
# starts a throw-away Kafka broker and Redis, the workers vigile-classify,
# vigile-route, vigile-sla and the moderators' console (its address and a demo
# account are printed), feeds a JSONL stream through vigile-ingest and
# prints the decisions as they come out, until Ctrl-C (or SIGTERM), which
# stops the workers cleanly first and the servers last.
#
# Usage: scripts/run.sh [FILE]
#   FILE   JSONL stream to feed (default: config/samples/stream.jsonl)
# Worker logs (JSON lines) go to run/<date-time>/<worker>.log.
set -euo pipefail

if [[ "${1:-}" == -h || "${1:-}" == --help ]]; then
  printf 'usage: scripts/run.sh [FILE]\n  FILE   JSONL stream to feed (default: config/samples/stream.jsonl)\n'
  exit 0
fi
# FILE is named relative to the caller's directory: resolve it before moving
# to the repository root.
feed=$(realpath -- "${1:-$(dirname "${BASH_SOURCE[0]}")/../config/samples/stream.jsonl}")
cd "$(dirname "${BASH_SOURCE[0]}")/.."
# shellcheck source=scripts/servers.sh
source scripts/servers.sh
if [[ ! -f "$feed" ]]; then
  vigile_log "no such file: $feed"
  exit 2
fi

WORKERS=(classify route sla act console)
# Seconds a worker gets to finish its batch and commit after SIGTERM, the
# same grace as in docker-compose.yml.
STOP_GRACE=30

# Prints a decision per line (tenant, action, categories, enforcement step)
# with its statement of reasons and redacted text below (fields as in
# docs/schemas/decision.schema.json); a line that is not a JSON object is
# printed as it came.
read -r -d '' PRETTY <<'EOF' || true
import json, signal, sys

# Ctrl-C is for the script, which stops kcat; we end when the pipe closes.
signal.signal(signal.SIGINT, signal.SIG_IGN)

def name(value):
    if isinstance(value, dict):
        for key in ("category", "id", "name", "step"):
            if key in value:
                return str(value[key])
        return json.dumps(value, ensure_ascii=False)
    return str(value)

for line in sys.stdin:
    line = line.rstrip("\n")
    try:
        d = json.loads(line)
    except ValueError:
        d = None
    if not isinstance(d, dict):
        print(line, flush=True)
        continue
    categories = d.get("categories") or []
    if not isinstance(categories, list):
        categories = [categories]
    head = "%-12s %-9s %s" % (
        name(d.get("tenant", "?")),
        name(d.get("action", "-")),
        ", ".join(name(c) for c in categories) or "-",
    )
    enforcement = d.get("enforcement")
    if isinstance(enforcement, dict) and enforcement.get("step") not in (None, "none"):
        head += "  [%s, strike %s]" % (enforcement["step"], enforcement.get("strikes", "?"))
    if d.get("needs_review"):
        head += "  (needs review)"
    print(head)
    if d.get("statement_of_reasons"):
        print("    " + name(d["statement_of_reasons"]))
    if d.get("redacted_text"):
        print("    > " + name(d["redacted_text"])[:160])
    sys.stdout.flush()
EOF

# Prints the path of program vigile-NAME, which the CMake layout puts in
# build/services/NAME/ or build/services/; exits with a message when missing.
worker_bin() {
  local bin
  for bin in "build/services/$1/vigile-$1" "build/services/vigile-$1"; do
    if [[ -x "$bin" ]]; then
      printf '%s\n' "$bin"
      return 0
    fi
  done
  vigile_log "vigile-$1 was not built (looked in build/services/)"
  exit 1
}

# True when http://127.0.0.1:PORT/healthz answers 200.
healthy() {
  python3 - "$1" <<'EOF' 2>/dev/null
import sys, urllib.request
with urllib.request.urlopen("http://127.0.0.1:%s/healthz" % sys.argv[1], timeout=1) as r:
    sys.exit(0 if r.status == 200 else 1)
EOF
}

# pid -> name of every process this script started besides the servers, and
# worker name -> its HTTP port.
declare -A NAMES=() PORTS=()

# Starts NAME with a free HTTP port and its log in the run dir; extra
# arguments go to the program. In a session of its own (see servers.sh) so
# Ctrl-C reaches only this script, which then stops things in order.
start_worker() {
  local name=$1 port=$2 bin
  bin=$(worker_bin "$name")
  shift 2
  VIGILE_HTTP_PORT=$port setsid "$bin" "$@" >"$RUN_DIR/$name.log" 2>&1 &
  NAMES[$!]=$name
  PORTS[$name]=$port
}

# Waits until every long-running worker answers /healthz, failing with its
# log tail if one exits or does not get healthy in time.
wait_workers_healthy() {
  local deadline=$((SECONDS + ${VIGILE_SERVERS_TIMEOUT:-60})) pid pending
  while true; do
    pending=0
    for pid in "${!NAMES[@]}"; do
      if ! kill -0 "$pid" 2>/dev/null; then
        vigile_log "vigile-${NAMES[$pid]} exited during start-up"
        vigile_log_tail "$RUN_DIR/${NAMES[$pid]}.log"
        exit 1
      fi
      healthy "${PORTS[${NAMES[$pid]}]}" || pending=1
    done
    ((pending)) || return 0
    if ((SECONDS >= deadline)); then
      vigile_log "workers not healthy after ${VIGILE_SERVERS_TIMEOUT:-60}s; logs in $RUN_DIR"
      exit 1
    fi
    sleep 0.5
  done
}

# Waits until the workers have created TOPIC (they do at start-up; the broker
# does not auto-create topics).
wait_topic() {
  local deadline=$((SECONDS + 30))
  until kcat -L -b "$VIGILE_KAFKA_BROKERS" -t "$1" -m 2 2>/dev/null | grep -q 'with [1-9][0-9]* partitions'; do
    if ((SECONDS >= deadline)); then
      vigile_log "topic $1 was not created by the workers; logs in $RUN_DIR"
      exit 1
    fi
    sleep 0.5
  done
}

# stop_processes PID...: SIGTERM to each, then up to STOP_GRACE seconds for
# all to finish their batch and commit, then SIGKILL; reports exit statuses.
stop_processes() {
  local pid rc deadline=$((SECONDS + STOP_GRACE))
  for pid in "$@"; do
    kill -TERM "$pid" 2>/dev/null || true
  done
  for pid in "$@"; do
    while kill -0 "$pid" 2>/dev/null && ((SECONDS < deadline)); do
      sleep 0.2
    done
    if kill -0 "$pid" 2>/dev/null; then
      vigile_log "${NAMES[$pid]} did not stop within ${STOP_GRACE}s: killing it"
      kill -KILL "$pid" 2>/dev/null || true
    fi
    rc=0
    wait "$pid" 2>/dev/null || rc=$?
    vigile_log "${NAMES[$pid]} exited with status $rc"
    unset "NAMES[$pid]"
  done
}

# Workers first, while Kafka and Redis are still there for their last commit;
# kcat after them so their last decisions are printed; servers last. A second
# Ctrl-C is ignored: stopping is bounded, and being interrupted would leave
# the servers running.
cleanup() {
  trap '' INT TERM
  local pid workers=() kcat_pid=()
  vigile_log "stopping (up to ${STOP_GRACE}s for the workers)"
  for pid in "${!NAMES[@]}"; do
    if [[ "${NAMES[$pid]}" == kcat ]]; then
      kcat_pid=("$pid")
    else
      workers+=("$pid")
    fi
  done
  stop_processes "${workers[@]}"
  sleep 1
  stop_processes "${kcat_pid[@]}"
  vigile_servers_stop
  vigile_log "logs are in $RUN_DIR"
}

vigile_deps_install
vigile_kafka_fetch
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo
cmake --build build -j2
for name in ingest "${WORKERS[@]}"; do
  worker_bin "$name" >/dev/null
done

RUN_DIR="$PWD/run/$(date +%Y%m%d-%H%M%S)"
mkdir -p "$RUN_DIR"
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

vigile_servers_start
export VIGILE_CONFIG_DIR="$PWD/config" VIGILE_DATA_DIR="$PWD/data"
# Pseudonyms need a key; a fixed one is fine for a local demo, never for
# production (there it comes from .env, see deploy/vigile.env.example).
export VIGILE_PSEUDONYM_KEY="${VIGILE_PSEUDONYM_KEY:-vigile-local-demo-key}"

ports_list=$(vigile_free_ports $((${#WORKERS[@]} + 2)))
mapfile -t ports <<<"$ports_list"
# The moderators' console: its read model and accounts live in the run dir, with a demo
# account that administers every tenant (a fresh random password each run).
export VIGILE_CONSOLE_DIR="$RUN_DIR/console" VIGILE_CONSOLE_PORT="${ports[-2]}"
mkdir -p "$VIGILE_CONSOLE_DIR"
demo_password=$(od -An -N9 -tx1 /dev/urandom | tr -d ' \n')
printf '%s\n' "$demo_password" |
  "$(worker_bin console)" user add demo --role admin >/dev/null
for i in "${!WORKERS[@]}"; do
  start_worker "${WORKERS[$i]}" "${ports[$i]}"
done
vigile_log "workers started, logs in $RUN_DIR"
# No tenant is live in the shipped config: vigile-act logs each request it would
# send ("shadow: ...") instead of sending it.
vigile_log "vigile-act is in shadow mode: the requests it would send are in $RUN_DIR/act.log"
wait_workers_healthy
wait_topic vigile.inbound
wait_topic vigile.decisions

vigile_log "console: http://localhost:$VIGILE_CONSOLE_PORT/  user demo  password $demo_password"
vigile_log "feeding $feed"
start_worker ingest "${ports[-1]}" --replay "$feed"
# Decisions as they are committed (read_committed: no aborted batch shows),
# unbuffered (-u) so each shows at once.
setsid kcat -C -u -b "$VIGILE_KAFKA_BROKERS" -t vigile.decisions -o beginning -q \
  -X isolation.level=read_committed -f '%s\n' > >(python3 -u -c "$PRETTY") &
NAMES[$!]=kcat

# Until Ctrl-C: report the replay's end, stop if any other process ends.
while true; do
  rc=0
  wait -n -p done_pid "${!NAMES[@]}" || rc=$?
  name=${NAMES[$done_pid]}
  unset "NAMES[$done_pid]"
  if [[ "$name" == ingest && $rc == 0 ]]; then
    vigile_log "replay of $feed done; following decisions, Ctrl-C to stop"
    continue
  fi
  vigile_log "$name exited with status $rc: stopping"
  [[ "$name" == kcat ]] || vigile_log_tail "$RUN_DIR/$name.log"
  exit 1
done
