#!/usr/bin/env python3
"""Splits a C-MAPSS training file into a development training part and a held-out part scored
like NASA's test set: how Vigil's RUL defaults were chosen without looking at the test truth.

Usage: scripts/eval/cmapss-holdout.py TRAIN OUT [--share 0.2] [--seed 2026] [--cuts 10]

Writes OUT/train_dev.txt (the remaining units), OUT/test_dev.txt (each held-out unit cut --cuts
times, each cut a new engine id) and OUT/RUL_dev.txt (the true RUL after each cut). A cut keeps at
least 20 cycles and leaves a true RUL drawn uniformly from 1 to 150 (NASA's FD001 test truth lies
between 7 and 145). Units are held out by a seeded shuffle of their ids.
"""
import argparse
import os
import random
from collections import OrderedDict

parser = argparse.ArgumentParser()
parser.add_argument("train")
parser.add_argument("out")
parser.add_argument("--share", type=float, default=0.2)
parser.add_argument("--seed", type=int, default=2026)
parser.add_argument("--cuts", type=int, default=10)
args = parser.parse_args()

units = OrderedDict()
for line in open(args.train):
    fields = line.split()
    if fields:
        units.setdefault(fields[0], []).append(line.strip())
ids = list(units)
rng = random.Random(args.seed)
rng.shuffle(ids)
held = set(ids[: round(len(ids) * args.share)])
os.makedirs(args.out, exist_ok=True)
with open(os.path.join(args.out, "train_dev.txt"), "w") as train:
    for unit, lines in units.items():
        if unit not in held:
            train.write("\n".join(lines) + "\n")
engine = 0
with open(os.path.join(args.out, "test_dev.txt"), "w") as test, open(os.path.join(args.out, "RUL_dev.txt"), "w") as truth:
    for unit in sorted(held, key=int):
        lines = units[unit]
        for _ in range(args.cuts):
            rul = rng.randint(1, min(150, len(lines) - 20))
            engine += 1
            for line in lines[: len(lines) - rul]:
                test.write(" ".join([str(engine)] + line.split()[1:]) + "\n")
            truth.write(f"{rul}\n")
print(f"{len(units) - len(held)} training units, {len(held)} held out as {engine} cut engines in {args.out}")
