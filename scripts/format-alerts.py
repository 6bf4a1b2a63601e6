#!/usr/bin/env python3
"""Prints Vigil alerts (JSON lines from mosquitto_sub) as one readable line each."""
import json
import sys

for line in sys.stdin:
    try:
        alert = json.loads(line)
    except ValueError:
        print("alert (not JSON):", line.rstrip())
        continue
    top = (alert.get("signals") or [{}])[0]
    print(
        f"ALERT {alert['state']:<8} {alert['asset']:<8} {alert['kind']:<13} {alert['severity']:<8} "
        f"score={alert['score']:.4f} {top.get('name', '-')}={top.get('value', float('nan')):.4g} "
        f"(expected {top.get('expected', float('nan')):.4g}) at {alert['time']}",
        flush=True,
    )
