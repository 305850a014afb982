package io.modeld.library;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * One pass over the roots: the folders it looked in (the watcher watches them) and the files it had to
 * skip, each reported once for as long as the file stays as it is, so a rescan every few seconds does
 * not repeat a warning.
 */
final class Scan {

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(Library.class);

    private final Set<String> reported;
    private final Set<String> seen;
    private final List<Path> dirs = new ArrayList<>();
    private boolean unsettled;

    /**
     * @param reported the problems reported by earlier scans; those not met again are forgotten by {@link #end}
     */
    Scan(Set<String> reported, Set<String> seen) {
        this.reported = reported;
        this.seen = seen;
    }

    /** A folder this scan looked in. */
    void looked(Path dir) {
        dirs.add(dir);
    }

    List<Path> dirs() {
        return dirs;
    }

    /** A file that looked like a model but is skipped; logged once while {@code state} (size, time) holds. */
    void skip(Path file, String state, String why) {
        String key = file + "|" + state + "|" + why;
        seen.add(key);
        if (reported.add(key)) {
            LOG.warn("library: skipping {}: {}", file, why);
        }
    }

    /** A file is still being written: the scan should run again once it is quiet. */
    void unsettled() {
        unsettled = true;
    }

    boolean isUnsettled() {
        return unsettled;
    }

    /** Forgets problems that are gone, so a file that breaks again is reported again. */
    void end() {
        reported.retainAll(seen);
    }
}
