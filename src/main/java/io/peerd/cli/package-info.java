/**
 * The command line: starts the daemon or runs a client verb (search, download, upload, status), the
 * simulator ({@code simulate}) and the live check on real peers ({@code livecheck}); turns every
 * problem into one line on stderr and exit code 1 (failed) or 2 (usage, bad config). The verbs are
 * thin: transfers run on the engines of {@code transfer} over the clients of {@code rpc} and {@code
 * remote}, the experiments in {@code sim}.
 *
 * <p>May use every package; no other package uses this one (only {@code io.peerd.Main}). Must not
 * use the generated proto types ({@code rpc.proto}): they stay in {@code rpc}.
 */
@io.peerd.MustNotUse({"io.peerd.rpc.proto"})
package io.peerd.cli;
