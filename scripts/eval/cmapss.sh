#!/usr/bin/env bash
# Scores Vigil's remaining-useful-life default on NASA C-MAPSS: for every train_FD00N.txt and
# test_FD00N.txt pair in DATA, trains with `vigil train rul` on the training file alone (Vigil's one
# default configuration, the same for every sub-dataset), predicts the test file with `vigil
# predict`, writes OUT/FD00N.csv (engine_id,predicted_rul), and where RUL_FD00N.txt is present
# prints the line of rulscore.py (found in DATA or beside it: ../shared/cmapss/rulscore.py).
# DATA may also be the folder that holds a data/ folder with the files (../shared/cmapss).
# Usage: scripts/eval/cmapss.sh [DATA] [OUT]    (DATA defaults to ../shared/cmapss/data)
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
data=$(cd "${1:-$root/../shared/cmapss/data}" && pwd)
out=${2:-$root/run/eval/cmapss}
given=$data
if ! compgen -G "$data/train_FD00?.txt" >/dev/null && [ -d "$data/data" ]; then data=$data/data; fi
scorer=${RUL_SCORER:-}
if [ -z "$scorer" ]; then
    for candidate in "$given/rulscore.py" "$data/rulscore.py" "$(dirname "$data")/rulscore.py"; do
        if [ -e "$candidate" ]; then scorer=$candidate; break; fi
    done
    scorer=${scorer:-$(dirname "$data")/rulscore.py}
fi
vigil=${VIGIL:-$root/.build/release/vigil}
[ -n "${VIGIL:-}" ] || swift build -c release --product vigil >&2
mkdir -p "$out"
found=0
for train in "$data"/train_FD00?.txt; do
    [ -e "$train" ] || continue
    fd=$(basename "$train" .txt)
    fd=${fd#train_}
    test="$data/test_$fd.txt"
    [ -e "$test" ] || { echo "$fd: no test_$fd.txt, skipped" >&2; continue; }
    found=1
    start=$(date +%s)
    "$vigil" train rul "$train" --output "$out/$fd.vglm" | tee "$out/$fd.train.log"
    end=$(date +%s)
    "$vigil" predict "$test" --model "$out/$fd.vglm" --output "$out/$fd.csv"
    echo "$fd: trained in $((end - start)) s; predictions in $out/$fd.csv"
    if [ -e "$data/RUL_$fd.txt" ]; then
        if [ -e "$scorer" ]; then
            python3 "$scorer" "$out/$fd.csv" --rul "$data/RUL_$fd.txt" --fd "$fd" | tail -1
        else
            echo "$fd: $scorer not found; not scored" >&2
        fi
    fi
done
[ "$found" = 1 ] || { echo "no train_FD00N.txt with its test_FD00N.txt in $data" >&2; exit 1; }
