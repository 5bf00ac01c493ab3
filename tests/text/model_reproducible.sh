#!/usr/bin/env bash
# The shipped weights are rebuilt bit for bit from the same data (issue #13). The
# HaSpeeDe 2018 training file may not be committed (its licence), so the shipped model
# can be checked only where it is at hand: VIGILE_HASPEEDE, or the developers' shared/
# folder beside the repository. Without it, two trainings on the project's own data must
# still give the same bytes.
# Usage: model_reproducible.sh PYTHON FEATURES_BIN   (from the repository root)
set -euo pipefail
python=$1 features=$2
haspeede=${VIGILE_HASPEEDE:-../shared/data/haspeede-2018/haspeede_TW-train.tsv}
args=(--corpus tests/corpus/comments.jsonl --features-bin "$features")
for f in data/train/written/*.jsonl; do args+=(--corpus "$f"); done
if [[ -f "$haspeede" ]]; then
  echo "checking the shipped data/models/comments-it.bin against $haspeede"
  exec "$python" scripts/train-model.py "${args[@]}" --haspeede "$haspeede" \
    --out data/models/comments-it.bin --check
fi
echo "no HaSpeeDe file at $haspeede: checking that training is deterministic"
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
"$python" scripts/train-model.py "${args[@]}" --out "$out/m.bin" >/dev/null 2>&1
"$python" scripts/train-model.py "${args[@]}" --out "$out/m.bin" --check
