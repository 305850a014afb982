#!/usr/bin/env bash
# Builds llama.cpp for this CPU (GGML_NATIVE) from the source of the bundled release (node-llama-cpp's git
# bundle) into target/bench/llama.cpp, once, and prints the folder of its libraries and llama-server: the
# peer the benchmarks compare modeld with. About 2 min for the library, 10 more for llama-server, on 2 cores.
set -euo pipefail
cd "$(dirname "$0")/.."
bench=target/bench
native="$bench/llama.cpp"
if [[ ! -x "$native/build/bin/llama-server" ]]; then
  echo "building llama.cpp natively (once) ..." >&2
  mkdir -p "$bench"
  rm -rf "$native" "$bench/npm"; mkdir -p "$bench/npm"
  version=$(grep -o '"@node-llama-cpp/linux-x64": *"[^"]*"' src/main/native/package.json | grep -o '[0-9][0-9.]*' | tail -1)
  tgz=target/native-chat/node-llama-cpp-$version.tgz   # fetched and checked by the build (src/main/native/chat)
  [[ -f "$tgz" ]] || { mvn -q -B -DskipTests generate-resources >&2; }
  tar xzf "$tgz" -C "$bench/npm" package/llama/gitRelease.bundle
  git clone -q "$bench/npm/package/llama/gitRelease.bundle" "$native"
  (cd "$native" && cmake -B build -DCMAKE_BUILD_TYPE=Release -DGGML_NATIVE=ON -DBUILD_SHARED_LIBS=ON -DLLAMA_CURL=OFF \
     -DLLAMA_BUILD_TESTS=OFF -DCMAKE_BUILD_WITH_INSTALL_RPATH=ON '-DCMAKE_INSTALL_RPATH=$ORIGIN' >/dev/null \
   && cmake --build build -j"$(nproc)" --target llama llama-server > ../llama-build.log 2>&1) \
   || { tail -20 "$bench/llama-build.log" >&2; exit 1; }
fi
(cd "$native/build/bin" && pwd)
