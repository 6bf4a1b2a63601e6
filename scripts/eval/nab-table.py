#!/usr/bin/env python3
"""Per-file table of a NAB run at a fixed threshold, as docs/accuracy.md shows it.

Usage: scripts/eval/nab-table.py DATA SCORES PART [THRESHOLD]
  DATA: the NAB data folder (with combined_windows.json); SCORES: scripts/eval/nab.sh's OUT/scores;
  PART: a key of the split.json beside DATA (dev, confirm). Prints a Markdown table: windows, where in
  each window it was first detected (0 its start, 0.5 the labelled anomaly), false-positive rows
  after the probation, and the file's raw standard score from the scorer beside DATA.
"""
import csv, json, os, subprocess, sys

data, scores, part = sys.argv[1], sys.argv[2], sys.argv[3]
threshold = float(sys.argv[4]) if len(sys.argv) > 4 else 0.99
split = os.path.join(os.path.dirname(data), "split.json")
windows = json.load(open(os.path.join(data, "combined_windows.json")))
files = json.load(open(split))[part]
scorer = subprocess.run(
    ["python3", os.path.join(os.path.dirname(data), "nabscore.py"), "--data", data, "--results", scores,
     "--files-subset", f"{split}:{part}", "--thresholds", str(threshold), "--per-file"],
    capture_output=True, text=True, check=True).stdout
raw, section = {}, None
for line in scorer.splitlines():
    if line.startswith("["):
        section = line.split("]")[0][1:]
    elif section == "standard" and line.startswith("  "):
        name, value = line.split()
        raw[name] = float(value)
print("| file | windows | first detection | false positives | raw score |")
print("|---|---|---|---|---|")
for rel in files:
    rows = list(csv.DictReader(open(os.path.join(scores, rel))))
    n = len(rows)
    probation = min(int(0.15 * n), 750)
    times = [r["timestamp"][:19] for r in rows]
    score = [float(r["anomaly_score"]) for r in rows]
    spans = [(times.index(a[:19]), times.index(b[:19])) for a, b in windows[rel]]
    found = []
    for a, b in spans:
        hits = [i for i in range(max(a, probation), b + 1) if score[i] >= threshold]
        found.append(f"{(hits[0] - a) / (b - a):.2f}" if hits else "missed")
    fp = sum(1 for i in range(probation, n) if score[i] >= threshold and not any(a <= i <= b for a, b in spans))
    print(f"| `{os.path.basename(rel)}` | {len(spans)} | {', '.join(found) or '–'} | {fp} | {raw.get(rel, 0):+.2f} |")
