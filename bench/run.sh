#!/usr/bin/env bash
# The benchmark suite: starts what it measures from target/peer.jar, stops it all, prints Markdown.
# REST paths next to a bare vertx-web server (bench/Bare.java), /files with small files and with a
# 1 GiB file, start-up with and without the CDS archive, RSS idle and under load; then the search
# benchmark (bench/search.sh) and the transfer benchmark (bench/transfer.sh).
# Needs: wrk, curl, iperf3, h2load (apt-get install wrk curl iperf3 nghttp2-client). Usage: bench/run.sh [seconds-per-run]
set -euo pipefail
cd "$(dirname "$0")/.."
DUR=${1:-8}
JAR=target/peer.jar
[ -s "$JAR" ] || mvn -B -q package -DskipTests
FLAGS=(-Xmx48m -Xms8m -XX:+UseSerialGC -Xss256k -XX:ReservedCodeCacheSize=24m -XX:MaxMetaspaceSize=64m
       -XX:MaxDirectMemorySize=32m -Dio.netty.allocator.numDirectArenas=1 -Dio.netty.allocator.numHeapArenas=1
       -XX:TrimNativeHeapInterval=5000)
WORK=$(mktemp -d)
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$WORK"; }
trap cleanup EXIT
wait_http() { for i in $(seq 1 600); do curl -sf "$1" >/dev/null 2>&1 && return 0; sleep 0.05; done; echo "no answer from $1" >&2; return 1; }
rps() { wrk -t2 -c32 -d"${DUR}s" --latency "$1" | awk '/Requests\/sec/ {r=int($2)} $1=="99%" {p=$2} END {print r, p}'; }
rss() { awk -v k="$2" '$1==k":" {printf "%.0f", $2/1024}' /proc/$1/status; }

java -Xlog:cds=off -Xlog:cds+dynamic=off -XX:ArchiveClassesAtExit="$WORK/peer.jsa" "${FLAGS[@]}" -jar "$JAR" warmup
CDS=(-XX:SharedArchiveFile="$WORK/peer.jsa" -Xlog:cds=off -Xlog:cds+dynamic=off)

mkdir -p "$WORK/small" "$WORK/big"
for i in $(seq 1 20); do head -c 4096 /dev/urandom > "$WORK/small/file-$i.bin"; done
head -c 1G /dev/urandom > "$WORK/big/one-gib.bin"
for i in $(seq 1 19); do head -c 4096 /dev/urandom > "$WORK/big/file-$i.bin"; done
peer_conf() { echo "{\"name\":\"$1\",\"ip\":\"127.0.0.1\",\"rest_port\":$2,\"shared_dir\":\"$3\",\"state_dir\":\"\"}" > "$WORK/$1.json"; }

# Start-up: time from exec to the first 200 on /health, 5 runs each.
startup() {
  local best=999999 t
  for i in 1 2 3 4 5; do
    peer_conf st 18501 "$WORK/small"
    local t0; t0=$(date +%s%N)
    java "$@" -jar "$JAR" -conf "$WORK/st.json" >/dev/null 2>&1 & local p=$!
    until curl -sf http://127.0.0.1:18501/health >/dev/null 2>&1; do sleep 0.005; done
    t=$(( ($(date +%s%N) - t0) / 1000000 ))
    kill $p; wait $p 2>/dev/null || true
    echo "$t"
  done | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'
}
ST_PLAIN=$(startup "${FLAGS[@]}")
ST_CDS=$(startup "${FLAGS[@]}" "${CDS[@]}")

java -cp "$JAR" bench/Bare.java 18500 >/dev/null 2>&1 & PIDS+=($!)
peer_conf small 18502 "$WORK/small"; java "${FLAGS[@]}" "${CDS[@]}" -jar "$JAR" -conf "$WORK/small.json" >/dev/null 2>&1 & SMALL=$!; PIDS+=($SMALL)
peer_conf big 18503 "$WORK/big"; java "${FLAGS[@]}" "${CDS[@]}" -jar "$JAR" -conf "$WORK/big.json" >/dev/null 2>&1 & BIG=$!; PIDS+=($BIG)
wait_http http://127.0.0.1:18500/health; wait_http http://127.0.0.1:18502/health
for i in $(seq 1 600); do curl -sf http://127.0.0.1:18503/files | grep -q one-gib && break; sleep 0.1; done
# Idle means settled: past the JIT's start-up burst and a native-heap trim (every 5 s).
sleep 12
IDLE=$(rss $SMALL VmRSS)
for u in http://127.0.0.1:18500/health http://127.0.0.1:18502/health http://127.0.0.1:18502/files; do wrk -t2 -c32 -d3s "$u" >/dev/null 2>&1; done

echo "## Suite run $(date -u +%Y-%m-%d), $(nproc) cores, peer JVM: ${FLAGS[*]} + CDS archive"
echo
echo "| measurement | req/s | p99 | vs bare vertx-web |"
echo "|---|---|---|---|"
read -r BARE BARE99 < <(rps http://127.0.0.1:18500/health)
echo "| bare vertx-web, small JSON from memory | $BARE | $BARE99 | 1.00 |"
for path in /health /status /peers /files "/search?query=file-1&ttl=0" /files/file-1.bin; do
  read -r R P < <(rps "http://127.0.0.1:18502$path")
  echo "| peer GET $path (20 files of 4 KiB) | $R | $P | $(python3 -c "print(round($BARE/$R,2))")x slower |"
done
read -r R P < <(rps "http://127.0.0.1:18503/files")
echo "| peer GET /files with a 1 GiB file among 20 | $R | $P | $(python3 -c "print(round($BARE/$R,2))")x slower |"
LOADED=$(rss $SMALL VmHWM)
echo
echo "| process | figure |"
echo "|---|---|"
echo "| first /health after exec (median of 5), no CDS | ${ST_PLAIN} ms |"
echo "| first /health after exec (median of 5), CDS archive | ${ST_CDS} ms |"
echo "| peer RSS idle | ${IDLE} MiB |"
echo "| peer peak RSS after the REST runs above | ${LOADED} MiB |"
echo
cleanup; PIDS=()
bash bench/search.sh "$DUR"
echo
PEER_JVM_FLAGS="${FLAGS[*]}" bash bench/transfer.sh 1024
