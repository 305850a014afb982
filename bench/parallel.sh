#!/usr/bin/env bash
# Slots benchmark (issue 22): several requests on one model at once, long prompts, a chat's second turn and
# a batch of embeddings, modeld beside llama-server built for this CPU from the same release
# (bench/native-llama.sh), run as each ships (modeld: auto parallel, 4 slots; llama-server: 4 slots,
# continuous batching, a KV stream a slot); modeld twice, with that native library (--llama-lib, the
# like-for-like row) and with its bundled one (as shipped). The three run at once and take turns run by run. Model: the 808 MB F32 random llama of the tests (1024-dim, 12 layers,
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
# Medians of RUNS. Run by hand: bash bench/parallel.sh (MODEL=f32|small, N=48 or 256 tokens, RUNS=5).
# Prints Markdown for docs/BENCHMARKS.md.
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
trap 'kill "${daemons[@]:-}" "${server:-}" 2>/dev/null || true; rm -rf "$work"' EXIT
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

# the body of a generation of N tokens from PROMPT_JSON, for KIND modeld (/v1/completions) or server (/completion)
body() {
  if [[ $1 == modeld ]]; then
    echo "{\"model\": \"gen\", \"prompt\": $2, \"max_tokens\": $3, \"temperature\": 0.8, \"seed\": 1, \"ignore_eos\": true}"
  else
    echo "{\"prompt\": $2, \"n_predict\": $3, \"temperature\": 0.8, \"seed\": 1, \"ignore_eos\": true, \"cache_prompt\": true}"
  fi
}
url() { if [[ $1 == modeld ]]; then echo "$2/v1/completions"; else echo "$2/completion"; fi; }

# warm KIND BASE: a daemon's JIT compiles its hot paths over its first requests (seconds of a core here)
warm() {
  local u; u=$(url "$1" "$2")
  for w in 1 2 3 4 5 6; do
    ask "$u" "$(body "$1" '"Hello"' "$N")" >/dev/null
    local pids=()
    for c in 1 2 3 4; do ask "$u" "$(body "$1" "\"Warm $c\"" "$N")" >/dev/null & pids+=($!); done
    wait "${pids[@]}"   # only these: a bare wait would wait for the servers too
  done
}

# run KIND BASE R: run R's four numbers (1 client tokens/s, 4 clients tokens/s, long prompt tokens/s, turn ms)
run() {
  local kind=$1 u t0 p more one four long turn
  u=$(url "$kind" "$2")
  one=$(rate "$N" "$(ask "$u" "$(body "$kind" '"Hello"' "$N")")")
  t0=$(now)
  local pids=()
  for c in 1 2 3 4; do ask "$u" "$(body "$kind" "\"Hello $c\"" "$N")" >/dev/null & pids+=($!); done
  wait "${pids[@]}"
  four=$(rate $((4 * N)) $(( $(now) - t0 )))
  p=$(prompt "$work/long$3.json")
  long=$(rate "$LONG" "$(ask "$u" "$(body "$kind" "$p" 1)")")
  more="${p%\"} and then the second turn asks one more short question\""
  turn=$(awk -v ns="$(ask "$u" "$(body "$kind" "$more" 1)")" 'BEGIN {printf "%.0f", ns / 1e6}')
  echo "$one $four $long $turn"
}

# modeld on PORT with LIB (empty: its bundled llama.cpp), data in DIR, with the two models downloaded
modeld_start() {
  local extra=()
  [[ -n "$2" ]] && extra=(--llama-lib "$2")
  ./modeld serve --port "$1" --ollama-port 0 --no-library --data-dir "$3" "${extra[@]}" \
    > "$3.log" 2>&1 &
  daemons+=($!)
  until curl -fs "http://127.0.0.1:$1/.well-known/health" >/dev/null; do sleep 0.1; done
  for m in gen bert; do
    curl -fs "http://127.0.0.1:$1/models/create" -d "{\"name\": \"$m\", \"unique\": \"$m\", \"context\": $CTX,
      \"source\": {\"url\": \"file://$work/$m.gguf\"}}" >/dev/null
    curl -fs -X POST "http://127.0.0.1:$1/model/$m/download" >/dev/null
    until curl -fs "http://127.0.0.1:$1/model/$m" | grep -q '"downloaded":true'; do sleep 0.2; done
  done
}

