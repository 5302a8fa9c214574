# syntax=docker/dockerfile:1
# peerd: one peer per container. The base images are build arguments: the official Maven and
# Eclipse Temurin images by default, or local stand-ins where no registry is reachable (CI builds
# them from Debian's packages with .ci/images.sh and builds this file with podman).
ARG BUILD_IMAGE=maven:3.9-eclipse-temurin-17
ARG RUNTIME_IMAGE=eclipse-temurin:17-jre

# --- build: dependencies in their own cached layer, then the jar -------------------------------
FROM ${BUILD_IMAGE} AS build
WORKDIR /src
COPY pom.xml .
RUN mvn -B -q dependency:go-offline
COPY src ./src
RUN mvn -B -q package -DskipTests

# --- run: a JRE, a non-root user, a class-data-sharing archive for fast start-up ---------------
FROM ${RUNTIME_IMAGE}
RUN groupadd --system peer && useradd --system --gid peer --home-dir /app --shell /usr/sbin/nologin peer \
 && mkdir -p /app/conf /data/shared /data/state && chown -R peer:peer /data
WORKDIR /app
COPY --from=build /src/target/peer.jar /app/peer.jar
# The training run starts a throw-away peer and records the classes it loads (see README).
RUN java -XX:ArchiveClassesAtExit=/app/peer.jsa -Xlog:cds=off -Xlog:cds+dynamic=off -jar /app/peer.jar warmup \
 && chmod 444 /app/peer.jsa

# Flags measured in the README's performance section: a small heap that starts smaller still,
# serial GC, bounded direct memory and code cache, the JIT's start-up memory given back (needs
# 17.0.9 or later, which the 17-jre image is); the CDS archive halves the time to the first /health.
ENV JAVA_OPTS="-Xmx48m -Xms8m -XX:+UseSerialGC -Xss256k -XX:ReservedCodeCacheSize=24m -XX:MaxMetaspaceSize=64m -XX:MaxDirectMemorySize=32m -Dio.netty.allocator.numDirectArenas=1 -Dio.netty.allocator.numHeapArenas=1 -XX:TrimNativeHeapInterval=5000 -XX:SharedArchiveFile=/app/peer.jsa -Xlog:cds=off -Xlog:cds+dynamic=off" \
    PEER_BIND_HOST=0.0.0.0 \
    PEER_SHARED_DIR=/data/shared \
    PEER_STATE_DIR=/data/state

# Any config key can be overridden with PEER_<KEY> (e.g. PEER_SELF_URL, PEER_FRIENDS, PEER_LOG_FORMAT).
# A config file is mounted at /app/conf and named with -conf (see docker-compose.yml).
EXPOSE 8001 50051
VOLUME ["/data/shared", "/data/state"]
USER peer

# No curl in the JRE image: bash's /dev/tcp asks /health on the REST port.
HEALTHCHECK --interval=10s --timeout=3s --start-period=10s --retries=3 \
  CMD bash -c 'exec 3<>/dev/tcp/127.0.0.1/${PEER_REST_PORT:-8001} && printf "GET /health HTTP/1.0\r\n\r\n" >&3 && head -1 <&3 | grep -q " 200 "'

STOPSIGNAL SIGTERM
ENTRYPOINT ["sh", "-c", "exec java $JAVA_OPTS -jar /app/peer.jar \"$@\"", "peer"]
CMD ["-conf", "/app/conf/peer1.json"]
