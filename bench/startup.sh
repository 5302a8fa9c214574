#!/usr/bin/env bash
# Start-up to the first 200 on /health, median of RUNS runs each, printed as Markdown:
#  - the container image: `podman run` to the first 200 on /health, next to `podman run` of the
#    same image running `true` with the same options (what podman itself costs), and the
#    difference, which is what the JVM and the peer cost;
#  - the README's plain command on JDK 17 with default flags (java -jar target/peer.jar -conf
#    conf/peer1.json) next to a bare vertx-web jar started the same way: bench/Bare.java compiled
#    to a class, in a tiny jar whose manifest puts target/peer.jar on its class path (source-launch
#    mode would compile Bare.java at each start).
# The plain peer gets other ports, its own temporary state_dir and local_discovery off through
# PEER_* variables (the file is unchanged): benchmarks here use loopback only, and discovery would
# broadcast on every segment. Its friends (8002, 8003) are not started, as in the README's example
# of one peer.
# Run it alone on the machine: flock -x /tmp/peerd-cpu.lock bash bench/startup.sh [RUNS]
# Needs root and podman for the container rows (skipped otherwise, or with NO_CONTAINER=1), an
# image built from the Dockerfile (IMAGE, default localhost/peerd:ci; .ci/containers.sh builds it),
# curl, and JDK 17 as `java` (JAVA17 to choose another). OLD_JAR=path adds a row for another build
# of the jar, started the same way in the same alternation (a before/after comparison).
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${1:-7}
IMAGE=${IMAGE:-localhost/peerd:ci}
JAVA17=${JAVA17:-java}
JAR=target/peer.jar
[ -s "$JAR" ] || { echo "startup: build the jar first (mvn -B -q package -DskipTests)" >&2; exit 1; }
export CONTAINERS_CONF=${CONTAINERS_CONF:-$PWD/.ci/containers.conf}
WORK=$(mktemp -d)
NAME=startbench-$$
PIDS=()
cleanup() {
  set +e
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done
  if [ -n "${PODMAN:-}" ]; then podman rm -f -t 0 "$NAME" >/dev/null 2>&1; fi
  rm -rf "$WORK"
}
trap cleanup EXIT
now() { date +%s%N; }
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
# Polls every 5 ms until /health answers 200; prints the ms since $1.
first_health() {
  local t0=$1 url=$2
  for _ in $(seq 1 4000); do
    if curl -sf -o /dev/null --max-time 1 "$url" 2>/dev/null; then
      echo $(( ($(now) - t0) / 1000000 ))
      return 0
    fi
    sleep 0.005
  done
  echo "startup: no 200 from $url" >&2
  return 1
}
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# --- the container -----------------------------------------------------------------------------
C_TRUE="" C_PEER=""
if [ "${NO_CONTAINER:-0}" != 1 ] && [ "$(id -u)" = 0 ] && command -v podman >/dev/null \
  && podman image exists "$IMAGE" 2>/dev/null; then
  PODMAN=1
  HP=$(free_port)
  # The same options for both: the published port and the mounts cost podman time of their own.
  OPTS=(--name "$NAME" -p "127.0.0.1:$HP:8001" -v "$PWD/conf:/app/conf:ro")
  podman run --rm "${OPTS[@]}" --entrypoint true "$IMAGE" # the first run may prepare storage
  for _ in $(seq 1 "$RUNS"); do
    t0=$(now)
    podman run "${OPTS[@]}" --entrypoint true "$IMAGE"
    echo $(( ($(now) - t0) / 1000000 ))
    podman rm -f "$NAME" >/dev/null
  done | median > "$WORK/true"
  for _ in $(seq 1 "$RUNS"); do
    t0=$(now)
    podman run -d "${OPTS[@]}" -e PEER_LOCAL_DISCOVERY=false "$IMAGE" >/dev/null
    first_health "$t0" "http://127.0.0.1:$HP/health"
    podman rm -f -t 0 "$NAME" >/dev/null
  done | median > "$WORK/peer"
  C_TRUE=$(cat "$WORK/true") C_PEER=$(cat "$WORK/peer")
  # The JVM must have used the image's AOT cache: a flag that differs from the training run's makes
  # it silently ignored, and start-up doubles.
  AOT=$(podman run --rm --entrypoint sh "$IMAGE" -c \
    'exec java $JAVA_OPTS $JAVA_AOT -Xlog:aot=info -version 2>&1' \
    | grep -ciE 'Opened AOT cache|Using AOT-linked classes' || true)
  [ "$AOT" -gt 0 ] && AOT="used" || AOT="NOT used"
