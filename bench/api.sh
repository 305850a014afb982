#!/usr/bin/env bash
# API benchmark (issue 2): startup time until healthy, idle RSS, and wrk requests/s and p99 for
# GET /model/{id} and GET /models at 64 connections, beside nginx serving the same JSON bytes as static
# files on the same machine in the same run. Run by hand as root: bash bench/api.sh
# Prints a Markdown table for docs/BENCHMARKS.md. ONLY_STARTUP=1 measures the starts alone.
set -euo pipefail
cd "$(dirname "$0")/.."

command -v wrk >/dev/null && command -v nginx >/dev/null || {
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk nginx-light curl >/dev/null
}
./modeld --version >/dev/null   # builds the jar and the class-data archive outside the timings
DURATION=${DURATION:-20s}
PORT=39391
NGINX_PORT=39392
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; nginx -c "$work/nginx.conf" -s stop 2>/dev/null || true; rm -rf "$work"' EXIT

now_ms() { date +%s%3N; }
wait_healthy() {
  until curl -fs "http://127.0.0.1:$PORT/.well-known/health" >/dev/null 2>&1; do sleep 0.01; done
}

# One start of the daemon on a data dir, timed from exec to the first healthy answer (ms).
start_ms() {
  local t0 pid
  t0=$(now_ms)
  ./modeld serve --port $PORT --data-dir "$1" >/dev/null 2>&1 &
  pid=$!
  wait_healthy
  echo $(( $(now_ms) - t0 ))
  kill $pid; wait $pid 2>/dev/null || true
}

# Five cold starts, each on a fresh data dir; then five restarts on the data dir the first one made
# (the usual case).
starts=(); restarts=()
for i in 1 2 3 4 5; do starts+=($(start_ms "$work/start$i")); done
for i in 1 2 3 4 5; do restarts+=($(start_ms "$work/start1")); done
[[ ${ONLY_STARTUP:-} ]] && { echo "cold starts (ms): ${starts[*]}"; echo "restarts (ms): ${restarts[*]}"; exit 0; }

./modeld serve --port $PORT --data-dir "$work/data" >/dev/null 2>&1 &
pid=$!
wait_healthy
id=$(curl -fs "http://127.0.0.1:$PORT/models" | grep -o '"id":"[0-9a-f-]*"' | head -1 | cut -d'"' -f4)
sleep 5
rss_idle_kb=$(awk '/VmRSS/ {print $2}' /proc/$pid/status)

mkdir -p "$work/www/model"
curl -fs "http://127.0.0.1:$PORT/models" > "$work/www/models"
curl -fs "http://127.0.0.1:$PORT/model/$id" > "$work/www/model/$id"
cat > "$work/nginx.conf" <<NGINX
worker_processes auto;
pid $work/nginx.pid;
error_log $work/nginx-error.log;
events { worker_connections 1024; }
http {
  access_log off;
  default_type application/json;
  keepalive_requests 1000000;
  server { listen 127.0.0.1:$NGINX_PORT; root $work/www; }
}
NGINX
nginx -c "$work/nginx.conf"

run_wrk() { wrk -t2 -c64 -d"$DURATION" --latency "$1" 2>&1; }
rps() { awk '/Requests\/sec/ {print $2}'; }
p99() { awk '$1 == "99%" {print $2}'; }

# Warm the JIT before measuring: on 2 shared cores C2 needs about half a minute under load.
wrk -t2 -c64 -d30s "http://127.0.0.1:$PORT/models" >/dev/null
wrk -t2 -c64 -d15s "http://127.0.0.1:$PORT/model/$id" >/dev/null

declare -A out
for target in "model:/model/$id" "models:/models"; do
  name=${target%%:*}; path=${target#*:}
  m=$(run_wrk "http://127.0.0.1:$PORT$path")
  n=$(run_wrk "http://127.0.0.1:$NGINX_PORT$path")
  out[$name]="$(echo "$m" | rps) $(echo "$m" | p99) $(echo "$n" | rps) $(echo "$n" | p99) $(echo "$m" | grep -c 'Non-2xx' || true)"
done
rss_after_kb=$(awk '/VmRSS/ {print $2}' /proc/$pid/status)

echo "Machine: $(nproc) cores, $(free -g | awk '/Mem/ {print $2}') GiB, $(uname -r); $(java -version 2>&1 | head -1); date $(date -u +%F)"
echo "Started with ./modeld (its default JVM options and class-data archive); wrk -t2 -c64 -d$DURATION; bytes: /models $(wc -c < "$work/www/models"), /model/{id} $(wc -c < "$work/www/model/$id")"
echo
echo "| measure | modeld | nginx (same bytes, static) | ratio |"
echo "|---|---|---|---|"
for name in model models; do
  read -r mr mp nr np errors <<<"${out[$name]}"
  label=$([ "$name" = model ] && echo "GET /model/{id}" || echo "GET /models")
  echo "| $label requests/s | $mr | $nr | $(awk -v a="$mr" -v b="$nr" 'BEGIN {printf "%.2f", a/b}') |"
  echo "| $label p99 latency | $mp | $np | |"
done
echo "| startup until healthy (5 cold starts, ms) | ${starts[*]} | | |"
echo "| restart until healthy (5 starts on an existing data dir, ms) | ${restarts[*]} | | |"
echo "| RSS idle after start (MB) | $((rss_idle_kb / 1024)) | | |"
echo "| RSS after the load (MB) | $((rss_after_kb / 1024)) | | |"
