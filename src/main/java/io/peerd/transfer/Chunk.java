package io.peerd.transfer;

import io.vertx.core.buffer.Buffer;

/** A piece of a file: its bytes, its 1-based sequence number, and where it starts in the file. */
public record Chunk(Buffer data, int seq, long offset) {}
