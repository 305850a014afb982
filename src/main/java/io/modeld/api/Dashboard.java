package io.modeld.api;

import io.javalin.http.Context;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.regex.Pattern;

/**
 * The dashboard: its page at {@code /} for browsers, which ask for HTML (other clients get the Ollama
 * answer), and its files at {@code /web/...}, read from the jar.
 *
 * <p>The files are served by this small route rather than Javalin's static-file handler: that handler
 * opens the jar as a file system and indexes it when the server starts, 0.15–0.2 s of the daemon's start
 * on the 2-core test machine (five starts of each, interleaved), for a dozen files.
 */
final class Dashboard {

    /** Names of the dashboard's files: no "..", no hidden names, nothing but what the jar's web folder holds. */
    private static final Pattern FILE = Pattern.compile("([a-z0-9_-]+/)*[a-z0-9_-]+\\.[a-z]+");

    private Dashboard() {
    }

    /** Whether the request comes from a browser navigating to the page. */
    static boolean wantsPage(Context ctx) {
        String accept = ctx.header("Accept");
        return accept != null && accept.contains("text/html");
    }

    /** {@code GET /web/<file>}: one of the dashboard's files, or 404. */
    static void file(Context ctx) {
        String name = ctx.pathParam("file");
        byte[] bytes = FILE.matcher(name).matches() ? read("/web/" + name) : null;
        if (bytes == null) {
            ctx.status(404).contentType("text/plain; charset=utf-8").result("no such file: /web/" + name);
            return;
        }
        ctx.contentType(type(name)).header("Cache-Control", "no-cache").result(bytes);
    }

    private static byte[] read(String resource) {
        try (InputStream in = Dashboard.class.getResourceAsStream(resource)) {
            return in == null ? null : in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String type(String name) {
        String ext = name.substring(name.lastIndexOf('.') + 1);
        return switch (ext) {
            case "html" -> "text/html; charset=utf-8";
            case "css" -> "text/css; charset=utf-8";
            case "js" -> "text/javascript; charset=utf-8";
            case "json" -> "application/json";
            case "svg" -> "image/svg+xml";
            case "png" -> "image/png";
            default -> "application/octet-stream";
        };
    }
}
