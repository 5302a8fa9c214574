/**
 * Peers: validated peer URLs, the bounded table of known peers with their health, and the
 * periodic health checker that keeps the table honest. Other packages ask this one which peers
 * are healthy and report failures to it; nobody else mutates peer state.
 */
package io.peerd.peers;
