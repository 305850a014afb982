#!/usr/bin/env bash
# Coding-agent replay (issue 32): 6 sessions sharing a ~2,000-token system prompt, each reading a ~1,000-token
# file, then 3 turns of a ~300-token tool result and a 16-token answer, a short title request after every turn,
# round robin, on 4 slots of 8,192 tokens; modeld (as shipped: its prompt cache on) beside llama-server built
# from the same release (bench/native-llama.sh; its host-RAM prompt cache on by default). The model is the
# 384-dim 6-layer random llama of bench/EngineBench.java (its vocabulary is bytes: a character is a token).
# Rows: the whole replay (s), the median turn of a session after its first (s), and the first turn of a session
# after the server restarts (s; modeld reads its prompt cache from the data dir, llama-server keeps none).
# The two servers take turns, one at a time. Medians of RUNS (2). Run by hand: bash bench/replay.sh. Prints
# Markdown for docs/BENCHMARKS.md.
set -euo pipefail
cd "$(dirname "$0")/.."
./modeld --version >/dev/null
mvn -q -B -DskipTests test-compile
RUNS=${RUNS:-2}
PORT=39696
PEER=39698
cp=target/modeld.jar:target/test-classes
native=$(bash bench/native-llama.sh)
mkdir -p target/bench
work=$(mktemp -d -p target/bench replay-XXXX)
work=$(cd "$work" && pwd)
pid=
trap 'kill $pid 2>/dev/null || true; rm -rf "$work"' EXIT
java -cp "$cp" bench/EngineBench.java write-small "$work/gen.gguf" >/dev/null 2>&1
median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

start_modeld() {   # DATA_DIR
  ./modeld serve --port $PORT --ollama-port 0 --no-library --data-dir "$1" --context 8192 --parallel 4 \
    >> "$work/modeld.log" 2>&1 &
  pid=$!
  until curl -fs "http://127.0.0.1:$PORT/.well-known/health" >/dev/null; do sleep 0.1; done
}
start_peer() {
  "$native/llama-server" -m "$work/gen.gguf" -c 32768 -np 4 -t "$(nproc)" --port $PEER > "$work/server.log" 2>&1 &
  pid=$!
  until curl -fs "http://127.0.0.1:$PEER/health" >/dev/null 2>&1; do sleep 0.2; done
}
stop() {
  kill $pid; wait $pid 2>/dev/null || true; pid=
}

# replay BASE MODEL PHASE: PHASE all runs the replay and prints "whole median_turn"; PHASE next sends the turn
# after the replay's last one for session 0 and prints its seconds
replay() {
  python3 - "$1" "$2" "$3" <<'PY'
import json, random, statistics, sys, time, urllib.request
base, model, phase = sys.argv[1:4]
random.seed(7)
words = "the of and to in is was for on that with as by at from his her an were which this be or have had".split()
def text(n, seed):
    r = random.Random(seed)
    out = ""
    while len(out) < n:
        out += r.choice(words) + " "
    return out[:n]
system = "SYSTEM " + text(2000, 1)
def complete(prompt, n):
    body = json.dumps({"model": model, "prompt": prompt, "max_tokens": n, "temperature": 0,
                       "ignore_eos": True}).encode()
    req = urllib.request.Request(base + "/v1/completions", body, {"Content-Type": "application/json"})
    t = time.time()
    urllib.request.urlopen(req, timeout=600).read()
    return time.time() - t
answer = " ANSWER " + "x" * 8
def history(s, turns):
    h = system + " FILE " + text(1000, 100 + s)
    for t in range(turns):
        h += answer + " RESULT " + text(300, 1000 * s + t)
    return h
if phase == "all":
    t0 = time.time()
    warm = []
    for t in range(4):
        for s in range(6):
            took = complete(history(s, t), 16)
            if t > 0:
                warm.append(took)
            complete("Write a short title for session " + str(s) + ": " + text(120, 50 + s), 8)
    print(f"{time.time() - t0:.1f} {statistics.median(warm):.2f}")
else:
    print(f"{complete(history(0, 4), 16):.2f}")
PY
}

declare -a pw pt pr mw mt mr
for run in $(seq "$RUNS"); do
  start_peer
  read -r w t < <(replay "http://127.0.0.1:$PEER" gen all)
  stop
  start_peer
  r=$(replay "http://127.0.0.1:$PEER" gen next)
  stop
  pw+=("$w"); pt+=("$t"); pr+=("$r")

  data="$work/modeld-$run"
  start_modeld "$data"
  curl -fs "http://127.0.0.1:$PORT/models/create" -d "{\"name\": \"gen\", \"unique\": \"gen\",
    \"source\": {\"url\": \"file://$work/gen.gguf\"}}" >/dev/null
  curl -fs -X POST "http://127.0.0.1:$PORT/model/gen/download" >/dev/null
  until curl -fs "http://127.0.0.1:$PORT/model/gen" | grep -q '"downloaded":true'; do sleep 0.2; done
  curl -fs -X POST "http://127.0.0.1:$PORT/model/gen/load" >/dev/null
  read -r w t < <(replay "http://127.0.0.1:$PORT" gen all)
  curl -fs "http://127.0.0.1:$PORT/memory" > "$work/memory-$run.json"
  stop
  start_modeld "$data"
  curl -fs -X POST "http://127.0.0.1:$PORT/model/gen/load" >/dev/null
  r=$(replay "http://127.0.0.1:$PORT" gen next)
  stop
  mw+=("$w"); mt+=("$t"); mr+=("$r")
done

ratio() { python3 -c "print(f'{$1 / $2:.2f}')"; }
W=$(median "${pw[@]}"); T=$(median "${pt[@]}"); R=$(median "${pr[@]}")
w=$(median "${mw[@]}"); t=$(median "${mt[@]}"); r=$(median "${mr[@]}")
echo "| | llama-server | modeld | llama-server / modeld |"
echo "|---|---|---|---|"
echo "| whole replay (s) | $W | $w | $(ratio "$W" "$w")× |"
echo "| median turn after the first (s) | $T | $t | $(ratio "$T" "$t")× |"
echo "| first turn after a restart (s) | $R | $r | $(ratio "$R" "$r")× |"
python3 - "$work/memory-$RUNS.json" <<'PY'
import json, sys
c = json.load(open(sys.argv[1]))["loaded"][0]["promptCache"]
print(f"\nmodeld's prompt cache at the end of the last replay: {c['ramEntries']} entries, "
      f"{c['ramBytes'] / 1e6:.0f} MB of {c['ramLimit'] / 1e6:.0f} MB, {c['hits']} hits, {c['misses']} misses")
PY
