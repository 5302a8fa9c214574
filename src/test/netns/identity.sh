#!/usr/bin/env bash
# Peer identity across hosts: four peers, each in a network namespace of its own (joined by a
# bridge in another), pinned to each other's ids (ID@URL) with allow_unauthenticated_peers false.
# Checks: each proves its id to the three others (every /peers entry authenticated), a search
# from host1 finds the files of all three. Then host4 goes, and an impostor takes its address and
# port (a copied URL) with a key of its own: all three refuse it as an identity mismatch, and its
# files are in no search.
# Every namespace and process is removed on exit. Needs root, iproute2, curl, python3.
# Usage: src/test/netns/identity.sh [path/to/peer.jar]   (exit 0: passed; 77: skipped)
set -euo pipefail
cd "$(dirname "$0")/../../.."
JAR=$(realpath "${1:-target/peer.jar}")
P=pi$$
NET=10.213.11
WORK=$(mktemp -d)
PIDS=()
HOSTS=(1 2 3 4 5)
# shellcheck source=src/test/netns/lib.sh
. src/test/netns/lib.sh
netns_or_skip "identity" curl python3
fail() { echo "identity: FAILED: $*" >&2; for h in 1 2 3 4 5; do [ -f "$WORK/h$h.log" ] && tail -5 "$WORK/h$h.log" >&2; done; exit 1; }

netns_bridge
for h in 1 2 3 4; do in_ns $h ip addr add "$NET.$h/24" dev eth0; done

config() { # host friends-json
  cat <<JSON
{"name": "host$1", "ip": "0.0.0.0", "self_url": "http://$NET.$3:8001", "rest_port": 8001,
 "secure_port": 8443, "shared_dir": "$WORK/h$1/shared", "state_dir": "$WORK/h$1/state",
 "friends": $2, "allow_unauthenticated_peers": false, "register_on_start": true,
 "health_check_interval": 1, "peer_max_backoff": 2, "friend_timeout_ms": 2000,
 "local_discovery": false}
JSON
}
for h in 1 2 3 4 5; do
  mkdir -p "$WORK/h$h/shared" "$WORK/h$h/state"
  echo "notes of host$h" > "$WORK/h$h/shared/host$h-notes.txt"
  config $h '[]' $h > "$WORK/h$h.json"
  ID[$h]=$(java -jar "$JAR" id -conf "$WORK/h$h.json")
done
for h in 1 2 3 4; do
  friends=$(for o in 1 2 3 4; do if [ $o != $h ]; then printf '"%s@http://%s.%s:8001",' "${ID[$o]}" "$NET" "$o"; fi; done)
  config $h "[${friends%,}]" $h > "$WORK/h$h.json"
  in_ns $h java -Xmx64m -XX:+UseSerialGC -jar "$JAR" -conf "$WORK/h$h.json" > "$WORK/h$h.log" 2>&1 &
  PIDS[$h]=$!
done
call() { local h=$1 path=$2; in_ns 1 curl -s --max-time 5 "http://$NET.$h:8001$path"; }
# How host $1 sees the peer at $NET.$2: "authenticated", or its problem.
seen() {
  call $1 /peers | python3 -c '
import json, sys
want = sys.argv[1]
for e in json.load(sys.stdin)["table"]:
    if e["url"] == want:
        print("authenticated" if e["authenticated"] and e["healthy"] else (e.get("problem") or "unproved"))
' "http://$NET.$2:8001"
}
for h in 1 2 3 4; do
  for _ in $(seq 1 150); do call $h /health >/dev/null 2>&1 && break; sleep 0.2; done
done
for h in 1 2 3 4; do
  for o in 1 2 3 4; do
    [ $o = $h ] && continue
    for _ in $(seq 1 100); do [ "$(seen $h $o 2>/dev/null)" = authenticated ] && break; sleep 0.2; done
    [ "$(seen $h $o)" = authenticated ] || fail "host$h does not see host$o authenticated: $(seen $h $o)"
  done
done
[ "$(call 2 /health | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')" = "${ID[2]}" ] \
  || fail "host2's /health does not name the id peer.jar id printed"
echo "identity: 4 hosts, each authenticated by the 3 others (12 links)"
# curl has no peer certificate: it still connects to the secure port (requested, not required).
in_ns 1 curl -sk --max-time 5 "https://$NET.2:8443/health" | grep -q '"status":"ok"' \
  || fail "curl without a certificate cannot reach host2's secure port"
in_ns 1 curl -sk --max-time 5 --tlsv1.2 --tls-max 1.2 "https://$NET.2:8443/health" >/dev/null \
  && fail "host2's secure port speaks TLS 1.2"
hits() { call 1 "/search?query=notes&ttl=2" | python3 -c '
import json, sys
print(" ".join(sorted(r["peer"] for r in json.load(sys.stdin)["results"] if r["files"])))'; }
want="http://$NET.1:8001 http://$NET.2:8001 http://$NET.3:8001 http://$NET.4:8001"
[ "$(hits)" = "$want" ] || fail "a search from host1 found: $(hits)"

# The impostor: host4's address and port, another key.
kill "${PIDS[4]}"; wait "${PIDS[4]}" 2>/dev/null || true
in_ns 4 ip addr del "$NET.4/24" dev eth0
in_ns 5 ip addr add "$NET.4/24" dev eth0
for h in 1 2 3; do in_ns $h ip neigh flush all; done # they would go on sending to host4's MAC
config 5 '[]' 4 > "$WORK/h5.json"
in_ns 5 java -Xmx64m -XX:+UseSerialGC -jar "$JAR" -conf "$WORK/h5.json" > "$WORK/h5.log" 2>&1 &
PIDS[5]=$!
for _ in $(seq 1 150); do call 4 /health 2>/dev/null | grep -q host5 && break; sleep 0.2; done
call 4 /health | grep -q host5 || fail "the impostor does not answer at host4's address"
for h in 1 2 3; do
  for _ in $(seq 1 100); do seen $h 4 | grep -q "^identity mismatch" && break; sleep 0.2; done
  why=$(seen $h 4)
  case "$why" in
    "identity mismatch: expected ${ID[4]}, "*"presented ${ID[5]}") ;;
    *) fail "host$h on the impostor: $why" ;;
  esac
done
echo "identity: the impostor at host4's URL is refused by hosts 1-3 (identity mismatch, its own id ${ID[5]:0:7})"
want="http://$NET.1:8001 http://$NET.2:8001 http://$NET.3:8001"
[ "$(hits)" = "$want" ] || fail "with the impostor up, a search from host1 found: $(hits)"
echo "identity: passed"
