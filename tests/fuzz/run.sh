#!/usr/bin/env bash
# Builds the libFuzzer targets of tests/fuzz with clang in BUILD_DIR and runs each
# parser's target for SECONDS seconds (all at once), seeded with the platform fixtures.
#   tests/fuzz/run.sh [BUILD_DIR] [SECONDS]
# Exit: 0 no crash, 1 a crash or a build failure (the reproducer is in BUILD_DIR/crashes),
# 77 skipped because clang or its runtimes are not installed (Debian: clang, libclang-rt-dev).
set -euo pipefail

src=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
build=${1:-$src/build-fuzz}
seconds=${2:-20}
parsers=(meta whatsapp telegram youtube envelope line)

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
targets=("${parsers[@]/#/fuzz_}")
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

pids=()
for p in "${parsers[@]}"; do
  work="$build/corpus-$p"
  mkdir -p "$work"
  ASAN_OPTIONS=detect_leaks=1 "$build/tests/fuzz/fuzz_$p" -max_total_time="$seconds" \
    -max_len=65536 -timeout=10 -rss_limit_mb=2048 -artifact_prefix="$build/crashes/$p-" \
    -print_final_stats=1 "$work" "$corpus" >"$build/fuzz_$p.log" 2>&1 &
  pids+=($!)
done
rc=0
for i in "${!parsers[@]}"; do
  if wait "${pids[$i]}"; then
    echo "fuzz_${parsers[$i]}: ok ($(grep -m1 -o 'stat::number_of_executed_units: *[0-9]*' \
      "$build/fuzz_${parsers[$i]}.log" | grep -o '[0-9]*$') runs)"
  else
    echo "fuzz_${parsers[$i]}: FAILED, see $build/fuzz_${parsers[$i]}.log" >&2
    grep -m5 -E 'ERROR|SUMMARY|fuzz:' "$build/fuzz_${parsers[$i]}.log" >&2 || true
    rc=1
  fi
done
exit $rc
