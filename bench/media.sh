#!/usr/bin/env bash
# Image and audio prompts (issue 33): time to the first token of a chat with one image (MEDIA=image, the default)
# or one 5-second clip (MEDIA=audio, through a Qwen2-Audio-layout projector), modeld beside llama-server built
# from the same release (bench/native-llama.sh, which builds libmtmd with it), on the 384-dim 6-layer random
# llama of bench/EngineBench.java and a Gemma 3-layout projector of bench/MediaBench.java (1,024 patches, 4
# blocks, 64 embeddings an image). Each request carries an image neither server has seen (a cached one would
# cost nothing); both must count the same prompt tokens for it, which the script checks. Medians of RUNS (8)
# requests each, the servers taking turns. IMAGE="W H" sets the images' size (640 480: noise, ~900 KB as PNG).
# Run by hand: bash bench/media.sh. Prints Markdown for docs/BENCHMARKS.md.
set -euo pipefail
cd "$(dirname "$0")/.."
./modeld --version >/dev/null
mvn -q -B -DskipTests test-compile
RUNS=${RUNS:-8}
PORT=39697
PEER=39699
cp=target/modeld.jar:target/test-classes
native=$(bash bench/native-llama.sh)
mkdir -p target/bench
work=$(mktemp -d -p target/bench media-XXXX)
work=$(cd "$work" && pwd)
pids=()
trap 'kill "${pids[@]}" 2>/dev/null || true; rm -rf "$work"' EXIT
java -cp "$cp" bench/EngineBench.java write-small "$work/gen.gguf" >/dev/null 2>&1
java -cp "$cp" bench/MediaBench.java "$work" ${IMAGE:-640 480} >/dev/null 2>&1

MEDIA=${MEDIA:-image}
projector=$([[ $MEDIA == audio ]] && echo "$work/audio.gguf" || echo "$work/projector.gguf")
"$native/llama-server" -m "$work/gen.gguf" --mmproj "$projector" -c 8192 -np 1 -t "$(nproc)" \
  --port $PEER > "$work/server.log" 2>&1 &
pids+=($!)
./modeld serve --port $PORT --ollama-port 0 --no-library --data-dir "$work/data" --context 8192 --parallel 1 \
  > "$work/modeld.log" 2>&1 &
pids+=($!)
until curl -fs "http://127.0.0.1:$PEER/health" >/dev/null 2>&1; do sleep 0.2; done
until curl -fs "http://127.0.0.1:$PORT/.well-known/health" >/dev/null; do sleep 0.1; done
curl -fs "http://127.0.0.1:$PORT/models/create" -d "{\"name\": \"gen\", \"unique\": \"gen\",
  \"source\": {\"url\": \"file://$work/gen.gguf\", \"projector\": {\"url\": \"file://$projector\"}}}" >/dev/null
curl -fs -X POST "http://127.0.0.1:$PORT/model/gen/download" >/dev/null
until curl -fs "http://127.0.0.1:$PORT/model/gen" | grep -q '"downloaded":true'; do sleep 0.2; done
curl -fs -X POST "http://127.0.0.1:$PORT/model/gen/load" >/dev/null

python3 - "$work" "$RUNS" "http://127.0.0.1:$PEER" "http://127.0.0.1:$PORT" "$MEDIA" <<'PY'
import base64, json, statistics, sys, time, urllib.request
work, runs, peer, modeld, media = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4], sys.argv[5]
def ask(base, image, salt):
    if media == "audio":
        data = base64.b64encode(open(f"{work}/clip-{image}.wav", "rb").read()).decode()
        part = {"type": "input_audio", "input_audio": {"data": data, "format": "wav"}}
    else:
        data = base64.b64encode(open(f"{work}/image-{image}.png", "rb").read()).decode()
        part = {"type": "image_url", "image_url": {"url": "data:image/png;base64," + data}}
    body = json.dumps({"model": "gen", "max_tokens": 1, "temperature": 0, "messages": [{"role": "user", "content": [
        part, {"type": "text", "text": f"Describe item {salt}."}]}]}).encode()
    req = urllib.request.Request(base + "/v1/chat/completions", body, {"Content-Type": "application/json"})
    t = time.time()
    answer = json.load(urllib.request.urlopen(req, timeout=600))
    return time.time() - t, answer["usage"]["prompt_tokens"]
ask(peer, 9, "warm"); ask(modeld, 9, "warm")
p, m = [], []
for i in range(runs):
    image = i % 9   # a new image each request for each server: neither has it cached
    tp, np_ = ask(peer, image, i)
    tm, nm = ask(modeld, image, i)
    if np_ != nm:
        sys.exit(f"prompt tokens differ for item {image}: llama-server {np_}, modeld {nm}")
    p.append(tp); m.append(tm)
P, M = statistics.median(p), statistics.median(m)
print(f"| one {'clip' if media == 'audio' else 'image'}, time to the first token | llama-server | modeld | llama-server / modeld |")
print("|---|---|---|---|")
print(f"| median of {runs} (ms) | {P * 1000:.0f} | {M * 1000:.0f} | {P / M:.2f}x |")
print(f"\nprompt tokens, the same on both: {nm} ({'750' if media == 'audio' else '64'} of them the media's embeddings)")
PY
