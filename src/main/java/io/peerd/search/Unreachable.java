package io.peerd.search;

/**
 * A neighbour that did not answer.
 *
 * @param reason one of {@code refused}, {@code timeout}, {@code bad_response}, {@code error},
 *     optionally followed by ": detail"
 */
public record Unreachable(String peer, String reason) {}
