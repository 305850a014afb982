#!/usr/bin/env bash
# Runtime benchmark (issues 11 and 12): tokens/s of the 808 MB F32 test model (random llama: 1024-dim,
# 12 layers, 4096 FFN) and of its Q4_K_M quantization (made with llama_model_quantize), 48 tokens from
# "Hello", temperature 0.8, seed 1, end of sequence ignored, context 2048, every peer in this script:
#   direct       modeld's engine called in one JVM (bench/EngineBench.java), bundled and native llama.cpp
#   /v1          through the daemon's /v1/completions (HTTP, daemon, runner), bundled and native
#   /api/chat    through Ollama's /api/chat, streamed (NDJSON)
#   java-llama.cpp 4.2.0 (llama.cpp b4916) in its own JVM (bench/JllamaBench.java), a bench-only peer
#   llama-server built from the same source bundle as the bundled library (GGML_NATIVE), a bench-only peer
# and the load time of a model (the spare runner waiting) beside loading it inside a running JVM.
# Tokens/s are generated tokens over the wall time of the request (or of the generate call).
# Run by hand: bash bench/runtime.sh (N=48, RUNS=3). Builds llama.cpp natively once (~2 min for the
# library, ~10 for llama-server) under target/bench/. Prints Markdown for docs/BENCHMARKS.md.
set -euo pipefail
cd "$(dirname "$0")/.."
./modeld --version >/dev/null
mvn -q -B -DskipTests test-compile
mvn -q -B dependency:copy -Dartifact=de.kherud:llama:4.2.0 -DoutputDirectory=target/bench/lib >/dev/null
N=${N:-48}
RUNS=${RUNS:-3}
PORT=39396
OLLAMA=39397
cp=target/modeld.jar:target/test-classes
bench=target/bench
work=$(mktemp -d -p "$bench" runtime-XXXX 2>/dev/null || (mkdir -p "$bench" && mktemp -d -p "$bench" runtime-XXXX))
trap 'kill "${daemon:-}" "${server:-}" 2>/dev/null || true; rm -rf "$work"' EXIT
engine() { java -cp "$cp" bench/EngineBench.java "$@" 2>/dev/null | tail -1; }
median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
ms() { echo $(( $(date +%s%N) / 1000000 )); }

nativelib=$(bash bench/native-llama.sh)   # llama.cpp for this CPU, the same release
bundled=$(engine bundled "$work/unpacked")

engine write "$work/f32.gguf"
engine quantize "$work/f32.gguf" "$work/q4_k_m.gguf" Q4_K_M

serve() {   # serve LLAMA_LIB_OR_EMPTY
  local extra=()
  [[ -n "$1" ]] && extra=(--llama-lib "$1")
  rm -rf "$work/data"
  ./modeld serve --port $PORT --ollama-port $OLLAMA --data-dir "$work/data" "${extra[@]}" > "$work/daemon.log" 2>&1 &
  daemon=$!
  until curl -fs "http://127.0.0.1:$PORT/.well-known/health" >/dev/null; do sleep 0.1; done
  for m in f32 q4_k_m; do
    curl -fs "http://127.0.0.1:$PORT/models/create" -d "{\"name\": \"$m\", \"unique\": \"$m\",
      \"source\": {\"url\": \"file://$(cd "$work" && pwd)/$m.gguf\"}}" >/dev/null
    curl -fs -X POST "http://127.0.0.1:$PORT/model/$m/download" >/dev/null
    until curl -fs "http://127.0.0.1:$PORT/model/$m" | grep -q '"downloaded":true'; do sleep 0.2; done
  done
  sleep 12   # the spare runner starts at startup; let it be ready, as it is on a daemon that runs
}
stop() { kill "$daemon"; wait "$daemon" 2>/dev/null || true; }
timed() {   # timed URL BODY -> tokens/s of one request
  local t0 t1; t0=$(date +%s%N); curl -fs "$1" -d "$2" >/dev/null; t1=$(date +%s%N)
  awk -v n="$N" -v d=$((t1 - t0)) 'BEGIN {printf "%.1f", n / (d / 1e9)}'
}
v1() { timed "http://127.0.0.1:$PORT/v1/completions" "{\"model\": \"$1\", \"prompt\": \"Hello\", \"max_tokens\": $N,
  \"temperature\": 0.8, \"seed\": 1, \"ignore_eos\": true}"; }
chat() { timed "http://127.0.0.1:$OLLAMA/api/chat" "{\"model\": \"$1\", \"messages\": [{\"role\": \"user\", \"content\": \"Hello\"}],
  \"options\": {\"num_predict\": $N, \"temperature\": 0.8, \"seed\": 1}}"; }

