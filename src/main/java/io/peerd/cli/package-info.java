/**
 * The command line: parses arguments, starts the daemon (or, later, runs a client verb), and
 * turns every startup problem into one line on stderr and a non-zero exit code.
 */
package io.peerd.cli;
