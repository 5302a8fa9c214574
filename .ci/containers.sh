#!/usr/bin/env bash
# The container image and the compose network, built and run for real with podman (no Docker
# engine here), and the Grafana dashboard checked against a real Prometheus. Exit 0: every check
# passed; 77: podman cannot run on this machine (the reason is printed); anything else: a check
# failed. Everything it starts is stopped and removed at the end, even when a check fails.
# Needs root. Usage: .ci/containers.sh
set -euo pipefail
cd "$(dirname "$0")/.."
skip() { echo "containers: skipped ($1)"; exit 77; }
[ "$(id -u)" = 0 ] || skip "podman runs as root here, and this is not root"
need=()
for t in podman runc debootstrap docker-compose prometheus curl python3; do
  command -v "$t" >/dev/null 2>&1 || need+=("$t")
done
if [ ${#need[@]} -gt 0 ]; then
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq podman runc \
    debootstrap docker-compose prometheus curl python3) >/dev/null 2>&1 || true
fi
command -v podman >/dev/null 2>&1 || skip "podman is not installed and apt-get could not install it"
export CONTAINERS_CONF=$PWD/.ci/containers.conf
podman info >/dev/null 2>&1 || skip "podman info fails: $(podman info 2>&1 | tail -1)"

P=peerdci
SOCK=/run/$P-podman.sock
WORK=$(mktemp -d)
PIDS=()
log() { echo "containers: $*"; }
compose() { docker-compose -p $P "$@"; }
cleanup() {
  set +e
  compose --profile swarm --profile monitoring down -v --remove-orphans >/dev/null 2>&1
  podman rm -f -v $P-one >/dev/null 2>&1
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done
  wait 2>/dev/null
  rm -rf "$WORK" "$SOCK"
}
trap cleanup EXIT
fail() { echo "containers: FAILED: $*" >&2; podman ps -a --format '{{.Names}} {{.Status}}' >&2; exit 1; }

# --- the image ---------------------------------------------------------------------------------
# Read once images.sh has ended, and only if it succeeded: a process substitution would hand read
# whatever came first on its stdout, while it was still building.
images=$(bash .ci/images.sh) || fail "the base images could not be made"
read -r BUILD_IMAGE RUNTIME_IMAGE <<< "$images"
[[ $BUILD_IMAGE == localhost/* && $RUNTIME_IMAGE == localhost/* ]] \
  || fail "images.sh printed '$images', not two image names"
export BUILD_IMAGE RUNTIME_IMAGE PEERD_IMAGE=localhost/peerd:ci
t0=$(date +%s)
# The host's Maven repository serves the build stage's dependencies (Maven Central otherwise).
podman build --format docker --network host -v "$HOME/.m2:/root/.m2" \
  --build-arg BUILD_IMAGE --build-arg RUNTIME_IMAGE -t $PEERD_IMAGE . > "$WORK/build.log" 2>&1 \
  || { tail -30 "$WORK/build.log" >&2; fail "podman build"; }
log "image $PEERD_IMAGE built in $(( $(date +%s) - t0 )) s from $BUILD_IMAGE and $RUNTIME_IMAGE:" \
  "$(podman image inspect --format '{{.Size}}' $PEERD_IMAGE | awk '{printf "%.0f MB", $1/1e6}')"

# A port podman held for a container removed a moment ago may take a while to be free again.
ports_free() {
  for _ in $(seq 1 100); do
    ss -ltn | grep -qE '127\.0\.0\.1:(800[1-3]|5005[1-3]) ' || return 0
    sleep 0.2
  done
  fail "ports 8001-8003, 50051-50053 on loopback are still in use: $(ss -ltnp | grep -E ':(800[1-3]|5005[1-3]) ')"
}

healthy() { # name [tries]: runs the image's HEALTHCHECK until it passes (no systemd runs it here)
  for _ in $(seq 1 "${2:-60}"); do
    podman healthcheck run "$1" >/dev/null 2>&1 && return 0
    sleep 1
  done
  return 1
}

podman run -d --name $P-one -v "$PWD/conf:/app/conf:ro" -v "$PWD/conf/shared/p1:/data/shared/samples:ro" \
  -p 127.0.0.1:18801:8001 $PEERD_IMAGE >/dev/null 2>&1
healthy $P-one || { podman logs $P-one | tail -20 >&2; fail "the healthcheck of a lone container never passed"; }
[ "$(podman inspect --format '{{.State.Health.Status}}' $P-one)" = healthy ] || fail "podman inspect does not say healthy"
uid=$(podman exec $P-one id -u)
[ "$uid" != 0 ] || fail "the peer runs as root"
curl -sf http://127.0.0.1:18801/files | grep -q hello1.txt || fail "the lone peer does not share its samples"
podman stop -t 20 $P-one >/dev/null
code=$(podman inspect --format '{{.State.ExitCode}}' $P-one)
[ "$code" = 0 ] || fail "SIGTERM ended the container with exit code $code"
podman rm -v $P-one >/dev/null
log "image: healthcheck passes, runs as uid $uid, SIGTERM stops it with exit 0"

# --- compose, through podman's Docker-compatible API -------------------------------------------
podman system service --time=0 "unix://$SOCK" > "$WORK/service.log" 2>&1 &
PIDS+=($!)
export DOCKER_HOST=unix://$SOCK
for _ in $(seq 1 50); do [ -S "$SOCK" ] && break; sleep 0.1; done
# Healthchecks run by a timer of systemd's elsewhere; here this loop runs them.
( while true; do
    for c in $(podman ps --format "{{.Names}}" 2>/dev/null); do podman healthcheck run "$c" >/dev/null 2>&1 || true; done
    sleep 2
  done ) &
PIDS+=($!)

t0=$(date +%s)
ports_free
compose up -d --no-build > "$WORK/up.log" 2>&1 || { cat "$WORK/up.log" >&2; fail "docker-compose up"; }
for n in 1 2 3; do
  healthy peer$n 90 || { podman logs peer$n | tail -20 >&2; fail "peer$n never became healthy"; }
done
log "compose: peer1-3 up and healthy in $(( $(date +%s) - t0 )) s"

json() { python3 -c "import json,sys; d=json.load(sys.stdin); print($1)"; }
# Peers find each other by container name: a search from peer1 reaches both others' samples.
found=""
for _ in $(seq 1 30); do
  found=$(curl -s "http://127.0.0.1:8001/search?query=hello&ttl=2" \
    | json "' '.join(sorted({f['name'].split('/')[-1] for r in d['results'] for f in r['files']}))")
  [ "$found" = "hello1.txt hello2.txt hello3.txt" ] && break
  sleep 1
done
[ "$found" = "hello1.txt hello2.txt hello3.txt" ] || fail "a search from peer1 found only: $found"
log "compose: a search from peer1 finds the files of peer2 and peer3 by name ($found)"

# A download managed by peer1 of a file that peer2 and peer3 both hold.
head -c $((8 << 20)) /dev/urandom > "$WORK/film.bin"
SHA=$(sha256sum "$WORK/film.bin" | cut -d' ' -f1)
for n in 2 3; do
  podman cp "$WORK/film.bin" peer$n:/data/shared/film.bin
  podman exec -u 0 peer$n chown peer:peer /data/shared/film.bin
  curl -sf -X POST http://127.0.0.1:800$n/index/rescan >/dev/null || fail "rescan on peer$n"
done
ROOT=""
for _ in $(seq 1 30); do
  ROOT=$(curl -s http://127.0.0.1:8002/files | json "next((f['root'] for f in d['files'] if f['name']=='film.bin'), '')")
  [ -n "$ROOT" ] && break
  sleep 1
done
[ -n "$ROOT" ] || fail "peer2 never indexed film.bin"
ID=$(curl -s -X POST -H 'Content-Type: application/json' -d "{\"root\":\"$ROOT\"}" http://127.0.0.1:8001/downloads | json "d['id']")
state=""
for _ in $(seq 1 60); do
  curl -s "http://127.0.0.1:8001/downloads/$ID" > "$WORK/dl.json"
  state=$(json "d['state']" < "$WORK/dl.json")
  [ "$state" = done ] || [ "$state" = failed ] && break
  sleep 1
done
[ "$state" = done ] || fail "peer1's download ended $state: $(cat "$WORK/dl.json")"
givers=$(json "len([s for s in d['sources'] if s['bytes'] > 0])" < "$WORK/dl.json")
FILE=$(json "d['file']" < "$WORK/dl.json")
onvolume=$(podman exec peer1 sha256sum "/data/shared/$FILE" | cut -d' ' -f1)
[ "$onvolume" = "$SHA" ] || fail "the file on peer1's volume has SHA-256 $onvolume, not $SHA"
log "compose: peer1 downloaded film.bin (8 MiB) from $givers of its 2 holders; /data/shared/$FILE on its volume has the right SHA-256"

# peer1's web page, from the host through its published port, in a real browser (Debian's
# Chromium and playwright-core, as the e2e test of .ci/run): search, then Get.
head -c $((2 << 20)) /dev/urandom > "$WORK/browser.bin"
BSHA=$(sha256sum "$WORK/browser.bin" | cut -d' ' -f1)
podman cp "$WORK/browser.bin" peer3:/data/shared/browser.bin
podman exec -u 0 peer3 chown peer:peer /data/shared/browser.bin
curl -sf -X POST http://127.0.0.1:8003/index/rescan >/dev/null || fail "rescan on peer3"
if command -v node >/dev/null 2>&1 && [ -d e2e/node_modules/playwright-core ] && [ -x /usr/bin/chromium ]; then
  set +e
  timeout 180 node e2e/compose.e2e.mjs http://127.0.0.1:8001 browser.bin "$BSHA" hello2.txt hello3.txt
  rc=$?
  set -e
  if [ $rc = 77 ]; then
    log "browser: skipped (see the line above)"
  elif [ $rc != 0 ]; then
    fail "peer1's web page in a browser"
  else
    got=$(podman exec peer1 sha256sum /data/shared/downloads/browser.bin | cut -d' ' -f1)
    [ "$got" = "$BSHA" ] || fail "browser.bin on peer1's volume has SHA-256 $got"
    log "browser: peer1's page at http://127.0.0.1:8001 searched the network and its Get put browser.bin, right SHA-256, on peer1's volume"
  fi
else
  log "browser: skipped (node, e2e/node_modules or /usr/bin/chromium missing: .ci/run's e2e step installs them)"
fi

# --- the swarm profile: N peers that join through peer1 ----------------------------------------
N=6
compose --profile swarm up -d --no-build --scale peer=$N > "$WORK/swarm.log" 2>&1 \
  || { cat "$WORK/swarm.log" >&2; fail "docker-compose --profile swarm up --scale peer=$N"; }
count=0
for _ in $(seq 1 90); do
  count=$(curl -s "http://127.0.0.1:8001/search?query=hello-&ttl=3" \
    | json "len({f['name'].split('/')[-1] for r in d['results'] for f in r['files'] if f['name'].split('/')[-1].startswith('hello-')})")
  [ "$count" = $N ] && break
  sleep 2
done
[ "$count" = $N ] || fail "a search from peer1 found $count of the $N swarm peers"
log "compose: --profile swarm --scale peer=$N: a search from peer1 finds every one of the $N"

# stop: every peer ends with exit 0.
compose --profile swarm stop > "$WORK/stop.log" 2>&1 || { cat "$WORK/stop.log" >&2; fail "docker-compose stop"; }
for c in $(podman ps -a --filter label=com.docker.compose.project=$P --format '{{.Names}}'); do
  code=$(podman inspect --format '{{.State.ExitCode}}' "$c")
  [ "$code" = 0 ] || fail "$c stopped with exit code $code"
done
log "compose: stop ends peer1-3 and the $N swarm peers with exit 0"

# down without -v, then up: the volumes bring back each peer's table and finished downloads.
compose --profile swarm down > /dev/null 2>&1 || fail "docker-compose down"
ports_free
compose up -d --no-build > "$WORK/up2.log" 2>&1 || { cat "$WORK/up2.log" >&2; fail "docker-compose up (again)"; }
for n in 1 2 3; do healthy peer$n 90 || fail "peer$n never became healthy again"; done
again=$(curl -s "http://127.0.0.1:8001/downloads/$ID" | json "d['state'] + ' ' + d['file']")
[ "$again" = "done $FILE" ] || fail "after down and up, peer1's download is: $again"
# The swarm peers are gone, and only peer1's saved table can still name them.
learned=$(curl -s http://127.0.0.1:8001/peers | json "len([u for u in d['all_peers'] if not u.startswith('http://peer')])")
[ "$learned" -ge $N ] || fail "after down and up, peer1's table names $learned of the $N swarm peers"
log "compose: after down and up, peer1 has its download ($again) and its table, with the $learned swarm peers it had learned, back"

# --- monitoring: a real Prometheus scrapes three peers under a short load; every panel's query --
cat > "$WORK/prometheus.yml" <<YAML
global: {scrape_interval: 2s, evaluation_interval: 2s}
scrape_configs:
  - job_name: peers
    metrics_path: /metrics
    static_configs: [{targets: ["127.0.0.1:8001", "127.0.0.1:8002", "127.0.0.1:8003"]}]
YAML
prometheus --config.file="$WORK/prometheus.yml" --storage.tsdb.path="$WORK/tsdb" \
  --web.listen-address=127.0.0.1:19090 > "$WORK/prometheus.log" 2>&1 &
PIDS+=($!)
for _ in $(seq 1 50); do curl -sf http://127.0.0.1:19090/-/ready >/dev/null && break; sleep 0.2; done
# 30 s of load: searches, a 404, downloads over gRPC and HTTP, a download managed by peer1.
podman exec peer2 sh -c 'head -c 4000000 /dev/urandom > /data/shared/load.bin'
curl -sf -X POST http://127.0.0.1:8002/index/rescan >/dev/null
sleep 2
LROOT=$(curl -s http://127.0.0.1:8002/files | json "next((f['root'] for f in d['files'] if f['name']=='load.bin'), '')")
end=$(( $(date +%s) + 30 ))
first=1
while [ "$(date +%s)" -lt $end ]; do
  curl -s "http://127.0.0.1:8001/search?query=hello" >/dev/null
  curl -s "http://127.0.0.1:8002/files/missing.bin" >/dev/null
  curl -s -o /dev/null "http://127.0.0.1:8002/files/load.bin"
  if [ $first = 1 ]; then
    curl -s -X POST -H 'Content-Type: application/json' -d "{\"root\":\"$LROOT\"}" http://127.0.0.1:8001/downloads >/dev/null
    # The seed client's way, over gRPC, for the gRPC panel.
    java -jar target/peer.jar dummy-download samples/hello2.txt --grpc-host 127.0.0.1 --grpc-port 50052 >/dev/null \
      || fail "a gRPC DummyDownload from peer2"
    first=0
  fi
  sleep 0.5
done
python3 .ci/dashboard.py conf/grafana/dashboards/peerd.json conf/grafana/provisioning http://127.0.0.1:19090 \
  || fail "the Grafana dashboard's queries"
log "monitoring: every panel of conf/grafana/dashboards/peerd.json evaluated by Prometheus $(prometheus --version 2>&1 | awk 'NR==1 {print $3}') with series"
compose down -v > /dev/null 2>&1
log "passed"
