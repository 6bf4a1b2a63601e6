#!/usr/bin/env bash
# Fuzzes the payload decoder and the configuration loader with libFuzzer (the Swift toolchain's
# -sanitize=fuzzer, with AddressSanitizer) for SECONDS each, starting from the seed corpus in
# Tests/Fuzz/<target>. Exits non-zero on the first crash, leaving the input in run/fuzz/.
# Usage: scripts/fuzz.sh [SECONDS]   (default 30)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
seconds=${1:-30}
cd "$root"
swift build --scratch-path .build-fuzz --product vigil-fuzz \
    -Xswiftc -sanitize=fuzzer,address -Xswiftc -parse-as-library -Xswiftc -DVIGIL_FUZZ >&2
binary=$(swift build --scratch-path .build-fuzz --product vigil-fuzz --show-bin-path)/vigil-fuzz
for target in payload config; do
    work="run/fuzz/$target"
    mkdir -p "$work/corpus"
    cp -n Tests/Fuzz/"$target"/* "$work/corpus/" 2>/dev/null || true
    echo "== fuzzing the $target parser for ${seconds}s"
    VIGIL_FUZZ_TARGET=$target "$binary" "$work/corpus" -max_total_time="$seconds" -max_len=4096 \
        -artifact_prefix="$work/" -print_final_stats=1 2>&1 | grep -E "^(stat::number_of_executed_units|stat::peak_rss_mb|==.*ERROR|SUMMARY|artifact_prefix|Test unit written)" || true
    if compgen -G "$work/crash-*" >/dev/null || compgen -G "$work/leak-*" >/dev/null \
        || compgen -G "$work/timeout-*" >/dev/null; then
        echo "fuzz: $target found a crash; see $work" >&2
        exit 1
    fi
done
echo "fuzz: 0 crashes"
