package io.modeld.api;

import io.javalin.http.Context;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.BooleanSupplier;

/**
 * Whether a request's client is still connected, for answers that write nothing until the end (a JSON
 * answer, not a stream): Jetty notices a closed connection only when it writes, so a generation went on for
 * no one for minutes, holding its model's turn (90 s of 503 BUSY for others, issue 29). Read from the kernel's
 * table of TCP connections ({@code /proc/net/tcp}, then {@code tcp6}): the connection
 * from the client's port to ours is CLOSE_WAIT, or gone, once the client closed its end. Where there is no
 * such table (not Linux) the client is taken to be there.
 *
 * <p>Reading a table walks the kernel's whole hash of connections, however few there are: both tables took
 * 8.8 ms here (24 GiB, 262,144 buckets), and each waiting answer read them every 500 ms (1.8% of a core each;
 * a fifth of the daemon's samples in a profile of one 2,048-token generation). So a table is read at most every
 * {@value #EVERY_MS} ms for all the answers that wait at once, and {@code tcp6} only for a connection not in
 * {@code tcp}.
 */
public final class ClientConnection {

    static final long EVERY_MS = 500;
    private static final Path TCP = Path.of("/proc/net/tcp");
    private static final Path TCP6 = Path.of("/proc/net/tcp6");
    /** The kernel's TCP_ESTABLISHED, as the table writes states. */
    private static final String ESTABLISHED = "01";

    /** A reading of one table: each connection's state by "LOCALPORT REMOTEPORT" (hex, as the table has them). */
    private record Reading(long at, Map<String, String> states) {
    }

    private static final Object LOCK = new Object();
    private static Reading tcp;
    private static Reading tcp6;

    private ClientConnection() {
    }

    /** Whether the client of {@code ctx} has closed its connection (checked at most every {@value #EVERY_MS} ms). */
    public static BooleanSupplier gone(Context ctx) {
        int local = ctx.req().getLocalPort();
        int remote = ctx.req().getRemotePort();
        // The first look waits a period: a reading made before the request came cannot know its connection.
        long first = System.currentTimeMillis() + EVERY_MS;
        return new BooleanSupplier() {
            private long next = first;
            private boolean gone;

            @Override
            public boolean getAsBoolean() {
                long now = System.currentTimeMillis();
                if (!gone && now >= next) {
                    next = now + EVERY_MS;
                    gone = closed(local, remote, now - EVERY_MS);
                }
                return gone;
            }
        };
    }

    /**
     * Whether the connection from {@code remote} to {@code local} is no longer established, from a reading of
     * the table made after {@code notBefore} (ms); false when unknown.
     */
    static boolean closed(int local, int remote, long notBefore) {
        String key = String.format(Locale.ROOT, "%04X %04X", local, remote);
        boolean readable = false;
        for (boolean v6 : new boolean[] {false, true}) {
            Reading r = reading(v6, notBefore);
            if (r != null) {
                readable = true;
                String state = r.states().get(key);
                if (state != null) {
                    return !state.equals(ESTABLISHED);
                }
            }
        }
        return readable;
    }

    private static Reading reading(boolean v6, long notBefore) {
        synchronized (LOCK) {
            Reading r = v6 ? tcp6 : tcp;
            if (r == null || r.at() < notBefore) {
                r = read(v6 ? TCP6 : TCP);
                if (v6) {
                    tcp6 = r;
                } else {
                    tcp = r;
                }
            }
            return r;
        }
    }

    private static Reading read(Path table) {
        long at = System.currentTimeMillis();
        List<String> lines;
        try {
            lines = Files.readAllLines(table);
        } catch (IOException e) {
            return null;
        }
        Map<String, String> states = new HashMap<>();
        for (String line : lines) {
            // "  sl  local_address rem_address   st ...": "0: 0100007F:9994 0100007F:D1E2 01 ..."
            String[] f = line.trim().split("\\s+");
            if (f.length > 3 && f[1].indexOf(':') > 0 && f[2].indexOf(':') > 0) {
                states.put(f[1].substring(f[1].lastIndexOf(':') + 1) + " " + f[2].substring(f[2].lastIndexOf(':') + 1),
                        f[3]);
            }
        }
        return new Reading(at, states);
    }
}
