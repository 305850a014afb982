#!/usr/bin/env bash
# Builds libmodeld-media.so: llama.cpp's libmtmd (tools/mtmd: the image and audio encoders behind projectors)
# from the source of the very release whose prebuilt libraries the build bundles (the chat shim's build unpacked
# it into the work dir; the prebuilt packages carry no libmtmd), and modeld_media.cpp beside this script (the
# calls JNA cannot make itself). About 60 files: objects are kept in the work dir, so a second build compiles
# only what changed. Usage: build.sh <prebuilt bins dir> <work dir> <output dir>
set -euo pipefail
bins=$1 work=$2 out=$3
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
src="$work/llama-src"
[[ -f "$src/tools/mtmd/mtmd.h" ]] || git -C "$src" checkout --quiet HEAD -- tools/mtmd vendor
m="$src/tools/mtmd"
objs="$work/media-obj"
lib="$out/libmodeld-media.so"
mkdir -p "$objs" "$out"
# what tools/mtmd/CMakeLists.txt builds, less mtmd-helper-gen.cpp (speech output, which needs libllama's
# internal API that the prebuilt library does not export) and video (it runs ffmpeg)
cxx=("$m"/mtmd.cpp "$m"/mtmd-audio.cpp "$m"/mtmd-image.cpp "$m"/mtmd-helper.cpp "$m"/clip.cpp "$m"/models/*.cpp
  "$src"/vendor/hash/hash.cpp "$src"/vendor/hash/sha1/sha1.c "$here"/modeld_media.cpp)
c=("$src"/vendor/hash/xxhash/xxhash.c "$src"/vendor/hash/sha256/sha256.c)
export CXXFLAGS_MEDIA="-std=c++17 -O2 -fPIC -fvisibility=hidden -DLLAMA_SHARED -DLLAMA_BUILD -w -I$m -I$src/include \
-I$src/ggml/include -I$src/vendor -I$src/vendor/hash"
obj() { local s=${1#"$src"/}; s=${s#"$here"/}; echo "$objs/${s//\//_}.o"; }
todo=()
for s in "${cxx[@]}" "${c[@]}"; do
  o=$(obj "$s")
  [[ -f "$o" && ! "$s" -nt "$o" && ! "$here/../chat/modeld_shim.h" -nt "$o" ]] || todo+=("$s" "$o")
done
if ((${#todo[@]})); then
  # two arguments (source, object) per compile, as many at once as there are cores
  printf '%s\0' "${todo[@]}" | xargs -0 -n 2 -P "$(nproc)" bash -c \
    'case "$0" in *.c) [[ "$0" == */sha1.c ]] && cc="g++ -x c++ $CXXFLAGS_MEDIA" || cc="gcc -O2 -fPIC -w -I${0%/*}/..";;
                   *) cc="g++ $CXXFLAGS_MEDIA";; esac
     $cc -c "$0" -o "$1.tmp" && mv "$1.tmp" "$1"'
fi
if ((${#todo[@]})) || [[ ! -f "$lib" ]]; then
  g++ -shared -o "$lib.tmp" "$objs"/*.o -L"$bins" -l:libggml-base.so -l:libggml.v0.5.0.so -l:libllama.v0.5.0.so \
    -lpthread -Wl,-rpath,'$ORIGIN'
  mv "$lib.tmp" "$lib"
fi
