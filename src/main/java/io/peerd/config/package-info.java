/**
 * Configuration: the seed-compatible JSON keys, {@code PEER_<KEY>} environment overrides,
 * defaults, and validation into one immutable {@link io.peerd.config.PeerConfig}.
 * Nothing outside this package reads raw JSON configuration.
 */
package io.peerd.config;
