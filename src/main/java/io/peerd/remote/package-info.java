/**
 * Calls to other peers over HTTP: the one implementation of the search and peer-probe seams.
 * Every call here has a hard deadline (the request is reset when it passes), a cap on the body
 * it will read, and fails with a {@link io.peerd.search.PeerCallException} whose reason a user
 * can read: refused, timeout, bad_response, error.
 */
package io.peerd.remote;
