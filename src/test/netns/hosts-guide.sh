#!/usr/bin/env bash
# The README's "one peer per host" guide, run as written: conf/hosts/host{1,2,3}.json with only
# the addresses and paths substituted, each peer in a network namespace of its own (joined by a
# bridge in a fourth), TLS from a CA made here with openssl, the network's token, private peers.
# Checks: every peer reaches the others over https, a search from host1 finds the files of
# host2 and host3, a call without the token is refused, plain HTTP is not served, and host1's
# download queue fetches a file that host2 and host3 hold.
# Every namespace and process is removed on exit. Needs root, iproute2, openssl, curl, python3.
# Usage: src/test/netns/hosts-guide.sh [path/to/peer.jar]   (exit 0: passed; 77: skipped)
set -euo pipefail
cd "$(dirname "$0")/../../.."
JAR=$(realpath "${1:-target/peer.jar}")
P=pg$$
NET=10.213.9
WORK=$(mktemp -d)
PIDS=()
HOSTS=(1 2 3)
# shellcheck source=src/test/netns/lib.sh
. src/test/netns/lib.sh
netns_or_skip "hosts guide" openssl curl python3
fail() { echo "hosts guide: FAILED: $*" >&2; for h in 1 2 3; do tail -5 "$WORK/h$h.log" >&2; done; exit 1; }

netns_bridge
for h in 1 2 3; do in_ns $h ip addr add "$NET.$h/24" dev eth0; done

# The guide's certificates: one CA, one certificate per host for its address.
T=$WORK/tls
mkdir -p "$T"
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=peerd-ca \
  -keyout "$T/ca.key" -out "$T/ca.crt" 2>/dev/null
for h in 1 2 3; do
  openssl req -newkey rsa:2048 -nodes -subj "/CN=host$h" -keyout "$T/host$h.key" -out "$T/host$h.csr" 2>/dev/null
  printf 'subjectAltName=IP:%s\n' "$NET.$h" > "$T/host$h.ext"
  openssl x509 -req -in "$T/host$h.csr" -CA "$T/ca.crt" -CAkey "$T/ca.key" -CAcreateserial \
    -days 2 -extfile "$T/host$h.ext" -out "$T/host$h.crt" 2>/dev/null
done
TOKEN=$(python3 -c 'import json; print(json.load(open("conf/hosts/host1.json"))["api_token"])')

for h in 1 2 3; do
  mkdir -p "$WORK/h$h/shared" "$WORK/h$h/state"
  echo "notes of host$h" > "$WORK/h$h/shared/host$h-notes.txt"
  # Only the addresses and the paths change; everything else is the guide's file.
  sed -e "s/203\.0\.113\.1\([123]\)/$NET.\1/g" -e "s#/srv/peerd#$WORK/h$h#g" -e "s#/etc/peerd#$T#g" \
    "conf/hosts/host$h.json" > "$WORK/h$h.json"
done
head -c $((3 << 20)) /dev/urandom > "$WORK/h2/shared/shared-film.bin"
cp "$WORK/h2/shared/shared-film.bin" "$WORK/h3/shared/shared-film.bin"
SHA=$(sha256sum "$WORK/h2/shared/shared-film.bin" | cut -d' ' -f1)
for h in 1 2 3; do
  # The guide's topology is its friends: LAN discovery (on in the guide's files) stays out of it.
  in_ns $h env PEER_LOCAL_DISCOVERY=false java -Xmx64m -XX:+UseSerialGC -jar "$JAR" -conf "$WORK/h$h.json" > "$WORK/h$h.log" 2>&1 &
  PIDS+=($!)
done
call() { # host path [curl args...]
  local h=$1 path=$2; shift 2
  in_ns 1 curl -s --max-time 5 --cacert "$T/ca.crt" -H "Authorization: Bearer $TOKEN" "$@" "https://$NET.$h:8001$path"
}
for h in 1 2 3; do
  for _ in $(seq 1 150); do call $h /health >/dev/null 2>&1 && break; sleep 0.2; done
  call $h /health | grep -q ok || fail "host$h does not answer https /health from host1"
done
echo "hosts guide: three peers up from conf/hosts/*.json, each reached over https from host1"

found=""
for _ in $(seq 1 40); do
  found=$(call 1 "/search?query=notes&ttl=2" | python3 -c 'import json,sys; d=json.load(sys.stdin); print(" ".join(sorted(f["name"] for r in d["results"] for f in r["files"])))' 2>/dev/null || true)
  [ "$found" = "host1-notes.txt host2-notes.txt host3-notes.txt" ] && break
  sleep 0.5
done
[ "$found" = "host1-notes.txt host2-notes.txt host3-notes.txt" ] || fail "a search from host1 found: $found"
echo "hosts guide: a search from host1 finds the files of host2 and host3 ($found)"

code=$(in_ns 1 curl -s -o /dev/null -w '%{http_code}' --max-time 5 --cacert "$T/ca.crt" "https://$NET.2:8001/files")
[ "$code" = 401 ] || fail "a call to private host2 without the token got $code"
if in_ns 1 curl -s --max-time 3 "http://$NET.2:8001/health" >/dev/null 2>&1; then fail "host2 answers plain HTTP"; fi
echo "hosts guide: without the token host2 answers 401; plain HTTP is not served"

ROOT=$(call 2 /files | python3 -c 'import json,sys; print(next(f["root"] for f in json.load(sys.stdin)["files"] if f["name"]=="shared-film.bin"))')
ID=$(call 1 /downloads -X POST -H 'Content-Type: application/json' -d "{\"root\":\"$ROOT\"}" | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
state=""
for _ in $(seq 1 60); do
  call 1 "/downloads/$ID" > "$WORK/dl.json"
  state=$(python3 -c 'import json,sys; print(json.load(sys.stdin)["state"])' < "$WORK/dl.json")
  [ "$state" = done ] || [ "$state" = failed ] && break
  sleep 0.5
done
[ "$state" = done ] || fail "host1's download ended $state: $(cat "$WORK/dl.json")"
got=$(sha256sum "$WORK/h1/shared/downloads/shared-film.bin" | cut -d' ' -f1)
[ "$got" = "$SHA" ] || fail "the downloaded file has SHA-256 $got"
echo "hosts guide: host1 downloaded a file of host2 and host3 over TLS with the token: $(python3 -c 'import json,sys; d=json.load(sys.stdin); print(", ".join("%s %d bytes over %s" % (s["url"], s["bytes"], s["wire"]) for s in d["sources"]))' < "$WORK/dl.json")"
echo "hosts guide: passed"
