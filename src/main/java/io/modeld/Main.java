package io.modeld;

import io.modeld.cli.ModeldCommand;

/** Entry point of the jar: {@code modeld <command>}. */
public final class Main {

    private Main() {
    }

    /**
     * Jetty's thread pool asks the platform MBean server whether the JVM compresses object references, to
     * size its queue's padding; starting the MBean server (JMX, java.util.logging) cost 0.06–0.08 s of the
     * daemon's start here. The answer is known: with a heap under 32 GB references are 4 bytes, 16 to a
     * 64-byte cache line. A value given on the command line wins.
     */
    static final String JETTY_REFERENCES_PER_CACHE_LINE = "org.eclipse.jetty.util.referencesPerCacheLine";

    public static void main(String[] args) {
        if (System.getProperty(JETTY_REFERENCES_PER_CACHE_LINE) == null) {
            System.setProperty(JETTY_REFERENCES_PER_CACHE_LINE, "16");
        }
        int code = ModeldCommand.execute(args);
        if (code != 0 || !ModeldCommand.keepsRunning(args)) {
            System.exit(code);
        }
    }
}
