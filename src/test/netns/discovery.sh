#!/usr/bin/env bash
# LAN discovery across hosts. Three hosts on one bridge (10.213.21.0/24) and a fourth on a routed
# segment (10.213.22.0/24, behind a router namespace), all with identity on and no friends.
# Checks: each of hosts 1-3 knows the two others, healthy and authenticated, within 5 s of the
# three being up (times printed, from each one's start too); host4 is found by nobody and finds nobody, though the route works both
# ways (curl); forged packets from a fifth namespace on the bridge (a URL nobody serves, host4's
# URL with a wrong id or none, malformed bytes, a burst of thousands) leave every table as it was
# and raise the counters. Last, hosts 6 and 7 join the bridge with IPv6 addresses only
# (fd13:21::/64): they find each other through the link-local group alone.
# Every namespace and process is removed on exit. Needs root, iproute2, curl, python3.
# Usage: src/test/netns/discovery.sh [path/to/peer.jar]   (exit 0: passed; 77: skipped)
set -euo pipefail
cd "$(dirname "$0")/../../.."
JAR=$(realpath "${1:-target/peer.jar}")
P=pd$$
NET=10.213.21
FAR=10.213.22
WORK=$(mktemp -d)
PIDS=()
HOSTS=(1 2 3 5 6 7 r)
# shellcheck source=src/test/netns/lib.sh
. src/test/netns/lib.sh
netns_or_skip "discovery" curl python3
fail() {
  echo "discovery: FAILED: $*" >&2
  for h in 1 2 3 4; do
    [ -f "$WORK/h$h.log" ] && tail -5 "$WORK/h$h.log" >&2
    in_ns $h curl -s --max-time 2 "http://$(addr $h):8001/status" | python3 -c '
import json, sys
d = json.load(sys.stdin)
print("host%s: problems %s; %s" % (sys.argv[1], d["problems"], {k: v for k, v in d["stats"].items() if k.startswith("lan_")}))' $h >&2 || true
  done
  exit 1
}

netns_bridge
for h in 1 2 3 5; do
  in_ns $h ip addr add "$NET.$h/24" brd + dev eth0
  in_ns $h ip route add default via "$NET.254"
done
in_ns r ip addr add "$NET.254/24" brd + dev eth0
# Host 4: its own segment, a veth straight to the router.
ip netns add "$P-4"
HOSTS+=(4)
in_ns 4 ip link set lo up
ip link add "v${P}4" type veth peer name eth0 netns "$P-4"
ip link set "v${P}4" netns "$P-r"
in_ns r ip addr add "$FAR.1/24" brd + dev "v${P}4"
in_ns r ip link set "v${P}4" up
in_ns r sysctl -qw net.ipv4.ip_forward=1
in_ns 4 ip addr add "$FAR.4/24" brd + dev eth0
in_ns 4 ip link set eth0 up
in_ns 4 ip route add default via "$FAR.1"
addr() { if [ "$1" = 4 ]; then echo "$FAR.4"; else echo "$NET.$1"; fi; }

for h in 1 2 3 4; do
  mkdir -p "$WORK/h$h/shared" "$WORK/h$h/state"
  echo "notes of host$h" > "$WORK/h$h/shared/host$h-notes.txt"
  # peer_exchange off: what a peer knows here it heard on its LAN, not from a neighbour's list.
  cat > "$WORK/h$h.json" <<JSON
{"name": "host$h", "ip": "0.0.0.0", "self_url": "http://$(addr $h):8001", "rest_port": 8001,
 "secure_port": 8443, "shared_dir": "$WORK/h$h/shared", "state_dir": "$WORK/h$h/state",
 "friends": [], "peer_exchange": false, "health_check_interval": 1, "friend_timeout_ms": 2000,
 "local_discovery": true}
JSON
  ID[$h]=$(java -jar "$JAR" id -conf "$WORK/h$h.json")
done
# Each host's start, in ms since the epoch, for the times below.
for h in 1 2 3 4; do
  date +%s%3N > "$WORK/h$h.start"
  ip netns exec "$P-$h" java -Xmx64m -XX:+UseSerialGC -jar "$JAR" -conf "$WORK/h$h.json" > "$WORK/h$h.log" 2>&1 &
  PIDS+=($!)
done

