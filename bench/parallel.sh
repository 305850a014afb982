#!/usr/bin/env bash
# Slots benchmark (issue 22): several requests on one model at once, long prompts, a chat's second turn and
# a batch of embeddings, modeld beside llama-server built for this CPU from the same release
# (bench/native-llama.sh), run as each ships (modeld: auto parallel, 4 slots; llama-server: 4 slots,
# continuous batching, unified KV); modeld twice, with that native library (--llama-lib, the like-for-like
# row) and with its bundled one. Model: the 808 MB F32 random llama of the tests (1024-dim, 12 layers,
# 4096 FFN, trained context 2048; its vocabulary is bytes, so a 1,000-character prompt is 1,000 tokens),
# 2048 tokens a slot on both;
# MODEL=small instead: a 384-dim, 6-layer random llama (1536 FFN, trained context 8192), 8192 tokens a slot,
# a ~3,000-token long prompt: a model fast enough that what modeld adds per token shows (as on a GPU);
# embeddings: a MiniLM-sized random bert. Rows:
#   1 client          tokens/s of one request of N tokens (end of sequence ignored)
#   4 clients         aggregate tokens/s of four such requests sent at once
#   long prompt       prompt tokens/s of a ~1,000-token (small: ~3,000) prompt no slot has seen, one token generated
#   second turn       ms for the same prompt plus ~25 new tokens (the slot's cache holds the rest)
#   embeddings        inputs/s of 256 short inputs in one /v1/embeddings request
# Medians of RUNS. Run by hand: bash bench/parallel.sh (MODEL=f32|small, N=48 or 256 tokens, RUNS=5). Prints Markdown for
# docs/BENCHMARKS.md.
set -euo pipefail
cd "$(dirname "$0")/.."
./modeld --version >/dev/null
mvn -q -B -DskipTests test-compile
N=${N:-}
RUNS=${RUNS:-5}
MODEL=${MODEL:-f32}
case $MODEL in
  f32) CTX=2048; LONG=1000; N=${N:-48} ;;
  small) CTX=8192; LONG=3000; N=${N:-256} ;;
  *) echo "MODEL: f32 or small" >&2; exit 2 ;;
esac
PORT=39496
PEER=39498
cp=target/modeld.jar:target/test-classes
mkdir -p target/bench
work=$(mktemp -d -p target/bench parallel-XXXX)
work=$(cd "$work" && pwd)
trap 'kill "${daemon:-}" "${server:-}" 2>/dev/null || true; rm -rf "$work"' EXIT
engine() { java -cp "$cp" bench/EngineBench.java "$@" 2>/dev/null | tail -1; }
median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
now() { date +%s%N; }
native=$(bash bench/native-llama.sh)
if [[ $MODEL == f32 ]]; then engine write "$work/gen.gguf"; else engine write-small "$work/gen.gguf"; fi
engine write-bert "$work/bert.gguf"
python3 - "$work" "$LONG" <<'PY'
import json, random, sys
w = sys.argv[1]
long = int(sys.argv[2])
random.seed(1)
words = "the of and to in is was for on that with as by at from his her an were which this be or have had".split()
def text(n):
    out = ""
    while len(out) < n:
        out += random.choice(words) + " "
    return out[:n]
for r in range(8):   # long prompts: each starts differently, so no slot has a prefix of it
    json.dump({"p": f"{r} " + text(long)}, open(f"{w}/long{r}.json", "w"))
json.dump({"input": [f"short input number {i} about code search" for i in range(256)]}, open(f"{w}/embed.json", "w"))
PY

# one request with curl (light: four at once must not compete with the servers for the cores); its time in ns
ask() { curl -fs -o /dev/null -w '%{time_total}' -H 'Content-Type: application/json' -d "$2" "$1" | awk '{printf "%.0f", $1 * 1e9}'; }
rate() { awk -v n="$1" -v ns="$2" 'BEGIN {printf "%.1f", n / (ns / 1e9)}'; }
prompt() { python3 -c "import json,sys; print(json.dumps(json.load(open(sys.argv[1]))['p']))" "$1"; }

# measure BASE KIND: KIND modeld (/v1/completions) or server (/completion); prints five numbers
measure() {
  local base=$1 kind=$2 url gen one four long turn
  if [[ $kind == modeld ]]; then url="$base/v1/completions"; else url="$base/completion"; fi
  gen() {   # gen PROMPT_JSON TOKENS
    if [[ $kind == modeld ]]; then
      echo "{\"model\": \"gen\", \"prompt\": $1, \"max_tokens\": $2, \"temperature\": 0.8, \"seed\": 1, \"ignore_eos\": true}"
    else
      echo "{\"prompt\": $1, \"n_predict\": $2, \"temperature\": 0.8, \"seed\": 1, \"ignore_eos\": true, \"cache_prompt\": true}"
    fi
  }
  # warm-up: a daemon's JIT compiles its hot paths over its first requests (a few seconds of a core here)
  for w in 1 2 3 4 5 6; do
    ask "$url" "$(gen '"Hello"' "$N")" >/dev/null
    for c in 1 2 3 4; do ask "$url" "$(gen "\"Warm $c\"" "$N")" >/dev/null & done
    wait
  done
  one=(); four=(); long=(); turn=()
  for r in $(seq "$RUNS"); do
    one+=("$(rate "$N" "$(ask "$url" "$(gen '"Hello"' "$N")")")")
    local t0; t0=$(now)
    for c in 1 2 3 4; do ask "$url" "$(gen "\"Hello $c\"" "$N")" >/dev/null & done
    wait
    four+=("$(rate $((4 * N)) $(( $(now) - t0 )))")
    local p; p=$(prompt "$work/long$r.json")
    long+=("$(rate "$LONG" "$(ask "$url" "$(gen "$p" 1)")")")
    local more="${p%\"} and then the second turn asks one more short question\""
    turn+=("$(awk -v ns="$(ask "$url" "$(gen "$more" 1)")" 'BEGIN {printf "%.0f", ns / 1e6}')")
  done
  echo "$(median "${one[@]}") $(median "${four[@]}") $(median "${long[@]}") $(median "${turn[@]}")"
}

