#!/usr/bin/env bash
# Measures Vigil's engine and the references side by side in one session and prints the table for
# docs/benchmarks.md. Usage: scripts/bench/engine.sh [OUT.json] [--configs 32x1x1,...]
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
anchors=${PERF_ANCHORS:-$root/../shared/perf-anchors}
out=${1:-$root/run/bench/engine.json}
shift || true
work=$root/run/bench
mkdir -p "$work/models"

swift build -c release --product vigil
swift build -c release --product VigilBenchABI
# The same engine compiled for this CPU, as the C loop is (-march=native); kept in its own build folder.
swift build -c release --product VigilBenchABI --scratch-path "$root/.build-native" -Xswiftc -target-cpu -Xswiftc native -Xswiftc -DVIGIL_FMA
python3 -c 'import onnx, onnxruntime, ai_edge_litert' 2>/dev/null \
    || python3 -m pip install --quiet onnx onnxruntime ai-edge-litert
gcc -O3 -march=native -ffast-math -fPIC -shared -o "$work/lstm_ref.so" "$anchors/lstm_ref.c" -lm
cp "$anchors"/models/*.tflite "$work/models/"
python3 "$anchors/build_onnx.py" "$work/models" >/dev/null

export PERF_ANCHORS="$anchors" PERF_ANCHORS_MODELS="$work/models" LSTM_REF_SO="$work/lstm_ref.so"
export VIGIL_BENCH_SO="$root/.build/release/libVigilBenchABI.so"
export VIGIL_BENCH_SO_NATIVE="$root/.build-native/release/libVigilBenchABI.so"
export OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 MKL_NUM_THREADS=1
python3 "$root/scripts/bench/engine.py" "$out" --only c_ref,vigil,vigil_native,tflite,ort_iobind "$@"
python3 "$root/scripts/bench/table.py" "$out"
"$root/.build/release/vigil" bench engine --configs 16x1x1 --repetitions 3 | tail -1
