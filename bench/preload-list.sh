#!/usr/bin/env bash
# Records the classes the daemon loads from its start to the first 200 on /health (JDK 17, the
# README's plain command), in load order, into src/main/resources/META-INF/peerd/preload.txt: the
# list that io.peerd.cli.Preload loads on a second thread while the start-up runs. Classes the JDK
# makes at run time (lambdas, proxies) are left out; a class the list names and the jar no longer
# has is skipped at start, so a stale list costs time, not correctness. Rerun it after a change to
# what the start-up does, then rebuild the jar.
# Usage: bench/preload-list.sh (after mvn package)
set -euo pipefail
cd "$(dirname "$0")/.."
JAR=target/peer.jar
OUT=src/main/resources/META-INF/peerd/preload.txt
WORK=$(mktemp -d)
PID=""
cleanup() { [ -n "$PID" ] && kill "$PID" 2>/dev/null; wait 2>/dev/null; rm -rf "$WORK"; }
trap cleanup EXIT
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
# The same state_dir twice: the second run loads an identity rather than making one, as a restart.
for run in 1 2; do
  PEER_REST_PORT=$port PEER_SELF_URL="http://127.0.0.1:$port" PEER_GRPC_PORT=0 PEER_METRICS_PORT=0 \
    PEER_STATE_DIR="$WORK/state" PEER_LOCAL_DISCOVERY=false \
    java -Xlog:class+load=info:file="$WORK/classes.txt" -jar "$JAR" -conf conf/peer1.json >/dev/null 2>&1 &
  PID=$!
  until curl -sf -o /dev/null "http://127.0.0.1:$port/health"; do sleep 0.005; done
  kill "$PID"; wait "$PID" 2>/dev/null || true
  PID=""
done
mkdir -p "$(dirname "$OUT")"
awk '/source: (jrt:\/|file:)/ && $2 !~ /\$\$Lambda|LambdaForm\$|\$Proxy/ && !seen[$2]++ {print $2}' \
  "$WORK/classes.txt" | grep -v '^io\.peerd\.cli\.Preload' > "$OUT"
echo "preload-list: $(wc -l < "$OUT") classes in $OUT"
