#!/usr/bin/env bash
# Download benchmark (issue 3): a 1 GiB file from nginx on loopback, (a) unthrottled and (b) with
# limit_rate 20m per connection, as a CDN caps each connection. modeld vs curl vs aria2c -x8 -s8, each
# timed until the file is on disk and its SHA-256 verified. Run by hand as root: bash bench/download.sh
# Prints a Markdown table for docs/BENCHMARKS.md and draws docs/bench/download-{unthrottled,capped}.png:
# throughput over time, from the bytes each tool has on disk, sampled every 0.2 s (gnuplot).
# SIZE_MB=256 makes a quicker run.
set -euo pipefail
cd "$(dirname "$0")/.."

command -v nginx >/dev/null && command -v aria2c >/dev/null && command -v curl >/dev/null \
  && command -v gnuplot >/dev/null || {
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx-light aria2 curl gnuplot-nox >/dev/null
}
./modeld --version >/dev/null
SIZE_MB=${SIZE_MB:-1024}
PORT=39393
FAST=39394
CAPPED=39395
work=$(mktemp -d /var/tmp/modeld-bench.XXXXXX)
cleanup() {
  kill "${daemon:-}" 2>/dev/null || true
  nginx -c "$work/nginx.conf" -s stop 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

chmod 755 "$work"   # nginx workers run unprivileged
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
  server { listen 127.0.0.1:$CAPPED; root $work/www; limit_rate 20m; }
}
NGINX
nginx -c "$work/nginx.conf"
cat "$work/www/model.gguf" > /dev/null   # every peer reads the source from the page cache

now() { date +%s.%N; }

