#!/usr/bin/env python3
"""Prints the engine benchmark JSON (from scripts/bench/engine.py) as the Markdown table of docs/benchmarks.md."""
import json
import sys

data = json.load(open(sys.argv[1]))
names = ["c_ref", "vigil", "vigil_native", "tflite", "ort_iobind"]
print("| H x I x B | " + " | ".join(f"{n} µs" for n in names) + " | vigil_native / c_ref | vigil_native / tflite | vigil_native GFLOP/s |")
print("|---" * (len(names) + 4) + "|")
for row in data["results"]:
    runtimes = row["runtimes"]
    med = {n: runtimes.get(n, {}).get("us_median") for n in names}
    cells = [f"{med[n]:.2f}" if med[n] else "–" for n in names]
    ratio_c = f"{med['vigil_native'] / med['c_ref']:.2f}" if med["vigil_native"] and med["c_ref"] else "–"
    ratio_t = f"{med['vigil_native'] / med['tflite']:.2f}" if med["vigil_native"] and med["tflite"] else "–"
    gflops = f"{row['flops']['total'] / med['vigil_native'] / 1e3:.1f}" if med["vigil_native"] else "–"
    print(f"| {row['h']}x{row['i']}x{row['b']} | " + " | ".join(cells) + f" | {ratio_c} | {ratio_t} | {gflops} |")
def worst(err):
    if isinstance(err, dict):
        return max((worst(v) for v in err.values()), default=0.0)
    return float(err or 0)


errors = {n: max(worst(r["runtimes"].get(n, {}).get("err", 0)) for r in data["results"]) for n in names}
print()
print("max |error| against the float64 reference over 20 steps: " + ", ".join(f"{n} {e:.1e}" for n, e in errors.items()))