declare -A R
for m in f32 q4_k_m; do
  d=(); dn=(); j=(); loads=()
  for i in $(seq "$RUNS"); do
    read -r l t <<< "$(engine direct "$bundled" "$work/$m.gguf" "$N")"; d+=("$t"); loads+=("$l")
    read -r l t <<< "$(engine direct "$nativelib" "$work/$m.gguf" "$N")"; dn+=("$t")
    read -r l t <<< "$(java -cp "$bench/lib/llama-4.2.0.jar" bench/JllamaBench.java "$work/$m.gguf" "$N" 2>/dev/null | tail -1)"; j+=("$t")
  done
  R[$m,direct]=$(median "${d[@]}"); R[$m,direct_native]=$(median "${dn[@]}"); R[$m,jllama]=$(median "${j[@]}")
  R[$m,load_inproc]=$(median "${loads[@]}")
done

serve ""
for m in f32 q4_k_m; do
  l=(); for i in $(seq "$RUNS"); do
    t0=$(ms); curl -fs -X POST "http://127.0.0.1:$PORT/model/$m/load" >/dev/null; l+=($(( $(ms) - t0 )))
    curl -fs -X POST "http://127.0.0.1:$PORT/model/$m/unload" >/dev/null; sleep 12
  done
  R[$m,load]=$(median "${l[@]}")
  v1 "$m" >/dev/null; s=(); c=()
  for i in $(seq "$RUNS"); do s+=("$(v1 "$m")"); c+=("$(chat "$m")"); done
  R[$m,v1]=$(median "${s[@]}"); R[$m,chat]=$(median "${c[@]}")
  curl -fs -X POST "http://127.0.0.1:$PORT/model/$m/unload" >/dev/null
done
stop
serve "$nativelib"
for m in f32 q4_k_m; do
  v1 "$m" >/dev/null; s=(); for i in $(seq "$RUNS"); do s+=("$(v1 "$m")"); done
  R[$m,v1_native]=$(median "${s[@]}")
  curl -fs -X POST "http://127.0.0.1:$PORT/model/$m/unload" >/dev/null
done
stop

for m in f32 q4_k_m; do
  "$nativelib/llama-server" -m "$work/$m.gguf" -c 2048 -t "$(nproc)" --port 39398 > "$work/server.log" 2>&1 &
  server=$!
  until curl -fs http://127.0.0.1:39398/health >/dev/null 2>&1; do sleep 0.2; done
  body="{\"prompt\": \"Hello\", \"n_predict\": $N, \"temperature\": 0.8, \"seed\": 1, \"ignore_eos\": true}"
  timed http://127.0.0.1:39398/completion "$body" >/dev/null; s=()
  for i in $(seq "$RUNS"); do s+=("$(timed http://127.0.0.1:39398/completion "$body")"); done
  R[$m,server]=$(median "${s[@]}")
  kill "$server"; wait "$server" 2>/dev/null || true
done

echo "Machine: $(nproc) cores, $(free -g | awk '/Mem/ {print $2}') GiB, $(uname -r); date $(date -u +%F); $N tokens, medians of $RUNS"
echo
echo "| model | direct (bundled) | /v1 (bundled) | /api/chat (bundled) | direct (native) | /v1 (native) | java-llama.cpp | llama-server (native) |"
echo "|---|---|---|---|---|---|---|---|"
for m in f32 q4_k_m; do
  echo "| $m | ${R[$m,direct]} | ${R[$m,v1]} | ${R[$m,chat]} | ${R[$m,direct_native]} | ${R[$m,v1_native]} | ${R[$m,jllama]} | ${R[$m,server]} |"
done
echo
for m in f32 q4_k_m; do
  awk -v m="$m" -v d="${R[$m,direct]}" -v v="${R[$m,v1]}" -v c="${R[$m,chat]}" -v dn="${R[$m,direct_native]}" \
      -v vn="${R[$m,v1_native]}" -v j="${R[$m,jllama]}" -v s="${R[$m,server]}" \
      'BEGIN {printf "%s: /v1 %.2fx direct; /api/chat %.2fx direct; native /v1 %.2fx native direct, %.2fx llama-server, %.2fx java-llama.cpp\n", m, v/d, c/d, vn/dn, vn/s, vn/j}'
  echo "$m: load (spare runner waiting) ${R[$m,load]} ms; in-process load ${R[$m,load_inproc]} ms"
done
