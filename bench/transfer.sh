#!/usr/bin/env bash
# Transfer benchmark: one peer sharing a 1 GiB random file; HTTP GET /files/{name} (curl) and
# gRPC Download (the jar's own client, discarding bytes; h2load, a C client) next to iperf3 on the same loopback.
# Prints a Markdown table. Starts everything it needs and stops it on exit.
# Needs: iperf3, curl, h2load (apt-get install iperf3 curl nghttp2-client). Usage: bench/transfer.sh [MiB]
set -euo pipefail
cd "$(dirname "$0")/.."
MIB=${1:-1024}
JAR=target/peer.jar
JVM=(${PEER_JVM_FLAGS:--Xmx64m -XX:+UseSerialGC})
[ -s "$JAR" ] || mvn -B -q package -DskipTests
for t in iperf3 curl h2load; do command -v $t >/dev/null || { echo "$t is not installed" >&2; exit 1; }; done
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

# Each iperf3 figure is the best of three runs, as every other row is a best of runs: a single
# iperf3 -F of 1 GiB lasts half a second here, and single runs read 1535-2618 MiB/s on one day.
iperf_best() { # port [iperf3 client args...] -> MiB/s
  local port=$1 best=0 r; shift
  for _ in 1 2 3; do
    iperf3 -s -1 -p "$port" >/dev/null 2>&1 & PIDS+=($!)
    sleep 0.5
    r=$(iperf3 -c 127.0.0.1 -p "$port" "$@" -J | python3 -c 'import json,sys; print(json.load(sys.stdin)["end"]["sum_received"]["bits_per_second"]/8/1048576)')
    best=$(python3 -c "print(max($best, $r))")
  done
  echo "$best"
}
IPERF=$(iperf_best 18302 -t 5)
# iperf3 sending the same file (-F): what moving these bytes out of the page cache costs, the
# reference a file server can be held to (plain iperf3 resends one hot 128 KiB buffer).
IPERF_F=$(iperf_best 18303 -F "$WORK/share/big.bin")

http_run() { curl -s -o /dev/null -w '%{speed_download}' "http://127.0.0.1:$PORT/files/big.bin" | awk '{printf "%.0f", $1/1048576}'; }
http_run >/dev/null  # warm-up
H1=$(http_run); H2=$(http_run); H3=$(http_run)
HTTP=$(printf '%s\n' "$H1" "$H2" "$H3" | sort -n | tail -1)
# The same GET with a lean client (1 MiB reads into one buffer, nothing written): curl's 16 KiB
# writes to /dev/null cost it a few hundred MiB/s of its own.
raw_get() {
  python3 - "$PORT" <<'PY'
import socket, sys, time
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
s.sendall(b"GET /files/big.bin HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
buf = memoryview(bytearray(1 << 20)); n = 0; t = time.time()
while True:
    k = s.recv_into(buf)
    if not k: break
    n += k
print("%.0f" % (n / (time.time() - t) / 1048576))
PY
}
R1=$(raw_get); R2=$(raw_get); R3=$(raw_get)
RAW=$(printf '%s\n' "$R1" "$R2" "$R3" | sort -n | tail -1)
AFTER_HTTP=$(rss VmHWM)

GRPC_RUNS=$(java -jar "$JAR" drain-download big.bin --peer "http://127.0.0.1:$PORT" --repeat 4 | awk '{print $(NF-1)}')
GRPC=$(echo "$GRPC_RUNS" | tail -3 | sort -n | tail -1)
# gRPC Download with a C client (h2load, nghttp2): the server's rate without a JVM client
# sharing the two cores. The body is a framed DownloadRequest{filename: "big.bin"}.
# h2load's own rate ("finished in 905.30ms, ..., 2.21GB/s") is in binary units (nghttp2's
# util::utos_funit divides by 2^10, 2^20, 2^30: GB/s is GiB/s) but rounded to 0.01 GiB/s (10 MiB/s)
# and counts every byte received, headers and frame headers too. The rate here is its exact DATA
# byte count ("traffic: ... 2.00GB (2147614790) data") over its duration (s, ms or us), and a run in
# which a request did not succeed is an error, not a slow figure.
H2RATE='/^finished in/ {d=$3; sub(/,$/,"",d); f=1; if (d ~ /ms$/) f=1e-3; else if (d ~ /us$/) f=1e-6;
  sub(/[mu]?s$/,"",d); secs=d*f}
  /^requests:/ {todo=$2; ok=$8}
  /^traffic:/ {for (i=1; i<=NF; i++) if ($i ~ /^data/) {b=$(i-1); gsub(/[()]/,"",b)}}
  END {if (ok != todo || secs <= 0) {print "h2load: " ok " of " todo " requests succeeded" > "/dev/stderr"; exit 1}
  printf "%.0f\n", b/secs/1048576}'
