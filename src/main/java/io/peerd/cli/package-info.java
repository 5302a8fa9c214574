/**
 * The command line: starts the daemon or runs a client verb (search, download, upload, status),
 * the simulator ({@code simulate}) and the live check on real peers ({@code livecheck}); turns
 * every problem into one line on stderr and exit code 1 (failed) or 2 (usage, bad config).
 */
package io.peerd.cli;
