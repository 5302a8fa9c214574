#!/usr/bin/env bash
# Search throughput against the REST floor: three loopback peers that are each other's friends
# (fanout 3, ttl 3), 1,000 files each; wrk asks the first one a different query every time
# (doc-0001 ... doc-1000, one hit on every peer), next to /health of the same peer in the same run.
# The figure is searches/s over /health req/s, and the search p99.
# Needs: wrk, curl, python3. Usage: bench/search-rate.sh [seconds-per-run] [rounds]
set -euo pipefail
cd "$(dirname "$0")/.."
DUR=${1:-8}
ROUNDS=${2:-2}
JAR=${PEER_JAR:-target/peer.jar}
[ -s "$JAR" ] || mvn -B -q package -DskipTests
for t in wrk curl python3; do command -v $t >/dev/null || { echo "$t is not installed" >&2; exit 1; }; done
JVM=(${SEARCH_JVM_FLAGS:--Xmx64m -XX:+UseSerialGC})
WORK=$(mktemp -d)
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$WORK"; }
trap cleanup EXIT
B=18120
u() { echo "\"http://127.0.0.1:$1\""; }
start_peer() { # name port friends-json
  mkdir -p "$WORK/$1"
  for k in $(seq -w 1 1000); do echo "$1 $k" > "$WORK/$1/$1-doc-$k.txt"; done
  cat > "$WORK/$1.json" <<JSON
{"name":"$1","ip":"127.0.0.1","rest_port":$2,"shared_dir":"$WORK/$1","state_dir":"",
 "friends":$3,"max_fanout":3,"search_ttl":3,"friend_timeout_ms":500,"search_timeout_ms":2000,
 "health_check_interval":2,"peer_exchange":false,"local_discovery":false}
JSON
  java "${JVM[@]}" ${SEARCH_PROFILE:+-XX:StartFlightRecording=filename=$SEARCH_PROFILE-$1.jfr,settings=/tmp/prof/cpu.jfc,delay=40s,duration=8s} \
    -jar "$JAR" -conf "$WORK/$1.json" > "$WORK/$1.log" 2>&1 &
  PIDS+=($!)
}
start_peer p1 $((B+1)) "[$(u $((B+2))),$(u $((B+3)))]"
start_peer p2 $((B+2)) "[$(u $((B+1))),$(u $((B+3)))]"
start_peer p3 $((B+3)) "[$(u $((B+1))),$(u $((B+2)))]"
URL="http://127.0.0.1:$((B+1))"
for p in 1 2 3; do
  for i in $(seq 1 300); do
    curl -sf "http://127.0.0.1:$((B+p))/files" 2>/dev/null | grep -q "doc-1000" && break; sleep 0.1
  done
done
# The neighbours are healthy once the first probes answered: wait for a search that reaches both.
for i in $(seq 1 150); do
  hits=$(curl -sf "$URL/search?query=doc-0042&fanout=3" | python3 -c 'import json,sys; print(sum(len(r["files"]) for r in json.load(sys.stdin)["results"]))')
  [ "$hits" = 3 ] && break
  sleep 0.2
done
[ "$hits" = 3 ] || { echo "doc-0042 found $hits times, not on all 3 peers" >&2; exit 1; }
# Only answers with all three peers in them count: a neighbour that timed out under the load
# makes a fast, partial answer, and that is not the search being measured.
cat > "$WORK/q.lua" <<'LUA'
local threads = {}
function setup(thread) table.insert(threads, thread) end
function init(args) math.randomseed(os.time() + tonumber(tostring({}):sub(8), 16)); complete = 0; partial = 0 end
function request()
  return wrk.format("GET", string.format("/search?query=doc-%04d&fanout=3", math.random(1, 1000)))
end
function response(status, headers, body)
  if status == 200 and string.find(body, '"peers_answered":3,', 1, true) then complete = complete + 1 else partial = partial + 1 end
end
function done(summary, latency, requests)
  local c, p = 0, 0
  for _, t in ipairs(threads) do c = c + t:get("complete"); p = p + t:get("partial") end
  io.write(string.format("answers complete %d partial %d\n", c, p))
end
LUA
run() { # url [script] -> "req/s p99 non2xx"
  local s=()
  [ -n "${2:-}" ] && s=(-s "$2")
  wrk -t2 -c16 -d"${DUR}s" --latency "${s[@]}" "$1" > "$WORK/wrk.txt" 2>&1
  awk '/Requests\/sec/ {r=$2} $1=="99%" {p=$2} /Non-2xx/ {e=$NF} /^answers complete/ {c=$3; q=$5}
       END {print r, p, (e==""?0:e), (c==""?"-":c), (q==""?"-":q)}' "$WORK/wrk.txt"
}
# JIT warm-up, gently first: three cold JVMs on two cores answer slowly enough at full load to
# miss friend_timeout_ms, and a neighbour that missed it is skipped until its next probe.
wrk -t1 -c2 -d10s -s "$WORK/q.lua" "$URL/" >/dev/null 2>&1
wrk -t2 -c16 -d10s -s "$WORK/q.lua" "$URL/" >/dev/null 2>&1
run "$URL/health" >/dev/null
reach_all() { # every round starts with both neighbours in use again
  for i in $(seq 1 50); do
    curl -sf "$URL/search?query=doc-0042&fanout=3" | grep -q '"peers_answered":3,' && return 0
    sleep 0.2
  done
  echo "the neighbours are not back after 10 s" >&2; return 1
}
echo "## Search rate against /health, 3 loopback peers of 1,000 files, $(date -u +%Y-%m-%d), $(nproc) cores"
echo
echo "wrk -t2 -c16, ${ROUNDS} alternating rounds of ${DUR} s; peer JVM: ${JVM[*]}."
echo
echo "| round | /health req/s | /health p99 | searches/s, all 3 peers in the answer | partial answers | search p99 | non-2xx | searches / health |"
echo "|---|---|---|---|---|---|---|---|"
for r in $(seq 1 "$ROUNDS"); do
  read -r H HP HE x y < <(run "$URL/health")
  reach_all
  read -r S SP SE C P < <(run "$URL/search?query=doc-0001&fanout=3" "$WORK/q.lua")
  FULL=$(python3 -c "print($S*$C/max(1,$C+$P))")
  printf '| %s | %.0f | %s | %.0f | %s | %s | %s | %.3f |\n' "$r" "$H" "$HP" "$FULL" "$P" "$SP" "$SE" "$(python3 -c "print($FULL/$H)")"
done
