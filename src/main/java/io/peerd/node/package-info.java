/**
 * The peer itself: {@link io.peerd.node.PeerVerticle} owns all state of one peer (index, peer
 * table, search), wires the pieces together, and serves REST and gRPC from one event loop.
 */
package io.peerd.node;
