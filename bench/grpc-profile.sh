#!/usr/bin/env bash
# Where a gRPC Download's CPU goes at the serving peer: one peer sharing a random file, h2load
# downloading it N times over one connection while the peer records JFR, then the hot methods
# (JDK 25's `jfr view`, which reads JDK 17 recordings) and h2load's rate.
# Usage: bench/grpc-profile.sh [MiB] [downloads] [h2load frame size] -> prints, keeps $OUT.jfr
# Needs: h2load (nghttp2-client), curl. Ports 18310. Stops what it started on exit.
set -euo pipefail
cd "$(dirname "$0")/.."
MIB=${1:-512}
N=${2:-4}
FRAME=${3:-16K}
OUT=${OUT:-/tmp/grpc-profile}
JAR=target/peer.jar
JVM=(${PEER_JVM_FLAGS:--Xmx64m -XX:+UseSerialGC})
JFR25=/usr/lib/jvm/temurin-25-jdk-amd64/bin/jfr
WORK=$(mktemp -d)
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$WORK"; }
trap cleanup EXIT
PORT=18310
mkdir -p "$WORK/share"
head -c "${MIB}M" /dev/urandom > "$WORK/share/big.bin"
cat > "$WORK/peer.json" <<JSON
{"name":"prof","ip":"127.0.0.1","rest_port":$PORT,"shared_dir":"$WORK/share","state_dir":""}
JSON
java "${JVM[@]}" -XX:+FlightRecorder -jar "$JAR" -conf "$WORK/peer.json" > "$WORK/peer.log" 2>&1 &
PEER=$!; PIDS+=($PEER)
for _ in $(seq 1 300); do curl -sf "http://127.0.0.1:$PORT/files" | grep -q big.bin && break; sleep 0.1; done
python3 -c 'import struct,sys; m=b"\x0a\x07big.bin"; sys.stdout.buffer.write(b"\x00"+struct.pack(">I",len(m))+m)' > "$WORK/req.bin"
h2() { h2load -n "$1" -c 1 -m 1 -f "$FRAME" -d "$WORK/req.bin" -H 'content-type: application/grpc' -H 'te: trailers' \
  "http://127.0.0.1:$PORT/p2p.FileTransfer/Download" 2>&1; }
h2 2 > /dev/null # warm-up: the JIT, the page cache
jcmd "$PEER" JFR.start name=p settings=profile > /dev/null
h2 "$N" | grep -E 'finished in|succeeded'
jcmd "$PEER" JFR.dump name=p filename="$OUT.jfr" > /dev/null
$JFR25 view --width 160 hot-methods "$OUT.jfr" | head -40
