#!/usr/bin/env bash
# Live shared folders: how long from a file written into a peer's shared_dir (or deleted from it)
# until a neighbour's search finds it (or no longer does). Two loopback peers from target/peer.jar,
# rescans left at their hourly default, so only the folder watch can explain what is seen.
# Prints a Markdown table of the distribution. Needs: curl, python3.
# Usage: bench/live-index.sh [files]   (default 200)
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-200}
JAR=target/peer.jar
[ -s "$JAR" ] || mvn -B -q package -DskipTests
WORK=$(mktemp -d)
PIDS=()
cleanup() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT
B=18200
start_peer() { # name port friends-json
  local name=$1 port=$2 friends=$3
  mkdir -p "$WORK/$name"
  echo "$name" > "$WORK/$name/$name-seed.txt"
  cat > "$WORK/$name.json" <<JSON
{"name":"$name","ip":"127.0.0.1","rest_port":$port,"shared_dir":"$WORK/$name","state_dir":"",
 "friends":$friends,"peer_exchange":false,"identity":false}
JSON
  java -Xmx64m -XX:+UseSerialGC -jar "$JAR" -conf "$WORK/$name.json" > "$WORK/$name.log" 2>&1 &
  PIDS+=($!)
}
start_peer a $((B+1)) "[\"http://127.0.0.1:$((B+2))\"]"
start_peer b $((B+2)) "[\"http://127.0.0.1:$((B+1))\"]"
for p in 1 2; do
  for i in $(seq 1 200); do curl -sf "http://127.0.0.1:$((B+p))/health" >/dev/null && break; sleep 0.1; done
done
for i in $(seq 1 100); do
  curl -sf "http://127.0.0.1:$((B+2))/search?query=a-seed" | grep -q '"a-seed.txt"' && break
  sleep 0.2
done
python3 - "$WORK/a" "http://127.0.0.1:$((B+2))" "$N" <<'PY'
import json, os, sys, time, urllib.request, datetime
folder, searcher, n = sys.argv[1], sys.argv[2], int(sys.argv[3])

def found(name):
    with urllib.request.urlopen(f"{searcher}/search?query={name}", timeout=5) as r:
        body = json.load(r)
    return any(f.get("name") == name for res in body["results"] for f in res.get("files", []))

def wait(name, want, bound=10.0):
    start = time.monotonic()
    while found(name) != want:
        if time.monotonic() - start > bound:
            return None
        time.sleep(0.01)
    return (time.monotonic() - start) * 1000

added, removed, missed = [], [], 0
for i in range(n):
    name = f"live-{i:04d}-{os.getpid()}.txt"
    path = os.path.join(folder, name)
    with open(path, "w") as f:
        f.write(f"content of file {i}\n" * (1 + i % 50))
    t = wait(name, True)
    if t is None:
        missed += 1
        continue
    added.append(t)
    os.remove(path)
    t = wait(name, False)
    if t is None:
        missed += 1
        continue
    removed.append(t)

def pct(xs, p):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(p / 100 * (len(xs) - 1))))]

print(f"Live folder: a file written into peer a's shared_dir until peer b's search finds it, and "
      f"deleted until it no longer does; {n} files, {os.cpu_count()} cores, "
      f"{datetime.date.today().isoformat()} (ms; polls every 10 ms)")
print()
print("| change | files | p50 | p90 | p99 | max | over 2 s |")
print("|---|---|---|---|---|---|---|")
for label, xs in (("written, then found", added), ("deleted, then gone", removed)):
    if xs:
        print(f"| {label} | {len(xs)} | {pct(xs,50):.0f} | {pct(xs,90):.0f} | {pct(xs,99):.0f} | "
              f"{max(xs):.0f} | {sum(1 for x in xs if x > 2000)} |")
print()
print(f"not seen within 10 s: {missed}")
sys.exit(1 if missed else 0)
PY
