#!/usr/bin/env bash
# Transfer benchmark: one peer sharing a 1 GiB random file; HTTP GET /files/{name} (curl) and
# gRPC Download (the jar's own client, discarding bytes) next to iperf3 on the same loopback.
# Prints a Markdown table. Starts everything it needs and stops it on exit.
# Needs: iperf3, curl (apt-get install iperf3 curl). Usage: bench/transfer.sh [MiB]
set -euo pipefail
cd "$(dirname "$0")/.."
MIB=${1:-1024}
JAR=target/peer.jar
JVM=(${PEER_JVM_FLAGS:--Xmx64m -XX:+UseSerialGC})
[ -s "$JAR" ] || mvn -B -q package -DskipTests
for t in iperf3 curl; do command -v $t >/dev/null || { echo "$t is not installed" >&2; exit 1; }; done
WORK=$(mktemp -d)
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$WORK"; }
trap cleanup EXIT
PORT=18301
mkdir -p "$WORK/share"
head -c "${MIB}M" /dev/urandom > "$WORK/share/big.bin"
cat > "$WORK/peer.json" <<JSON
{"name":"bench","ip":"127.0.0.1","rest_port":$PORT,"shared_dir":"$WORK/share","state_dir":""}
JSON
java "${JVM[@]}" -jar "$JAR" -conf "$WORK/peer.json" > "$WORK/peer.log" 2>&1 &
PEER=$!; PIDS+=($PEER)
for i in $(seq 1 300); do curl -sf "http://127.0.0.1:$PORT/files" | grep -q big.bin && break; sleep 0.1; done
rss() { awk -v k="$1" '$1==k":" {printf "%.0f", $2/1024}' /proc/$PEER/status; }
IDLE=$(rss VmRSS)

iperf3 -s -1 -p 5301 >/dev/null 2>&1 & PIDS+=($!)
sleep 0.5
IPERF=$(iperf3 -c 127.0.0.1 -p 5301 -t 5 -J | python3 -c 'import json,sys; print(json.load(sys.stdin)["end"]["sum_received"]["bits_per_second"]/8/1048576)')

http_run() { curl -s -o /dev/null -w '%{speed_download}' "http://127.0.0.1:$PORT/files/big.bin" | awk '{printf "%.0f", $1/1048576}'; }
http_run >/dev/null  # warm-up
H1=$(http_run); H2=$(http_run); H3=$(http_run)
HTTP=$(printf '%s\n' "$H1" "$H2" "$H3" | sort -n | tail -1)
AFTER_HTTP=$(rss VmHWM)

GRPC_RUNS=$(java -jar "$JAR" drain-download big.bin --peer "http://127.0.0.1:$PORT" --repeat 4 | awk '{print $(NF-1)}')
GRPC=$(echo "$GRPC_RUNS" | tail -3 | sort -n | tail -1)
PEAK=$(rss VmHWM)

pct() { python3 -c "print(round(100*$1/$2))"; }
echo "Transfer of a ${MIB} MiB file over loopback, $(nproc) cores, $(date -u +%Y-%m-%d), peer JVM: ${JVM[*]}"
echo
echo "| path | MiB/s | of iperf3 | peer peak RSS (MiB) |"
echo "|---|---|---|---|"
printf '| iperf3 (loopback limit) | %.0f | 100%% | - |\n' "$IPERF"
printf '| HTTP GET /files/{name} (sendFile, curl client), best of 3 | %s | %s%% | %s |\n' "$HTTP" "$(pct "$HTTP" "$IPERF")" "$AFTER_HTTP"
printf '| gRPC Download (peer.jar client, best of runs 2-4) | %.0f | %s%% | %s |\n' "$GRPC" "$(pct "$GRPC" "$IPERF")" "$PEAK"
echo
echo "Peer RSS idle with the file indexed: ${IDLE} MiB. gRPC runs (MiB/s): $(echo $GRPC_RUNS | tr '\n' ' ')"