# All three run at once and take turns, run by run, so that a machine's slow minute falls on each alike:
# modeld with its bundled libraries (B), modeld with the native build (M), llama-server (S).
daemons=()
modeld_start "$PORT" "" "$work/bundled"
modeld_start $((PORT + 1)) "$native" "$work/native"
"$native/llama-server" -m "$work/gen.gguf" -c $((4 * CTX)) -np 4 -t "$(nproc)" --port $PEER > "$work/server.log" 2>&1 &
server=$!
until curl -fs "http://127.0.0.1:$PEER/health" >/dev/null 2>&1; do sleep 0.2; done
declare -A base=([B]="http://127.0.0.1:$PORT" [M]="http://127.0.0.1:$((PORT + 1))" [S]="http://127.0.0.1:$PEER")
declare -A kind=([B]=modeld [M]=modeld [S]=server)
declare -A one four long turn emb
for t in B M S; do warm "${kind[$t]}" "${base[$t]}"; done
for r in $(seq "$RUNS"); do
  for t in B M S; do
    read -r a b c d <<< "$(run "${kind[$t]}" "${base[$t]}" "$r")"
    one[$t]+="$a "; four[$t]+="$b "; long[$t]+="$c "; turn[$t]+="$d "
  done
done
slots=$(curl -fs "http://127.0.0.1:$((PORT + 1))/memory" | python3 -c "import json,sys; print([m['slots'] for m in json.load(sys.stdin)['loaded'] if m['unique']=='gen'][0])")
kill "$server"; wait "$server" 2>/dev/null || true

"$native/llama-server" -m "$work/bert.gguf" --embedding -c 4096 -b 4096 -ub 4096 -np 4 -t "$(nproc)" --port $PEER \
  > "$work/server.log" 2>&1 &
server=$!
until curl -fs "http://127.0.0.1:$PEER/health" >/dev/null 2>&1; do sleep 0.2; done
mbody=$(python3 -c "import json; d=json.load(open('$work/embed.json')); d['model']='bert'; print(json.dumps(d))")
sbody=$(cat "$work/embed.json")
for t in B M S; do
  b=$mbody; [[ $t == S ]] && b=$sbody
  ask "${base[$t]}/v1/embeddings" "$b" >/dev/null
done
for r in $(seq "$RUNS"); do
  for t in B M S; do
    b=$mbody; [[ $t == S ]] && b=$sbody
    emb[$t]+="$(rate 256 "$(ask "${base[$t]}/v1/embeddings" "$b")") "
  done
done
kill "$server" "${daemons[@]}"; wait "$server" "${daemons[@]}" 2>/dev/null || true
m() { median ${1}; }

echo "Machine: $(nproc) cores, $(free -g | awk '/Mem/ {print $2}') GiB, $(uname -r); date $(date -u +%F); model $MODEL; $N tokens a request, medians of $RUNS, the three taking turns; modeld's slots: $slots"
echo
echo "| measure | llama-server (native) | modeld (native) | ratio | modeld (bundled, as shipped) | ratio |"
echo "|---|---|---|---|---|---|"
row() { awk -v n="$1" -v s="$2" -v m="$3" -v b="$4" -v inv="${5:-0}" 'BEGIN {printf "| %s | %s | %s | %.2f | %s | %.2f |\n", n, s, m, inv ? s / m : m / s, b, inv ? s / b : b / s}'; }
row "1 client, tokens/s" "$(m "${one[S]}")" "$(m "${one[M]}")" "$(m "${one[B]}")"
row "4 clients at once, aggregate tokens/s" "$(m "${four[S]}")" "$(m "${four[M]}")" "$(m "${four[B]}")"
row "~$LONG-token prompt, prompt tokens/s" "$(m "${long[S]}")" "$(m "${long[M]}")" "$(m "${long[B]}")"
row "second turn (+25 tokens), ms (ratio: llama-server's time over modeld's)" "$(m "${turn[S]}")" "$(m "${turn[M]}")" "$(m "${turn[B]}")" 1
row "256 inputs to /v1/embeddings, inputs/s" "$(m "${emb[S]}")" "$(m "${emb[M]}")" "$(m "${emb[B]}")"
