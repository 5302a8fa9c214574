#!/usr/bin/env bash
# Multi-host fault tests: four peers, each in a network namespace this script creates, joined by a
# bridge that lives in a fifth namespace (the machine's own namespace gets no address and sees
# no traffic). Scenarios: summary routing across hosts, kill -9, SIGSTOP, a link down, a partition that heals, a swarm
# download from three hosts with one throttled and one killed, the client killed and resumed, an upload cut mid-way. Each asserts and prints its numbers.
# Every namespace and process is removed on exit, even on failure. Needs root and iproute2.
# Usage: src/test/netns/faults.sh [path/to/peer.jar]     (exit 0: all passed; 77: skipped)
set -euo pipefail
JAR=$(realpath "${1:-target/peer.jar}")
P=pf$$
NET=10.213.7
HOSTS=(a b c d)
WORK=$(mktemp -d)
PIDS=()

# shellcheck source=src/test/netns/lib.sh
. "$(dirname "$0")/lib.sh"
netns_or_skip "netns fault tests"

fail() { echo "FAIL: $*" >&2; exit 1; }
ms() { echo $(( $(date +%s%N) / 1000000 )); }
ipof() { case $1 in a) echo "$NET.1";; b) echo "$NET.2";; c) echo "$NET.3";; d) echo "$NET.4";; esac; }
url() { echo "http://$(ipof "$1"):8001"; }

# --- the network: a bridge in namespace "sw", one veth per host --------------------------------
netns_bridge
for h in "${HOSTS[@]}"; do in_ns "$h" ip addr add "$(ipof "$h")/24" dev eth0; done

start_peer() { # host
  local h=$1 friends="" f
  for f in "${HOSTS[@]}"; do [ "$f" != "$h" ] && friends="$friends${friends:+,}\"$(url "$f")\""; done
  mkdir -p "$WORK/$h/share" "$WORK/$h/state"
  [ -f "$WORK/$h/share/$h-doc.txt" ] || echo "document of $h" > "$WORK/$h/share/$h-doc.txt"
  # Plain links (identity off): the delay proxy and the filters below sit on the REST port, and
  # these faults are the search's, not the identity's (src/test/netns/identity.sh has those).
  cat > "$WORK/$h/peer.json" <<JSON
{"name":"$h","ip":"$(ipof "$h")","rest_port":8001,"shared_dir":"$WORK/$h/share","state_dir":"$WORK/$h/state",
 "friends":[$friends],"health_check_interval":0.5,"peer_max_backoff":2,"friend_timeout_ms":800,
 "search_timeout_ms":3000,"search_ttl":1,"max_fanout":4,"peer_exchange":false,"accept_uploads":true,
 "stream_idle_timeout_ms":2000,"identity":false,"local_discovery":false}
JSON
  # Not through in_ns: a backgrounded function is a subshell, and $! must be the JVM itself
  # ('ip netns exec' execs it in place) so that kill -9 and SIGSTOP reach the peer.
  ip netns exec "$P-$h" java -Xmx64m -XX:+UseSerialGC -jar "$JAR" -conf "$WORK/$h/peer.json" > "$WORK/$h/log" 2>&1 &
  PIDS+=($!)
  eval "PID_$h=$!"
  for _ in $(seq 1 200); do in_ns "$h" curl -sf "$(url "$h")/health" >/dev/null 2>&1 && return 0; sleep 0.05; done
  fail "peer $h did not start"
}
search() { # from-host query -> prints "elapsed_ms json"
  local t0 out
  t0=$(ms)
  out=$(in_ns "$1" curl -s --max-time 10 "$(url "$1")/search?query=$2&ttl=1&fanout=4")
  echo "$(( $(ms) - t0 )) $out"
}
answered() { echo "$1" | grep -o '"peer":"http://[0-9.]*:8001","hops"' | wc -l; }
healthy_in() { # observer host, watched host -> ms until watched is healthy in observer's /peers
  local t0; t0=$(ms)
  for _ in $(seq 1 200); do
    in_ns "$1" curl -s "$(url "$1")/peers" | grep -q "\"peers\":\[[^]]*\"$(url "$2")\"" && { echo $(( $(ms) - t0 )); return 0; }
    sleep 0.05
  done
  fail "$2 never became healthy again in $1's table"
}

