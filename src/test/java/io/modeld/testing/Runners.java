package io.modeld.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** The runner processes this JVM's daemons started. */
public final class Runners {

    private Runners() {
    }

    /** The runner processes that are children of this JVM, found by their command line in /proc. */
    public static List<ProcessHandle> running() {
        return ProcessHandle.current().children().filter(p -> {
            try {
                String cmdline = Files.readString(Path.of("/proc", String.valueOf(p.pid()), "cmdline"));
                return cmdline.endsWith("io.modeld.Main\0runner\0");
            } catch (IOException e) {
                return false;
            }
        }).toList();
    }
}
