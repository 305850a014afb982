package io.modeld.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.modeld.Json;
import io.modeld.download.DownloadStatus;
import java.io.PrintStream;
import java.net.http.WebSocket;
import java.util.Locale;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * Follows one model's download on its progress WebSocket. In a terminal it draws a progress bar
 * (bytes, speed, ETA); elsewhere (a pipe, a log) it prints a plain line at every tenth of the way, so
 * a log gets a few readable lines rather than a bar redrawn with carriage returns.
 */
final class DownloadWatch implements WebSocket.Listener {

    private static final long POLL_MS = 200;
    private static final long SILENCE_LIMIT_MS = TimeUnit.MINUTES.toMillis(30);

    private final BlockingQueue<JsonNode> frames = new LinkedBlockingQueue<>();
    private final StringBuilder partial = new StringBuilder();

    /**
     * Shows the download until it ends and returns its terminal frame, or null when Ctrl-C was pressed
     * (the bar is closed by then, so the caller may ask its question).
     */
    static JsonNode follow(DaemonClient client, String id, String label, PrintStream out) {
        return followSocket(client, "/model/" + id + "/download/progress", label, out);
    }

    /** The same for any WebSocket of progress frames (a push's). */
    static JsonNode followSocket(DaemonClient client, String path, String label, PrintStream out) {
        DownloadWatch watch = new DownloadWatch();
        WebSocket ws = client.socket(path, watch).join();
        try {
            return System.console() != null ? watch.withBar(label, out) : watch.withLines(label, out);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CliException(ExitCodes.FAILURE, "interrupted");
        } finally {
            ws.abort();
        }
    }

    private JsonNode withBar(String label, PrintStream out) throws InterruptedException {
        try (ProgressBar bar = new ProgressBarBuilder().setTaskName(label).setInitialMax(1).setUnit(" MB", 1_000_000)
                .showSpeed().setStyle(ProgressBarStyle.ASCII).setMaxRenderedLength(110)
                .setConsumer(new ConsoleProgressBarConsumer(out)).build()) {
            Interrupts.arm();
            while (true) {
                JsonNode f = next();
                if (f == null) {
                    return null;
                }
                long total = f.path("bytes").path("total").asLong(-1);
                if (total > 0) {
                    bar.maxHint(total);
                    bar.stepTo(f.path("bytes").path("downloaded").asLong());
                }
                DownloadStatus status = DownloadStatus.fromWire(f.path("status").asText());
                bar.setExtraMessage(status == DownloadStatus.IN_PROGRESS ? "" : " · " + status.wire().toLowerCase(Locale.ROOT));
                if (status.terminal()) {
                    return f;
                }
            }
        }
    }

    private JsonNode withLines(String label, PrintStream out) throws InterruptedException {
        int lastTenth = -1;
        while (true) {
            JsonNode f = next();
            if (f == null) {
                return null;
            }
            DownloadStatus status = DownloadStatus.fromWire(f.path("status").asText());
            int tenth = (int) (f.path("percentage").asDouble() / 10);
            if (status == DownloadStatus.IN_PROGRESS && tenth > lastTenth) {
                lastTenth = tenth;
                long speed = f.path("bytesPerSecond").asLong();
                out.println(label + ": " + tenth * 10 + "% of " + ClientCommand.readable(f.path("bytes").path("total").asLong())
                        + (speed > 0 ? ", " + ClientCommand.readable(speed) + "/s" : ""));
            }
            if (status.terminal()) {
                return f;
            }
        }
    }

    /** The next frame, or null once Ctrl-C was pressed. */
    private JsonNode next() throws InterruptedException {
        long silent = 0;
        while (true) {
            if (Interrupts.pressed()) {
                return null;
            }
            JsonNode f = frames.poll(POLL_MS, TimeUnit.MILLISECONDS);
            if (f != null) {
                return f;
            }
            silent += POLL_MS;
            if (silent >= SILENCE_LIMIT_MS) {
                throw new CliException(ExitCodes.FAILURE, "no progress for 30 minutes");
            }
        }
    }

    @Override
    public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
        partial.append(data);
        if (last) {
            try {
                frames.add(Json.MAPPER.readTree(partial.toString()));
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                // Not a frame we understand; the next one will tell.
            }
            partial.setLength(0);
        }
        ws.request(1);
        return null;
    }
}