for h in "${HOSTS[@]}"; do start_peer "$h"; done
# Peers started before their friends saw them fail once: wait for a's probes to find them all.
for h in b c d; do healthy_in a "$h" >/dev/null; done
read -r t out < <(search a doc)
[ "$(answered "$out")" = 4 ] || fail "baseline: expected 4 peers, got: $out"
echo "| scenario | answer during the fault | peers answered | recovery | lost |"
echo "|---|---|---|---|---|"
echo "| baseline, 4 hosts | ${t} ms | 4 | - | - |"

# --- summary routing across hosts: a asks only the host whose name summary holds the match -----
for _ in $(seq 1 100); do
  [ "$(in_ns a curl -s "$(url a)/status" | grep -o '"summaries_known":[0-9]*' | cut -d: -f2)" = 3 ] && break
  sleep 0.1
done
t0=$(ms)
out=$(in_ns a curl -s --max-time 10 "$(url a)/search?query=d-doc&mode=summary")
t=$(( $(ms) - t0 ))
echo "$out" | grep -q '"name":"d-doc.txt"' || fail "summary routing: d's file not found: $out"
[ "$(answered "$out")" = 2 ] || fail "summary routing: expected answers from a and d only: $out"
echo "| summary routing (\`mode=summary\`, the name only on d) | ${t} ms | 2 (a and d; b, c not asked) | - | - |"

# --- kill -9 d -------------------------------------------------------------------------------
kill -9 "$PID_d"; wait "$PID_d" 2>/dev/null || true
read -r t out < <(search a doc)
[ "$(answered "$out")" = 3 ] || fail "kill -9: expected 3 answers: $out"
echo "$out" | grep -q "\"unreachable\":\[{\"peer\":\"$(url d)\"" || fail "kill -9: d not unreachable: $out"
[ "$t" -lt 1500 ] || fail "kill -9: took $t ms"
start_peer d
rec=$(healthy_in a d)
echo "| kill -9 of d | ${t} ms, partial | 3 | healthy again ${rec} ms after restart | nothing |"

# --- SIGSTOP c (a hung process) --------------------------------------------------------------
kill -STOP "$PID_c"
read -r t out < <(search a doc)
[ "$(answered "$out")" = 3 ] || fail "SIGSTOP: expected 3 answers: $out"
echo "$out" | grep -q 'reason":"timeout' || fail "SIGSTOP: c should time out: $out"
[ "$t" -lt 1500 ] || fail "SIGSTOP: took $t ms (friend timeout 800)"
kill -CONT "$PID_c"
rec=$(healthy_in a c)
echo "| SIGSTOP of c | ${t} ms, partial | 3 | healthy ${rec} ms after SIGCONT | nothing |"

# --- link of b down (blackhole) --------------------------------------------------------------
in_ns b ip link set eth0 down
read -r t out < <(search a doc)
[ "$(answered "$out")" = 3 ] || fail "link down: expected 3 answers: $out"
[ "$t" -lt 1500 ] || fail "link down: took $t ms"
in_ns b ip link set eth0 up
rec=$(healthy_in a b)
echo "| link of b down | ${t} ms, partial | 3 | healthy ${rec} ms after link up | nothing |"

# --- a partition that heals: {a,b} and {c,d} on separate bridges, then together again ---------
in_ns sw ip link add br1 type bridge
in_ns sw ip link set br1 up
for h in c d; do in_ns sw ip link set "v$P$h" master br1; done
read -r t out < <(search a doc)
[ "$(answered "$out")" = 2 ] || fail "partition: a should reach only b: $out"
read -r t2 out2 < <(search c doc)
[ "$(answered "$out2")" = 2 ] || fail "partition: c should reach only d: $out2"
for h in c d; do in_ns sw ip link set "v$P$h" master br0; done
t0=$(ms)
healthy_in a c >/dev/null; healthy_in a d >/dev/null; healthy_in c a >/dev/null; healthy_in c b >/dev/null
rec=$(( $(ms) - t0 ))
read -r t3 out3 < <(search c doc)
[ "$(answered "$out3")" = 4 ] || fail "after healing c should reach all: $out3"
echo "| partition {a,b} / {c,d} | ${t} ms (a), ${t2} ms (c), partial | 2 and 2 | both sides see each other ${rec} ms after healing, no restart | nothing |"

