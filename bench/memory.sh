#!/usr/bin/env bash
# Resident memory (VmRSS, and VmHWM for peaks, from /proc/PID/status), printed as Markdown:
#  - the container image (IMAGE, default localhost/peerd:ci): idle ~12 s after its first /health,
#    the peak after wrk -t2 -c32 on /health, /files and /search?query=x&ttl=0, and the peak after a
#    1 GiB HTTP download of a shared file (GET /files/{name}), which the peer first indexed;
#  - the README's plain command on JDK 17 with no flags, idle ~12 s after its first /health.
# Idle means settled: past the JIT's start-up burst and a native-heap trim.
# Run it alone on the machine: flock -x /tmp/peerd-cpu.lock bash bench/memory.sh [wrk-seconds]
# Needs root and podman for the container rows (skipped otherwise, or with NO_CONTAINER=1), wrk,
# curl, JDK 17 as `java`.
set -euo pipefail
cd "$(dirname "$0")/.."
DUR=${1:-10}
IMAGE=${IMAGE:-localhost/peerd:ci}
JAR=target/peer.jar
export CONTAINERS_CONF=${CONTAINERS_CONF:-$PWD/.ci/containers.conf}
WORK=$(mktemp -d /var/tmp/peerd-memory.XXXXXX)
NAME=startbench-mem-$$
PID=""
cleanup() {
  set +e
  [ -n "$PID" ] && kill "$PID" 2>/dev/null && wait "$PID" 2>/dev/null
  [ -n "${PODMAN:-}" ] && podman rm -f -t 0 "$NAME" >/dev/null 2>&1
  rm -rf "$WORK"
}
trap cleanup EXIT
mib() { awk -v k="$2" '$1==k":" {printf "%.0f", $2/1024}' "/proc/$1/status"; }
wait_health() { for _ in $(seq 1 600); do curl -sf -o /dev/null "$1" && return 0; sleep 0.05; done; return 1; }
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

echo "## Memory, $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores"
echo
echo "| process | RSS |"
echo "|---|---|"
if [ "${NO_CONTAINER:-0}" != 1 ] && [ "$(id -u)" = 0 ] && command -v podman >/dev/null \
  && podman image exists "$IMAGE" 2>/dev/null; then
  PODMAN=1
  mkdir -p "$WORK/shared"
  for i in $(seq 1 20); do head -c 4096 /dev/urandom > "$WORK/shared/file-$i.bin"; done
  chmod -R a+rwX "$WORK/shared"
  HP=$(free_port)
  podman run -d --name "$NAME" -p "127.0.0.1:$HP:8001" -v "$PWD/conf:/app/conf:ro" \
    -v "$WORK/shared:/data/shared" -e PEER_LOCAL_DISCOVERY=false "$IMAGE" >/dev/null
  wait_health "http://127.0.0.1:$HP/health"
  CPID=$(podman inspect --format '{{.State.Pid}}' "$NAME")
  sleep 12
  echo "| container ($IMAGE), idle | $(mib "$CPID" VmRSS) MiB |"
  for path in /health /files "/search?query=x&ttl=0"; do
    wrk -t2 -c32 -d"${DUR}s" "http://127.0.0.1:$HP$path" >/dev/null
  done
  echo "| container, peak after wrk -t2 -c32 ${DUR} s each on /health, /files, /search?query=x&ttl=0 | $(mib "$CPID" VmHWM) MiB |"
  head -c 1G /dev/urandom > "$WORK/shared/one-gib.bin"
  chmod a+r "$WORK/shared/one-gib.bin"
  curl -sf -X POST "http://127.0.0.1:$HP/index/rescan" >/dev/null
  for _ in $(seq 1 600); do
    curl -s "http://127.0.0.1:$HP/files" | grep -q '"one-gib.bin"' && break
    sleep 0.5
  done
  got=$(curl -sf -o /dev/null -w '%{size_download}' "http://127.0.0.1:$HP/files/one-gib.bin")
  [ "$got" = $((1 << 30)) ] || { echo "memory: the download gave $got bytes" >&2; exit 1; }
  echo "| container, peak after indexing a 1 GiB file and a 1 GiB HTTP download of it | $(mib "$CPID" VmHWM) MiB |"
  echo "| container, RSS 12 s after that download | $(sleep 12; mib "$CPID" VmRSS) MiB |"
  podman rm -f -t 0 "$NAME" >/dev/null
else
  echo "memory: container rows skipped (root, podman and $IMAGE needed)" >&2
fi

port=$(free_port)
PEER_REST_PORT=$port PEER_SELF_URL="http://127.0.0.1:$port" PEER_GRPC_PORT=0 PEER_METRICS_PORT=0 \
  PEER_STATE_DIR="$WORK/state" PEER_LOCAL_DISCOVERY=false \
  java -jar "$JAR" -conf conf/peer1.json >/dev/null 2>&1 &
PID=$!
wait_health "http://127.0.0.1:$port/health"
sleep 12
V=$(java -version 2>&1 | awk -F'"' 'NR==1 {print $2}')
echo "| plain \`java -jar target/peer.jar -conf conf/peer1.json\`, JDK $V, no flags, idle | $(mib "$PID" VmRSS) MiB |"
