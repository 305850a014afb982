#!/usr/bin/env bash
# Registry benchmark (issue 14): a 1 GiB blob (random bytes, one gguf.v3 layer of an OCI manifest, as Docker
# Model Runner publishes; skopeo refuses Ollama's layer types in a schema 2 manifest) pulled from a local
# Debian docker-registry to a verified file, by modeld (8 connections, ranges, SHA-256 against the layer
# digest), skopeo copy to a dir: layout (it checks digests too) and curl + sha256sum of the blob; then pushed
# from a downloaded model / a dir: layout to a second, empty registry by modeld push and skopeo copy. Every
# push goes to a freshly wiped registry, so nothing is skipped or mounted. Warm page cache; medians.
# Run by hand: bash bench/registry.sh (SIZE_MB=1024, RUNS=3). Prints Markdown for docs/BENCHMARKS.md.
set -euo pipefail
cd "$(dirname "$0")/.."
./modeld --version >/dev/null
SIZE_MB=${SIZE_MB:-1024}
RUNS=${RUNS:-3}
A=39511; B=39512; PORT=39513
mkdir -p target/bench
work=$(mktemp -d -p target/bench registry-XXXX)
work=$(cd "$work" && pwd)
trap 'kill "${daemon:-}" "${rega:-}" "${regb:-}" 2>/dev/null || true; rm -rf "$work"' EXIT
ms() { echo $(( $(date +%s%N) / 1000000 )); }
median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
rate() { awk -v mb="$SIZE_MB" -v ms="$1" 'BEGIN {printf "%.0f", mb * 1048576 / 1e6 / (ms / 1000)}'; }

registry() {   # registry PORT DIR -> starts it, sets its pid in $last
  mkdir -p "$2"
  printf 'version: 0.1\nlog: {level: error}\nstorage: {filesystem: {rootdirectory: %s}, delete: {enabled: true}}\nhttp: {addr: 127.0.0.1:%s, secret: bench}\n' \
    "$2/data" "$1" > "$2/config.yml"
  docker-registry serve "$2/config.yml" > "$2/log" 2>&1 &
  last=$!
  until curl -fs "http://127.0.0.1:$1/v2/" >/dev/null; do sleep 0.05; done
}
put_blob() {   # put_blob PORT REPO FILE -> digest
  local digest loc
  digest="sha256:$(sha256sum "$3" | cut -d' ' -f1)"
  loc=$(curl -fsi -X POST "http://127.0.0.1:$1/v2/$2/blobs/uploads/" | tr -d '\r' | awk -F': ' 'tolower($1)=="location" {print $2}')
  curl -fs -H 'Content-Type: application/octet-stream' -T "$3" "$loc&digest=$digest" >/dev/null
  echo "$digest"
}

head -c $((SIZE_MB << 20)) /dev/urandom > "$work/blob"
printf '{"model_format":"gguf","architecture":"amd64","os":"linux"}' > "$work/config.json"
registry $A "$work/rega"; rega=$last
model=$(put_blob $A bench/big "$work/blob"); config=$(put_blob $A bench/big "$work/config.json")
printf '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.docker.ai.model.config.v0.1+json","digest":"%s","size":%s},"layers":[{"mediaType":"application/vnd.docker.ai.gguf.v3","digest":"%s","size":%s}]}' \
  "$config" "$(stat -c %s "$work/config.json")" "$model" "$(stat -c %s "$work/blob")" > "$work/manifest.json"
curl -fs -X PUT -H 'Content-Type: application/vnd.oci.image.manifest.v1+json' --data-binary @"$work/manifest.json" \
  "http://127.0.0.1:$A/v2/bench/big/manifests/v1" >/dev/null

declare -a mp sp cp mpush spush
for i in $(seq "$RUNS"); do
  rm -rf "$work/data"
  ./modeld serve --port $PORT --ollama-port 0 --no-spare-runner --no-library --data-dir "$work/data" > "$work/daemon.log" 2>&1 &
  daemon=$!
  until curl -fs "http://127.0.0.1:$PORT/.well-known/health" >/dev/null; do sleep 0.05; done
  id=$(curl -fs "http://127.0.0.1:$PORT/models/create" -d "{\"name\": \"big\", \"unique\": \"big\", \"source\": {\"url\": \"oci://127.0.0.1:$A/bench/big:v1\"}}" \
    | grep -o '"id":"[^"]*"' | head -1 | cut -d'"' -f4)
  t0=$(ms); curl -fs -X POST "http://127.0.0.1:$PORT/model/$id/download" >/dev/null
  until curl -fs "http://127.0.0.1:$PORT/model/$id" | grep -q '"downloaded":true'; do sleep 0.05; done
  mp+=($(( $(ms) - t0 )))

  rm -rf "$work/regb"; registry $B "$work/regb"; regb=$last
  t0=$(ms); curl -fs "http://127.0.0.1:$PORT/model/$id/push" -d "{\"target\": \"oci://127.0.0.1:$B/bench/pushed:v1\"}" >/dev/null
  until curl -fs "http://127.0.0.1:$B/v2/bench/pushed/manifests/v1" -H 'Accept: application/vnd.docker.distribution.manifest.v2+json' >/dev/null 2>&1; do sleep 0.05; done
  mpush+=($(( $(ms) - t0 )))
  kill "$regb"; wait "$regb" 2>/dev/null || true
  kill "$daemon"; wait "$daemon" 2>/dev/null || true

  rm -rf "$work/dir"
  t0=$(ms); skopeo copy -q --src-tls-verify=false "docker://127.0.0.1:$A/bench/big:v1" "dir:$work/dir"; sp+=($(( $(ms) - t0 )))
  rm -rf "$work/regb"; registry $B "$work/regb"; regb=$last
  t0=$(ms); skopeo copy -q --dest-tls-verify=false "dir:$work/dir" "docker://127.0.0.1:$B/bench/pushed:v1"; spush+=($(( $(ms) - t0 )))
  kill "$regb"; wait "$regb" 2>/dev/null || true

  rm -f "$work/curl.out"
  t0=$(ms); curl -fsL -o "$work/curl.out" "http://127.0.0.1:$A/v2/bench/big/blobs/$model"
  [[ "sha256:$(sha256sum "$work/curl.out" | cut -d' ' -f1)" == "$model" ]]; cp+=($(( $(ms) - t0 )))
done
M=$(median "${mp[@]}"); S=$(median "${sp[@]}"); C=$(median "${cp[@]}"); MP=$(median "${mpush[@]}"); SP=$(median "${spush[@]}")
echo "Machine: $(nproc) cores, $(free -g | awk '/Mem/ {print $2}') GiB, $(uname -r); date $(date -u +%F); ${SIZE_MB} MiB blob, medians of $RUNS"
echo
echo "| | modeld | skopeo copy | curl + sha256sum |"
echo "|---|---|---|---|"
echo "| pull to a verified file | $M ms ($(rate "$M") MB/s) | $S ms ($(rate "$S") MB/s) | $C ms ($(rate "$C") MB/s) |"
echo "| push to an empty registry | $MP ms ($(rate "$MP") MB/s) | $SP ms ($(rate "$SP") MB/s) | |"
awk -v m="$M" -v s="$S" -v c="$C" -v mp="$MP" -v sp="$SP" \
  'BEGIN {printf "pull: modeld %.2fx skopeo, %.2fx curl; push: modeld %.2fx skopeo\n", s/m, c/m, sp/mp}'