# Polls hosts 1-3 from host1 (one bridge) every 100 ms, for 90 s at most (cold JVMs on a loaded
# 2-core machine took 10 s to start): when each first
# answered /health, and when it first held both others healthy and authenticated with their ids.
in_ns 1 python3 - "$NET" "$WORK" "${ID[1]}" "${ID[2]}" "${ID[3]}" <<'PY' || fail "hosts 1-3 did not all find each other"
import json, sys, time, urllib.request
net, work, ids = sys.argv[1], sys.argv[2], dict(zip((1, 2, 3), sys.argv[3:6]))
url = lambda h: "http://%s.%d:8001" % (net, h)
start = {h: int(open("%s/h%d.start" % (work, h)).read()) / 1000 for h in ids}
up, found = {}, {}
def get(h, path):
    with urllib.request.urlopen(url(h) + path, timeout=1) as r:
        return json.load(r)
deadline = time.time() + 90
while time.time() < deadline and len(found) < 3:
    for h in ids:
        if h in found:
            continue
        try:
            table = {e["url"]: e for e in get(h, "/peers")["table"]}
        except Exception:
            continue
        up.setdefault(h, time.time())
        others = [o for o in ids if o != h]
        if all(url(o) in table and table[url(o)]["healthy"] and table[url(o)]["authenticated"]
               and table[url(o)]["id"] == ids[o] for o in others):
            found[h] = time.time()
    time.sleep(0.1)
ok = True
for h in ids:
    if h not in found:
        print("discovery: host%d did not find both others within 90 s" % h, file=sys.stderr)
        ok = False
        continue
    # A host cannot know a peer before that peer is up: the clock runs from the later of its own
    # /health and the others' (cold JVMs started together on 2 cores come up seconds apart).
    ready = max(up[o] for o in ids)
    since_start, since_up, since_ready = found[h] - start[h], found[h] - up[h], found[h] - ready
    print("discovery: host%d knew hosts %s (authenticated) %.1f s after its start, %.1f s after its"
          " /health first answered, %.1f s after the last of the three answered"
          % (h, "+".join(str(o) for o in ids if o != h), since_start, since_up, since_ready))
    if since_ready > 5:
        print("discovery: host%d took more than 5 s" % h, file=sys.stderr)
        ok = False
sys.exit(0 if ok else 1)
PY

call() { local from=$1 h=$2 path=$3; in_ns "$from" curl -s --max-time 5 "http://$(addr $h):8001$path"; }
# Host $2's table, as sorted URLs (seen from host $1).
table() { call "$1" "$2" /peers | python3 -c 'import json,sys; print(" ".join(sorted(e["url"] for e in json.load(sys.stdin)["table"])))'; }
# The URLs of the two others of hosts 1-3, sorted, each followed by a space.
others() { local o; for o in 1 2 3; do if [ "$o" != "$1" ]; then printf 'http://%s.%s:8001 ' "$NET" "$o"; fi; done; }
stat() { call "$1" "$2" /status | python3 -c 'import json,sys; print(json.load(sys.stdin)["stats"][sys.argv[1]])' "$3"; }

# Host4 is routed, not on the segment: reachable by IP both ways, found by nobody.
for _ in $(seq 1 100); do call 4 4 /health >/dev/null 2>&1 && break; sleep 0.1; done
call 4 1 /health | grep -q '"status":"ok"' || fail "host4 cannot reach host1 through the router"
call 1 4 /health | grep -q '"status":"ok"' || fail "host1 cannot reach host4 through the router"
sleep 3 # host4's start-up announcement and the others' answers to it have long gone out
for h in 1 2 3; do
  want=$(others $h)
  [ "$(table 1 $h) " = "$want" ] || fail "host$h's table is $(table 1 $h), not $want"
done
[ -z "$(table 4 4)" ] || fail "host4 (routed) found: $(table 4 4)"
heard4=$(stat 4 4 lan_heard)
own4=$(stat 4 4 lan_own)
[ "$heard4" = "$own4" ] || fail "host4 heard $heard4 packets, $own4 of them its own: a broadcast crossed the router"
[ "$own4" -ge 1 ] || fail "host4 did not even hear its own announcement"
echo "discovery: host4 on the routed segment answers by IP (curl both ways) and is in no table; it heard only its own $own4 packet(s)"

# Forged packets, from a namespace on the bridge that runs no peer.
declare -A failed0 limited0 invalid0
for h in 1 2 3; do
  failed0[$h]=$(stat 1 $h lan_verify_failed); limited0[$h]=$(stat 1 $h lan_rate_limited); invalid0[$h]=$(stat 1 $h lan_invalid)
