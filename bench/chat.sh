#!/usr/bin/env bash
# Chat-layer benchmark (issue 21): how long rendering the model's template and parsing its output take per
# request. In-process (bench/ChatBench.java): render, parse whole, parse streamed, for five families. Then
# through HTTP, against a peer in the same script: POST /apply-template of the same 8-message tool
# conversation, modeld (daemon, runner, shim) beside llama-server built from the same release
# (bench/native-llama.sh), RUNS x 100 requests from one Node process, milliseconds per request, medians.
# Run by hand: bash bench/chat.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
./modeld --version >/dev/null
mvn -q -B -DskipTests test-compile
RUNS=${RUNS:-5}
PORT=39597
PEER_PORT=39598
mkdir -p target/bench
work=$(mktemp -d -p target/bench chat-XXXX)
work=$(cd "$work" && pwd)
trap 'kill "${daemon:-}" "${peer:-}" 2>/dev/null || true; rm -rf "$work"' EXIT
cp=target/modeld.jar:target/test-classes
median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

echo "Machine: $(nproc) cores, $(free -g | awk '/Mem/ {print $2}') GiB, $(uname -r); date $(date -u +%F); medians of $RUNS"
echo
java -cp "$cp" bench/ChatBench.java 21 Qwen-Qwen3-0.6B meta-llama-Llama-3.1-8B-Instruct openai-gpt-oss-120b \
  llama-cpp-deepseek-r1 mistralai-Mistral-Nemo-Instruct-2407 2>/dev/null

template=target/native-chat/llama-src/models/templates/Qwen-Qwen3-0.6B.jinja
cat > "$work/Write.java" <<'JAVA'
public class Write {
    public static void main(String[] a) throws Exception {
        io.modeld.gguf.TinyLlama.TINY.write(java.nio.file.Path.of(a[0]), 1,
                java.nio.file.Files.readString(java.nio.file.Path.of(a[1])));
    }
}
JAVA
java -cp "$cp" "$work/Write.java" "$work/qwen3.gguf" "$template"
cat > "$work/request.json" <<'JSON'
{"model": "qwen3", "tools": [{"type":"function","function":{"name":"get_weather","description":"The weather",
 "parameters":{"type":"object","properties":{"city":{"type":"string"}},"required":["city"]}}}],
 "messages": [{"role":"system","content":"You are a helpful assistant."},{"role":"user","content":"Hello!"},
 {"role":"assistant","content":"Hi. How can I help?"},{"role":"user","content":"Weather in Paris?"},
 {"role":"assistant","content":"","tool_calls":[{"id":"call_1","type":"function","function":{"name":"get_weather","arguments":"{\"city\": \"Paris\"}"}}]},
 {"role":"tool","tool_call_id":"call_1","content":"{\"temperature\": 21}"},
 {"role":"assistant","content":"It is 21 degrees."},{"role":"user","content":"And tomorrow?"}]}
JSON
cat > "$work/time.mjs" <<'JS'
// ms per POST /apply-template over 100 sequential requests
const [url, file] = process.argv.slice(2);
const body = (await import('node:fs')).readFileSync(file, 'utf8');
const post = async () => { const r = await fetch(url, { method: 'POST', body, headers: { 'Content-Type': 'application/json' } }); if (!r.ok) throw new Error(await r.text()); await r.json(); };
for (let i = 0; i < 10; i++) await post();
const t0 = performance.now();
for (let i = 0; i < 100; i++) await post();
console.log(((performance.now() - t0) / 100).toFixed(2));
JS

./modeld serve --port $PORT --ollama-port 0 --no-spare-runner --no-library --data-dir "$work/data" > "$work/daemon.log" 2>&1 &
daemon=$!
until curl -fs "http://127.0.0.1:$PORT/.well-known/health" >/dev/null; do sleep 0.1; done
curl -fs "http://127.0.0.1:$PORT/models/create" -d "{\"name\": \"qwen3\", \"unique\": \"qwen3\", \"source\": {\"url\": \"file://$work/qwen3.gguf\"}}" >/dev/null
curl -fs -X POST "http://127.0.0.1:$PORT/model/qwen3/download" >/dev/null
until curl -fs "http://127.0.0.1:$PORT/model/qwen3" | grep -q '"downloaded":true'; do sleep 0.2; done
m=(); for r in $(seq "$RUNS"); do m+=("$(node "$work/time.mjs" "http://127.0.0.1:$PORT/apply-template" "$work/request.json")"); done
M=$(median "${m[@]}")
server="$(bash bench/native-llama.sh)/llama-server"
echo
echo "| POST /apply-template, 8 messages, 1 tool | ms per request |"
echo "|---|---|"
echo "| modeld | $M |"
"$server" -m "$work/qwen3.gguf" --jinja --port $PEER_PORT -c 512 > "$work/peer.log" 2>&1 &
peer=$!
until curl -fs "http://127.0.0.1:$PEER_PORT/health" >/dev/null 2>&1; do sleep 0.1; done
p=(); for r in $(seq "$RUNS"); do p+=("$(node "$work/time.mjs" "http://127.0.0.1:$PEER_PORT/apply-template" "$work/request.json")"); done
P=$(median "${p[@]}")
echo "| llama-server (same release) | $P |"
awk -v m="$M" -v p="$P" 'BEGIN {printf "modeld takes %.2fx llama-server'"'"'s time per render over HTTP\n", m/p}'
