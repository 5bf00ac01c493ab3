# shellcheck shell=bash
# Sourceable library: the system packages Vigile needs, and a throw-away
# single-node Kafka broker plus Redis server on free loopback ports, for
# scripts/test.sh and scripts/run.sh (and for a developer's shell).
#
#   source scripts/servers.sh
#   vigile_deps_install      # apt-get what is missing (Debian/Ubuntu)
#   vigile_kafka_fetch       # broker jars from Maven Central, cached once
#   vigile_servers_start     # exports VIGILE_KAFKA_BROKERS, VIGILE_REDIS_URL
#   ...
#   vigile_servers_stop      # kills both, removes their data; idempotent
#
# Every function returns non-zero on failure with a message on stderr, and
# works under `set -euo pipefail`.

VIGILE_KAFKA_VERSION=4.1.1
VIGILE_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

# Debian packages to build, test and run Vigile (clang-format for the style check;
# clang and its runtimes only for the libFuzzer run of ingest's parsers; scikit-learn only for the check that the trainer
# rebuilds the shipped model). java and mvn are looked for
# as commands first: a JDK or Maven installed another way is good enough.
VIGILE_DEB_PACKAGES=(
  build-essential cmake pkg-config ninja-build
  librdkafka-dev libhiredis-dev libjansson-dev libpcre2-dev libcriterion-dev
  libmicrohttpd-dev libssl-dev libutf8proc-dev libsqlite3-dev libsodium-dev libcurl4-openssl-dev
  chromium chromium-driver python3-selenium
  redis-server python3 python3-jsonschema python3-yaml python3-sklearn kcat
  clang libclang-rt-14-dev clang-format
  prometheus
)

vigile_log() {
  printf '[vigile] %s\n' "$*" >&2
}

# True when the Debian package is installed (not merely known or removed).
vigile_pkg_installed() {
  [[ "$(dpkg-query -W -f='${db:Status-Status}' "$1" 2>/dev/null)" == installed ]]
}

# Kafka 4 needs Java 17 or later.
vigile_java_ok() {
  command -v java >/dev/null 2>&1 || return 1
  local version
  version=$(java -version 2>&1 | sed -n 's/.* version "\([0-9]*\).*/\1/p' | head -n 1)
  [[ -n "$version" ]] && ((version >= 17))
}

