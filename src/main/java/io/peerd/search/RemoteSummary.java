package io.peerd.search;

import io.peerd.routing.NameSummary;

/**
 * A neighbour's answer to {@code GET /summary}.
 *
 * @param summary null when the neighbour said its generation is unchanged
 */
public record RemoteSummary(long generation, NameSummary summary) {}
