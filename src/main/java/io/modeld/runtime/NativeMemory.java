package io.modeld.runtime;

import com.sun.jna.Library;
import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.Platform;
import com.sun.jna.Pointer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The runner's native memory, through the C library: gives memory freed by llama.cpp back to the system
 * (glibc keeps freed heap for reuse; after a model is unloaded, {@code malloc_trim(0)} returns it, so a runner
 * that took the next model starts from the RSS of a fresh one), and caps what the process may take more
 * ({@code setrlimit}), where a runner reads a template no one has checked yet.
 */
final class NativeMemory {

    private interface LibC extends Library {
        int malloc_trim(long pad);

        int getrlimit(int resource, Pointer limit);

        int setrlimit(int resource, Pointer limit);
    }

    /** Linux's {@code RLIMIT_CPU} and {@code RLIMIT_DATA}. */
    private static final int RLIMIT_CPU = 0;
    private static final int RLIMIT_DATA = 2;
    private static final long UNLIMITED = -1;

    private static final LibC LIBC = Platform.isLinux() ? load() : null;

    private NativeMemory() {
    }

    private static LibC load() {
        try {
            return Native.load("c", LibC.class);
        } catch (UnsatisfiedLinkError e) {
            return null;   // not glibc (musl has no malloc_trim): memory goes back as the allocator sees fit
        }
    }

    static void trim() {
        if (LIBC != null) {
            try {
                LIBC.malloc_trim(0);
            } catch (UnsatisfiedLinkError e) {
                // no malloc_trim in this C library
            }
        }
    }

    /**
     * Lets this process take at most {@code moreBytes} of data memory beyond what it holds now (malloc,
     * anonymous mappings: where a template's values live), and {@code cpuSeconds} of processor time beyond
     * what it used (past that the kernel ends it; 0 for no such limit); false where the system cannot say so.
     */
    static boolean limit(long moreBytes, long cpuSeconds) {
        if (LIBC == null) {
            return false;
        }
        long data = statusKb("VmData");
        if (data < 0) {
            return false;
        }
        com.sun.management.OperatingSystemMXBean os = (com.sun.management.OperatingSystemMXBean)
                java.lang.management.ManagementFactory.getOperatingSystemMXBean();
        long cpuNow = os.getProcessCpuTime() / 1_000_000_000L + 1;
        return set(RLIMIT_DATA, data * 1024 + moreBytes) && (cpuSeconds <= 0 || set(RLIMIT_CPU, cpuNow + cpuSeconds));
    }

    /** Sets the soft limit of {@code resource}, under its hard limit (which stays). */
    private static boolean set(int resource, long soft) {
        Memory limit = new Memory(16);
        if (LIBC.getrlimit(resource, limit) != 0) {
            return false;
        }
        long hard = limit.getLong(8);
        limit.setLong(0, hard == UNLIMITED ? soft : Math.min(soft, hard));
        return LIBC.setrlimit(resource, limit) == 0;
    }

    /** A {@code kB} line of /proc/self/status; -1 when there is none. */
    private static long statusKb(String key) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith(key + ":")) {
                    return Long.parseLong(line.replaceAll("\\D", ""));
                }
            }
        } catch (IOException | NumberFormatException e) {
            // not Linux
        }
        return -1;
    }
}
