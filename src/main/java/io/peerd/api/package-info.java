/**
 * The REST API: the route table, its short handlers, the JSON wire format shared with seed peers
 * ({@link io.peerd.api.WireJson}) and the uniform {@code {error, detail}} error answers.
 */
package io.peerd.api;
