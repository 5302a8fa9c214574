# What the network-namespace tests share: the skip rule, a bridge with one namespace per host,
# running a command in one, and removing every namespace and process of the run on exit.
# Source it, then set P (a prefix unique to the run, such as pf$$), HOSTS (the host names), WORK
# and PIDS, and call netns_or_skip and then netns_bridge.

in_ns() { local h=$1; shift; ip netns exec "$P-$h" "$@"; }

# Exits 77 (skipped) unless namespaces can be made here: root, iproute2 and a kernel that lets us.
netns_or_skip() { # label [extra command needed ...]
  local label=$1 cmd
  shift
  local ok=1
  for cmd in ip "$@"; do command -v "$cmd" >/dev/null || ok=0; done
  if [ $ok = 0 ] || [ "$(id -u)" != 0 ] || ! ip netns add "$P-probe" 2>/dev/null; then
    echo "$label: SKIPPED (needs root${*:+, $*} and a working 'ip netns')"
    exit 77
  fi
  ip netns del "$P-probe"
  trap netns_cleanup EXIT
}

# Kills what the run started (a stopped peer is woken first, or it would not die), then removes
# the namespaces (and whatever still runs in them) and the work folder.
netns_cleanup() {
  set +e
  for pid in "${PIDS[@]}"; do kill -CONT "$pid" 2>/dev/null; kill -9 "$pid" 2>/dev/null; done
  for h in "${HOSTS[@]}" sw; do
    ip netns pids "$P-$h" 2>/dev/null | xargs -r kill -9 2>/dev/null
    ip netns del "$P-$h" 2>/dev/null
  done
  rm -rf "$WORK"
}

# A bridge in namespace "sw" and, for each host, a namespace on it through a veth (eth0, up, no
# address yet; the machine's own namespace gets no address and sees no traffic).
netns_bridge() {
  local h
  ip netns add "$P-sw"
  in_ns sw ip link add br0 type bridge
  in_ns sw ip link set br0 up
  in_ns sw ip link set lo up
  for h in "${HOSTS[@]}"; do
    ip netns add "$P-$h"
    ip link add "v$P$h" type veth peer name eth0 netns "$P-$h"
    ip link set "v$P$h" netns "$P-sw"
    in_ns sw ip link set "v$P$h" master br0 up
    in_ns "$h" ip link set lo up
    in_ns "$h" ip link set eth0 up
  done
}
