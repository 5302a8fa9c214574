/**
 * The live check ({@code peer.jar livecheck}): the simulator's experiment run on real peers,
 * started in this JVM on loopback, measured through their own REST API and counters, and set beside
 * the simulator's prediction for the same graph and files.
 *
 * <p>Unlike the simulator it deploys peers, so it uses {@code node} and {@code config}. Must not
 * use {@code cli} (whose verb only parses its options), {@code api}, {@code rpc}, {@code remote}.
 */
@io.peerd.MustNotUse({"io.peerd.cli", "io.peerd.api", "io.peerd.rpc", "io.peerd.remote"})
package io.peerd.sim.live;
