#!/usr/bin/env bash
# Embeddings benchmark (issue 13): 256 short inputs ("short input number i about code search") embedded by a
# MiniLM-sized random bert (384-dim, 6 layers, mean pooling; written by bench/EngineBench.java), three ways:
#   direct    modeld's engine in one JVM, one batch of 256 (Pooler, 64 sequences per decode)
#   one       POST /v1/embeddings with all 256 inputs in one request
#   many      256 requests of one input each, one after another (a client that does not batch)
# inputs per second, medians of RUNS, after a warm-up. Run by hand: bash bench/embeddings.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
./modeld --version >/dev/null
mvn -q -B -DskipTests test-compile
RUNS=${RUNS:-3}
COUNT=256
PORT=39596
mkdir -p target/bench
work=$(mktemp -d -p target/bench embed-XXXX)
work=$(cd "$work" && pwd)
trap 'kill "${daemon:-}" 2>/dev/null || true; rm -rf "$work"' EXIT
cp=target/modeld.jar:target/test-classes
engine() { java -cp "$cp" bench/EngineBench.java "$@" 2>/dev/null | tail -1; }
median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

engine write-bert "$work/bert.gguf"
bundled=$(engine bundled "$work/unpacked")
d=(); for i in $(seq "$RUNS"); do d+=("$(engine embed "$bundled" "$work/bert.gguf" $COUNT)"); done

./modeld serve --port $PORT --ollama-port 0 --no-spare-runner --no-library --data-dir "$work/data" > "$work/daemon.log" 2>&1 &
daemon=$!
until curl -fs "http://127.0.0.1:$PORT/.well-known/health" >/dev/null; do sleep 0.1; done
curl -fs "http://127.0.0.1:$PORT/models/create" -d "{\"name\": \"bert\", \"unique\": \"bert\", \"source\": {\"url\": \"file://$work/bert.gguf\"}}" >/dev/null
curl -fs -X POST "http://127.0.0.1:$PORT/model/bert/download" >/dev/null
until curl -fs "http://127.0.0.1:$PORT/model/bert" | grep -q '"downloaded":true'; do sleep 0.2; done
python3 - "$COUNT" > "$work/batch.json" <<'PY'
import json, sys
n = int(sys.argv[1])
print(json.dumps({"model": "bert", "input": [f"short input number {i} about code search" for i in range(n)]}))
PY
curl -fs "http://127.0.0.1:$PORT/v1/embeddings" -d @"$work/batch.json" >/dev/null   # loads and warms up
rate() { awk -v n=$COUNT -v ns="$1" 'BEGIN {printf "%.1f", n / (ns / 1e9)}'; }
one=(); many=()
for r in $(seq "$RUNS"); do
  t0=$(date +%s%N); curl -fs "http://127.0.0.1:$PORT/v1/embeddings" -d @"$work/batch.json" >/dev/null; t1=$(date +%s%N)
  one+=("$(rate $((t1 - t0)))")
  t0=$(date +%s%N)
  for i in $(seq 0 $((COUNT - 1))); do
    curl -fs "http://127.0.0.1:$PORT/v1/embeddings" -d "{\"model\": \"bert\", \"input\": \"short input number $i about code search\"}" >/dev/null
  done
  t1=$(date +%s%N)
  many+=("$(rate $((t1 - t0)))")
done
D=$(median "${d[@]}"); O=$(median "${one[@]}"); M=$(median "${many[@]}")
echo "Machine: $(nproc) cores, $(free -g | awk '/Mem/ {print $2}') GiB, $(uname -r); date $(date -u +%F); $COUNT inputs, medians of $RUNS"
echo
echo "| | inputs/s |"
echo "|---|---|"
echo "| direct (engine, one batch) | $D |"
echo "| /v1/embeddings, 256 in one request | $O |"
echo "| /v1/embeddings, 256 requests of one | $M |"
awk -v d="$D" -v o="$O" -v m="$M" 'BEGIN {printf "one request %.2fx direct; one request %.2fx 256 requests\n", o/d, o/m}'
