#!/usr/bin/env bash
# Scores Vigil's shipped univariate default on NAB: replays every series of DATA through
# `vigil replay` (training included), one process per core, and runs the NAB scorer that sits
# next to DATA. Where a split.json sits next to DATA too, each of its parts is also scored on its
# own (the normalisation then uses that part only).
# Usage: scripts/eval/nab.sh [DATA] [OUT]    (DATA defaults to ../shared/nab/data)
#   OUT/scores/<category>/<file>.csv: timestamp,value,anomaly_score for every row of every series.
#   OUT/raised/<category>/<file>.csv: 1 at each alarm Vigil raises, else 0.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
data=$(cd "${1:-$root/../shared/nab/data}" && pwd)
out=${2:-$root/run/eval/nab}
scorer=${NAB_SCORER:-$(dirname "$data")/nabscore.py}
split=${NAB_SPLIT:-$(dirname "$data")/split.json}
vigil=${VIGIL:-$root/.build/release/vigil}
jobs=${JOBS:-$(nproc)}
[ -n "${VIGIL:-}" ] || swift build -c release --product vigil >&2
threshold=$(sed -n 's/^ *threshold: *\([0-9.]*\).*/\1/p' "$root/examples/univariate.yaml" | head -1)

rm -rf "$out"
mkdir -p "$out/scores" "$out/raised" "$out/replay"
# One series: replay it, then write the scorer's two result files.
replay_one() {
    local file=$1 category name
    category=$(basename "$(dirname "$file")")
    name=$(basename "$file")
    mkdir -p "$out/scores/$category" "$out/raised/$category"
    "$vigil" replay "$file" --format nab --label alarm --quiet --output "$out/replay/$category-$name"
    # anomaly_score as it is; and a score of 1 exactly where an alarm was raised (what a user is sent).
    python3 - "$out/replay/$category-$name" "$out/scores/$category/$name" "$out/raised/$category/$name" <<'PY'
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
}
export -f replay_one
export out vigil
files=("$data"/*/*.csv)
start=$(date +%s.%N)
printf '%s\0' "${files[@]}" | xargs -0 -n 1 -P "$jobs" bash -c 'replay_one "$0"'
end=$(date +%s.%N)
rows=$(cat "${files[@]}" | wc -l)
rows=$((rows - ${#files[@]}))
seconds=$(python3 -c "print(f'{$end - $start:.1f}')")
echo "replayed $rows rows of ${#files[@]} series in ${seconds} s with $jobs processes (training included)"

score() {  # score LABEL [nabscore arguments...]
    local label=$1
    shift
    echo "== $label: optimised threshold (NAB's own procedure)"
    python3 "$scorer" --data "$data" --results "$out/scores" "$@" | tail -1
    echo "== $label: Vigil's default alarm threshold ($threshold) on anomaly_score"
    python3 "$scorer" --data "$data" --results "$out/scores" --thresholds "$threshold" "$@" | tail -1
    echo "== $label: the alarms Vigil raises (score 1 at each raised alarm, threshold 0.5)"
    python3 "$scorer" --data "$data" --results "$out/raised" --thresholds 0.5 "$@" | tail -1
}
score "all ${#files[@]} series"
if [ -f "$split" ]; then
    for part in $(python3 -c "import json, sys; print(' '.join(k for k in json.load(open(sys.argv[1])) if not k.startswith('_')))" "$split"); do
        score "part $part" --files-subset "$split:$part"
    done
fi
