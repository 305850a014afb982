package io.modeld.library;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * One pass over the roots: the folders it looked in (the watcher watches them) and the files it had to
 * skip, each reported once for as long as the file stays as it is, so a rescan every few seconds does
 * not repeat a warning. Headers are read on several threads: {@link #skip} and {@link #unsettled} may be
 * called from any of them; the layouts call the rest from the scanning thread.
 */
final class Scan {

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(Library.class);

    private final Set<String> reported;
    private final Set<String> seen;
    private final List<Path> dirs = new ArrayList<>();
    private volatile boolean unsettled;
    private final java.util.concurrent.atomic.AtomicInteger headersRead = new java.util.concurrent.atomic.AtomicInteger();
    private int models;

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
    synchronized void skip(Path file, String state, String why) {
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

    void headerRead() {
        headersRead.incrementAndGet();
    }

    int headersRead() {
        return headersRead.get();
    }

    void found(int count) {
        models = count;
    }

    /** How many models the scan found. */
    int models() {
        return models;
    }

    boolean isUnsettled() {
        return unsettled;
    }

    /** Forgets problems that are gone, so a file that breaks again is reported again. */
    synchronized void end() {
        reported.retainAll(seen);
    }
}