done
in_ns 5 python3 - "$NET.255" "http://$NET.77:8001" "http://$FAR.4:8001" <<'PY'
import os, socket, struct, sys, time
bcast, nobody, host4 = sys.argv[1], sys.argv[2], sys.argv[3]
def packet(url, ident, instance):
    u = url.encode()
    head = b"pdsc" + bytes([1, 1 if ident else 0]) + struct.pack(">q", instance)
    return head + (ident or b"") + bytes([1]) + struct.pack(">H", len(u)) + u
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_BROADCAST, 1)
send = lambda p: s.sendto(p, (bcast, 21041))
send(packet(nobody, None, 1))              # a URL nobody serves
send(packet(host4, os.urandom(32), 2))     # a real peer's URL with a wrong id
send(packet(host4, None, 3))               # the same without the id its /health names
send(b"pdsc\x01")                          # truncated
send(os.urandom(200))                      # not ours
time.sleep(3)                              # the checks of the first three fail meanwhile
for i in range(5000):                      # a burst: the bucket (10, 1/s) takes a few
    send(packet("http://%s:%d" % (bcast.rsplit(".", 1)[0] + ".77", 1000 + i), os.urandom(32), 100 + i))
PY
sleep 3
for h in 1 2 3; do
  want=$(others $h)
  [ "$(table 1 $h) " = "$want" ] || fail "after the forged packets host$h's table is $(table 1 $h)"
  failed=$(( $(stat 1 $h lan_verify_failed) - failed0[$h] ))
  limited=$(( $(stat 1 $h lan_rate_limited) - limited0[$h] ))
  invalid=$(( $(stat 1 $h lan_invalid) - invalid0[$h] ))
  [ "$failed" -ge 3 ] || fail "host$h: $failed verifications failed, not at least 3"
  # The kernel drops much of a burst this fast (a full receive buffer): some hundreds arrive.
  [ "$limited" -ge 100 ] || fail "host$h: only $limited packets of the burst were rate-limited"
  [ "$invalid" -ge 2 ] || fail "host$h: $invalid invalid packets counted, not 2"
  [ "$(stat 1 $h lan_added)" = 2 ] || fail "host$h added $(stat 1 $h lan_added) peers, not 2"
  echo "discovery: host$h after the forged packets: table unchanged, +$failed failed verifications, +$invalid invalid, +$limited rate-limited"
done
# IPv6 only: no IPv4 address, so no broadcast reaches them; the group ff12::7064 does.
V6=fd13:21:
for h in 6 7; do
  in_ns $h ip -6 addr add "$V6:$h/64" dev eth0 nodad
  mkdir -p "$WORK/h$h/shared"
  echo "notes of host$h" > "$WORK/h$h/shared/host$h-notes.txt"
  cat > "$WORK/h$h.json" <<JSON
{"name": "host$h", "ip": "::", "self_url": "http://[$V6:$h]:8001", "rest_port": 8001,
 "secure_port": 8443, "shared_dir": "$WORK/h$h/shared", "state_dir": "$WORK/h$h/state",
 "friends": [], "peer_exchange": false, "health_check_interval": 1, "friend_timeout_ms": 2000}
JSON
  ip netns exec "$P-$h" java -Xmx64m -XX:+UseSerialGC -jar "$JAR" -conf "$WORK/h$h.json" > "$WORK/h$h.log" 2>&1 &
  PIDS+=($!)
done
v6table() { in_ns "$1" curl -s --max-time 2 "http://[$V6:$1]:8001/peers" | python3 -c '
import json, sys
print(" ".join(sorted(e["url"] for e in json.load(sys.stdin)["table"] if e["healthy"] and e["authenticated"])))'; }
for h in 6 7; do
  o=$((13 - h))
  for _ in $(seq 1 300); do [ "$(v6table $h 2>/dev/null)" = "http://[$V6:$o]:8001" ] && break; sleep 0.2; done
  [ "$(v6table $h)" = "http://[$V6:$o]:8001" ] || fail "host$h (IPv6 only) knows: $(v6table $h)"
done
for h in 1 2 3; do
  [ "$(table 1 $h) " = "$(others $h)" ] || fail "host$h took an IPv6-only peer it cannot reach: $(table 1 $h)"
done
echo "discovery: hosts 6 and 7, IPv6 only, found each other (authenticated) through ff12::7064; hosts 1-3's tables unchanged"
echo "discovery: passed"
