#!/usr/bin/env bash
# Progress subscribers benchmark (issue 6): one download from nginx on loopback, watched by 0 and by
# 1,000 progress WebSocket subscribers, alternating, 3 rounds each: the transfer time the daemon logs
# (first request to last byte) and the time from POST download until the terminal frame reached one more
# subscriber, for (a) a link capped at LIMIT per connection (default 4m, a user's broadband; nginx lets
# each request send a second's worth at once, so a client of many ranged requests gets more than
# 8 x LIMIT) and (b) unthrottled. Needs the test classes: mvn -B -DskipTests test-compile.
# Run by hand as root: bash bench/subscribers.sh. Prints a Markdown table for docs/BENCHMARKS.md.
set -euo pipefail
cd "$(dirname "$0")/.."

command -v nginx >/dev/null || {
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx-light curl >/dev/null
}
./modeld --version >/dev/null
mvn -q -B -DskipTests test-compile
cp=target/modeld.jar:target/test-classes
SIZE_MB=${SIZE_MB:-256}
LIMIT=${LIMIT:-4m}
ROUNDS=${ROUNDS:-3}
PORT=39397
FAST=39398
CAPPED=39399
work=$(mktemp -d /var/tmp/modeld-bench.XXXXXX)
cleanup() {
  kill "${daemon:-}" 2>/dev/null || true
  nginx -c "$work/nginx.conf" -s stop 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
chmod 755 "$work"
mkdir -p "$work/www"
head -c $((SIZE_MB << 20)) /dev/urandom > "$work/www/model.gguf"
sha=$(sha256sum "$work/www/model.gguf" | cut -d' ' -f1)
bytes=$(stat -c %s "$work/www/model.gguf")
cat > "$work/nginx.conf" <<NGINX
worker_processes auto;
pid $work/nginx.pid;
error_log $work/nginx-error.log;
events { worker_connections 1024; }
http {
  access_log off;
  sendfile on;
  server { listen 127.0.0.1:$FAST; root $work/www; }
  server { listen 127.0.0.1:$CAPPED; root $work/www; limit_rate $LIMIT; }
}
NGINX
nginx -c "$work/nginx.conf"
cat "$work/www/model.gguf" > /dev/null

./modeld serve --port $PORT --data-dir "$work/data" > "$work/modeld.log" 2>&1 &
daemon=$!
until curl -fs "http://127.0.0.1:$PORT/.well-known/health" >/dev/null; do sleep 0.05; done
java -cp "$cp" bench/SubscribersBench.java $PORT "http://127.0.0.1:$CAPPED/model.gguf" "$sha" "$bytes" 0,1000 1 \
  > /dev/null   # warm-up: JIT of both sides
for link in capped fast; do
  port=$([ $link = fast ] && echo $FAST || echo $CAPPED)
  java -cp "$cp" bench/SubscribersBench.java $PORT "http://127.0.0.1:$port/model.gguf" "$sha" "$bytes" 0,1000 \
    "$ROUNDS" > "$work/$link.txt"
done

median() { sort -n | awk '{a[NR] = $1} END {print a[int((NR + 1) / 2)]}'; }
# The transfer as the daemon timed it: first request to last byte, from its log line for that model.
transfer() { grep "download of $1: all" "$work/modeld.log" | grep -o "fetched in [0-9]* ms" | grep -o "[0-9]*"; }
for link in capped fast; do
  while read -r n secs status complete id; do
    echo "$n $(awk -v ms="$(transfer "$id")" 'BEGIN {printf "%.3f", ms / 1000}') $secs $status $complete"
  done < "$work/$link.txt" > "$work/$link-all.txt"
done
echo "Machine: $(nproc) cores, $(free -g | awk '/Mem/ {print $2}') GiB, $(uname -r); date $(date -u +%F); file $SIZE_MB MiB"
echo
echo "| link | subscribers | transfer s (median of $ROUNDS; all) | MB/s | vs none | POST to observer's terminal frame, s (median) | all got COMPLETED |"
echo "|---|---|---|---|---|---|---|"
for link in capped fast; do
  label=$([ $link = fast ] && echo "unthrottled" || echo "limit_rate $LIMIT per connection")
  none=$(awk '$1 == 0 {print $2}' "$work/$link-all.txt" | median)
  for n in 0 1000; do
    runs=$(awk -v n=$n '$1 == n {print $2}' "$work/$link-all.txt")
    med=$(echo "$runs" | median)
    seen=$(awk -v n=$n '$1 == n {print $3}' "$work/$link-all.txt" | median)
    ok=$(awk -v n=$n '$1 == n && ($4 != "COMPLETED" || $5 != n) {bad++} END {print bad ? "no" : "yes"}' "$work/$link-all.txt")
    echo "| $label | $n | $med ($(echo $runs)) | $(awk -v s="$SIZE_MB" -v t="$med" 'BEGIN {printf "%.0f", s * 1.048576 / t}') | $(awk -v a="$none" -v b="$med" 'BEGIN {printf "%.2f", a / b}') | $seen | $ok |"
  done
done
