#!/usr/bin/env bash
# Library benchmark (issue 15): start-up with a library of N GGUF files (default 1,000), each the header of
# a Qwen3-0.6B-sized model (151,936 tokens, 151,387 merges, 311 tensors; written by bench/LibraryBench.java,
# tensor data left sparse). Measures the time from starting ./modeld serve until /.well-known/health answers
# and until /models lists every file, against the same daemon started without a library (the peer), on a
# warm page cache: a first start (every header read) and a restart (headers from the data dir's cache).
# Target: all listed within 2 s. Run by hand: bash bench/library.sh (N=1000, RUNS=3).
set -euo pipefail
cd "$(dirname "$0")/.."
./modeld --version >/dev/null
mvn -q -B -DskipTests test-compile
N=${N:-1000}
RUNS=${RUNS:-3}
PORT=39496
mkdir -p target/bench
work=$(mktemp -d -p target/bench library-XXXX)
trap 'kill "${daemon:-}" 2>/dev/null || true; rm -rf "$work"' EXIT
ms() { echo $(( $(date +%s%N) / 1000000 )); }
median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

t0=$(ms)
java -cp target/modeld.jar:target/test-classes bench/LibraryBench.java "$work/lib" "$N"
echo "wrote $N headers ($(du -sh --apparent-size "$work/lib" | cut -f1) apparent, $(du -sh "$work/lib" | cut -f1) on disk) in $(( $(ms) - t0 )) ms" >&2

run() {   # run WITH_LIBRARY [KEEP_DATA] -> "health_ms listed_ms"
  local extra=(--no-library) want=0
  if [[ "$1" == 1 ]]; then extra+=(--library "$work/lib"); want=$N; fi
  [[ "${2:-0}" == 1 ]] || rm -rf "$work/data"
  local start; start=$(ms)
  ./modeld serve --port $PORT --ollama-port 0 --no-spare-runner --data-dir "$work/data" "${extra[@]}" > "$work/log" 2>&1 &
  daemon=$!
  until curl -fs "http://127.0.0.1:$PORT/.well-known/health" >/dev/null; do sleep 0.01; done
  local healthy; healthy=$(( $(ms) - start ))
  until [[ $(curl -fs "http://127.0.0.1:$PORT/models" | grep -o '"library":' | wc -l) -ge $want ]]; do sleep 0.01; done
  local listed; listed=$(( $(ms) - start ))
  kill "$daemon"; wait "$daemon" 2>/dev/null || true
  echo "$healthy $listed"
}

run 1 >/dev/null   # warms the page cache and the class-data archive
declare -a bh bl lh ll rh rl
for i in $(seq "$RUNS"); do
  read -r h l <<< "$(run 0)"; bh+=("$h"); bl+=("$l")
  read -r h l <<< "$(run 1)"; lh+=("$h"); ll+=("$l")
  read -r h l <<< "$(run 1 1)"; rh+=("$h"); rl+=("$l")
done
echo "Machine: $(nproc) cores, $(free -g | awk '/Mem/ {print $2}') GiB, $(uname -r); date $(date -u +%F); $N files, medians of $RUNS"
echo
echo "| start | until healthy (ms) | until all listed (ms) |"
echo "|---|---|---|"
echo "| no library (peer) | $(median "${bh[@]}") | $(median "${bl[@]}") |"
echo "| library of $N, first start | $(median "${lh[@]}") | $(median "${ll[@]}") |"
echo "| library of $N, restart | $(median "${rh[@]}") | $(median "${rl[@]}") |"
grep -o "library: [0-9]* models in .*" "$work/data/logs/modeld.log" | sed 's/ in \[[^]]*\]/ in the folder/' || true