# modeld with LIB (empty: its bundled llama.cpp); prints the four generation numbers, inputs/s and slots
modeld_run() {
  local extra=() e body ME slots
  [[ -n "$1" ]] && extra=(--llama-lib "$1")
  rm -rf "$work/data"
  ./modeld serve --port $PORT --ollama-port 0 --no-library --data-dir "$work/data" "${extra[@]}" > "$work/daemon.log" 2>&1 &
  daemon=$!
  until curl -fs "http://127.0.0.1:$PORT/.well-known/health" >/dev/null; do sleep 0.1; done
  for m in gen bert; do
    curl -fs "http://127.0.0.1:$PORT/models/create" -d "{\"name\": \"$m\", \"unique\": \"$m\", \"context\": $CTX,
      \"source\": {\"url\": \"file://$work/$m.gguf\"}}" >/dev/null
    curl -fs -X POST "http://127.0.0.1:$PORT/model/$m/download" >/dev/null
    until curl -fs "http://127.0.0.1:$PORT/model/$m" | grep -q '"downloaded":true'; do sleep 0.2; done
  done
  local gen; gen=$(measure "http://127.0.0.1:$PORT" modeld)
  e=(); body=$(python3 -c "import json; d=json.load(open('$work/embed.json')); d['model']='bert'; print(json.dumps(d))")
  ask "http://127.0.0.1:$PORT/v1/embeddings" "$body" >/dev/null
  for r in $(seq "$RUNS"); do e+=("$(rate 256 "$(ask "http://127.0.0.1:$PORT/v1/embeddings" "$body")")"); done
  ME=$(median "${e[@]}")
  slots=$(curl -fs "http://127.0.0.1:$PORT/memory" | python3 -c "import json,sys; print([m['slots'] for m in json.load(sys.stdin)['loaded'] if m['unique']=='gen'][0])")
  kill "$daemon"; wait "$daemon" 2>/dev/null || true
  echo "$gen $ME $slots"
}
read -r B1 B4 BL BT BE slots <<< "$(modeld_run "")"
read -r M1 M4 ML MT ME slots <<< "$(modeld_run "$native")"

"$native/llama-server" -m "$work/gen.gguf" -c $((4 * CTX)) -np 4 -t "$(nproc)" --port $PEER > "$work/server.log" 2>&1 &
server=$!
until curl -fs "http://127.0.0.1:$PEER/health" >/dev/null 2>&1; do sleep 0.2; done
read -r S1 S4 SL ST <<< "$(measure "http://127.0.0.1:$PEER" server)"
kill "$server"; wait "$server" 2>/dev/null || true
"$native/llama-server" -m "$work/bert.gguf" --embedding -c 4096 -b 4096 -ub 4096 -np 4 -t "$(nproc)" --port $PEER \
  > "$work/server.log" 2>&1 &
server=$!
until curl -fs "http://127.0.0.1:$PEER/health" >/dev/null 2>&1; do sleep 0.2; done
body=$(cat "$work/embed.json")
ask "http://127.0.0.1:$PEER/v1/embeddings" "$body" >/dev/null
e=(); for r in $(seq "$RUNS"); do e+=("$(rate 256 "$(ask "http://127.0.0.1:$PEER/v1/embeddings" "$body")")"); done
SE=$(median "${e[@]}")
kill "$server"; wait "$server" 2>/dev/null || true

echo "Machine: $(nproc) cores, $(free -g | awk '/Mem/ {print $2}') GiB, $(uname -r); date $(date -u +%F); model $MODEL; $N tokens a request, medians of $RUNS; modeld's slots: $slots"
echo
echo "| measure | llama-server (native) | modeld (native) | ratio | modeld (bundled) |"
echo "|---|---|---|---|---|"
row() { awk -v n="$1" -v s="$2" -v m="$3" -v b="$4" -v inv="${5:-0}" 'BEGIN {printf "| %s | %s | %s | %.2f | %s |\n", n, s, m, inv ? s / m : m / s, b}'; }
row "1 client, tokens/s" "$S1" "$M1" "$B1"
row "4 clients at once, aggregate tokens/s" "$S4" "$M4" "$B4"
row "~$LONG-token prompt, prompt tokens/s" "$SL" "$ML" "$BL"
row "second turn (+25 tokens), ms (ratio: llama-server's time over modeld's)" "$ST" "$MT" "$BT" 1
row "256 inputs to /v1/embeddings, inputs/s" "$SE" "$ME" "$BE"
awk -v a="$M4" -v b="$M1" -v c="$B4" -v d="$B1" 'BEGIN {printf "modeld: 4 clients %.2fx its single stream (native), %.2fx (bundled)\n", a / b, c / d}'
