/**
 * The REST API: the route table, its short handlers, the JSON wire format shared with seed peers
 * ({@link io.peerd.api.WireJson}) and the uniform {@code {error, detail}} error answers; also what
 * the web page needs: the page itself ({@link io.peerd.api.WebUi}), the streamed search
 * ({@link io.peerd.api.SearchStream}), HTTP uploads ({@link io.peerd.api.HttpUpload}) and the
 * neighbourhood graph ({@link io.peerd.api.NetworkView}).
 */
package io.peerd.api;
