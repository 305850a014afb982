#!/usr/bin/env bash
# API load benchmark (issue 6): 64 concurrent clients for 60 s on a daemon started with ./modeld serve,
# each in a loop of the requests a plugin makes (ApiLoad in the test classes: 45% GET /model/{id},
# 30% GET /models, 5% unknown model, 10% update, 5% create, 5% delete; every answer checked).
# Reports requests/s, p50/p99/max latency, errors, and how the 2 cores were shared between the daemon
# and the load generator. Run by hand: bash bench/api-load.sh (SECONDS_=60 CLIENTS=64 to change).
set -euo pipefail
cd "$(dirname "$0")/.."
./modeld --version >/dev/null
mvn -q -B -DskipTests test-compile
cp=target/modeld.jar:target/test-classes
CLIENTS=${CLIENTS:-64}
DURATION=${SECONDS_:-60}
PORT=39390
work=$(mktemp -d)
trap 'kill "${daemon:-}" 2>/dev/null || true; rm -rf "$work"' EXIT
./modeld serve --port $PORT --data-dir "$work/data" > "$work/modeld.log" 2>&1 &
daemon=$!
until curl -fs "http://127.0.0.1:$PORT/.well-known/health" >/dev/null; do sleep 0.05; done
cpu() { awk '{print $14 + $15}' "/proc/$1/stat"; }
# 20 s of the same load first: the JIT of both sides warms up outside the measurement.
java -cp "$cp" io.modeld.testing.ApiLoad "http://127.0.0.1:$PORT" "$CLIENTS" 20 > /dev/null
d0=$(cpu $daemon)
java -cp "$cp" io.modeld.testing.ApiLoad "http://127.0.0.1:$PORT" "$CLIENTS" "$DURATION" > "$work/result" &
load=$!
sleep 1; l0=$(cpu $load); sleep $((DURATION - 2)); l1=$(cpu $load); d1=$(cpu $daemon)
wait $load
hz=$(getconf CLK_TCK)
echo "Machine: $(nproc) cores, $(free -g | awk '/Mem/ {print $2}') GiB, $(uname -r); date $(date -u +%F)"
echo
echo "| load | requests | requests/s | p50 | p99 | max | errors |"
echo "|---|---|---|---|---|---|---|"
head -1 "$work/result"
echo
tail -1 "$work/result"
echo "CPU over the run: daemon $(awk -v a=$d0 -v b=$d1 -v h=$hz -v s=$DURATION 'BEGIN {printf "%.2f", (b - a) / h / s}') cores, load generator $(awk -v a=$l0 -v b=$l1 -v h=$hz -v s=$((DURATION - 2)) 'BEGIN {printf "%.2f", (b - a) / h / s}') cores"
echo "RSS of the daemon after the run: $(( $(awk '/VmRSS/ {print $2}' /proc/$daemon/status) / 1024 )) MB"
