package io.modeld.api;

import io.javalin.http.Context;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.function.BooleanSupplier;

/**
 * Whether a request's client is still connected, for answers that write nothing until the end (a JSON
 * answer, not a stream): Jetty notices a closed connection only when it writes, so a generation went on for
 * no one for minutes, holding its model's turn (90 s of 503 BUSY for others, issue 29). Read from the kernel's
 * table of TCP connections ({@code /proc/net/tcp} and {@code tcp6}): the connection from the client's port to
 * ours is CLOSE_WAIT, or gone, once the client closed its end. Looked up at most every {@value #EVERY_MS} ms;
 * where there is no such table (not Linux) the client is taken to be there.
 */
public final class ClientConnection {

    static final long EVERY_MS = 500;
    private static final List<Path> TABLES = List.of(Path.of("/proc/net/tcp"), Path.of("/proc/net/tcp6"));
    /** The kernel's TCP_ESTABLISHED, as the table writes states. */
    private static final String ESTABLISHED = "01";

    private ClientConnection() {
    }

    /** Whether the client of {@code ctx} has closed its connection (checked at most every {@value #EVERY_MS} ms). */
    public static BooleanSupplier gone(Context ctx) {
        int local = ctx.req().getLocalPort();
        int remote = ctx.req().getRemotePort();
        return new BooleanSupplier() {
            private long next;
            private boolean gone;

            @Override
            public boolean getAsBoolean() {
                long now = System.currentTimeMillis();
                if (!gone && now >= next) {
                    next = now + EVERY_MS;
                    gone = closed(local, remote);
                }
                return gone;
            }
        };
    }

    /** Whether the connection from {@code remote} to {@code local} is no longer established; false when unknown. */
    static boolean closed(int local, int remote) {
        String ours = String.format(Locale.ROOT, ":%04X ", local);
        String theirs = String.format(Locale.ROOT, ":%04X ", remote);
        boolean readable = false;
        for (Path table : TABLES) {
            List<String> lines;
            try {
                lines = Files.readAllLines(table);
            } catch (IOException e) {
                continue;
            }
            readable = true;
            for (String line : lines) {
                // "  sl  local_address rem_address   st ...": "0: 0100007F:9994 0100007F:D1E2 01 ..."
                String[] f = line.trim().split("\\s+");
                if (f.length > 3 && (f[1] + " ").endsWith(ours) && (f[2] + " ").endsWith(theirs)) {
                    return !f[3].equals(ESTABLISHED);
                }
            }
        }
        return readable;
    }
}
