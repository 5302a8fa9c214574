#!/usr/bin/env bash
# Overload: three loopback peers that are each other's friends (1,000 files each, as in
# bench/search-rate.sh); bench/Overload.java drives the first one open-loop at 1x, 2x, 5x and 10x
# the rate it sustains (half searches with fanout 3, half small file requests, from 16 client
# addresses), then at 1x again to show the recovery, while /health is asked every 10 ms, of p1 and
# of an idle bare vertx-web server beside it (the control: the machine's own floor).
# Prints the sustained rate and one Markdown row per phase.
# Needs: curl, python3; run it alone: flock -x /tmp/peerd-cpu.lock bash bench/overload.sh [seconds]
# PEER_JAR=old.jar compares another build (the generator always runs from target/peer.jar);
# MAX_LOOP_DELAY_MS=N sets the peers' max_loop_delay_ms (default: theirs). PIN=1 gives the peer
# under load the first core to itself and puts its neighbours and the generator on the second
# (taskset): what is then measured is the peer's own queueing, not the machine's run queue.
# P1_JVM_FLAGS adds flags to the peer under load alone (a JFR recording, say). GEN_NICE=N runs the
# generator at that nice level, so that the peers get the CPU first, as if it ran elsewhere.
set -euo pipefail
cd "$(dirname "$0")/.."
DUR=${1:-8}
MULT=${MULTIPLIERS:-1,2,5,10,1}
JAR=${PEER_JAR:-target/peer.jar}
[ -s target/peer.jar ] || mvn -B -q package -DskipTests
for t in curl python3; do command -v $t >/dev/null || { echo "$t is not installed" >&2; exit 1; }; done
JVM=(${OVERLOAD_JVM_FLAGS:--Xmx64m -XX:+UseSerialGC})
WORK=$(mktemp -d)
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$WORK"; }
trap cleanup EXIT
B=18200
EXTRA=""
[ -z "${MAX_LOOP_DELAY_MS:-}" ] || EXTRA=",\"max_loop_delay_ms\":$MAX_LOOP_DELAY_MS"
u() { echo "\"http://127.0.0.1:$1\""; }
start_peer() { # name port friends-json cpu
  mkdir -p "$WORK/$1"
  for k in $(seq -w 1 1000); do echo "$1 $k" > "$WORK/$1/$1-doc-$k.txt"; done
  cat > "$WORK/$1.json" <<JSON
{"name":"$1","ip":"127.0.0.1","rest_port":$2,"shared_dir":"$WORK/$1","state_dir":"",
 "friends":$3,"max_fanout":3,"search_ttl":3,"friend_timeout_ms":500,"search_timeout_ms":2000,
 "health_check_interval":2,"peer_max_backoff":4,"peer_exchange":false,"local_discovery":false$EXTRA}
JSON
  local extra=()
  [ "$1" != p1 ] || extra=(${P1_JVM_FLAGS:-})
  ${PIN:+taskset -c $4} java "${JVM[@]}" "${extra[@]}" -jar "$JAR" -conf "$WORK/$1.json" > "$WORK/$1.log" 2>&1 &
  PIDS+=($!)
}
start_peer p1 $((B+1)) "[$(u $((B+2))),$(u $((B+3)))]" 0
start_peer p2 $((B+2)) "[$(u $((B+1))),$(u $((B+3)))]" 1
start_peer p3 $((B+3)) "[$(u $((B+1))),$(u $((B+2)))]" 1
URL="http://127.0.0.1:$((B+1))"
for p in 1 2 3; do
  for i in $(seq 1 300); do
    curl -sf "http://127.0.0.1:$((B+p))/files" 2>/dev/null | grep -q "doc-1000" && break; sleep 0.1
  done
done
for i in $(seq 1 150); do
  curl -sf "$URL/search?query=doc-0042&fanout=3" | grep -q '"peers_answered":3,' && break
  sleep 0.2
done
javac -d "$WORK/gen" -cp target/peer.jar bench/Overload.java bench/Bare.java
# The control: an idle bare vertx-web server on the same flags (and, with PIN=1, p1's core). Its
# /health, asked beside p1's, is what any process here waits for the CPU under the same load.
CONTROL=http://127.0.0.1:$((B+9))
${PIN:+taskset -c 0} java "${JVM[@]}" -cp "target/peer.jar:$WORK/gen" Bare $((B+9)) > "$WORK/control.log" 2>&1 &
PIDS+=($!)
for i in $(seq 1 100); do curl -sf "$CONTROL/health" >/dev/null && break; sleep 0.1; done
echo "## Overload, 3 loopback peers of 1,000 files, $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores"
echo
echo "Open loop, ${DUR} s per phase, 16 client addresses; peer JVM: ${JVM[*]}; jar: $JAR;"
echo "peer_max_backoff 4 s, so that each phase starts with both neighbours in use."
echo
${PIN:+taskset -c 1} ${GEN_NICE:+nice -n $GEN_NICE} java -cp "target/peer.jar:$WORK/gen" Overload "$URL" "$DUR" "$MULT" 16 "$CONTROL"
echo
echo
for p in 1 2 3; do
  echo "p$p's /status load after the run: $(curl -s "http://127.0.0.1:$((B+p))/status" | python3 -c 'import json,sys; print(json.dumps(json.load(sys.stdin).get("load")))')"
  echo "p$p's connections closed over max_connections_per_client: $(curl -s "http://127.0.0.1:$((B+p))/metrics" | awk '/^peer_connections_refused_total/ {s+=$2} END {print s+0}')"
  echo
done
