#!/usr/bin/env bash
# Speculative decoding (issue 32): bench/DraftBench.java on the 384-dim 6-layer random llama, drafting off and
# on in turn in one JVM, with the bundled llama.cpp as shipped. Run by hand: bash bench/draft.sh (RUNS=5).
# Prints Markdown for docs/BENCHMARKS.md.
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${RUNS:-5}
mvn -q -B -DskipTests test-compile
cp=target/modeld.jar:target/test-classes
mkdir -p target/bench
work=$(mktemp -d -p target/bench draft-XXXX)
trap 'rm -rf "$work"' EXIT
java -cp "$cp" bench/EngineBench.java write-small "$work/gen.gguf" >/dev/null 2>&1
lib=$(java -cp "$cp" bench/EngineBench.java bundled "$work/lib" 2>/dev/null | tail -1)
echo "| case | off (tokens/s) | on (tokens/s) | on / off | drafted | kept |"
echo "|---|---|---|---|---|---|"
java -cp "$cp" bench/DraftBench.java "$lib" "$work/gen.gguf" "$RUNS" 2>/dev/null | while read -r name a b d k; do
  echo "| $name | $a | $b | $(python3 -c "print(f'{$b / $a:.2f}')")× | $d | $k |"
done
