#!/usr/bin/env bash
# The project's test command (what CI runs). It installs whatever is missing,
# builds Vigile and runs every test, unit and integration, in two passes:
#   1. build/       RelWithDebInfo
#   2. build-asan/  AddressSanitizer + UBSan (-DVIGILE_SANITIZE=ON)
# Each pass gets a fresh throw-away Kafka broker and Redis server, so one
# pass's topics, offsets and keys cannot leak into the other; the integration
# tests find them through VIGILE_KAFKA_BROKERS and VIGILE_REDIS_URL.
#
# Usage: scripts/test.sh [--quick]
#   --quick   skip the sanitizer pass
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
# shellcheck source=scripts/servers.sh
source scripts/servers.sh

usage() {
  printf 'usage: scripts/test.sh [--quick]\n  --quick   skip the sanitizer pass\n'
}

quick=0
for arg in "$@"; do
  case "$arg" in
    --quick) quick=1 ;;
    -h | --help) usage; exit 0 ;;
    *) usage >&2; exit 2 ;;
  esac
done

vigile_deps_install
vigile_kafka_fetch

# Servers must not outlive the script, whatever way it ends (a second Ctrl-C
# while they stop is ignored, or it would leave them running).
trap 'trap "" INT TERM; vigile_servers_stop' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

total_passed=0
total_failed=0
summary=()

# A build dir configured by another generator (e.g. a developer's
# `cmake -B build` with Makefiles) makes cmake refuse to reconfigure: start it
# over instead of failing.
reset_foreign_build_dir() {
  local dir=$1
  if [[ -f "$dir/CMakeCache.txt" ]] && ! grep -q '^CMAKE_GENERATOR:INTERNAL=Ninja$' "$dir/CMakeCache.txt"; then
    vigile_log "$dir was configured with another generator: reconfiguring it with Ninja"
    rm -rf "$dir/CMakeCache.txt" "$dir/CMakeFiles"
  fi
}

# run_pass NAME BUILD_DIR [CMAKE_ARGS...]: configure, build, start servers,
# ctest, stop servers; adds the pass's counts to the totals. Never exits the
# script, so a failing first pass still lets the second one report.
run_pass() {
  local name=$1 dir=$2 start=$SECONDS
  shift 2
  vigile_log "=== $name: building in $dir"
  reset_foreign_build_dir "$dir"
  if ! cmake -S . -B "$dir" -G Ninja "$@" || ! cmake --build "$dir" -j2; then
    summary+=("$name: build FAILED")
    total_failed=$((total_failed + 1))
    return 0
  fi
  if ! vigile_servers_start; then
    summary+=("$name: could not start Kafka and Redis")
    total_failed=$((total_failed + 1))
    return 0
  fi

  vigile_log "=== $name: running tests"
  # Tests labelled soak fill the shared topics with tens of thousands of records, which
  # every reader from the beginning (the console's read model, the monitoring check) would
  # then wade through: they run after the rest, in a ctest run of their own.
  local rc=0
  ctest --test-dir "$dir" --output-on-failure --no-tests=error -j2 --timeout 300 -LE soak \
    2>&1 | tee "$dir/ctest.log" || rc=$?
  ctest --test-dir "$dir" --output-on-failure --no-tests=ignore -j2 -L soak \
    2>&1 | tee -a "$dir/ctest.log" || rc=$?
  if ((rc != 0)); then
    # Broker warnings often explain a failing integration test.
    vigile_log_tail "$VIGILE_SERVERS_DIR/kafka/server.log" 20
  fi
  vigile_servers_stop

  # ctest's closing line: "93% tests passed, 1 tests failed out of 14".
  local counts failed total
  # Both runs' closing lines, summed (the soak run has none in a pass without soak tests).
  counts=$(sed -n 's/.*tests passed, \([0-9]*\) tests\{0,1\} failed out of \([0-9]*\).*/\1 \2/p' \
    "$dir/ctest.log" | awk 'NF == 2 { f += $1; t += $2; n++ } END { if (n) print f, t }')
  if [[ -z "$counts" ]]; then
    summary+=("$name: ctest FAILED (exit $rc) before reporting results")
    total_failed=$((total_failed + 1))
    return 0
  fi
  read -r failed total <<<"$counts"
  total_passed=$((total_passed + total - failed))
  total_failed=$((total_failed + failed))
  if ((rc != 0 && failed == 0)); then
    # ctest failed without a failing test (e.g. none found): still a failure.
    total_failed=$((total_failed + 1))
  fi
  summary+=("$name: $((total - failed)) passed, $failed failed, exit $rc, $((SECONDS - start))s")
}

run_pass release build -DCMAKE_BUILD_TYPE=RelWithDebInfo
if ((quick == 0)); then
  ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
    UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    run_pass sanitizers build-asan -DCMAKE_BUILD_TYPE=RelWithDebInfo -DVIGILE_SANITIZE=ON
fi

printf '\n'
for line in "${summary[@]}"; do
  printf '  %s\n' "$line"
done
# Last line, in the plain form CI reads: one word, a colon, the counts.
printf 'vigile: %d passed, %d failed\n' "$total_passed" "$total_failed"
((total_failed == 0))
