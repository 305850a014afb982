#!/usr/bin/env bash
# Runtime benchmark (issue 4): load time of the ~135 MB test model next to reading it from the page
# cache, and tokens per second through /v1/completions next to java-llama.cpp called directly in one
# JVM with the same parameters (context 2048, temperature 0.8, seed 1, 128 tokens, end of sequence
# ignored). Run by hand: bash bench/runtime.sh. Prints a Markdown table for docs/BENCHMARKS.md.
set -euo pipefail
cd "$(dirname "$0")/.."
./modeld --version >/dev/null
PORT=39396
N=${N:-128}
work=$(mktemp -d)
trap 'kill "${daemon:-}" 2>/dev/null || true; rm -rf "$work"' EXIT
java -cp target/modeld.jar bench/RuntimeBench.java write "$work/small.gguf"
bytes=$(stat -c %s "$work/small.gguf")
ms() { echo $(( $(date +%s%N) / 1000000 )); }

cat "$work/small.gguf" > /dev/null
t0=$(ms); cat "$work/small.gguf" > /dev/null; cat_ms=$(( $(ms) - t0 ))

direct=()
for i in 1 2 3; do
  direct+=("$(java -cp target/modeld.jar bench/RuntimeBench.java direct "$work/small.gguf" "$N" 2>/dev/null | tail -1)")
done

./modeld serve --port $PORT --data-dir "$work/data" > "$work/daemon.log" 2>&1 &
daemon=$!
until curl -fs "http://127.0.0.1:$PORT/.well-known/health" >/dev/null; do sleep 0.05; done
id=$(curl -fs "http://127.0.0.1:$PORT/models/create" -d "{\"name\": \"small\", \"unique\": \"small\",
  \"source\": {\"url\": \"file://$work/small.gguf\"}}" | grep -o '"id":"[0-9a-f-]*"' | head -1 | cut -d'"' -f4)
curl -fs -X POST "http://127.0.0.1:$PORT/model/$id/download" >/dev/null
until curl -fs "http://127.0.0.1:$PORT/model/$id" | grep -q '"downloaded":true'; do sleep 0.05; done
loads=()
for i in 1 2 3; do
  t0=$(ms); curl -fs -X POST "http://127.0.0.1:$PORT/model/$id/load" >/dev/null; loads+=($(( $(ms) - t0 )))
  curl -fs -X POST "http://127.0.0.1:$PORT/model/$id/unload" >/dev/null
done
body="{\"model\": \"small\", \"prompt\": \"Hello\", \"max_tokens\": $N, \"temperature\": 0.8, \"seed\": 1, \"ignore_eos\": true}"
curl -fs "http://127.0.0.1:$PORT/v1/completions" -d "$body" >/dev/null   # loads it, warms up
served=()
for i in 1 2 3; do
  t0=$(ms)
  tokens=$(curl -fs "http://127.0.0.1:$PORT/v1/completions" -d "$body" | grep -o '"completion_tokens":[0-9]*' | cut -d: -f2)
  served+=("$(awk -v n="$tokens" -v t=$(( $(ms) - t0 )) 'BEGIN {printf "%.1f", n * 1000 / t}')")
done

echo "Machine: $(nproc) cores, $(free -g | awk '/Mem/ {print $2}') GiB, $(uname -r); date $(date -u +%F); model $bytes bytes (TinyLlama.SMALL: 512-dim, 8 layers, F32)"
echo
echo "| measure | modeld | peer | ratio |"
echo "|---|---|---|---|"
direct_load=$(printf '%s\n' "${direct[@]}" | awk '{print $1}' | sort -n | head -2 | tail -1)
direct_tps=$(printf '%s\n' "${direct[@]}" | awk '{print $2}' | sort -n | head -2 | tail -1)
served_tps=$(printf '%s\n' "${served[@]}" | sort -n | head -2 | tail -1)
echo "| load until answering (ms; median of 3: ${loads[*]}) | $(printf '%s\n' "${loads[@]}" | sort -n | head -2 | tail -1) | cat file > /dev/null from the page cache: $cat_ms ms; java-llama.cpp in-process load: $direct_load ms | |"
echo "| tokens/s, $N tokens (median of 3: ${served[*]}) | $served_tps | java-llama.cpp direct: $direct_tps | $(awk -v a="$served_tps" -v b="$direct_tps" 'BEGIN {printf "%.2f", a / b}') |"
