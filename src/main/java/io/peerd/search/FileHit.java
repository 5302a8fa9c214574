package io.peerd.search;

/**
 * A file in a search answer, ours or a remote peer's. Fields a remote peer did not send are null
 * (strings) or -1 (numbers); nothing else about its JSON reaches the core.
 */
public record FileHit(
    String name,
    long size,
    long mtime,
    String checksum,
    String extension,
    String type,
    String restUrl,
    String grpc) {}
