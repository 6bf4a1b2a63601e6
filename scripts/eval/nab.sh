#!/usr/bin/env bash
# Scores Vigil's shipped univariate default on NAB: replays every series of DATA through
# `vigil replay` (training included) and runs the NAB scorer that sits next to DATA.
# Usage: scripts/eval/nab.sh [DATA] [OUT]    (DATA defaults to ../shared/nab/data)
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
data=$(cd "${1:-$root/../shared/nab/data}" && pwd)
out=${2:-$root/run/eval/nab}
scorer=${NAB_SCORER:-$(dirname "$data")/nabscore.py}
vigil=${VIGIL:-$root/.build/release/vigil}
[ -n "${VIGIL:-}" ] || swift build -c release --product vigil >&2
threshold=$(sed -n 's/^ *threshold: *\([0-9.]*\).*/\1/p' "$root/examples/univariate.yaml" | head -1)

rm -rf "$out"
mkdir -p "$out/scores" "$out/raised"
start=$(date +%s.%N)
rows=0
for file in "$data"/*/*.csv; do
    category=$(basename "$(dirname "$file")")
    name=$(basename "$file")
    mkdir -p "$out/scores/$category" "$out/raised/$category"
    "$vigil" replay "$file" --format nab --label alarm --quiet --output "$out/replay-$category-$name"
    rows=$((rows + $(wc -l < "$file") - 1))
    # anomaly_score as it is; and a score of 1 exactly where an alarm was raised (what a user is sent).
    python3 - "$out/replay-$category-$name" "$out/scores/$category/$name" "$out/raised/$category/$name" <<'PY'
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1])))
with open(sys.argv[2], "w") as scores, open(sys.argv[3], "w") as raised:
    scores.write("timestamp,value,anomaly_score\n")
    raised.write("timestamp,value,anomaly_score\n")
    previous = "0"
    for row in rows:
        scores.write(f"{row['timestamp']},{row['value']},{row['anomaly_score']}\n")
        raised.write(f"{row['timestamp']},{row['value']},{1 if row['alarm'] == '1' and previous == '0' else 0}\n")
        previous = row["alarm"]
PY
done
end=$(date +%s.%N)
seconds=$(python3 -c "print(f'{$end - $start:.1f}')")
echo "replayed $rows rows of $(ls "$data"/*/*.csv | wc -l) series in ${seconds} s (including training and the result files)"

echo "== optimised threshold (NAB's own procedure)"
python3 "$scorer" --data "$data" --results "$out/scores" --json "$out/optimised.json" | tail -1
echo "== Vigil's default alarm threshold ($threshold) on anomaly_score"
python3 "$scorer" --data "$data" --results "$out/scores" --thresholds "$threshold" --json "$out/default.json" | tail -1
echo "== the alarms Vigil raises (score 1 at each raised alarm, threshold 0.5)"
python3 "$scorer" --data "$data" --results "$out/raised" --thresholds 0.5 --json "$out/raised.json" | tail -1
