#!/usr/bin/env bash
# Writes the expected renders of llama.cpp's chat-template corpus, as llama-server renders them, into
# src/test/resources/chat-templates/ (what ChatTemplateCorpusTest compares modeld's renders against).
# Uses llama-server built from the source release node-llama-cpp carries (the very release modeld bundles;
# bench/native-llama.sh builds it once, about 12 minutes on 2 cores), writes a tiny model with the test
# vocabulary (BOS <s>, EOS </s>), then for each template of models/templates starts llama-server with it
# (--jinja --chat-template-file) and asks POST /apply-template for three conversations: a plain four-turn
# chat, a tool round trip, and the plain chat with enable_thinking false. llama-server runs under faketime
# at the pom's modeld.chat.clock in UTC, the instant the tests pin modeld's chat layer at, so the dates some
# templates print are the same on both sides whatever the day.
# Run by hand: bash tools/template-renders.sh   (needs cmake, g++, git, npm, curl, jq, faketime; about 2 min
# once llama-server is built)
set -euo pipefail
cd "$(dirname "$0")/.."
fake=$(ls /usr/lib/*/faketime/libfaketime.so.1 2>/dev/null | head -1)
[[ -n "$fake" ]] || { echo "needs libfaketime (apt-get install faketime)" >&2; exit 1; }
clock=$(grep -o '<modeld.chat.clock>[^<]*' pom.xml | cut -d'>' -f2)
mvn -q -B -DskipTests test-compile
work=target/llama-server
mkdir -p "$work"
server="$(bash bench/native-llama.sh)/llama-server"
model="$work/tiny.gguf"
java -cp "target/test-classes:target/classes:$(mvn -q -B dependency:build-classpath -Dmdep.outputFile=/dev/stdout)" \
  io.modeld.gguf.TinyLlama "$model"
out=src/test/resources/chat-templates
mkdir -p "$out"
port=39399
plain='[{"role":"system","content":"You are a helpful assistant."},{"role":"user","content":"Hello!"},
  {"role":"assistant","content":"Hi there. How can I help?"},{"role":"user","content":"What is 2+2?"}]'
tools='[{"type":"function","function":{"name":"get_weather","description":"The weather in a city",
  "parameters":{"type":"object","properties":{"city":{"type":"string"}},"required":["city"]}}}]'
trip='[{"role":"system","content":"You are a helpful assistant."},{"role":"user","content":"Weather in Paris?"},
  {"role":"assistant","content":"","tool_calls":[{"id":"call_1","type":"function","function":{"name":"get_weather",
  "arguments":"{\"city\": \"Paris\"}"}}]},{"role":"tool","tool_call_id":"call_1","name":"get_weather",
  "content":"{\"temperature\": 21}"},{"role":"user","content":"Thanks!"}]'
render() {  # name case body
  local r
  r=$(curl -s -X POST "http://127.0.0.1:$port/apply-template" -H 'Content-Type: application/json' -d "$3")
  if jq -e '.prompt' >/dev/null 2>&1 <<<"$r"; then
    jq -j '.prompt' <<<"$r" > "$out/$1.$2.txt"
  else
    echo "$r" > "$out/$1.$2.error"
  fi
}
for t in target/native-chat/llama-src/models/templates/*.jinja; do
  name=$(basename "$t" .jinja)
  rm -f "$out/$name".*
  # libfaketime preloaded into llama-server itself (the faketime command forks: its pid is not the server's)
  TZ=UTC LD_PRELOAD="$fake" FAKETIME="@$(date -u -d "$clock" +'%Y-%m-%d %H:%M:%S')" "$server" -m "$model" --jinja --chat-template-file "$t" --port $port -c 512 >"$work/server.log" 2>&1 &
  pid=$!
  for _ in $(seq 200); do curl -fs "http://127.0.0.1:$port/health" >/dev/null 2>&1 && break; sleep 0.1; done
  if ! curl -fs "http://127.0.0.1:$port/health" >/dev/null 2>&1; then
    echo "llama-server refused $name: $(tail -3 "$work/server.log" | tr '\n' ' ')" > "$out/$name.refused"
    kill $pid 2>/dev/null || true; wait $pid 2>/dev/null || true
    continue
  fi
  render "$name" plain "{\"messages\":$plain}"
  render "$name" tools "{\"messages\":$trip,\"tools\":$tools}"
  render "$name" nothink "{\"messages\":$plain,\"chat_template_kwargs\":{\"enable_thinking\":false}}"
  kill $pid; wait $pid 2>/dev/null || true
  echo "$name"
done
