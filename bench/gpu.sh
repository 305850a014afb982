#!/usr/bin/env bash
# GPU benchmark (issue 34): generation speed with --gpu none against --gpu $GPU (auto unless told) on the same
# model, greedy, 128 tokens from Ollama's /api/generate (its eval_count / eval_duration), medians of RUNS. On a
# machine without a GPU, auto falls back to the CPU, and this shows what the fallback costs (nothing, it should).
# On a machine with one, give the peer too: PEER=path/to/llama-server built from the same release for the same
# backend (from the source bundle bench/native-llama.sh unpacks, with -DGGML_VULKAN=ON or -DGGML_CUDA=ON), run
# with -ngl 99, its tokens/s read from its own timings.
#   bash bench/gpu.sh                                  # the tests' 135 MB llama (8 layers)
#   MODEL=~/models/qwen2.5-7b-q4_k_m.gguf GPU=vulkan PEER=~/llama.cpp/build/bin/llama-server bash bench/gpu.sh
# GPU_DEVICES=0 (--gpu-devices) makes a software Vulkan device (Mesa's lavapipe) count: slow, only to see it run.
# BASE=path/to/a/checkout of modeld before the GPU work (built): its speed on the same model, as a third row.
set -euo pipefail
cd "$(dirname "$0")/.."
./modeld --version >/dev/null
mvn -q -B -DskipTests test-compile
RUNS=${RUNS:-5}
GPU=${GPU:-auto}
PORT=39611
PEER_PORT=39612
mkdir -p target/bench
work=$(mktemp -d -p target/bench gpu-XXXX)
work=$(cd "$work" && pwd)
pid=
peer=
trap 'kill $pid $peer 2>/dev/null || true; rm -rf "$work"' EXIT
median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

model=${MODEL:-}
if [[ -z "$model" ]]; then
  cat > "$work/Write.java" <<'JAVA'
public class Write {
    public static void main(String[] a) throws Exception {
        io.modeld.gguf.TinyLlama.SMALL.write(java.nio.file.Path.of(a[0]), 1);
    }
}
JAVA
  java -cp target/modeld.jar:target/test-classes "$work/Write.java" "$work/small.gguf"
  model=$work/small.gguf
fi

body='{"model": "m", "prompt": "Once upon a time", "raw": true, "stream": false, "keep_alive": -1,
  "options": {"temperature": 0, "num_predict": 128, "seed": 1}}'
run() {   # GPU MODE (or "base") -> median tokens/s, and the model's placement on stderr
  if [[ $1 == base ]]; then
    "$BASE/modeld" serve --port $PORT --ollama-port 0 --no-library --data-dir "$work/data-$1" > "$work/modeld-$1.log" 2>&1 &
  else
    ./modeld serve --port $PORT --ollama-port 0 --no-library --data-dir "$work/data-$1" --gpu "$1" \
      --gpu-devices "${GPU_DEVICES:-}" > "$work/modeld-$1.log" 2>&1 &
  fi
  pid=$!
  until curl -fs "http://127.0.0.1:$PORT/.well-known/health" >/dev/null; do
    kill -0 $pid 2>/dev/null || { tail -5 "$work/modeld-$1.log" >&2; exit 1; }
    sleep 0.1
  done
  curl -fs "http://127.0.0.1:$PORT/models/create" -d "{\"name\": \"m\", \"unique\": \"m\",
    \"source\": {\"url\": \"file://$model\"}}" >/dev/null
  curl -fs -X POST "http://127.0.0.1:$PORT/model/m/download" >/dev/null
  until curl -fs "http://127.0.0.1:$PORT/model/m" | grep -q '"downloaded":true'; do sleep 0.2; done
  curl -fs "http://127.0.0.1:$PORT/api/generate" -d "$body" >/dev/null   # load, warm up
  local t=()
  for _ in $(seq "$RUNS"); do
    t+=("$(curl -fs "http://127.0.0.1:$PORT/api/generate" -d "$body" \
      | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{const r=JSON.parse(s);
          console.log((r.eval_count/(r.eval_duration/1e9)).toFixed(1))})')")
  done
  curl -fs "http://127.0.0.1:$PORT/memory" | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{
    const m=JSON.parse(s), l=m.loaded[0]; console.error(`  '"$1"': ${l.gpuLayers ?? 0} of ${l.layers ?? "?"} layers on ${l.device||"the CPU"}; ${m.gpuNote ?? ""}`)})'
  kill $pid; wait $pid 2>/dev/null || true; pid=
  median "${t[@]}"
}

echo "Machine: $(nproc) cores, $(free -g | awk '/Mem/ {print $2}') GiB, $(uname -r); date $(date -u +%F); model $(basename "$model") ($(du -h "$model" | cut -f1)); medians of $RUNS"
echo
NONE=$(run none)
WITH=$(run "$GPU")
[[ -n "${BASE:-}" ]] && B=$(run base)
echo
echo "| 128 greedy tokens | tokens/s |"
echo "|---|---|"
echo "| modeld --gpu none | $NONE |"
echo "| modeld --gpu $GPU | $WITH |"
if [[ -n "${BASE:-}" ]]; then
  echo "| modeld before the GPU work ($(git -C "$BASE" log -1 --format=%h)) | $B |"
fi
if [[ -n "${PEER:-}" ]]; then
  "$PEER" -m "$model" -ngl 99 --port $PEER_PORT -c 4096 > "$work/peer.log" 2>&1 &
  peer=$!
  until curl -fs "http://127.0.0.1:$PEER_PORT/health" >/dev/null 2>&1; do sleep 0.1; done
  p=()
  for _ in $(seq $((RUNS + 1))); do
    p+=("$(curl -fs "http://127.0.0.1:$PEER_PORT/completion" -d '{"prompt": "Once upon a time", "n_predict": 128,
      "temperature": 0, "seed": 1, "cache_prompt": false}' | node -e 'let s="";process.stdin.on("data",d=>s+=d)
      .on("end",()=>console.log(JSON.parse(s).timings.predicted_per_second.toFixed(1)))')")
  done
  P=$(median "${p[@]:1}")
  echo "| llama-server -ngl 99 (same release, same backend) | $P |"
  awk -v m="$WITH" -v p="$P" 'BEGIN {printf "\nmodeld --gpu runs at %.2fx llama-server'"'"'s speed\n", m/p}'
fi
awk -v a="$NONE" -v b="$WITH" 'BEGIN {printf "\n--gpu '"$GPU"' runs at %.2fx --gpu none'"'"'s speed\n", b/a}'