vigile_deps_install() {
  if ! command -v dpkg-query >/dev/null 2>&1; then
    vigile_log "not a Debian system: make sure these (or equivalents) are installed:" \
      "${VIGILE_DEB_PACKAGES[*]} java>=17 maven"
    return 0
  fi
  local missing=() pkg
  for pkg in "${VIGILE_DEB_PACKAGES[@]}"; do
    vigile_pkg_installed "$pkg" || missing+=("$pkg")
  done
  vigile_java_ok || missing+=(default-jre-headless)
  command -v mvn >/dev/null 2>&1 || missing+=(maven)
  ((${#missing[@]} == 0)) && return 0

  if ((EUID != 0)); then
    vigile_log "missing packages: ${missing[*]}"
    vigile_log "install them with: sudo apt-get update && sudo apt-get install -y ${missing[*]}"
    return 1
  fi
  vigile_log "installing: ${missing[*]}"
  # Quiet and non-interactive: CI has no stdin and a long apt log hides the
  # test results.
  DEBIAN_FRONTEND=noninteractive apt-get update -qq || return 1
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
    "${missing[@]}" >/dev/null || return 1
  vigile_java_ok || { vigile_log "java 17 or later is needed by Kafka"; return 1; }
}

# Fetches the broker's jars into the cache once and sets VIGILE_KAFKA_LIBS.
# A .complete marker is written only after a full copy, so an interrupted
# fetch is redone instead of leaving a broker with missing classes.
vigile_kafka_fetch() {
  local dir="${VIGILE_CACHE:-$HOME/.cache/vigile}/kafka-$VIGILE_KAFKA_VERSION"
  VIGILE_KAFKA_LIBS="$dir/libs"
  if [[ -f "$dir/.complete" && -f "$VIGILE_KAFKA_LIBS/kafka_2.13-$VIGILE_KAFKA_VERSION.jar" ]]; then
    return 0
  fi
  vigile_log "fetching Kafka $VIGILE_KAFKA_VERSION jars into $dir"
  mkdir -p "$dir" || return 1
  rm -rf "$VIGILE_KAFKA_LIBS" "$dir/libs.partial" "$dir/.complete"
  # Maven's output matters only when it fails.
  if ! mvn -q -B -f "$VIGILE_ROOT/scripts/kafka/pom.xml" \
    dependency:copy-dependencies -DincludeScope=runtime \
    -DoutputDirectory="$dir/libs.partial" >"$dir/mvn.log" 2>&1; then
    vigile_log "maven could not fetch the Kafka jars"
    vigile_log_tail "$dir/mvn.log"
    return 1
  fi
  mv "$dir/libs.partial" "$VIGILE_KAFKA_LIBS" && touch "$dir/.complete"
}

# Prints N free TCP ports on 127.0.0.1, one per line. All sockets are held
# open until all are bound so the N ports are distinct.
vigile_free_ports() {
  python3 - "$1" <<'EOF'
import socket, sys
socks = []
for _ in range(int(sys.argv[1])):
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    socks.append(s)
for s in socks:
    print(s.getsockname()[1])
EOF
}

# Prints the last lines of a log file, indented, for error messages.
vigile_log_tail() {
  vigile_log "last lines of $1:"
  tail -n "${2:-40}" "$1" 2>/dev/null | sed 's/^/    /' >&2 || true
}

# The JVM command line for Kafka's tools and broker, as an array rather than a
# function so that `"${cmd[@]}" &` makes the JVM itself the background child
# (its pid is $!), not a subshell that would survive being killed.
# $1 is the broker's directory, where its server.log goes.
vigile_java_cmd() {
  VIGILE_JAVA_CMD=(
    java -Xms128m -Xmx512m -XX:+UseSerialGC -Djava.awt.headless=true
    -Dlog4j2.configurationFile="$VIGILE_ROOT/scripts/kafka/log4j2.yaml"
    -Dvigile.kafka.log="$1/server.log"
    -cp "$VIGILE_KAFKA_LIBS/*"
  )
}

# Prints a KRaft cluster id: 16 random bytes, base64url. One id in 64 starts
# with '-', which the storage tool's argument parser takes for an option: draw
# again, as Kafka's own Uuid.randomUuid() does (it also skips the two reserved
# ids, all-zero and 0...01, which 16 random bytes never realistically hit).
vigile_kafka_cluster_id() {
  python3 -c '
import base64, os
while True:
    raw = os.urandom(16)
    cid = base64.urlsafe_b64encode(raw).decode().rstrip("=")
    if not cid.startswith("-") and int.from_bytes(raw, "big") > 1:
        print(cid)
        break
'
}

# Starts a single-node KRaft broker whose config, data and logs live in dir $1,
# listening on 127.0.0.1:$2 with its controller on $3; sets VIGILE_KAFKA_PID.
# A new dir is formatted first (a KRaft log dir needs a cluster id before its
# first start); a dir used before keeps its data, so a broker stopped with
# vigile_stop_pid can be started again on it (the outage tests do). It runs in a
# session of its own (setsid execs in place, so $! is the JVM) so that a Ctrl-C
# in the terminal reaches only the script. Does not wait for it to be ready.
vigile_kafka_start() {
  local dir=$1 port=$2 controller_port=$3
  [[ -n "${VIGILE_KAFKA_LIBS:-}" ]] || vigile_kafka_fetch || return 1
  mkdir -p "$dir/data" || return 1
  sed -e "s|@PORT@|$port|g" -e "s|@CONTROLLER_PORT@|$controller_port|g" \
    -e "s|@LOG_DIR@|$dir/data|g" \
    "$VIGILE_ROOT/scripts/kafka/server.properties.in" >"$dir/server.properties" || return 1
  vigile_java_cmd "$dir"
  if [[ ! -f "$dir/data/meta.properties" ]] &&
    ! "${VIGILE_JAVA_CMD[@]}" kafka.tools.StorageTool format -t "$(vigile_kafka_cluster_id)" \
      -c "$dir/server.properties" >"$dir/format.log" 2>&1; then
    vigile_log "formatting the Kafka log dir failed"
    vigile_log_tail "$dir/format.log"
    return 1
  fi
  setsid "${VIGILE_JAVA_CMD[@]}" kafka.Kafka "$dir/server.properties" >"$dir/stdout.log" 2>&1 &
  VIGILE_KAFKA_PID=$!
}

# During start-up: fails, showing the server's logs (paths relative to
# VIGILE_SERVERS_DIR) and stopping everything, if process $2 has exited.
vigile_server_alive() {
  local name=$1 pid=$2 log
  kill -0 "$pid" 2>/dev/null && return 0
  vigile_log "$name exited during start-up"
  for log in "${@:3}"; do
    vigile_log_tail "$VIGILE_SERVERS_DIR/$log"
  done
  vigile_servers_stop
  return 1
}

# Starts Redis and Kafka, waits until both answer and exports
# VIGILE_KAFKA_BROKERS and VIGILE_REDIS_URL. Servers and their data live in
# VIGILE_SERVERS_DIR (a new temp dir). On failure everything started is
# stopped again.
vigile_servers_start() {
  local timeout="${VIGILE_SERVERS_TIMEOUT:-60}"
  if [[ -n "${VIGILE_SERVERS_DIR:-}" ]]; then
    vigile_log "servers already started (VIGILE_SERVERS_DIR=$VIGILE_SERVERS_DIR)"
    return 1
  fi
  [[ -n "${VIGILE_KAFKA_LIBS:-}" ]] || vigile_kafka_fetch || return 1

  local ports redis_port kafka_port controller_port
  ports=$(vigile_free_ports 3) || return 1
  { read -r redis_port; read -r kafka_port; read -r controller_port; } <<<"$ports"

  VIGILE_SERVERS_DIR=$(mktemp -d "${TMPDIR:-/tmp}/vigile-servers.XXXXXX") || return 1
  mkdir -p "$VIGILE_SERVERS_DIR/redis" || return 1

  # Both servers run in sessions of their own (setsid, which execs in place
  # so $! is the server) so a Ctrl-C in the terminal reaches only the script:
  # it stops them last, after any worker that still needs them.
  # Redis: no persistence, the data is thrown away with the temp dir.
  setsid redis-server --bind 127.0.0.1 --port "$redis_port" --save '' --appendonly no \
    --daemonize no --dir "$VIGILE_SERVERS_DIR/redis" \
    >"$VIGILE_SERVERS_DIR/redis/redis.log" 2>&1 &
  VIGILE_REDIS_PID=$!

  if ! vigile_kafka_start "$VIGILE_SERVERS_DIR/kafka" "$kafka_port" "$controller_port"; then
    vigile_servers_stop
    return 1
  fi

  export VIGILE_KAFKA_BROKERS="127.0.0.1:$kafka_port"
  export VIGILE_REDIS_URL="redis://127.0.0.1:$redis_port"
  export VIGILE_SERVERS_DIR VIGILE_REDIS_PID VIGILE_KAFKA_PID

  # Poll both until they answer; stop early if either has died.
  local deadline=$((SECONDS + timeout)) redis_up=0 kafka_up=0
  while true; do
    if ((!redis_up)); then
      vigile_server_alive redis "$VIGILE_REDIS_PID" redis/redis.log || return 1
      if [[ "$(redis-cli -p "$redis_port" ping 2>/dev/null)" == PONG ]]; then
        redis_up=1
      fi
    fi
    if ((!kafka_up)); then
      vigile_server_alive kafka "$VIGILE_KAFKA_PID" kafka/server.log kafka/stdout.log || return 1
      # The PLAINTEXT listener serves requests only once the broker has
      # finished starting, so a metadata answer listing it means ready.
      if kcat -L -b "$VIGILE_KAFKA_BROKERS" -m 2 2>/dev/null | grep -q ' 1 brokers:'; then
        kafka_up=1
      fi
    fi
    if ((redis_up && kafka_up)); then
      break
    fi
    if ((SECONDS >= deadline)); then
      vigile_log "servers not ready after ${timeout}s (redis up: $redis_up, kafka up: $kafka_up)"
      ((redis_up)) || vigile_log_tail "$VIGILE_SERVERS_DIR/redis/redis.log"
      ((kafka_up)) || vigile_log_tail "$VIGILE_SERVERS_DIR/kafka/server.log"
      vigile_servers_stop
      return 1
    fi
    sleep 0.5
  done
  vigile_log "kafka at $VIGILE_KAFKA_BROKERS, redis at $VIGILE_REDIS_URL (data in $VIGILE_SERVERS_DIR)"
}

# Sends SIGTERM, waits up to $2 seconds, then SIGKILL; reaps the process if it
# is a child of this shell.
vigile_stop_pid() {
  local pid=$1 grace=$2 deadline
  kill -TERM "$pid" 2>/dev/null || return 0
  deadline=$((SECONDS + grace))
  while kill -0 "$pid" 2>/dev/null && ((SECONDS < deadline)); do
    sleep 0.2
  done
  kill -KILL "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}

# Stops Kafka and Redis and removes their temp dir. Safe to call twice, or
# when start failed half-way.
vigile_servers_stop() {
  # Kafka first: a clean broker shutdown takes a few seconds; it does not
  # need Redis, and nothing here needs its data afterwards.
  if [[ -n "${VIGILE_KAFKA_PID:-}" ]]; then
    vigile_stop_pid "$VIGILE_KAFKA_PID" 20
  fi
  if [[ -n "${VIGILE_REDIS_PID:-}" ]]; then
    vigile_stop_pid "$VIGILE_REDIS_PID" 10
  fi
  if [[ -n "${VIGILE_SERVERS_DIR:-}" ]]; then
    rm -rf "$VIGILE_SERVERS_DIR"
  fi
  unset VIGILE_KAFKA_PID VIGILE_REDIS_PID VIGILE_SERVERS_DIR \
    VIGILE_KAFKA_BROKERS VIGILE_REDIS_URL
}
