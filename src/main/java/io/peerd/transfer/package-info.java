/**
 * Moving file bytes: reading a file (or a range of it) as numbered chunks with backpressure, so
 * a slow receiver slows the disk reads instead of filling the heap. Knows nothing of gRPC or
 * HTTP; {@code rpc} and {@code api} adapt it to their wire.
 */
package io.peerd.transfer;
