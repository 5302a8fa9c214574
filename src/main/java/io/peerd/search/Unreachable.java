package io.peerd.search;

/**
 * A neighbour that did not answer.
 *
 * @param reason one of {@code refused}, {@code timeout}, {@code busy} (it answered 503 or 429:
 *     later), {@code bad_response}, {@code error}, optionally followed by ": detail"
 */
public record Unreachable(String peer, String reason) {}