h2run() { # frame size -> MiB/s, best of runs 2-4
  for i in 1 2 3 4; do h2load -n 2 -c 1 -m 1 -f "$1" -d "$WORK/req.bin" -H 'content-type: application/grpc' -H 'te: trailers' \
      "http://127.0.0.1:$PORT/p2p.FileTransfer/Download" 2>&1 | awk "$H2RATE" || exit 1; done | tail -3 | sort -n | tail -1
}
H2=-
H2BIG=-
if command -v h2load >/dev/null; then
  python3 -c 'import struct,sys; m=b"\x0a\x07big.bin"; sys.stdout.buffer.write(b"\x00"+struct.pack(">I",len(m))+m)' > "$WORK/req.bin"
  # h2load's default 16 KiB frames, and 1 MiB frames (what the jar's own client asks for).
  H2=$(h2run 16K)
  H2BIG=$(h2run 1M)
fi
PEAK=$(rss VmHWM)

pct() { python3 -c "print(round(100*$1/$2))"; }
echo "Transfer of a ${MIB} MiB file over loopback, $(nproc) cores, $(date -u +%Y-%m-%d), peer JVM: ${JVM[*]}"
echo
echo "| path | MiB/s | of iperf3 | of iperf3 -F | peer peak RSS (MiB) |"
echo "|---|---|---|---|---|"
printf '| iperf3 (loopback limit, one hot buffer), best of 3 | %.0f | 100%% | %s%% | - |\n' "$IPERF" "$(pct "$IPERF" "$IPERF_F")"
printf '| iperf3 -F big.bin (the same file), best of 3 | %.0f | %s%% | 100%% | - |\n' "$IPERF_F" "$(pct "$IPERF_F" "$IPERF")"
printf '| HTTP GET /files/{name} (sendFile, curl client), best of 3 | %s | %s%% | %s%% | %s |\n' "$HTTP" "$(pct "$HTTP" "$IPERF")" "$(pct "$HTTP" "$IPERF_F")" "$AFTER_HTTP"
printf '| HTTP GET /files/{name} (sendFile, 1 MiB-read client), best of 3 | %s | %s%% | %s%% | %s |\n' "$RAW" "$(pct "$RAW" "$IPERF")" "$(pct "$RAW" "$IPERF_F")" "$AFTER_HTTP"
printf '| gRPC Download (peer.jar client, best of runs 2-4) | %.0f | %s%% | %s%% | %s |\n' "$GRPC" "$(pct "$GRPC" "$IPERF")" "$(pct "$GRPC" "$IPERF_F")" "$PEAK"
if [ "$H2" != "-" ]; then
  printf '| gRPC Download (h2load client, 16 KiB frames, best of runs 2-4) | %s | %s%% | %s%% | %s |\n' "$H2" "$(pct "$H2" "$IPERF")" "$(pct "$H2" "$IPERF_F")" "$PEAK"
  printf '| gRPC Download (h2load client, 1 MiB frames, best of runs 2-4) | %s | %s%% | %s%% | %s |\n' "$H2BIG" "$(pct "$H2BIG" "$IPERF")" "$(pct "$H2BIG" "$IPERF_F")" "$PEAK"
fi
echo
echo "Peer RSS just after the ${MIB} MiB file was hashed: ${IDLE} MiB. gRPC runs (MiB/s): $(echo $GRPC_RUNS | tr '\n' ' ')"
