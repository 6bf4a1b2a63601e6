#!/usr/bin/env bash
# Print the numeric overall exposure score (e.g. "1.1") that
# `systemd-analyze security --offline=true` gives a unit file.
# Usage: scripts/unit-security-score.sh path/to/unit.service
# Exits non-zero if the file is missing, the command fails or no score is found.
set -euo pipefail

if [ $# -ne 1 ] || [ -z "$1" ]; then
    echo "usage: $0 UNIT_FILE" >&2
    exit 2
fi
unit=$1
if [ ! -f "$unit" ]; then
    echo "$0: no such file: $unit" >&2
    exit 2
fi

# No pager, no colours, no OSC-8 hyperlinks, so the line is plain text even on
# a terminal. The default --threshold is 100, so a high score is not an error.
if ! out=$(SYSTEMD_PAGER= SYSTEMD_COLORS=0 SYSTEMD_URLIFY=0 \
        systemd-analyze --no-pager security --offline=true -- "$unit" </dev/null); then
    echo "$0: systemd-analyze security failed for $unit" >&2
    exit 1
fi

# e.g. "→ Overall exposure level for vigil.service: 1.1 OK 🙂"
score=$(printf '%s\n' "$out" \
    | sed -n 's/.*Overall exposure level for .*: \([0-9][0-9]*\(\.[0-9][0-9]*\)\{0,1\}\) .*/\1/p' \
    | tail -n 1)
if [ -z "$score" ]; then
    echo "$0: no 'Overall exposure level' line in output for $unit" >&2
    exit 1
fi
printf '%s\n' "$score"
