/**
 * The search simulator ({@code peer.jar simulate}): builds networks of up to tens of thousands
 * of peers in memory, places files, and runs queries in discrete-event time through the daemon's
 * own routing code ({@link io.peerd.routing.Strategy}), with no sockets, to compare strategies at
 * sizes a test network cannot reach. Same seed, same numbers.
 */
package io.peerd.sim;
