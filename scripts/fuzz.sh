#!/usr/bin/env bash
# Fuzzes the payload decoder, the configuration loader, the model file header, replay input files
# and time arguments with libFuzzer (the Swift toolchain's -sanitize=fuzzer, with AddressSanitizer)
# for SECONDS each, starting from the seed corpus in
# Tests/Fuzz/<target>. Exits non-zero when libFuzzer does (a crash, leak, timeout or out-of-memory)
# or left such an artifact, with the input in run/fuzz/<target>/.
# Usage: scripts/fuzz.sh [SECONDS]   (default 30)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
seconds=${1:-30}
cd "$root"
swift build --scratch-path .build-fuzz --product vigil-fuzz \
    -Xswiftc -sanitize=fuzzer,address -Xswiftc -parse-as-library -Xswiftc -DVIGIL_FUZZ >&2
binary=$(swift build --scratch-path .build-fuzz --product vigil-fuzz --show-bin-path)/vigil-fuzz
for target in payload config model replay time; do
    work="run/fuzz/$target"
    mkdir -p "$work/corpus"
    cp -n Tests/Fuzz/"$target"/* "$work/corpus/" 2>/dev/null || true
    echo "== fuzzing the $target parser for ${seconds}s"
    # libFuzzer exits non-zero on a crash, a leak, a timeout or running out of memory; its status
    # is kept, the log only filtered for the summary.
    status=0
    VIGIL_FUZZ_TARGET=$target "$binary" "$work/corpus" -max_total_time="$seconds" -max_len=4096 \
        -artifact_prefix="$work/" -print_final_stats=1 >"$work/fuzz.log" 2>&1 || status=$?
    grep -E "^(stat::number_of_executed_units|stat::peak_rss_mb|==.*ERROR|SUMMARY|artifact_prefix|Test unit written)" \
        "$work/fuzz.log" || true
    if [ "$status" -ne 0 ] || compgen -G "$work/crash-*" >/dev/null || compgen -G "$work/leak-*" >/dev/null \
        || compgen -G "$work/timeout-*" >/dev/null || compgen -G "$work/oom-*" >/dev/null; then
        echo "fuzz: $target failed (libFuzzer exit status $status); see $work and $work/fuzz.log" >&2
        exit 1
    fi
done
echo "fuzz: 0 crashes"
