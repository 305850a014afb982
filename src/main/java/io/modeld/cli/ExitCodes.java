package io.modeld.cli;

/** The exit codes of every command; a usage error exits with picocli's 2. */
final class ExitCodes {

    static final int OK = 0;
    static final int FAILURE = 1;
    /** The command line or a setting is wrong (picocli's own usage errors exit with 2 too). */
    static final int USAGE = 2;
    /** No daemon answered at any of the URLs tried. */
    static final int UNAVAILABLE = 3;
    /** No model has that id, unique name or unique prefix. */
    static final int NOT_FOUND = 4;
    /** The daemon refused: a conflict, a bad input, not enough disk or memory. */
    static final int REFUSED = 5;
    /** Another daemon holds the data dir. */
    static final int IN_USE = 6;
    /** {@code outdated}: at least one model changed at its source. */
    static final int OUTDATED = 7;
    /** Ctrl-C: 128 + SIGINT, as shells report it. */
    static final int INTERRUPTED = 130;

    private ExitCodes() {
    }
}
