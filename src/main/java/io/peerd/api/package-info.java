/**
 * The REST API: the route table ({@link io.peerd.api.RestApi}), its short handlers, and the uniform
 * {@code {error, detail}} answers ({@link io.peerd.api.Errors}); also what the web page needs: the
 * page itself ({@link io.peerd.api.WebUi}), the streamed search ({@link
 * io.peerd.api.SearchStream}), HTTP uploads ({@link io.peerd.api.HttpUpload}, an adapter of the one
 * upload life cycle in {@code transfer}) and the neighbourhood graph ({@link
 * io.peerd.api.NetworkView}).
 *
 * <p>Must not use: {@code cli}, {@code node} (the verticle wires this package, not the other way
 * round), {@code rpc} (the gRPC edge is a sibling), {@code remote} (calls to other peers go through
 * the seams of {@code search} and {@code peers}), {@code sim}.
 */
@io.peerd.MustNotUse({
  "io.peerd.cli",
  "io.peerd.node",
  "io.peerd.rpc",
  "io.peerd.remote",
  "io.peerd.sim"
})
package io.peerd.api;
