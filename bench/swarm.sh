#!/usr/bin/env bash
# Swarm benchmark: three peers on loopback share one random file (the same folder), and the jar's
# own `download` fetches it from one of them or from all three.
#   1. each source held to upload_rate_limit: from three against from one;
#   2. unthrottled: a large file from three and from one, peak RSS of the downloader and of each
#      source, next to iperf3 -F of the same file;
#   3. indexing the large file (SHA-256 and Merkle root, one read) against sha256sum of it;
#   4. the same large file fetched by a fourth, long-running daemon through its own queue
#      (POST /downloads): the engine warm, as a node runs it, rather than in a fresh JVM.
# PARTS picks the parts to run (default "1 2 3 4"; 4 alone: PARTS=4 bench/swarm.sh 1024);
# DAEMON_ROUNDS the rounds of part 4 (default 4).
# Prints Markdown tables. Starts everything it needs and stops it on exit (by pid).
# Needs: iperf3, curl, python3. Usage: bench/swarm.sh [MiB of the large file] [MiB/s per source]
set -euo pipefail
cd "$(dirname "$0")/.."
MIB=${1:-1024}
PARTS=" ${PARTS:-1 2 3 4} "
want() { [[ $PARTS == *" $1 "* ]]; }
LIMIT_MIB=${2:-8}
SLOW_MIB=$((LIMIT_MIB * 16)) # 16 s from one source
JAR=$(realpath target/peer.jar)
JVM=(-Xmx64m -XX:+UseSerialGC)
read -r -a DAEMON_JVM <<< "${DAEMON_JVM:-${JVM[*]}}" # the fourth peer's (part 4)
CLIENT=(-Xmx128m -XX:+UseSerialGC)
[ -s "$JAR" ] || mvn -B -q package -DskipTests
for t in iperf3 curl python3; do command -v $t >/dev/null || { echo "$t is not installed" >&2; exit 1; }; done
WORK=$(mktemp -d)
PIDS=()
# KEEP_LOGS=DIR keeps every peer's log there.
cleanup() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true
  [ -n "${KEEP_LOGS:-}" ] && mkdir -p "$KEEP_LOGS" && cp "$WORK"/*.log "$KEEP_LOGS"/ 2>/dev/null
  rm -rf "$WORK"
}
trap cleanup EXIT
ms() { echo $(( $(date +%s%N) / 1000000 )); }
cpu() { awk '/^cpu / {print $2+$3+$4+$5+$6+$7+$8, $5+$6}' /proc/stat; } # total, idle+iowait
net() { echo "$1"; }
hwm() { awk '$1=="VmHWM:" {printf "%.0f", $2/1024}' "/proc/$1/status"; }

# Peers on ports 18401-18403; the first one's friends are the other two.
start_peers() { # share-folder limit-bytes -> PEER_PIDS
  PEER_PIDS=()
  for i in 1 2 3; do
    local friends='[]'
    [ "$i" = 1 ] && friends='["http://127.0.0.1:18402","http://127.0.0.1:18403"]'
    cat > "$WORK/p$i.json" <<JSON
{"name":"s$i","ip":"127.0.0.1","rest_port":1840$i,"shared_dir":"$1","state_dir":"","friends":$friends,
 "upload_rate_limit":$2,"health_check_interval":1}
JSON
    java "${JVM[@]}" -jar "$JAR" -conf "$WORK/p$i.json" > "$WORK/p$i.log" 2>&1 &
    PEER_PIDS+=($!); PIDS+=($!)
  done
  for i in 1 2 3; do
    for _ in $(seq 1 600); do
      curl -sf "http://127.0.0.1:1840$i/files" | grep -q '"root"' && break
      sleep 0.1
    done
  done
  # The first peer's friends answer its searches once its probes found them healthy.
  for _ in $(seq 1 100); do
    [ "$(curl -s "http://127.0.0.1:18401/peers" | grep -o '"http://127.0.0.1:1840[23]"' | sort -u | wc -l)" = 2 ] && break
    sleep 0.1
  done
}
stop_peers() { for p in "${PEER_PIDS[@]}"; do kill "$p"; wait "$p" 2>/dev/null || true; done; }

# One download in a fresh folder; sets SECS, PEAK (downloader VmHWM, MiB), SPLIT (MiB per source).
download() { # peer-url name
  rm -rf "$WORK/dl"; mkdir -p "$WORK/dl"
  local t0 pid peak=0 h
  t0=$(ms)
  local c0; c0=$(cpu)
  ( cd "$WORK/dl" && exec java "${CLIENT[@]}" -jar "$JAR" download "$2" --peer "$1" --json > "$WORK/dl.json" 2> "$WORK/dl.err" ) &
  pid=$!
  while kill -0 "$pid" 2>/dev/null; do
    h=$(hwm "$pid" 2>/dev/null || echo 0); [ "${h:-0}" -gt "$peak" ] && peak=$h
    sleep 0.1
  done
  wait "$pid" || { echo "download failed: $(cat "$WORK/dl.err")" >&2; exit 1; }
  WALL=$(python3 -c "print('%.2f' % (($(ms) - $t0) / 1000))")
  # The engine's own time, from its first request to the file in place (no JVM start, no lookup).
  SECS=$(python3 -c 'import json,sys; print("%.2f" % (json.load(sys.stdin)["elapsed_ms"] / 1000))' < "$WORK/dl.json")
  PEAK=$peak
  BUSY=$(python3 -c "a='$c0'.split(); b='$(cpu)'.split(); t=int(b[0])-int(a[0]); i=int(b[1])-int(a[1]); print(round(100*(t-i)/max(1,t)))")
  SPLIT=$(python3 -c 'import json,sys; print(", ".join("%d" % (s["bytes"] >> 20) for s in json.load(sys.stdin)["sources"] if s["bytes"]))' < "$WORK/dl.json")
  cmp -s "$WORK/dl/$2" "$3" || { echo "the downloaded file differs" >&2; exit 1; }
}

echo "Swarm downloads over loopback, $(nproc) cores, $(date -u +%Y-%m-%d); peers: ${JVM[*]}, downloader: ${CLIENT[*]}"
echo

# --- 1. three throttled sources against one -------------------------------------------------
if want 1; then
mkdir -p "$WORK/slow"
head -c "${SLOW_MIB}M" /dev/urandom > "$WORK/slow/slow.bin"
start_peers "$WORK/slow" $((LIMIT_MIB << 20))
# Twice each, alternating, the better run kept, as below: the first runs also warm the sources
# (a cold source's per-chunk code is still interpreted; the daemons are long-running).
ONE=999999; THREE=999999; SLOW_RUNS=""
for round in 1 2; do
  download http://127.0.0.1:18402 slow.bin "$WORK/slow/slow.bin"; SLOW_RUNS="$SLOW_RUNS 1:$SECS"
  if python3 -c "import sys; sys.exit(0 if $SECS < $ONE else 1)"; then ONE=$SECS; ONE_SPLIT=$SPLIT; fi
  download http://127.0.0.1:18401 slow.bin "$WORK/slow/slow.bin"; SLOW_RUNS="$SLOW_RUNS 3:$SECS"
  if python3 -c "import sys; sys.exit(0 if $SECS < $THREE else 1)"; then THREE=$SECS; THREE_SPLIT=$SPLIT; fi
done
stop_peers
echo "Each source held to upload_rate_limit = $LIMIT_MIB MiB/s, a $SLOW_MIB MiB file (seconds: the engine's elapsed_ms, from its first request to the file in place; the better of two runs each):"
echo
echo "| sources | seconds | MiB/s | MiB from each | speed-up |"
echo "|---|---|---|---|---|"
printf '| 1 | %s | %.1f | %s | 1.0x |\n' "$(net "$ONE")" "$(python3 -c "print($SLOW_MIB / $(net "$ONE"))")" "$ONE_SPLIT"
printf '| 3 | %s | %.1f | %s | %.1fx |\n' "$(net "$THREE")" "$(python3 -c "print($SLOW_MIB / $(net "$THREE"))")" "$THREE_SPLIT" "$(python3 -c "print($(net "$ONE") / $(net "$THREE"))")"
echo
echo "Every run (sources:seconds):$SLOW_RUNS."
echo
fi

# --- 2. unthrottled: a large file from three and from one ----------------------------------
mkdir -p "$WORK/big"
head -c "${MIB}M" /dev/urandom > "$WORK/big/big.bin"
# 3. indexing, by one peer alone (three at once would share the cores): the time of its first
# scan, as it logs it (SHA-256 and root in one read of the file).
if want 3; then
  cat > "$WORK/alone.json" <<JSON
{"name":"alone","ip":"127.0.0.1","rest_port":18409,"shared_dir":"$WORK/big","state_dir":""}
JSON
  java "${JVM[@]}" -jar "$JAR" -conf "$WORK/alone.json" > "$WORK/alone.log" 2>&1 & ALONE=$!; PIDS+=($ALONE)
  for _ in $(seq 1 600); do grep -q 'hashed, 0 skipped' "$WORK/alone.log" && break; sleep 0.1; done
  kill "$ALONE"; wait "$ALONE" 2>/dev/null || true
  INDEX_MS=$(grep -o 'hashed, 0 skipped, [0-9]* ms' "$WORK/alone.log" | awk '{print $4}')
  t0=$(ms); sha256sum "$WORK/big/big.bin" > /dev/null; SHA1=$(( $(ms) - t0 ))
  t0=$(ms); sha256sum "$WORK/big/big.bin" > /dev/null; SHA2=$(( $(ms) - t0 ))
  SHA_MS=$(( SHA1 < SHA2 ? SHA1 : SHA2 ))
fi
if want 2 || want 4; then
start_peers "$WORK/big" 0
# Sources are long-running daemons: each serves the file three times, alone, before anything is
# timed (a magnet naming only it). After one serve, a source's C2 compiler threads still took
# 0.3-2.8 s of CPU per GiB served (per-thread ticks from /proc), more than its event loop, and the
# three-source run, each of whose sources had served a third of the bytes, paid for it twice over.
for port in 18401 18402 18403 18401 18402 18403 18401 18402 18403; do
  MAG=$(curl -s "http://127.0.0.1:$port/files" | python3 -c 'import json,sys; print(json.load(sys.stdin)["files"][0]["magnet"])')
  rm -rf "$WORK/dl"; mkdir -p "$WORK/dl"
  ( cd "$WORK/dl" && java "${CLIENT[@]}" -jar "$JAR" download "$MAG" > /dev/null 2>&1 ) || { echo "warm-up from $port failed" >&2; exit 1; }
done
fi
if want 2; then
  # Then twice each, alternating, the better run kept.
  ONE=999999; THREE=999999; RUNS=""
  for round in 1 2; do
    download http://127.0.0.1:18402 big.bin "$WORK/big/big.bin"; RUNS="$RUNS 1:$SECS"
    if python3 -c "import sys; sys.exit(0 if $SECS < $ONE else 1)"; then ONE=$SECS; ONE_PEAK=$PEAK; ONE_SPLIT=$SPLIT; ONE_BUSY=$BUSY; fi
    download http://127.0.0.1:18401 big.bin "$WORK/big/big.bin"; RUNS="$RUNS 3:$SECS"
    if python3 -c "import sys; sys.exit(0 if $SECS < $THREE else 1)"; then THREE=$SECS; THREE_PEAK=$PEAK; THREE_SPLIT=$SPLIT; THREE_BUSY=$BUSY; fi
  done
fi

# --- 4. the daemon's own queue: a fourth peer, friend of the three, asked by root ------------
# It keeps running between its downloads, so the engine is warm after the first; each round
# cancels the finished row and removes the file, and waits until the peer no longer shares it.
DAEMON_RUNS=""
if want 4; then
  mkdir -p "$WORK/dshare" "$WORK/dstate"
  cat > "$WORK/d.json" <<JSON
{"name":"d","ip":"127.0.0.1","rest_port":18404,"shared_dir":"$WORK/dshare","state_dir":"$WORK/dstate",
 "friends":["http://127.0.0.1:18401","http://127.0.0.1:18402","http://127.0.0.1:18403"],"health_check_interval":1}
JSON
  java "${DAEMON_JVM[@]}" -jar "$JAR" -conf "$WORK/d.json" > "$WORK/d.log" 2>&1 & DPID=$!; PIDS+=($DPID)
  for _ in $(seq 1 300); do
    [ "$(curl -s "http://127.0.0.1:18404/peers" | grep -o '"http://127.0.0.1:1840[123]"' | sort -u | wc -l)" = 3 ] && break
    sleep 0.1
  done
  ROOT=$(curl -s "http://127.0.0.1:18401/files" | python3 -c 'import json,sys; print(json.load(sys.stdin)["files"][0]["root"])')
  DAEMON_BEST=999999
  for round in $(seq 1 "${DAEMON_ROUNDS:-4}"); do
    c0=$(cpu)
    ID=$(curl -sf -X POST "http://127.0.0.1:18404/downloads" -H 'content-type: application/json' \
      -d "{\"root\":\"$ROOT\"}" | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
    STATE=""
    for _ in $(seq 1 1200); do
      curl -s "http://127.0.0.1:18404/downloads/$ID" > "$WORK/row.json"
      STATE=$(python3 -c 'import json,sys; print(json.load(sys.stdin)["state"])' < "$WORK/row.json")
      case $STATE in done|failed) break ;; esac
      sleep 0.05
    done
    [ "$STATE" = done ] || { echo "daemon download ended $STATE: $(cat "$WORK/row.json")" >&2; exit 1; }
    BUSY=$(python3 -c "a='$c0'.split(); b='$(cpu)'.split(); t=int(b[0])-int(a[0]); i=int(b[1])-int(a[1]); print(round(100*(t-i)/max(1,t)))")
    # From the POST to the row's last change: the lookup through its friends, every piece, the
    # whole SHA-256 and the file in place.
    SECS=$(python3 -c 'import json,sys; r=json.load(sys.stdin); print("%.2f" % ((r["updated"] - r["created"]) / 1000))' < "$WORK/row.json")
    SPLIT=$(python3 -c 'import json,sys; print(", ".join("%d" % (s["bytes"] >> 20) for s in json.load(sys.stdin)["sources"] if s["bytes"]))' < "$WORK/row.json")
    FILE=$(python3 -c 'import json,sys; print(json.load(sys.stdin)["file"])' < "$WORK/row.json")
    cmp -s "$WORK/dshare/$FILE" "$WORK/big/big.bin" || { echo "the daemon's file differs" >&2; exit 1; }
    DAEMON_RUNS="$DAEMON_RUNS $SECS"
    if [ "$round" -gt 1 ] && python3 -c "import sys; sys.exit(0 if $SECS < $DAEMON_BEST else 1)"; then
      DAEMON_BEST=$SECS; DAEMON_SPLIT=$SPLIT; DAEMON_BUSY=$BUSY
    fi
    curl -sf -X DELETE "http://127.0.0.1:18404/downloads/$ID" > /dev/null
    rm -f "$WORK/dshare/$FILE"
    for _ in $(seq 1 300); do
      curl -s "http://127.0.0.1:18404/files" | grep -q "$ROOT" || break
      sleep 0.1
    done
  done
  DAEMON_PEAK=$(hwm "$DPID")
  kill "$DPID"; wait "$DPID" 2>/dev/null || true
fi
if want 2 || want 4; then
  SRC_PEAKS="$(hwm "${PEER_PIDS[0]}"), $(hwm "${PEER_PIDS[1]}"), $(hwm "${PEER_PIDS[2]}")"
  stop_peers
  # The best of three, as the downloads are the better of two: one iperf3 -F of 1 GiB lasts half a
  # second here and single runs vary by 1.7x.
  IPERF_F=0
  for _ in 1 2 3; do
    iperf3 -s -1 -p 18408 >/dev/null 2>&1 & PIDS+=($!)
    sleep 0.5
    R=$(iperf3 -c 127.0.0.1 -p 18408 -F "$WORK/big/big.bin" -J | python3 -c 'import json,sys; print("%.0f" % (json.load(sys.stdin)["end"]["sum_received"]["bits_per_second"]/8/1048576))')
    [ "$R" -gt "$IPERF_F" ] && IPERF_F=$R
  done
  echo "Unthrottled, a $MIB MiB file (seconds as above, the better of two runs each, every source warmed by serving the file three times alone); every piece checked against the root, then the whole SHA-256:"
  echo
  echo "| from | seconds | MiB/s | MiB from each | downloader peak RSS (MiB) | machine CPU busy |"
  echo "|---|---|---|---|---|---|"
  if want 2; then
    printf '| 1 source | %s | %.0f | %s | %s | %s%% |\n' "$(net "$ONE")" "$(python3 -c "print($MIB / $(net "$ONE"))")" "$ONE_SPLIT" "$ONE_PEAK" "$ONE_BUSY"
    printf '| 3 sources | %s | %.0f | %s | %s | %s%% |\n' "$(net "$THREE")" "$(python3 -c "print($MIB / $(net "$THREE"))")" "$THREE_SPLIT" "$THREE_PEAK" "$THREE_BUSY"
  fi
  if want 4; then
    printf '| 3 sources, through the queue of a running daemon (best of rounds 2-'"${DAEMON_ROUNDS:-4}"') | %s | %.0f | %s | %s | %s%% |\n' "$DAEMON_BEST" "$(python3 -c "print($MIB / $DAEMON_BEST)")" "$DAEMON_SPLIT" "$DAEMON_PEAK" "$DAEMON_BUSY"
  fi
  printf '| iperf3 -F of the same file (best of 3) | - | %s | - | - | - |\n' "$IPERF_F"
  echo
  echo "Peak RSS of the three sources over all runs (MiB): $SRC_PEAKS. Every run (sources:seconds):${RUNS:-}.${DAEMON_RUNS:+ Rounds of the running daemon (seconds, POST to done):$DAEMON_RUNS.}"
  echo
fi
if want 3; then
  echo "Indexing the $MIB MiB file: peerd (SHA-256 and BEP 52 root, one read) ${INDEX_MS} ms; sha256sum ${SHA_MS} ms (best of 2): $(python3 -c "print('%.2f' % ($INDEX_MS / $SHA_MS))")x."
fi
