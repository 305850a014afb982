package io.modeld.runtime;

import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.Platform;

/**
 * Gives memory freed by llama.cpp back to the system. glibc keeps freed heap for reuse; after a model
 * is unloaded, {@code malloc_trim(0)} returns it, so a runner that took the next model starts from
 * the RSS of a fresh one.
 */
final class NativeMemory {

    private interface LibC extends Library {
        int malloc_trim(long pad);
    }

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
}
