#!/usr/bin/env bash
# Coding-agent turns (issue 31): Claude Code (the npm package the tests pin) runs one task twice against
# modeld and against llama-server built from the same release (bench/native-llama.sh), on the same scripted
# model (bench/AgentModel.java: it calls Bash, then answers): each run is Claude Code's real first request
# (about 76 KB of JSON, 24 tools: ~99k tokens of this byte vocabulary), its tool call, and the request with the
# result. Run 1 reads the prompt cold; run 2 is a new session in the same folder (the same system prompt and
# tools), whose prefix the server still holds. Times are wall seconds of `claude -p`, medians of RUNS (3).
# Run by hand: bash bench/agents.sh. Prints Markdown for docs/BENCHMARKS.md.
set -euo pipefail
cd "$(dirname "$0")/.."
./modeld --version >/dev/null
mvn -q -B -DskipTests test-compile
RUNS=${RUNS:-3}
PORT=39596
PEER=39598
claude=$(pwd)/src/test/node/node_modules/.bin/claude
native=$(bash bench/native-llama.sh)
mkdir -p target/bench
work=$(mktemp -d -p target/bench agents-XXXX)
work=$(cd "$work" && pwd)
trap 'kill "${pids[@]:-}" 2>/dev/null || true; rm -rf "$work"' EXIT
pids=()
java -cp target/modeld.jar:target/test-classes bench/AgentModel.java "$work/agent.gguf"
median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

./modeld serve --port $PORT --ollama-port 0 --no-library --data-dir "$work/modeld" > "$work/modeld.log" 2>&1 &
pids+=($!)
until curl -fs "http://127.0.0.1:$PORT/.well-known/health" >/dev/null; do sleep 0.1; done
curl -fs "http://127.0.0.1:$PORT/models/create" -d "{\"name\": \"agent\", \"unique\": \"agent\",
  \"source\": {\"url\": \"file://$work/agent.gguf\"}}" >/dev/null
curl -fs -X POST "http://127.0.0.1:$PORT/model/agent/download" >/dev/null
until curl -fs "http://127.0.0.1:$PORT/model/agent" | grep -q '"downloaded":true'; do sleep 0.2; done
curl -fs -X POST "http://127.0.0.1:$PORT/model/agent/load" >/dev/null
ctx=$(curl -fs "http://127.0.0.1:$PORT/memory" | python3 -c "import json,sys; print(json.load(sys.stdin)['loaded'][0]['context'])")
"$native/llama-server" -m "$work/agent.gguf" --jinja -c $((4 * ctx)) -np 4 -t "$(nproc)" --port $PEER \
  > "$work/server.log" 2>&1 &
pids+=($!)
until curl -fs "http://127.0.0.1:$PEER/health" >/dev/null 2>&1; do sleep 0.2; done

# one `claude -p` run against BASE in folder DIR (its home and work folder; a second run in the same folder
# sends the same system prompt, which names the folder); prints its wall seconds
run() {
  local dir=$2
  mkdir -p "$dir/home" "$dir/work"
  rm -f "$dir/work/proof.txt"
  local t0; t0=$(date +%s%N)
  (cd "$dir/work" && HOME="$dir/home" ANTHROPIC_BASE_URL="$1" ANTHROPIC_AUTH_TOKEN=bench \
    ANTHROPIC_DEFAULT_HAIKU_MODEL=agent ANTHROPIC_SMALL_FAST_MODEL=agent DISABLE_TELEMETRY=1 \
    CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC=1 DISABLE_AUTOUPDATER=1 \
    "$claude" -p "Write done into proof.txt" --model agent --allowedTools Bash --max-turns 4 > "$dir/out" 2>&1) \
    || { cat "$dir/out" >&2; exit 1; }
  grep -q "The file is written" "$dir/out" && [[ -f "$dir/work/proof.txt" ]] || { cat "$dir/out" >&2; exit 1; }
  awk -v ns=$(( $(date +%s%N) - t0 )) 'BEGIN {printf "%.1f", ns / 1e9}'
}

declare -A first second
for r in $(seq "$RUNS"); do
  for s in M S; do
    base=$([[ $s == M ]] && echo "http://127.0.0.1:$PORT" || echo "http://127.0.0.1:$PEER")
    # a new model state each round: modeld unloads (its slots forget), llama-server restarts
    if [[ $s == M ]]; then curl -fs -X POST "http://127.0.0.1:$PORT/model/agent/unload" >/dev/null;
      curl -fs -X POST "http://127.0.0.1:$PORT/model/agent/load" >/dev/null; fi
    if [[ $s == S ]]; then kill "${pids[1]}"; wait "${pids[1]}" 2>/dev/null || true
      "$native/llama-server" -m "$work/agent.gguf" --jinja -c $((4 * ctx)) -np 4 -t "$(nproc)" --port $PEER \
        > "$work/server.log" 2>&1 &
      pids[1]=$!
      until curl -fs "http://127.0.0.1:$PEER/health" >/dev/null 2>&1; do sleep 0.2; done; fi
    dir=$(mktemp -d -p "$work" run-XXXX)
    first[$s]+="$(run "$base" "$dir") "
    second[$s]+="$(run "$base" "$dir") "
  done
done
f_m=$(median ${first[M]}); f_s=$(median ${first[S]}); s_m=$(median ${second[M]}); s_s=$(median ${second[S]})
echo "Machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB, $(uname -r); date $(date +%F); context $ctx a slot, medians of $RUNS"
echo
echo "| claude -p run | llama-server (native) | modeld | ratio (llama-server's time over modeld's) |"
echo "|---|---|---|---|"
echo "| first (prompt read cold), s | $f_s | $f_m | $(awk -v a="$f_s" -v b="$f_m" 'BEGIN {printf "%.2f", a / b}') |"
echo "| second (its prefix in the cache), s | $s_s | $s_m | $(awk -v a="$s_s" -v b="$s_m" 'BEGIN {printf "%.2f", a / b}') |"