# Samples "seconds-since-start bytes-on-disk" of a folder every 0.2 s into $work/samples-<name> until
# stop_sampling. Bytes on disk (du), not file sizes: modeld and aria2c write into a file of full length.
start_sampling() {
  local dir=$1 name=$2 t0; t0=$(now); mkdir -p "$dir"
  ( while :; do
      echo "$(elapsed "$t0" "$(now)") $(du -sB1 "$dir" 2>/dev/null | cut -f1)"
      sleep 0.2
    done > "$work/samples-$name" ) &
  sampler=$!
}
stop_sampling() { kill "$sampler" 2>/dev/null; wait "$sampler" 2>/dev/null || true; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.2f", b - a}'; }

run_curl() {
  rm -rf "$work/curl"; mkdir -p "$work/curl"; start_sampling "$work/curl" "$2-curl"; local t0; t0=$(now)
  curl -fs -o "$work/curl/out" "$1"
  [[ $(sha256sum "$work/curl/out" | cut -d' ' -f1) == "$sha" ]] || { echo "curl: bad digest" >&2; exit 1; }
  elapsed "$t0" "$(now)"; stop_sampling
}

run_aria2() {
  rm -rf "$work/aria"; mkdir -p "$work/aria"; start_sampling "$work/aria" "$2-aria2c"; local t0; t0=$(now)
  # --file-allocation=none: aria2c's default (prealloc) puts the whole length on disk at once, which
  # the sampler would read as an instant download; modeld's file is sparse until written.
  aria2c -q -x8 -s8 --file-allocation=none --checksum=sha-256="$sha" -d "$work/aria" -o out "$1"
  elapsed "$t0" "$(now)"; stop_sampling
}

run_modeld() {
  local data="$work/data-$RANDOM"
  ./modeld serve --port $PORT --data-dir "$data" > "$work/modeld.log" 2>&1 &
  daemon=$!
  until curl -fs "http://127.0.0.1:$PORT/.well-known/health" >/dev/null; do sleep 0.05; done
  local id
  id=$(curl -fs "http://127.0.0.1:$PORT/models/create" -d "{\"name\": \"bench\", \"source\": {\"url\": \"$1\",
    \"sha256\": \"$sha\"}, \"bytes\": {\"value\": $bytes}}" | grep -o '"id":"[0-9a-f-]*"' | head -1 | cut -d'"' -f4)
  start_sampling "$data" "$2-modeld"; local t0; t0=$(now)
  curl -fs -X POST "http://127.0.0.1:$PORT/model/$id/download" >/dev/null
  until curl -fs "http://127.0.0.1:$PORT/model/$id" | grep -q '"downloaded":true'; do
    if grep -q "failed:" "$work/modeld.log"; then cat "$work/modeld.log" >&2; exit 1; fi
    sleep 0.05
  done
  local t; t=$(elapsed "$t0" "$(now)"); stop_sampling
  grep -o "SHA-256 done [0-9]* ms" "$work/modeld.log" | grep -o "[0-9]*" | tail -1 > "$work/tail-ms"
  kill $daemon; wait $daemon 2>/dev/null || true
  rm -rf "$data"
  echo "$t"
}

mbps() { awk -v s="$SIZE_MB" -v t="$1" 'BEGIN {printf "%.0f", s * 1.048576 / t}'; }

declare -A secs tails
for link in fast capped; do
  port=$([ $link = fast ] && echo $FAST || echo $CAPPED)
  url="http://127.0.0.1:$port/model.gguf"
  secs[$link-curl]=$(run_curl "$url" $link)
  secs[$link-aria2c]=$(run_aria2 "$url" $link)
  secs[$link-modeld]=$(run_modeld "$url" $link)
  tails[$link]=$(cat "$work/tail-ms")
done

echo "Machine: $(nproc) cores, $(free -g | awk '/Mem/ {print $2}') GiB, $(uname -r); date $(date -u +%F);"
echo "file: $SIZE_MB MiB of random bytes in the page cache; nginx $(nginx -v 2>&1 | cut -d/ -f2); $(curl --version | head -1 | cut -d' ' -f1-2); $(aria2c --version | head -1)"
echo
echo "| link | tool | seconds (incl. SHA-256) | MB/s | vs curl | vs aria2c |"
echo "|---|---|---|---|---|---|"
for link in fast capped; do
  label=$([ $link = fast ] && echo "unthrottled" || echo "limit_rate 20m per connection")
  for tool in curl aria2c modeld; do
    s=${secs[$link-$tool]}
    echo "| $label | $tool | $s | $(mbps "$s") | $(awk -v c="${secs[$link-curl]}" -v t="$s" 'BEGIN {printf "%.2f", c / t}') | $(awk -v a="${secs[$link-aria2c]}" -v t="$s" 'BEGIN {printf "%.2f", a / t}') |"
  done
done
echo
echo "modeld: SHA-256 finished ${tails[fast]} ms (unthrottled) and ${tails[capped]} ms (capped) after the last byte arrived."

# Throughput over time: MB/s over each 1 s window of the samples, one line per tool.
mkdir -p docs/bench
for link in fast capped; do
  name=$([ $link = fast ] && echo unthrottled || echo capped)
  title=$([ $link = fast ] && echo "unthrottled loopback" || echo "limit_rate 20m per connection")
  for tool in curl aria2c modeld; do
    awk '{t[NR] = $1; b[NR] = $2} END {j = 1; for (i = 1; i <= NR; i++) { while (t[i] - t[j] > 1.0) j++;
      if (i > j) printf "%.2f %.1f\n", t[i], (b[i] - b[j]) / (t[i] - t[j]) / 1e6 }}' \
      "$work/samples-$link-$tool" > "$work/rate-$link-$tool"
  done
  gnuplot <<GNUPLOT
set terminal pngcairo size 900,450 font ",10" noenhanced
set output "docs/bench/download-$name.png"
set title "$SIZE_MB MiB from nginx on loopback, $title: bytes on disk per second ($(date -u +%F), $(nproc) cores)"
set xlabel "seconds since start"
set ylabel "MB/s (1 s window)"
set grid
set key top right
plot "$work/rate-$link-modeld" with lines lw 2 title "modeld (8 connections)", \
     "$work/rate-$link-aria2c" with lines lw 2 title "aria2c -x8 -s8", \
     "$work/rate-$link-curl" with lines lw 2 title "curl"
GNUPLOT
done
echo "Plots: docs/bench/download-unthrottled.png, docs/bench/download-capped.png"
