#!/usr/bin/env bash
# REST paths of one peer next to a bare vertx-web server (bench/Bare.java) that replays the same
# answers from memory: both send the same bytes, run on the same JVM flags, and are measured
# alternately (bare, peer, bare, peer) so that drift hits both alike. The ratio is bare req/s over
# peer req/s, summed over the rounds: the peer's own cost per request (routing, limits, metrics,
# headers, encoding). Prints a Markdown table.
# Needs: wrk, curl, python3. Usage: bench/rest.sh [seconds-per-run] [rounds]
set -euo pipefail
cd "$(dirname "$0")/.."
DUR=${1:-5}
ROUNDS=${2:-2}
JAR=${PEER_JAR:-target/peer.jar}
[ -s "$JAR" ] || mvn -B -q package -DskipTests
for t in wrk curl python3; do command -v $t >/dev/null || { echo "$t is not installed" >&2; exit 1; }; done
FLAGS=(${REST_JVM_FLAGS:--Xmx48m -Xms8m -XX:+UseSerialGC -Xss256k -XX:ReservedCodeCacheSize=24m -XX:MaxMetaspaceSize=64m -XX:MaxDirectMemorySize=32m -XX:TrimNativeHeapInterval=5000})
WORK=$(mktemp -d)
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$WORK"; }
trap cleanup EXIT
wait_http() { for i in $(seq 1 600); do curl -sf "$1" >/dev/null 2>&1 && return 0; sleep 0.05; done; echo "no answer from $1" >&2; return 1; }
rps() { wrk -t2 -c32 -d"${DUR}s" --latency "$1" | awk '/Requests\/sec/ {r=$2} $1=="99%" {p=$2} END {print r, p}'; }

mkdir -p "$WORK/small" "$WORK/big"
for i in $(seq 1 20); do head -c 4096 /dev/urandom > "$WORK/small/file-$i.bin"; done
head -c 1G /dev/urandom > "$WORK/big/one-gib.bin"
for i in $(seq 1 19); do head -c 4096 /dev/urandom > "$WORK/big/file-$i.bin"; done
peer_conf() { echo "{\"name\":\"$1\",\"ip\":\"127.0.0.1\",\"rest_port\":$2,\"shared_dir\":\"$3\",\"state_dir\":\"\"}" > "$WORK/$1.json"; }
peer_conf small 18602 "$WORK/small"; java "${FLAGS[@]}" -jar "$JAR" -conf "$WORK/small.json" > "$WORK/small.log" 2>&1 & PIDS+=($!)
peer_conf big 18603 "$WORK/big"; java "${FLAGS[@]}" -jar "$JAR" -conf "$WORK/big.json" > "$WORK/big.log" 2>&1 & PIDS+=($!)
wait_http http://127.0.0.1:18602/health
for i in $(seq 1 900); do curl -sf http://127.0.0.1:18603/files | grep -q one-gib && break; sleep 0.1; done

# The peer's answers, captured once, are what the bare server replays.
S=http://127.0.0.1:18602
SEARCH="/search?query=file-1&ttl=0"
declare -A CAPTURE=([/health]=/health [/status]=/status [/peers]=/peers [/files]=/files
  [/search]="$SEARCH" [/files/file-1.bin]=/files/file-1.bin)
ARGS=()
for path in "${!CAPTURE[@]}"; do
  f="$WORK/cap$(echo "$path" | tr '/' '_')"
  curl -sf "$S${CAPTURE[$path]}" -o "$f"
  ARGS+=("$path=$f")
done
curl -sf http://127.0.0.1:18603/files -o "$WORK/bigfiles"
ARGS+=("/big/files=$WORK/bigfiles")
HITS=$(python3 -c "import json,sys; print(sum(len(r['files']) for r in json.load(open(sys.argv[1]))['results']))" "$WORK/cap_search")
mkdir -p "$WORK/bare"
javac -d "$WORK/bare" -cp "$JAR" bench/Bare.java
java "${FLAGS[@]}" -cp "$JAR:$WORK/bare" Bare 18600 "${ARGS[@]}" > "$WORK/bare.log" 2>&1 & PIDS+=($!)
wait_http http://127.0.0.1:18600/files
# Warm both JITs on every path before anything is counted.
for path in /health /status /peers /files "$SEARCH" /files/file-1.bin; do
  wrk -t2 -c32 -d2s "$S$path" >/dev/null 2>&1
  wrk -t2 -c32 -d2s "http://127.0.0.1:18600${path%%\?*}" >/dev/null 2>&1
done
wrk -t2 -c32 -d2s http://127.0.0.1:18603/files >/dev/null 2>&1

echo "## REST against bare vertx-web replaying the same answers, $(date -u +%Y-%m-%d), $(nproc) cores"
echo
echo "JVM flags of both: ${FLAGS[*]}. wrk -t2 -c32, ${ROUNDS} alternating rounds of ${DUR} s."
echo
echo "| path | bare req/s | peer req/s | peer p99 | bare / peer |"
echo "|---|---|---|---|---|"
row() { # label bare-url peer-url
  local b=0 p=0 p99 rb rp x
  for r in $(seq 1 "$ROUNDS"); do
    read -r rb x < <(rps "$2")
    read -r rp p99 < <(rps "$3")
    b=$(python3 -c "print($b+$rb)"); p=$(python3 -c "print($p+$rp)")
  done
  printf '| %s | %.0f | %.0f | %s | %.2fx |\n' "$1" "$(python3 -c "print($b/$ROUNDS)")" \
    "$(python3 -c "print($p/$ROUNDS)")" "$p99" "$(python3 -c "print($b/$p)")"
}
B=http://127.0.0.1:18600
row "GET /health" $B/health $S/health
row "GET /status" $B/status $S/status
row "GET /peers" $B/peers $S/peers
row "GET /files (20 files of 4 KiB)" $B/files $S/files
row "GET /files (a 1 GiB file among 20)" $B/big/files http://127.0.0.1:18603/files
row "GET /files/{name} (4 KiB)" $B/files/file-1.bin $S/files/file-1.bin
row "GET $SEARCH (local, $HITS hits)" $B/search "$S$SEARCH"
