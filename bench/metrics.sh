#!/usr/bin/env bash
# Metrics (issue 35): what one scrape of GET /metrics costs with 40 models that have answered (their counters and
# histograms all in the scrape), beside GET /livez (what a request that does nothing costs), and whether the API's
# throughput drops with metrics on: wrk on GET /model/{id} at 64 connections, the daemon started with --metrics on
# and with --metrics off in turn. Run by hand as root:
# bash bench/metrics.sh. Prints Markdown for docs/BENCHMARKS.md.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v wrk >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; }
./modeld --version >/dev/null
mvn -q -B -DskipTests test-compile
PORT=39393
DURATION=${DURATION:-10s}
cp=target/modeld.jar:target/test-classes
mkdir -p target/bench
work=$(mktemp -d -p target/bench metrics-XXXX)
work=$(cd "$work" && pwd)
pid=
trap 'kill $pid 2>/dev/null || true; rm -rf "$work"' EXIT
start() {   # METRICS
  ./modeld serve --port $PORT --ollama-port 0 --no-library --data-dir "$work/data" --metrics "$1" \
    --keep-alive 1s >> "$work/modeld.log" 2>&1 &
  pid=$!
  until curl -fs "http://127.0.0.1:$PORT/.well-known/health" >/dev/null; do
    kill -0 $pid 2>/dev/null || { tail -5 "$work/modeld.log" >&2; exit 1; }
    sleep 0.1
  done
}
stop() { kill $pid; wait $pid 2>/dev/null || true; pid=; }

java -cp "$cp" bench/EngineBench.java write-tiny "$work/tiny.gguf" >/dev/null 2>&1   # 40 models of this one file
start on
for i in $(seq 1 40); do
  curl -fs "http://127.0.0.1:$PORT/models/create" -d "{\"name\": \"m$i\", \"unique\": \"m$i\",
    \"source\": {\"url\": \"file://$work/tiny.gguf\"}}" >/dev/null
  curl -fs -X POST "http://127.0.0.1:$PORT/model/m$i/download" >/dev/null
done
for i in $(seq 1 40); do
  until curl -fs "http://127.0.0.1:$PORT/model/m$i" | grep -q '"downloaded":true'; do sleep 0.1; done
  curl -fs "http://127.0.0.1:$PORT/v1/chat/completions" -d "{\"model\": \"m$i\", \"max_tokens\": 4,
    \"messages\": [{\"role\": \"user\", \"content\": \"hi\"}]}" >/dev/null
done
lines=$(curl -fs "http://127.0.0.1:$PORT/metrics" | grep -vc '^#')
wrk -t1 -c1 -d5s "http://127.0.0.1:$PORT/metrics" >/dev/null   # warm-up: the scrape's code compiled before it is timed
scraped=$(wrk -t1 -c1 -d"$DURATION" --latency "http://127.0.0.1:$PORT/metrics")
scrape=$(awk '/Latency/ && !/Distribution/ {print $2; exit}' <<< "$scraped")
median=$(awk '$1 == "50%" {print $2; exit}' <<< "$scraped")
# the same for a request that does nothing: what HTTP and wrk add to each
wrk -t1 -c1 -d5s "http://127.0.0.1:$PORT/livez" >/dev/null
empty=$(wrk -t1 -c1 -d"$DURATION" --latency "http://127.0.0.1:$PORT/livez")
emptyMean=$(awk '/Latency/ && !/Distribution/ {print $2; exit}' <<< "$empty")
emptyMedian=$(awk '$1 == "50%" {print $2; exit}' <<< "$empty")
id=$(curl -fs "http://127.0.0.1:$PORT/model/m1" | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
on=(); off=()
for round in 1 2; do
  on+=($(wrk -t2 -c64 -d"$DURATION" "http://127.0.0.1:$PORT/model/$id" | awk '/Requests\/sec/ {print $2}'))
  stop; start off
  off+=($(wrk -t2 -c64 -d"$DURATION" "http://127.0.0.1:$PORT/model/$id" | awk '/Requests\/sec/ {print $2}'))
  stop; start on
done
stop
echo "| | value |"
echo "|---|---|"
echo "| one scrape of /metrics, 40 models that answered ($lines samples), wrk 1 connection after a warm-up: mean, median | $scrape, $median |"
echo "| GET /livez (a request that does nothing) the same way: mean, median | $emptyMean, $emptyMedian |"
echo "| GET /model/{id}, 64 connections, requests/s with metrics on (two rounds) | ${on[*]} |"
echo "| the same with --metrics off | ${off[*]} |"
