#!/usr/bin/env bash
# Scores Vigil's shipped multivariate default on SKAB: replays every file of DATA through
# `vigil replay` (the first 400 rows of each file are its training part, which the detector sees
# as its warm-up) and runs the SKAB scorer that sits next to DATA on the alarm label.
# Usage: scripts/eval/skab.sh [DATA] [OUT]    (DATA defaults to ../shared/skab/data)
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
data=$(cd "${1:-$root/../shared/skab/data}" && pwd)
out=${2:-$root/run/eval/skab}
scorer=${SKAB_SCORER:-$(dirname "$data")/skabscore.py}
vigil=${VIGIL:-$root/.build/release/vigil}
[ -n "${VIGIL:-}" ] || swift build -c release --product vigil >&2

rm -rf "$out"
mkdir -p "$out/predictions"
start=$(date +%s.%N)
files=()
for file in "$data"/*/*.csv; do
    group=$(basename "$(dirname "$file")")
    [ "$group" = "anomaly-free" ] && continue
    name=$(basename "$file")
    mkdir -p "$out/predictions/$group"
    # Each file is its own asset with its own model, as each SKAB experiment is scored on its own.
    "$vigil" replay "$file" --format skab --label anomaly --quiet --output "$out/predictions/$group/$name"
    files+=("$group/$name")
done
end=$(date +%s.%N)
echo "replayed ${#files[@]} files in $(python3 -c "print(f'{$end - $start:.1f}')") s"
python3 "$scorer" --data "$data" --files "$(IFS=,; echo "${files[*]}")" --per-file --json "$out/skab.json" "$out/predictions" \
    | tail -25
