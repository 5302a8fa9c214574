/**
 * The connection doctor: checks one peer step by step, as a person would with dig, nc, openssl,
 * curl and grpcurl (name resolution, TCP, TLS and identity, HTTP {@code /health}, gRPC health, a
 * one-hop search, a 1 MiB range download), each step with its own deadline, its time and a verdict,
 * and a hint for the usual cause of the first failure ({@link io.peerd.doctor.Doctor}). One engine
 * for the {@code doctor} command and the {@code GET /doctor} route; the report is plain data
 * ({@link io.peerd.doctor.Report}) that both print.
 *
 * <p>Must not use {@code api}, {@code cli}, {@code node} (they use this package) nor {@code sim}.
 */
@io.peerd.MustNotUse({"io.peerd.api", "io.peerd.cli", "io.peerd.node", "io.peerd.sim"})
package io.peerd.doctor;
