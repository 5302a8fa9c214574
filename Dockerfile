# syntax=docker/dockerfile:1
# peerd: one peer per container. The base images are build arguments: the official Maven and
# Eclipse Temurin images by default, or local stand-ins where no registry is reachable (CI builds
# them from Debian's packages and a jlink'd Temurin 25 with .ci/images.sh, and builds this file with
# podman). The jar is built for Java 17 (it still runs there); the image runs it on Java 25, for
# its ahead-of-time cache.
ARG BUILD_IMAGE=maven:3.9-eclipse-temurin-17
ARG RUNTIME_IMAGE=eclipse-temurin:25-jre

# --- build: dependencies in their own cached layer, then the jar -------------------------------
FROM ${BUILD_IMAGE} AS build
WORKDIR /src
COPY pom.xml .
RUN mvn -B -q dependency:go-offline
COPY src ./src
RUN mvn -B -q package -DskipTests

# --- run: a Java 25 runtime, a non-root user, an ahead-of-time cache for fast start-up -----------
FROM ${RUNTIME_IMAGE}
RUN groupadd --system peer && useradd --system --gid peer --home-dir /app --shell /usr/sbin/nologin peer \
 && mkdir -p /app/conf /data/shared /data/state && chown -R peer:peer /data
WORKDIR /app
COPY --from=build /src/target/peer.jar /app/peer.jar

# Flags measured in the README's performance section: a small heap that starts smaller still,
# serial GC, bounded direct memory and code cache, the JIT's start-up memory given back; Java 25's
# warnings about protobuf's sun.misc.Unsafe and SQLite's native library silenced, as allowed; the
# AOT cache mapped where it was made to be instead of at a random address and relocated
# (ArchiveRelocationMode=0, Java 17's default; 1 since 20): 110-190 ms less start-up, and its 50
# MB stay file pages shared by every container of the image instead of private copies; the
# preload thread's class list off, since the cache has loaded those classes (70 ms less).
# Memory (issue 20, bench/memory.sh): a young generation of 4 MiB (-Xmn4m) and an old one kept
# within 20-40 % free after a full collection, instead of up to 16 MiB of eden and 40-70 % free,
# and two glibc malloc arenas instead of up to 16 (MALLOC_ARENA_MAX): the peak under wrk went from
# 143 to 134 MiB in the same runs (docs/performance.md).
# The training run below uses exactly these: the JVM ignores an AOT cache, silently, when the GC
# or heap flags differ from the ones it was made with. Override JAVA_OPTS and the cache is
# ignored (start-up then takes about twice as long); rebuild the image with the new flags instead.
ENV JAVA_OPTS="-Xmx48m -Xms8m -Xmn4m -XX:MinHeapFreeRatio=20 -XX:MaxHeapFreeRatio=40 -XX:+UseSerialGC -Xss256k -XX:ReservedCodeCacheSize=24m -XX:MaxMetaspaceSize=64m -XX:MaxDirectMemorySize=32m -XX:TrimNativeHeapInterval=5000 --sun-misc-unsafe-memory-access=allow --enable-native-access=ALL-UNNAMED -XX:+UnlockDiagnosticVMOptions -XX:ArchiveRelocationMode=0 -Dpeerd.preload.classes=false" \
    JAVA_AOT="-XX:AOTCache=/app/peer.aot" \
    MALLOC_ARENA_MAX=2 \
    PEER_BIND_HOST=0.0.0.0 \
    PEER_SHARED_DIR=/data/shared \
    PEER_STATE_DIR=/data/state

# JEP 483/514/515: the training run starts a throw-away peer, serves its REST and gRPC calls, and
# at its exit the JVM writes the classes it loaded and linked, and the methods' profiles, to the
# cache (see README). -Xlog:aot=error: the classes it cannot store are not news at build time.
RUN java $JAVA_OPTS -XX:AOTCacheOutput=/app/peer.aot -Xlog:aot=error -jar /app/peer.jar warmup \
 && chmod 444 /app/peer.aot

# Any config key can be overridden with PEER_<KEY> (e.g. PEER_SELF_URL, PEER_FRIENDS, PEER_LOG_FORMAT).
# A config file is mounted at /app/conf and named with -conf (see docker-compose.yml).
EXPOSE 8001 50051
VOLUME ["/data/shared", "/data/state"]
USER peer

# No curl in the JRE image: bash's /dev/tcp asks /health on the REST port.
HEALTHCHECK --interval=10s --timeout=3s --start-period=10s --retries=3 \
  CMD bash -c 'exec 3<>/dev/tcp/127.0.0.1/${PEER_REST_PORT:-8001} && printf "GET /health HTTP/1.0\r\n\r\n" >&3 && head -1 <&3 | grep -q " 200 "'

STOPSIGNAL SIGTERM
ENTRYPOINT ["sh", "-c", "exec java $JAVA_OPTS $JAVA_AOT -jar /app/peer.jar \"$@\"", "peer"]
CMD ["-conf", "/app/conf/peer1.json"]