else
  echo "startup: container rows skipped (root, podman and $IMAGE needed)" >&2
fi

# --- the plain command and a bare vertx-web jar, JDK 17, default flags -------------------------
mkdir -p "$WORK/bare"
javac -cp "$JAR" -d "$WORK/bare" bench/Bare.java
printf 'Main-Class: Bare\nClass-Path: %s\n' "$(realpath "$JAR")" > "$WORK/manifest"
jar --create --file "$WORK/bare.jar" --manifest "$WORK/manifest" -C "$WORK/bare" .
P_PEER=() P_BARE=() P_OLD=()
plain_peer() { # jar: prints the ms to its first 200 on /health
  local port pid t0
  port=$(free_port)
  t0=$(now)
  PEER_REST_PORT=$port PEER_SELF_URL="http://127.0.0.1:$port" PEER_GRPC_PORT=0 PEER_METRICS_PORT=0 \
    PEER_STATE_DIR="$WORK/state" PEER_LOCAL_DISCOVERY=false \
    "$JAVA17" -jar "$1" -conf conf/peer1.json >/dev/null 2>&1 &
  pid=$!
  PIDS=("$pid")
  first_health "$t0" "http://127.0.0.1:$port/health"
  kill "$pid"; wait "$pid" 2>/dev/null || true
  PIDS=()
}
for _ in $(seq 1 "$RUNS"); do
  # Alternated, so a slow moment of the machine falls on both.
  port=$(free_port)
  t0=$(now)
  "$JAVA17" -jar "$WORK/bare.jar" "$port" >/dev/null 2>&1 &
  pid=$!
  PIDS=("$pid")
  P_BARE+=("$(first_health "$t0" "http://127.0.0.1:$port/health")")
  kill "$pid"; wait "$pid" 2>/dev/null || true
  P_PEER+=("$(plain_peer "$JAR")")
  if [ -n "${OLD_JAR:-}" ]; then P_OLD+=("$(plain_peer "$OLD_JAR")"); fi
done
PEER=$(printf '%s\n' "${P_PEER[@]:1}" | median) # the first run made the identity: not counted
BARE=$(printf '%s\n' "${P_BARE[@]:1}" | median)

echo "## Start-up, $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores, median of $RUNS runs"
echo
echo "| what | first 200 on /health |"
echo "|---|---|"
if [ -n "$C_PEER" ]; then
  echo "| \`podman run\` of $IMAGE running \`true\` (same options) | $C_TRUE ms |"
  echo "| \`podman run\` of $IMAGE to the first 200 on /health (AOT cache $AOT) | $C_PEER ms |"
  echo "| **container start-up less \`true\`** | **$(( C_PEER - C_TRUE )) ms** |"
fi
V=$("$JAVA17" -version 2>&1 | awk -F'"' 'NR==1 {print $2}')
echo "| plain \`java -jar target/peer.jar -conf conf/peer1.json\`, JDK $V, default flags (median of $((RUNS - 1)), after the first) | $PEER ms |"
echo "| bare vertx-web jar (bench/Bare.java compiled), \`java -jar\`, same JDK and flags (median of $((RUNS - 1))) | $BARE ms |"
echo "| **plain peer less bare** | **$(( PEER - BARE )) ms** |"
if [ -n "${OLD_JAR:-}" ]; then
  echo "| the same plain command with $OLD_JAR (median of $((RUNS - 1))) | $(printf '%s\n' "${P_OLD[@]:1}" | median) ms |"
fi
