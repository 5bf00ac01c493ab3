#!/usr/bin/env bash
# Builds the libFuzzer targets of tests/fuzz with clang in BUILD_DIR and runs each for
# SECONDS seconds (all at once): the ingest parsers seeded with the platform fixtures, the
# stages, text engine, tenant loader and SLA calendar with their own seeds (below).
#   tests/fuzz/run.sh [BUILD_DIR] [SECONDS]
# Exit: 0 no crash, 1 a crash or a build failure (the reproducer is in BUILD_DIR/crashes),
# 77 skipped because clang or its runtimes are not installed (Debian: clang, libclang-rt-dev).
set -euo pipefail

src=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
build=${1:-$src/build-fuzz}
seconds=${2:-20}
parsers=(meta whatsapp telegram youtube envelope line)
# Beside the parsers: each stage's input, the text engine, the tenant loader, the SLA
# calendar (#15). Their seeds are chosen below.
others=(stage_classify stage_route stage_route_operator stage_sla stage_sla_operator text config
        sla_due)

clang=$(command -v clang || true)
if [[ -z "$clang" ]]; then
  echo "fuzz: SKIPPED: clang is not installed (apt-get install clang), libFuzzer needs it" >&2
  exit 77
fi

# Debian ships libFuzzer and the sanitizer runtimes apart from clang (libclang-rt-dev).
probe=$(mktemp -d)
trap 'rm -rf "$probe"' EXIT
printf 'int LLVMFuzzerTestOneInput(const char *d, long n) { return (void)d, (int)(n * 0); }\n' \
  >"$probe/probe.c"
if ! "$clang" -fsanitize=fuzzer,address "$probe/probe.c" -o "$probe/probe" 2>/dev/null; then
  echo "fuzz: SKIPPED: clang cannot link -fsanitize=fuzzer,address" \
    "(apt-get install libclang-rt-dev)" >&2
  exit 77
fi

# Sanitizers and fuzzer instrumentation on every object, so a bug deep in envelope or
# tenant code is caught too; RelWithDebInfo keeps it fast enough to explore.
flags="-fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=undefined -g"
if ! cmake -S "$src" -B "$build" -G Ninja -DCMAKE_C_COMPILER="$clang" \
     -DCMAKE_BUILD_TYPE=RelWithDebInfo -DVIGILE_FUZZ=ON -DCMAKE_C_FLAGS="$flags" \
     -DCMAKE_EXE_LINKER_FLAGS="-fsanitize=address,undefined" >"$build.configure.log" 2>&1; then
  echo "fuzz: configure failed, see $build.configure.log" >&2
  exit 1
fi
targets=("${parsers[@]/#/fuzz_}" "${others[@]/#/fuzz_}")
if ! cmake --build "$build" --target "${targets[@]}" >"$build.build.log" 2>&1; then
  echo "fuzz: build failed, see $build.build.log" >&2
  tail -n 20 "$build.build.log" >&2
  exit 1
fi

# Seeds: every fixture, and for replay lines the same ones (the line parser detects them).
corpus="$build/corpus"
mkdir -p "$corpus" "$build/crashes"
rm -f "$corpus"/*
cp "$src"/tests/fixtures/webhooks/*.json "$corpus"/
cp "$src"/tests/fixtures/envelope-ok.json "$corpus"/ 2>/dev/null || true

# Seeds of the other targets: the bad-input corpus and the envelopes for the stages,
# comments for the text engine, the shipped tenants for the loader; the calendar needs
# none (its input is an instant and a tenant).
seeds="$build/seeds"
mkdir -p "$seeds/stage" "$seeds/text" "$seeds/config" "$seeds/none"
rm -f "$seeds"/*/*
cp "$src"/tests/badinput/inputs/*.in "$corpus"/*.json "$seeds/stage/"
head -n 200 "$src/tests/corpus/comments.jsonl" | split -l 1 - "$seeds/text/c-"
cp "$src"/config/tenants/*.json "$seeds/config/"
seed_of() {
  case $1 in
    stage_*) echo "$seeds/stage" ;;
    text) echo "$seeds/text" ;;
    config) echo "$seeds/config" ;;
    sla_due) echo "$seeds/none" ;;
    *) echo "$corpus" ;;
  esac
}

# All at once; on a machine with fewer cores they share them, and each still gets its
# SECONDS of wall time.
all=("${parsers[@]}" "${others[@]}")
pids=()
for p in "${all[@]}"; do
  work="$build/corpus-$p"
  mkdir -p "$work"
  ASAN_OPTIONS=detect_leaks=1 "$build/tests/fuzz/fuzz_$p" -max_total_time="$seconds" \
    -max_len=65536 -timeout=10 -rss_limit_mb=2048 -artifact_prefix="$build/crashes/$p-" \
    -print_final_stats=1 "$work" "$(seed_of "$p")" >"$build/fuzz_$p.log" 2>&1 &
  pids+=($!)
done
rc=0
total=0
for i in "${!all[@]}"; do
  if wait "${pids[$i]}"; then
    runs=$(grep -m1 -o 'stat::number_of_executed_units: *[0-9]*' "$build/fuzz_${all[$i]}.log" |
      grep -o '[0-9]*$')
    total=$((total + runs))
    echo "fuzz_${all[$i]}: ok ($runs runs)"
  else
    echo "fuzz_${all[$i]}: FAILED, see $build/fuzz_${all[$i]}.log" >&2
    grep -m5 -E 'ERROR|SUMMARY|fuzz:' "$build/fuzz_${all[$i]}.log" >&2 || true
    rc=1
  fi
done
echo "fuzz: $total runs in all"
exit $rc
