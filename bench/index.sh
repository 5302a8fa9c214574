#!/usr/bin/env bash
# Indexing cost: a peer's first scan of a folder holding one random file (SHA-256 and the BEP 52
# Merkle root in one read, as the peer logs it) against sha256sum of the same file, the page cache
# warm for both, each order twice (peer then sha256sum, sha256sum then peer); then, in one JVM with
# the JIT settled (bench/Index.java), the same one-read hashing against a plain MessageDigest loop:
# the JDK's own SHA-256 rate for one pass, the floor for two.
# Usage: bench/index.sh [MiB]. Needs: curl. Port 18320. Stops what it started on exit.
set -euo pipefail
cd "$(dirname "$0")/.."
MIB=${1:-1024}
JAR=target/peer.jar
JVM=(${PEER_JVM_FLAGS:--Xmx64m -XX:+UseSerialGC})
[ -s "$JAR" ] || mvn -B -q package -DskipTests
WORK=$(mktemp -d)
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$WORK"; }
trap cleanup EXIT
ms() { echo $(( $(date +%s%N) / 1000000 )); }
mkdir -p "$WORK/share"
head -c "${MIB}M" /dev/urandom > "$WORK/share/big.bin"
cat "$WORK/share/big.bin" > /dev/null # warm: every read below comes from the page cache

peer_scan() { # -> the first scan's ms, as the peer logs it
  cat > "$WORK/peer.json" <<JSON
{"name":"index","ip":"127.0.0.1","rest_port":18320,"shared_dir":"$WORK/share","state_dir":""}
JSON
  java "${JVM[@]}" -jar "$JAR" -conf "$WORK/peer.json" > "$WORK/peer.log" 2>&1 & local pid=$!; PIDS+=($pid)
  for _ in $(seq 1 600); do grep -q 'hashed, 0 skipped' "$WORK/peer.log" && break; sleep 0.1; done
  kill "$pid"; wait "$pid" 2>/dev/null || true
  grep -o 'hashed, 0 skipped, [0-9]* ms' "$WORK/peer.log" | awk '{print $4}'
}
sha_ms() { local t0; t0=$(ms); sha256sum "$WORK/share/big.bin" > /dev/null; echo $(( $(ms) - t0 )); }

ROWS=""
for order in peer-first sha-first peer-first sha-first; do
  if [ "$order" = peer-first ]; then P=$(peer_scan); S=$(sha_ms); else S=$(sha_ms); P=$(peer_scan); fi
  ROWS="$ROWS| $order | $P | $S | $(python3 -c "print('%.2fx' % ($P / $S))") |
"
done
echo "Indexing a $MIB MiB file, page cache warm, $(nproc) cores, $(date -u +%Y-%m-%d); peer JVM: ${JVM[*]}"
echo "($(grep -m1 -o -w sha_ni /proc/cpuinfo || echo no) SHA extensions on this CPU; $(sha256sum --version | head -1))"
echo
echo "| order | peer's first scan (ms) | sha256sum (ms) | peer / sha256sum |"
echo "|---|---|---|---|"
printf '%s' "$ROWS"
echo
echo "In one JVM, JIT settled (bench/Index.java; ms per pass over the file, three rounds):"
echo
java "${JVM[@]}" -cp "$JAR" bench/Index.java "$WORK/share/big.bin" 3 | awk '{a[$1]=a[$1] " " $2} END {for (k in a) print "- " k ":" a[k]}'