# --- latency and loss: d reached through a proxy adding 200 ms each way; 10% of b's packets dropped
if command -v python3 >/dev/null && command -v iptables >/dev/null; then
  ip netns exec "$P-d" python3 "$(dirname "$0")/delay_proxy.py" "$(ipof d)" 8002 "$(ipof d)" 8001 200 &
  PIDS+=($!)
  sleep 0.5
  slow="http://$(ipof d):8002"
  in_ns a curl -sf -XPOST "$(url a)/register" -H 'content-type: application/json' -d "{\"url\":\"$slow\"}" >/dev/null
  in_ns b iptables -A INPUT -m statistic --mode random --probability 0.1 -j DROP
  worst=0; complete=0
  for i in 1 2 3 4 5; do
    # The path through the proxy is slow, not down: a call on it that once took longer than the
    # 800 ms friend timeout (a loaded machine) marks it unhealthy, and a search then rightly skips
    # it. Each search is made while a holds it healthy, which is what this scenario is about.
    for _ in $(seq 1 200); do
      in_ns a curl -s "$(url a)/peers" | grep -q "\"peers\":\[[^]]*\"$slow\"" && break
      sleep 0.05
    done
    t0=$(ms)
    out=$(in_ns a curl -s --max-time 10 "$(url a)/search?query=doc&ttl=1&fanout=5&timeout_ms=1500")
    t=$(( $(ms) - t0 ))
    [ "$t" -gt "$worst" ] && worst=$t
    [ "$t" -lt 1700 ] || fail "latency/loss: search $i took $t ms, deadline 1500"
    # d answers as itself on both paths (merged once); waiting about 400 ms shows the proxied
    # call was answered too, within the deadline.
    el=$(echo "$out" | grep -o '"elapsed_ms":[0-9]*' | cut -d: -f2)
    [ "${el:-0}" -ge 400 ] || fail "latency: the 400 ms path was not waited for (elapsed $el): $out"
    for h in c d; do echo "$out" | grep -q "\"peer\":\"$(url "$h")\"" || fail "latency/loss: $h missing: $out"; done
    # b loses 10% of its packets: a lost SYN waits out TCP's 1 s retransmission, longer than the
    # 800 ms per-friend timeout. Then b, and only b, may be reported; otherwise it answers.
    if echo "$out" | grep -q "\"peer\":\"$(url b)\",\"hops\""; then
      complete=$((complete + 1))
    else
      unr=$(echo "$out" | grep -o '"unreachable":\[[^]]*\]')
      echo "$unr" | grep -q "$(url b)\",\"reason\":\"timeout" || fail "latency/loss: b neither answered nor timed out: $out"
      [ "$(echo "$unr" | grep -o '"peer"' | wc -l)" = 1 ] || fail "latency/loss: more than b lost: $out"
    fi
  done
  in_ns b iptables -D INPUT -m statistic --mode random --probability 0.1 -j DROP
  echo "| 200 ms each way to d (proxy), 10% loss at b | worst ${worst} ms of 5 (deadline 1500) | a, c, d always; b in ${complete} of 5 (else reported as timeout) | - | nothing |"
else
  echo "| latency and loss | SKIPPED: needs python3 and iptables | - | - | - |"
fi

# --- a four-host swarm: b's link throttled, d killed mid-download, then the client killed ------
head -c 64M /dev/urandom > "$WORK/movie.bin"
cp "$WORK/movie.bin" "$WORK/b/share/movie.bin"; cp "$WORK/movie.bin" "$WORK/c/share/movie.bin"
cp "$WORK/movie.bin" "$WORK/d/share/same-bytes.bin" # another name: the root finds it all the same
for h in b c d; do in_ns "$h" curl -sf -XPOST "$(url "$h")/index/rescan" >/dev/null; done
in_ns b tc qdisc add dev eth0 root tbf rate 40mbit burst 64kb latency 100ms
field() { python3 -c 'import json,sys; print(eval("j"+sys.argv[1], {"j": json.load(sys.stdin)}))' "$1"; }
mkdir -p "$WORK/dl"
# The client's own limit (12 MiB/s) keeps the download running long enough to kill d inside it.
t0=$(ms)
( cd "$WORK/dl" && exec ip netns exec "$P-a" java -Xmx128m -jar "$JAR" download movie.bin --peer "$(url b)" \
    --rate-limit 12582912 --stall-ms 2000 --json > "$WORK/dl/swarm.json" 2> "$WORK/dl/swarm.err" ) & DL=$!
