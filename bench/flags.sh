#!/usr/bin/env bash
# One peer under a given set of JVM flags: idle RSS, req/s of /health, /files and a local
# /search, and the peak RSS after that load. Compares flag sets (the README's JVM flags section).
# Needs: wrk, curl. Usage: bench/flags.sh [JVM flags...]   (default: the Dockerfile's flags)
set -euo pipefail
cd "$(dirname "$0")/.."
JAR=target/peer.jar
[ -s "$JAR" ] || mvn -B -q package -DskipTests
FLAGS=("$@")
[ ${#FLAGS[@]} -gt 0 ] || FLAGS=(-Xmx48m -Xms8m -XX:+UseSerialGC -Xss256k -XX:ReservedCodeCacheSize=24m -XX:MaxMetaspaceSize=64m
  -XX:MaxDirectMemorySize=32m -Dio.netty.allocator.numDirectArenas=1 -Dio.netty.allocator.numHeapArenas=1
       -XX:TrimNativeHeapInterval=5000)
WORK=$(mktemp -d)
PORT=18701
echo "{\"name\":\"flags\",\"ip\":\"127.0.0.1\",\"rest_port\":$PORT,\"shared_dir\":\"$PWD/conf/shared/p1\",\"state_dir\":\"\"}" > "$WORK/p.json"
java "${FLAGS[@]}" -jar "$JAR" -conf "$WORK/p.json" >/dev/null 2>&1 &
P=$!
trap 'kill $P 2>/dev/null; wait $P 2>/dev/null; rm -rf "$WORK"' EXIT
until curl -sf "http://127.0.0.1:$PORT/health" >/dev/null 2>&1; do sleep 0.05; done
sleep 12   # settled: past the JIT's start-up burst and a native-heap trim
idle=$(awk '/VmRSS/ {print int($2/1024)}' /proc/$P/status)
rate() { wrk -t2 -c32 -d5s "$1" | awk '/Requests\/sec/ {print int($2)}'; }
wrk -t2 -c32 -d4s "http://127.0.0.1:$PORT/search?query=hello&ttl=0" >/dev/null   # warm-up
h=$(rate "http://127.0.0.1:$PORT/health")
f=$(rate "http://127.0.0.1:$PORT/files")
s=$(rate "http://127.0.0.1:$PORT/search?query=hello&ttl=0")
peak=$(awk '/VmHWM/ {print int($2/1024)}' /proc/$P/status)
echo "| ${FLAGS[*]} | $idle | $h | $f | $s | $peak |"
