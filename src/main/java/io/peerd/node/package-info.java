/**
 * The peer itself: {@link io.peerd.node.PeerVerticle} owns all state of one peer (index, peer
 * table, search, uploads), wires the pieces together, and serves REST and gRPC from one event loop.
 *
 * <p>Must not use {@code cli} (which starts it) or {@code sim}; it may use every package it wires.
 */
@io.peerd.MustNotUse({"io.peerd.cli", "io.peerd.sim", "io.peerd.rpc.proto"})
package io.peerd.node;
