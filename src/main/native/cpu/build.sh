#!/usr/bin/env bash
# Builds libggml-cpu-modeld.so: llama.cpp's CPU backend from the bundled release's own source (the llama-src
# that src/main/native/chat/build.sh unpacked), compiled for the instructions of the machine that builds it.
# Why: the prebuilt package's CPU variants ran 0.5-0.6x this very source built here (256 embeddings: 51 against
# 85 inputs/s, the same AVX-512 variant of the same release), so as shipped modeld lost to llama-server on
# prompts and batches. It is built as ggml's own variants are (GGML_BACKEND_DL: it carries ggml's score
# function, so on a CPU without these instructions it refuses to load and the prebuilt variants serve), without
# OpenMP (as the prebuilt ones; measured the same speed), with llamafile's matrix kernels (ggml on its own leaves
# them out: 0.6x without them) and without a versioned soname, so it links to the
# bundled libggml-base. About 30 s on 2 cores, once (kept in the work dir while the CPU's flags stay the same);
# skipped with a warning where cmake is missing or the CPU is not x86-64. Usage: build.sh <work dir> <output dir>
set -euo pipefail
work=$1 out=$2
src="$work/llama-src"
lib="$out/libggml-cpu-modeld.so"
if [[ $(uname -m) != x86_64 ]]; then
  echo "modeld: no CPU backend of its own on $(uname -m): the prebuilt variants serve" >&2; exit 0
fi
if ! command -v cmake >/dev/null; then
  echo "modeld: WARNING cmake not found: the CPU backend for this machine is not built (prebuilt variants only, slower on prompts)" >&2
  exit 0
fi
flags=$(grep -m1 '^flags' /proc/cpuinfo | tr ' ' '\n')
has() { grep -qx "$1" <<< "$flags" && echo ON || echo OFF; }
avx512=OFF
[[ $(has avx512f) == ON && $(has avx512cd) == ON && $(has avx512vl) == ON && $(has avx512dq) == ON && $(has avx512bw) == ON ]] && avx512=ON
options=(-DGGML_LLAMAFILE=ON -DGGML_SSE42="$(has sse4_2)" -DGGML_AVX="$(has avx)" -DGGML_AVX2="$(has avx2)" -DGGML_FMA="$(has fma)"
  -DGGML_F16C="$(has f16c)" -DGGML_BMI2="$(has bmi2)" -DGGML_AVX_VNNI="$(has avx_vnni)" -DGGML_AVX512="$avx512")
if [[ $avx512 == ON ]]; then
  options+=(-DGGML_AVX512_VBMI="$(has avx512vbmi)" -DGGML_AVX512_VNNI="$(has avx512_vnni)"
    -DGGML_AVX512_BF16="$(has avx512_bf16)" -DGGML_AMX_TILE="$(has amx_tile)" -DGGML_AMX_INT8="$(has amx_int8)"
    -DGGML_AMX_BF16="$(has amx_bf16)")
fi
stamp="$work/cpu-build.options"
if [[ -f "$lib" && -f "$stamp" && "$(cat "$stamp")" == "${options[*]}" ]]; then
  exit 0
fi
[[ -f "$src/ggml/src/ggml-cpu/ggml-cpu.c" ]] || git -C "$src" checkout --quiet HEAD -- ggml
# ggml configured on its own wants its pkg-config template, which the release's bundle leaves out: nothing
# here installs it, so an empty one does
[[ -f "$src/ggml/ggml.pc.in" ]] || : > "$src/ggml/ggml.pc.in"
build="$work/cpu-build"
rm -rf "$build"
echo "modeld: building llama.cpp's CPU backend for this machine (${options[*]}) ..." >&2
start=$(date +%s)
cmake -S "$src/ggml" -B "$build" -DCMAKE_BUILD_TYPE=Release -DGGML_NATIVE=OFF -DGGML_BACKEND_DL=ON \
  -DGGML_OPENMP=OFF -DBUILD_SHARED_LIBS=ON -DCMAKE_PLATFORM_NO_VERSIONED_SONAME=ON -DGGML_BUILD_TESTS=OFF \
  -DGGML_BUILD_EXAMPLES=OFF -DCMAKE_BUILD_WITH_INSTALL_RPATH=ON '-DCMAKE_INSTALL_RPATH=$ORIGIN' "${options[@]}" \
  > "$work/cpu-build.log" 2>&1
cmake --build "$build" -j"$(nproc)" --target ggml-cpu >> "$work/cpu-build.log" 2>&1 \
  || { tail -20 "$work/cpu-build.log" >&2; exit 1; }
mkdir -p "$out"
cp "$(find "$build" -name libggml-cpu.so | head -1)" "$lib"
echo "${options[*]}" > "$stamp"
rm -rf "$build"
echo "modeld: built $lib in $(( $(date +%s) - start )) s" >&2
