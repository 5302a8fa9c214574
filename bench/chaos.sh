#!/usr/bin/env bash
# Chaos soak (issue 21): eight peers, each in a network namespace on one bridge, under load the whole
# run (searches in every routing mode, daemon-managed downloads, uploads, the web page's two event
# streams) while a seeded random schedule injects faults (kill -9 and restart, SIGSTOP/SIGCONT, a
# link down, a partition that heals, iptables random loss, a full disk, a wall-clock jump of one
# host's JVM through libfaketime and back). Invariants are checked
# during and after the run; bench/chaos.py does the load, the faults and the checks and writes the
# report. The machine's own namespace gets no address and sees no traffic.
#
# Network: data plane 10.213.31.0/24 on bridge br0 (namespace "sw"); the load generator runs in
# namespace "cl", which reaches each host over its own point-to-point link (10.213.32.N), so that a
# fault of the data plane never blinds the checks (and a check never rides the faulted network).
# Each host's shared_dir and state_dir live on a 128 MiB tmpfs of its own, which the disk fault fills.
# Clock jump: every JVM is started with libfaketime (Debian package libfaketime) preloaded in its own
# environment and an offset file of its own; the fault steps one host's CLOCK_REALTIME by minutes
# (System.nanoTime untouched) and the heal steps it back. The machine's clock is never changed.
# Without libfaketime the clock jumps are still scheduled (same schedule for the seed) but not
# injected: this script says so, and so does the report.
#
# Usage: bench/chaos.sh [--minutes N] [--seed N] [--rate SEARCHES_PER_S_PER_HOST] [--jar peer.jar]
#                       [--report docs/chaos.md] [--out target/chaos]
#   --minutes 30 is the soak; CI runs --minutes 2 --seed 21. The seed and the fault list are printed;
#   the same --seed replays the same schedule. RSS/fds/threads flatness is judged from 10 minutes on
#   (a shorter run prints it: its quarters are too short to tell a leak from the faults in them).
# Exit: 0 every invariant held; 1 one failed (logs under --out); 77 skipped (not root, no ip netns).
set -euo pipefail
cd "$(dirname "$0")/.."
MINUTES=30
SEED=$(( $(date +%s) % 100000 ))
RATE=2
JAR=target/peer.jar
REPORT=docs/chaos.md
OUT=target/chaos
while [ $# -gt 0 ]; do
  case $1 in
    --minutes) MINUTES=$2; shift 2;;
    --seed) SEED=$2; shift 2;;
    --rate) RATE=$2; shift 2;;
    --jar) JAR=$2; shift 2;;
    --report) REPORT=$2; shift 2;;
    --out) OUT=$2; shift 2;;
    *) echo "usage: $0 [--minutes N] [--seed N] [--rate R] [--jar peer.jar] [--report FILE] [--out DIR]" >&2; exit 2;;
  esac
done
JAR=$(realpath "$JAR")
[ -s "$JAR" ] || { echo "no $JAR: build it first (mvn -B -o -q package -DskipTests)" >&2; exit 1; }
P=ch$$
NET=10.213.31
MGMT=10.213.32
HOSTS=(h1 h2 h3 h4 h5 h6 h7 h8)
WORK=$(mktemp -d /tmp/peerd-chaos.XXXXXX)
PIDS=()

# shellcheck source=src/test/netns/lib.sh
. src/test/netns/lib.sh
netns_or_skip "chaos soak" iptables python3 java mount
FAKETIME_LIB=
for f in /usr/lib/x86_64-linux-gnu/faketime/libfaketimeMT.so.1 /usr/lib/*/faketime/libfaketimeMT.so.1 \
         /usr/lib/faketime/libfaketimeMT.so.1 /usr/local/lib/faketime/libfaketimeMT.so.1; do
  [ -f "$f" ] && { FAKETIME_LIB=$f; break; }
done
if [ -z "$FAKETIME_LIB" ]; then
  echo "chaos soak: NOTE: libfaketimeMT.so.1 not found (apt-get install libfaketime): clock jumps are scheduled but NOT injected" >&2
fi

# The tmpfs mounts must go before lib.sh removes the work folder.
chaos_cleanup() {
  set +e
  # Woken first: a stopped JVM does not die of SIGKILL until continued.
  for h in "${HOSTS[@]}"; do
    ip netns pids "$P-$h" 2>/dev/null | xargs -r kill -CONT 2>/dev/null
  done
  for h in "${HOSTS[@]}"; do
    ip netns pids "$P-$h" 2>/dev/null | xargs -r kill -9 2>/dev/null
  done
  sleep 0.5
  for h in "${HOSTS[@]}"; do umount -l "$WORK/$h/disk" 2>/dev/null; done
  HOSTS+=(cl)
  netns_cleanup
}
trap chaos_cleanup EXIT

netns_bridge
in_ns sw ip link add br1 type bridge # the other side of a partition
in_ns sw ip link set br1 up
ip netns add "$P-cl"
in_ns cl ip link set lo up
i=0
for h in "${HOSTS[@]}"; do
  i=$((i + 1))
  in_ns "$h" ip addr add "$NET.$i/24" dev eth0
  # The management link: one veth per host, /32 addresses and a host route each way.
  ip link add "m$P$i" type veth peer name mgmt netns "$P-$h"
  ip link set "m$P$i" netns "$P-cl"
  in_ns cl ip link set "m$P$i" up
  in_ns cl ip addr add "$MGMT.100/32" dev "m$P$i"
  in_ns cl ip route add "$MGMT.$i/32" dev "m$P$i"
  in_ns "$h" ip link set mgmt up
  in_ns "$h" ip addr add "$MGMT.$i/32" dev mgmt
  in_ns "$h" ip route add "$MGMT.100/32" dev mgmt
  mkdir -p "$WORK/$h/disk"
  mount -t tmpfs -o size=128m "chaos-$h" "$WORK/$h/disk"
done
mkdir -p "$OUT"
echo "chaos soak: seed $SEED, $MINUTES min, $RATE searches/s per host, work $WORK"
set +e
ip netns exec "$P-cl" python3 bench/chaos.py --work "$WORK" --prefix "$P" --jar "$JAR" \
  --minutes "$MINUTES" --seed "$SEED" --rate "$RATE" --net "$NET" --mgmt "$MGMT" \
  --report "$REPORT" --out "$OUT" --hosts "${HOSTS[*]}" --faketime "$FAKETIME_LIB"
rc=$?
set -e
exit $rc
