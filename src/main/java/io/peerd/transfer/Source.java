package io.peerd.transfer;

import io.vertx.core.net.SocketAddress;

/**
 * Where a file can be fetched from, and what it must hash to.
 *
 * @param peer the REST URL of the peer that offers it
 * @param size its length in bytes, or -1 when the peer did not say
 * @param sha256 the advertised SHA-256 (a seed peer advertises only its first 16 characters)
 * @param grpc where that peer serves gRPC
 */
public record Source(String peer, String name, long size, String sha256, SocketAddress grpc) {}
