package io.modeld.cli;

/** The exit codes of every command; a usage error exits with picocli's 2. */
final class ExitCodes {

    static final int OK = 0;
    static final int FAILURE = 1;

    private ExitCodes() {
    }
}
