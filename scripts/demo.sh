#!/usr/bin/env bash
# The live demo: a private mosquitto, the daemon, a simulated plant with injected faults and a
# motor whose winding heats up towards its limit, and the alerts as they arrive; after DURATION
# seconds everything stops and the event history is printed.
set -euo pipefail
duration=${1:-120}
root=$(cd "$(dirname "$0")/.." && pwd)
vigil="$root/.build/debug/vigil"
run="$root/run/demo"
rm -rf "$run"
mkdir -p "$run"

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
pids=()
cleanup() {
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
}
trap cleanup EXIT

cat > "$run/mosquitto.conf" <<CONF
listener $port 127.0.0.1
allow_anonymous true
persistence false
max_queued_messages 100000
log_dest stderr
CONF
/usr/sbin/mosquitto -c "$run/mosquitto.conf" 2> "$run/mosquitto.log" &
pids+=($!)
for _ in $(seq 50); do
    (echo > "/dev/tcp/127.0.0.1/$port") 2>/dev/null && break
    sleep 0.1
done

sed -e "s/^  port: .*/  port: $port/" -e "s#^  path: .*#  path: $run/vigil.db#" \
    "$root/examples/demo.yaml" > "$run/vigil.yaml"
"$vigil" config check "$run/vigil.yaml"

echo "demo: broker on 127.0.0.1:$port, daemon log in $run/vigil.log"
"$vigil" run --config "$run/vigil.yaml" --log-level notice 2> "$run/vigil.log" &
vigil_pid=$!
pids+=($vigil_pid)

mosquitto_sub -h 127.0.0.1 -p "$port" -t 'vigil/alerts/#' -q 1 > >(python3 -u "$root/scripts/format-alerts.py") &
pids+=($!)

speed=10
echo "demo: simulating $((duration * speed)) s of plant time in $duration s; faults every 150 s of plant time;"
echo "demo: motor-3's winding temperature climbs to its limit of 95 in 1,000 s of plant time (time to limit)"
"$vigil" simulate --port "$port" --speed "$speed" --duration "$duration" --scenario winding-drift \
    --log-level warning > "$run/winding.log" &
pids+=($!)
"$vigil" simulate --port "$port" --speed "$speed" --duration "$duration" --log-level warning

sleep 2
kill -TERM "$vigil_pid"
wait "$vigil_pid" || true
sleep 1
echo
echo "demo: event history (vigil events --database $run/vigil.db)"
"$vigil" events --database "$run/vigil.db"
