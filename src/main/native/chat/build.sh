#!/usr/bin/env bash
# Builds libmodeld-chat.so (the modeld_*.cpp beside this script; README.md says what each holds) against the headers of the very llama.cpp release whose
# prebuilt libraries the build bundles: node-llama-cpp carries that release's source as a git bundle.
# The package is pinned by version and integrity, fetched once from npm into the work dir, which also keeps
# the release's chat templates (the tests' corpus); needs npm, node, git and g++. Usage: build.sh <prebuilt bins dir> <work dir> <output dir>
set -euo pipefail
bins=$1 work=$2 out=$3
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
version=3.22.1
integrity=sha512-bltIipuWmc123H7tMIgDGKSsSrhmhlQYeVUC48XTjVW7XGJJiJJyCdlTMzQ/LiWoPkGDpcL4FviDpgw7qfTiDw==
src="$work/llama-src"
mkdir -p "$work" "$out"
if [[ ! -f "$src/common/chat.h" ]]; then
  tgz="$work/node-llama-cpp-$version.tgz"
  if [[ ! -f "$tgz" ]]; then
    (cd "$work" && npm pack --silent "node-llama-cpp@$version" >/dev/null)
  fi
  got="sha512-$(node -e "process.stdout.write(require('crypto').createHash('sha512').update(require('fs').readFileSync(process.argv[1])).digest('base64'))" "$tgz")"
  if [[ "$got" != "$integrity" ]]; then
    echo "node-llama-cpp $version does not match its pinned integrity ($got)" >&2
    rm -f "$tgz"
    exit 1
  fi
  rm -rf "$work/bundle" "$src"
  mkdir -p "$work/bundle"
  tar xzf "$tgz" -C "$work/bundle" package/llama/gitRelease.bundle
  git clone --quiet --no-checkout "$work/bundle/package/llama/gitRelease.bundle" "$src"
  # The headers, and the chat templates llama.cpp tests against (modeld's conformance corpus).
  git -C "$src" checkout --quiet HEAD -- common include ggml/include models/templates
  rm -rf "$work/bundle"
fi
lib="$out/libmodeld-chat.so"
stale=0
for f in "$here"/*.cpp "$here"/*.h; do [[ "$f" -nt "$lib" ]] && stale=1; done
if [[ ! -f "$lib" || $stale == 1 ]]; then
  g++ -std=c++17 -O2 -fPIC -shared -fvisibility=hidden \
    -I"$src/common" -I"$src/include" -I"$src/ggml/include" "$here"/*.cpp -o "$lib" \
    -L"$bins" -l:libllama-common.so -l:libllama.v0.5.0.so -Wl,-rpath,'$ORIGIN'
fi
