/**
 * The command line: one picocli class per command. Client commands talk to the daemon over its HTTP
 * API only; {@code serve} starts a {@link io.modeld.Daemon} and {@code runner} the runner process.
 */
package io.modeld.cli;
