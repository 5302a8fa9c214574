#!/usr/bin/env bash
# Local stand-ins for the official base images, which cannot be pulled here (no registry is
# reachable): made from Debian's packages and cached in podman's storage, so a rerun takes
# seconds. Prints the two image names to pass as BUILD_IMAGE and RUNTIME_IMAGE.
#   localhost/peerd-jre:17    Debian 12 minbase + openjdk-17-jre-headless (the runtime image)
#   localhost/peerd-build:17  that + openjdk-17-jdk-headless and maven, trusting this machine's
#                             extra CA certificates, so its Maven reaches Maven Central here
# Needs root, podman, debootstrap. Usage: .ci/images.sh [--rebuild]
set -euo pipefail
cd "$(dirname "$0")/.."
export CONTAINERS_CONF=${CONTAINERS_CONF:-$PWD/.ci/containers.conf}
JRE=localhost/peerd-jre:17
BUILD=localhost/peerd-build:17
MIRROR=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
if [ "${1:-}" = --rebuild ]; then
  podman rmi -f "$BUILD" "$JRE" >/dev/null 2>&1 || true
fi

if ! podman image exists "$JRE"; then
  root=$(mktemp -d /var/tmp/peerd-rootfs.XXXXXX)
  trap 'rm -rf "$root"' EXIT
  echo "images: debootstrap of Debian 12 with a JRE into $root" >&2
  debootstrap --variant=minbase --include=openjdk-17-jre-headless,ca-certificates \
    bookworm "$root" "$MIRROR" > /var/tmp/peerd-debootstrap.log 2>&1 \
    || { tail -20 /var/tmp/peerd-debootstrap.log >&2; exit 1; }
  chroot "$root" apt-get clean
  rm -rf "$root"/var/lib/apt/lists/* "$root"/var/cache/apt/*.bin "$root"/var/log/*.log
  tar -C "$root" -c . | podman import \
    --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    --change 'CMD ["bash"]' - "$JRE" >/dev/null
  rm -rf "$root"
  trap - EXIT
fi

if ! podman image exists "$BUILD"; then
  ctx=$(mktemp -d)
  trap 'rm -rf "$ctx"' EXIT
  mkdir -p "$ctx/ca"
  cp /usr/local/share/ca-certificates/*.crt "$ctx/ca/" 2>/dev/null || true
  cat > "$ctx/Containerfile" <<DOCKERFILE
FROM $JRE
COPY ca/ /usr/local/share/ca-certificates/
RUN apt-get update -qq \\
 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends openjdk-17-jdk-headless maven >/dev/null \\
 && update-ca-certificates >/dev/null \\
 && apt-get clean && rm -rf /var/lib/apt/lists/*
DOCKERFILE
  echo "images: $BUILD (JDK 17 and Maven from Debian)" >&2
  podman build --network host --format docker -t "$BUILD" "$ctx" >&2
  rm -rf "$ctx"
  trap - EXIT
fi
echo "$BUILD $JRE"
