/**
 * The gRPC edge: binds the seed's {@code p2p.FileTransfer} service (plus gRPC health and
 * reflection) and converts between generated proto messages and our own types here, and only
 * here (including {@link io.peerd.rpc.ChunkWire}, which writes a download's FileChunk bytes
 * without copying the file's); a failure is always a gRPC status, never an OK carrying an error
 * text.
 */
package io.peerd.rpc;
