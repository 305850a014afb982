package io.modeld.cli;

import sun.misc.Signal;

/**
 * Ctrl-C while downloads are followed in a terminal: the signal only raises a flag, which the follower
 * sees within its next poll; it then closes its progress bar and asks, on the main thread, whether to
 * cancel the downloads or leave them running in the daemon. JLine, which the progress bar uses to
 * measure the terminal, installs its own SIGINT handler when a bar is built, so the handler is put
 * back after each bar is built ({@link #arm}); without that, Ctrl-C did nothing at all.
 */
final class Interrupts {

    private static volatile boolean pressed;

    private Interrupts() {
    }

    /** Catches SIGINT from now on (in a terminal only: elsewhere Ctrl-C ends the command as usual). */
    static void arm() {
        if (System.console() == null) {
            return;
        }
        Signal.handle(new Signal("INT"), signal -> pressed = true);
    }

    /** Whether Ctrl-C was pressed since the last {@link #reset}. */
    static boolean pressed() {
        return pressed;
    }

    static void reset() {
        pressed = false;
    }
}
