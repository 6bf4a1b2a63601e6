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
    line = (
        f"ALERT {alert['state']:<8} {alert['asset']:<8} {alert['kind']:<13} {alert['severity']:<8} "
        f"score={alert['score']:.4f} {top.get('name', '-')}={top.get('value', float('nan')):.4g} "
        f"(expected {top.get('expected', float('nan')):.4g}) at {alert['time']}"
    )
    prediction = (alert.get("predictions") or [None])[0]
    if prediction:
        what = "failure" if prediction["source"] == "rul" else f"{prediction['signal']} reaches {prediction['limit']:g}"
        upper = "unbounded" if prediction.get("upper") is None else f"{prediction['upper']:.0f} s"
        line += (
            f"; {what} in {prediction['seconds']:.0f} s [{prediction['lower']:.0f} s, {upper}], "
            f"at {prediction['expected_at']}"
        )
    print(line, flush=True)