for _ in $(seq 1 300); do [ -f "$WORK/dl/movie.bin.part.pieces" ] && break; sleep 0.05; done
[ -f "$WORK/dl/movie.bin.part.pieces" ] || fail "the swarm download never verified a piece: $(cat "$WORK/dl/swarm.err")"
kill -9 "$PID_d"
wait "$DL" || fail "the swarm download failed: $(cat "$WORK/dl/swarm.err")"
took=$(( $(ms) - t0 ))
cmp -s "$WORK/dl/movie.bin" "$WORK/movie.bin" || fail "the swarm's file differs"
[ "$(field '["sha256"]' < "$WORK/dl/swarm.json")" = "$(sha256sum "$WORK/movie.bin" | cut -c1-64)" ] || fail "sha256 in the result"
per=$(python3 -c 'import json,sys; print(", ".join("%s %d MiB%s" % (s["url"].split("//")[1].split(":")[0], s["bytes"] >> 20, " (" + s["error"] + ")" if s["error"] else "") for s in json.load(sys.stdin)["sources"]))' < "$WORK/dl/swarm.json")
for h in b c; do
  python3 -c 'import json,sys; sys.exit(0 if any(s["url"].endswith(sys.argv[1] + ":8001") and s["bytes"] > 0 for s in json.load(sys.stdin)["sources"]) else 1)' "$(ipof "$h")" < "$WORK/dl/swarm.json" \
    || fail "no bytes from $h: $(cat "$WORK/dl/swarm.json")"
done
grep -q "$(ipof d)" "$WORK/dl/swarm.err" || fail "d's death was not said on stderr: $(cat "$WORK/dl/swarm.err")"
echo "| swarm of b (tbf 40 mbit), c, d; d killed mid-way | 64 MiB in $took ms | $per | completed from b and c, every piece and the SHA-256 verified | nothing |"

# The client killed mid-download, then run again: only the unverified pieces are fetched.
rm -f "$WORK/dl/movie.bin"
( cd "$WORK/dl" && exec ip netns exec "$P-a" java -Xmx128m -jar "$JAR" download movie.bin --peer "$(url c)" \
    --rate-limit 8388608 > /dev/null 2>&1 ) & DL=$!
for _ in $(seq 1 300); do [ -f "$WORK/dl/movie.bin.part.pieces" ] && break; sleep 0.05; done
sleep 1
kill -9 "$DL"; wait "$DL" 2>/dev/null || true
[ -f "$WORK/dl/movie.bin.part.pieces" ] && [ ! -f "$WORK/dl/movie.bin" ] || fail "the client was not cut mid-way"
( cd "$WORK/dl" && in_ns a java -Xmx128m -jar "$JAR" download movie.bin --peer "$(url c)" --json > "$WORK/dl/again.json" 2> "$WORK/dl/again.err" ) \
  || fail "the second run failed: $(cat "$WORK/dl/again.err")"
cmp -s "$WORK/dl/movie.bin" "$WORK/movie.bin" || fail "the resumed file differs"
resumed=$(field '["resumed_from"]' < "$WORK/dl/again.json"); fetched=$(field '["fetched"]' < "$WORK/dl/again.json")
[ "$resumed" -gt 0 ] && [ $((resumed + fetched)) = $((64 << 20)) ] || fail "fetched $fetched after $resumed resumed"
echo "| client killed mid-download, run again | cut with $((resumed >> 20)) MiB verified | - | fetched only the other $((fetched >> 20)) MiB, SHA-256 verified | nothing |"
start_peer d

# --- an upload cut in the middle leaves nothing -----------------------------------------------
# tbf shapes what leaves an interface: slow the uploading side (a) so the cut comes mid-way.
in_ns a tc qdisc add dev eth0 root tbf rate 40mbit burst 64kb latency 100ms
( in_ns a java -jar "$JAR" upload "$WORK/movie.bin" --peer "$(url c)" --name cut.bin > "$WORK/up.log" 2>&1 ) & UP=$!
# Cut once c's temporary file holds data, so that there is something to clean up.
for _ in $(seq 1 200); do
  [ -n "$(find "$WORK/c/share" -name '.upload-*.part' -size +1M 2>/dev/null)" ] && break
  sleep 0.1
done
[ -n "$(find "$WORK/c/share" -name '.upload-*.part' -size +1M 2>/dev/null)" ] \
  || fail "the upload never got going: $(cat "$WORK/up.log")"
kill -9 "$UP" 2>/dev/null || true
pkill -9 -f "upload $WORK/movie.bin" 2>/dev/null || true
for _ in $(seq 1 100); do
  leftover=$(find "$WORK/c/share" -name '*.part' -o -name 'cut.bin' | wc -l)
  [ "$leftover" = 0 ] && break
  sleep 0.1
done
[ "$leftover" = 0 ] || fail "an upload cut mid-way left files: $(find "$WORK/c/share")"
echo "| upload to c, client killed mid-way | - | - | temporary file removed | nothing in the share |"
echo
echo "netns fault tests: passed"
