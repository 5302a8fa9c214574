#!/usr/bin/env bash
# Search benchmark: a 3-peer loopback network from target/peer.jar, measured with wrk.
# Prints a Markdown table. Starts everything it needs and stops it on exit.
# Needs: wrk, curl (apt-get install wrk curl). Usage: bench/search.sh [seconds-per-run]
set -euo pipefail
cd "$(dirname "$0")/.."
DUR=${1:-10}
JAR=target/peer.jar
[ -s "$JAR" ] || mvn -B -q package -DskipTests
command -v wrk >/dev/null || { echo "wrk is not installed (apt-get install wrk)" >&2; exit 1; }
WORK=$(mktemp -d)
PIDS=()
cleanup() {
  for p in "${PIDS[@]}"; do kill -CONT "$p" 2>/dev/null || true; kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT
JVM=(-Xmx64m -XX:+UseSerialGC)
B=18100
start_peer() { # name port friends-json
  local name=$1 port=$2 friends=$3 k
  mkdir -p "$WORK/$name"
  for k in 1 2 3 4 5; do echo "$name file $k" > "$WORK/$name/$name-doc-$k.txt"; done
  cat > "$WORK/$name.json" <<JSON
{"name":"$name","ip":"127.0.0.1","rest_port":$port,"shared_dir":"$WORK/$name","state_dir":"",
 "friends":$friends,"max_fanout":3,"search_ttl":3,"friend_timeout_ms":500,"search_timeout_ms":2000,
 "health_check_interval":3600,"peer_exchange":false}
JSON
  java "${JVM[@]}" -jar "$JAR" -conf "$WORK/$name.json" > "$WORK/$name.log" 2>&1 &
  PIDS+=($!)
}
u() { echo "\"http://127.0.0.1:$1\""; }
start_peer p1 $((B+1)) "[$(u $((B+2))),$(u $((B+3)))]"
start_peer p2 $((B+2)) "[$(u $((B+1))),$(u $((B+3)))]"
start_peer p3 $((B+3)) "[$(u $((B+1))),$(u $((B+2)))]"
for p in 1 2 3; do
  for i in $(seq 1 100); do curl -sf "http://127.0.0.1:$((B+p))/health" >/dev/null && break; sleep 0.1; done
done
sleep 1
URL="http://127.0.0.1:$((B+1))"
# Sanity: a match reaches all three peers.
curl -sf "$URL/search?query=doc-1&fanout=3" | grep -q "p3-doc-1" || { echo "search does not reach p3" >&2; exit 1; }

run_wrk() { # label url
  wrk -t2 -c16 -d"${DUR}s" --latency "$2" > "$WORK/wrk.txt" 2>&1
  local rps p50 p99
  rps=$(awk '/Requests\/sec/ {print $2}' "$WORK/wrk.txt")
  p50=$(awk '$1=="50%" {print $2}' "$WORK/wrk.txt")
  p99=$(awk '$1=="99%" {print $2}' "$WORK/wrk.txt")
  local errs
  errs=$(awk '/Non-2xx|Socket errors/ {print}' "$WORK/wrk.txt" | tr '\n' ' ')
  printf '| %s | %s | %s | %s | %s |\n' "$1" "$rps" "$p50" "$p99" "${errs:-none}"
}
# Warm-up (JIT): not reported.
wrk -t2 -c16 -d5s "$URL/search?query=doc-1&fanout=3" >/dev/null 2>&1
wrk -t2 -c16 -d3s "$URL/search?query=zzz&fanout=3" >/dev/null 2>&1
echo "Search on a 3-peer loopback network (fanout 3, ttl 3), wrk -t2 -c16 -d${DUR}s, $(nproc) cores, $(date -u +%Y-%m-%d)"
echo
echo "| request | req/s | p50 | p99 | errors |"
echo "|---|---|---|---|---|"
run_wrk "GET /health (reference)" "$URL/health"
run_wrk "search, query matches on all 3 peers" "$URL/search?query=doc-1&fanout=3"
run_wrk "search, query matches nothing" "$URL/search?query=zzz-nothing&fanout=3"
# The other routing modes (README, "Search at scale"): a match one hop away, walkers and summaries.
run_wrk "search mode=walk, match on p3" "$URL/search?query=p3-doc-1&mode=walk"
run_wrk "search mode=summary, match on p3" "$URL/search?query=p3-doc-1&mode=summary"

# A hung neighbour: a fourth peer, SIGSTOPped (the kernel still accepts connections, nobody answers).
# A failed neighbour is marked unhealthy and skipped afterwards, so each run uses a fresh origin
# peer (p5) whose friends are p2, p3 and the hung p4, and measures its first search.
start_peer p4 $((B+4)) "[]"
for i in $(seq 1 100); do curl -sf "http://127.0.0.1:$((B+4))/health" >/dev/null && break; sleep 0.1; done
kill -STOP "${PIDS[3]}"
echo
echo "Search with one hung neighbour (SIGSTOPped peer; friend_timeout_ms=500; first search of a fresh origin):"
echo
echo "| run | elapsed (ms) | partial | peers answered | unreachable |"
echo "|---|---|---|---|---|"
for i in 1 2 3 4 5; do
  start_peer p5 $((B+5)) "[$(u $((B+2))),$(u $((B+3))),$(u $((B+4)))]"
  for j in $(seq 1 100); do curl -sf "http://127.0.0.1:$((B+5))/health" >/dev/null && break; sleep 0.1; done
  out=$(curl -s -w ' %{time_total}' "http://127.0.0.1:$((B+5))/search?query=doc-1&fanout=3")
  t=$(echo "$out" | awk '{print $NF}')
  partial=$(echo "$out" | grep -o '"partial":[a-z]*' | cut -d: -f2)
  answered=$(echo "$out" | grep -o '"peers_answered":[0-9]*' | cut -d: -f2)
  unr=$(echo "$out" | grep -o '"reason":"[a-z_]*' | cut -d'"' -f4 | tr '\n' ',')
  printf '| %d | %.0f | %s | %s | %s |\n' "$i" "$(echo "$t*1000" | bc -l)" "$partial" "$answered" "${unr%,}"
  kill "${PIDS[-1]}"; wait "${PIDS[-1]}" 2>/dev/null || true; unset 'PIDS[-1]'
done
