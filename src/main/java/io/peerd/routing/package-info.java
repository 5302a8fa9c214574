/**
 * Who gets a query next: the routing strategies ({@link io.peerd.routing.Strategy flood, walk,
 * summary}) and the neighbour summaries they read ({@link io.peerd.routing.NameSummary}).
 *
 * <p>Pure code with no network and no clock, on purpose: the daemon's search and the simulator
 * call the same {@link io.peerd.routing.Strategy#next} on every hop, so what the simulator
 * measures is what the daemon does.
 */
package io.peerd.routing;
