#!/usr/bin/env bash
# Startup until healthy, this checkout beside an earlier commit, interleaved so both see the same machine:
# for each round, one cold start (fresh data dir) and one restart (the data dir of the first start) of
# each, timed from exec of ./modeld to the first 200 of /.well-known/health. Run by hand:
#   bash bench/startup.sh [REV] [ROUNDS]     (REV defaults to ad8934e, the tree issue 20 was filed on)
set -euo pipefail
cd "$(dirname "$0")/.."
rev=${1:-ad8934e}
rounds=${2:-5}
PORT=39393
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; git worktree remove --force "$work/old" >/dev/null 2>&1 || true; rm -rf "$work"' EXIT

git worktree add -q --detach "$work/old" "$rev"
(cd "$work/old" && ./modeld --version >/dev/null 2>&1)   # builds its jar and class-data archive
./modeld --version >/dev/null 2>&1

now_ms() { date +%s%3N; }
start_ms() {   # tree, data dir
  local t0 pid
  t0=$(now_ms)
  "$1/modeld" serve --port $PORT --data-dir "$2" --no-library >/dev/null 2>&1 &
  pid=$!
  until curl -fs "http://127.0.0.1:$PORT/.well-known/health" >/dev/null 2>&1; do sleep 0.01; done
  echo $(( $(now_ms) - t0 ))
  kill $pid; wait $pid 2>/dev/null || true
}

declare -A cold restart
for i in $(seq "$rounds"); do
  for tree in old new; do
    dir=$([ $tree = old ] && echo "$work/old" || pwd)
    cold[$tree]+="$(start_ms "$dir" "$work/$tree-data$i") "
    restart[$tree]+="$(start_ms "$dir" "$work/$tree-data$i") "
  done
done
median() { tr ' ' '\n' | grep . | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
echo "Machine: $(nproc) cores, $(free -g | awk '/Mem/ {print $2}') GiB; $(java -version 2>&1 | head -1); date $(date -u +%F)"
echo
echo "| start until healthy (ms) | $rev | $(git rev-parse --short HEAD) | new / old (medians) |"
echo "|---|---|---|---|"
for kind in cold restart; do
  declare -n m=$kind
  o=$(echo "${m[old]}" | median); n=$(echo "${m[new]}" | median)
  echo "| $kind | ${m[old]}(median $o) | ${m[new]}(median $n) | $(awk -v a="$n" -v b="$o" 'BEGIN {printf "%.2f", a/b}') |"
done
