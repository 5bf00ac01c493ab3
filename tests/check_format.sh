#!/usr/bin/env bash
# Every C file tracked by git follows .clang-format (#14). Prints the files that do not
# and the command that fixes them.
set -euo pipefail
cd "$1"
mapfile -t files < <(git ls-files '*.c' '*.h')
if ((${#files[@]} == 0)); then
  echo "check_format: no C files found under $1" >&2
  exit 1
fi
# One clang-format run for the tree; its warnings name each file and line.
if ! out=$(clang-format --dry-run -Werror "${files[@]}" 2>&1); then
  mapfile -t bad < <(sed -n 's/^\([^:]*\):[0-9]*:[0-9]*: error:.*/\1/p' <<<"$out" | sort -u)
  printf 'check_format: %d file(s) not formatted:\n' "${#bad[@]}" >&2
  printf '  %s\n' "${bad[@]}" >&2
  printf 'fix with: clang-format -i %s\n' "${bad[*]}" >&2
  exit 1
fi
echo "check_format: ${#files[@]} files formatted"
