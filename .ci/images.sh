#!/usr/bin/env bash
# Local stand-ins for the official base images, which cannot be pulled here (no registry is
# reachable): made from Debian's packages and this machine's Temurin 25 JDK, and cached in podman's
# storage, so a rerun takes seconds. Prints the two image names to pass as BUILD_IMAGE and
# RUNTIME_IMAGE.
#   localhost/peerd-debian:12 Debian 12 minbase with ca-certificates (the base of both)
#   localhost/peerd-jre:25    that + a Java 25 runtime made with jlink from the Temurin 25 JDK,
#                             holding only the modules the daemon uses, where eclipse-temurin:25-jre
#                             has its JRE (/opt/java/openjdk, on PATH, JAVA_HOME)
#   localhost/peerd-build:17  Debian 12 + openjdk-17-jdk-headless and maven, trusting this
#                             machine's extra CA certificates, so its Maven reaches Maven Central
#                             here: the jar is built for release 17 and must run on 17
# Needs root, podman, debootstrap. Usage: .ci/images.sh [--rebuild]
set -euo pipefail
cd "$(dirname "$0")/.."
# The caller reads the image names from stdout, so nothing else may reach it: whatever the tools
# below print (podman, chroot, apt) goes to stderr, and only the last line goes to the caller.
exec 3>&1 1>&2
export CONTAINERS_CONF=${CONTAINERS_CONF:-$PWD/.ci/containers.conf}
BASE=localhost/peerd-debian:12
JRE=localhost/peerd-jre:25
BUILD=localhost/peerd-build:17
MIRROR=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
JDK25=${JDK25:-/usr/lib/jvm/temurin-25-jdk-amd64}
# What jdeps finds in the shaded jar's classes (run on the classes, not the jar: the jar carries
# Netty's module-info.class, and jdeps then reports only that module's requirements), less what
# is never loaded: java.desktop (java.beans, for Micrometer's Log4j2 binder only), java.compiler
# (annotation types), jdk.jfr (Netty's optional allocator events). jdk.management gives
# Micrometer's process CPU figures, jdk.naming.dns Netty's JNDI fallback for name servers;
# java.sql brings java.xml. TLS (JSSE, Ed25519, EC) is in java.base on 25; jdk.crypto.ec, empty
# there, is kept so that the list also builds a working runtime from a JDK where SunEC lived in it.
MODULES=java.base,java.logging,java.management,java.naming,java.sql,jdk.crypto.ec,jdk.management,jdk.naming.dns,jdk.unsupported
if [ "${1:-}" = --rebuild ]; then
  podman rmi -f "$BUILD" "$JRE" "$BASE" >/dev/null 2>&1 || true
fi

if ! podman image exists "$BASE"; then
  root=$(mktemp -d /var/tmp/peerd-rootfs.XXXXXX)
  trap 'rm -rf "$root"' EXIT
  echo "images: debootstrap of Debian 12 into $root" >&2
  debootstrap --variant=minbase --include=ca-certificates \
    bookworm "$root" "$MIRROR" > /var/tmp/peerd-debootstrap.log 2>&1 \
    || { tail -20 /var/tmp/peerd-debootstrap.log >&2; exit 1; }
  chroot "$root" apt-get clean
  rm -rf "$root"/var/lib/apt/lists/* "$root"/var/cache/apt/*.bin "$root"/var/log/*.log
  tar -C "$root" -c . | podman import \
    --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    --change 'CMD ["bash"]' - "$BASE" >/dev/null
  rm -rf "$root"
  trap - EXIT
fi

# Rebuilt when the module list changes (it is kept as a label).
if [ "$(podman image inspect --format '{{index .Labels "peerd.modules"}}' "$JRE" 2>/dev/null)" != "$MODULES" ]; then
  [ -x "$JDK25/bin/jlink" ] || { echo "images: no JDK 25 at $JDK25 (set JDK25)" >&2; exit 1; }
  ctx=$(mktemp -d)
  trap 'rm -rf "$ctx"' EXIT
  # Uncompressed modules: class loading reads them without inflating; the default CDS archive
  # serves the JVMs that run without the peer's AOT cache (the client verbs).
  "$JDK25/bin/jlink" --add-modules "$MODULES" --output "$ctx/jre" --strip-debug --no-man-pages \
    --no-header-files --generate-cds-archive
  cat > "$ctx/Containerfile" <<DOCKERFILE
FROM $BASE
COPY jre/ /opt/java/openjdk/
ENV JAVA_HOME=/opt/java/openjdk PATH=/opt/java/openjdk/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
LABEL peerd.modules="$MODULES"
DOCKERFILE
  echo "images: $JRE (jlink of $("$JDK25/bin/java" -version 2>&1 | awk -F'"' 'NR==1 {print $2}'): $MODULES)" >&2
  podman build --format docker -t "$JRE" "$ctx" >&2
  rm -rf "$ctx"
  trap - EXIT
fi

if ! podman image exists "$BUILD"; then
  ctx=$(mktemp -d)
  trap 'rm -rf "$ctx"' EXIT
  mkdir -p "$ctx/ca"
  cp /usr/local/share/ca-certificates/*.crt "$ctx/ca/" 2>/dev/null || true
  cat > "$ctx/Containerfile" <<DOCKERFILE
FROM $BASE
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
echo "$BUILD $JRE" >&3
