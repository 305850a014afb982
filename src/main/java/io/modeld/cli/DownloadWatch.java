package io.modeld.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.modeld.Json;
import java.io.PrintStream;
import java.net.http.WebSocket;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/** Follows one model's download on its progress WebSocket with a progress bar: bytes, speed, ETA. */
final class DownloadWatch implements WebSocket.Listener {

    private static final List<String> TERMINAL = List.of("COMPLETED", "FAILED", "CANCELED");

    private final BlockingQueue<JsonNode> frames = new LinkedBlockingQueue<>();
    private final StringBuilder partial = new StringBuilder();

    /** Shows the bar until the download ends; returns its terminal frame. */
    static JsonNode follow(DaemonClient client, String id, String label, PrintStream bars) {
        DownloadWatch watch = new DownloadWatch();
        WebSocket ws = client.progress(id, watch).join();
        try (ProgressBar bar = new ProgressBarBuilder().setTaskName(label).setInitialMax(1).setUnit(" MB", 1_000_000)
                .showSpeed().setStyle(ProgressBarStyle.ASCII).setMaxRenderedLength(100)
                .setConsumer(new ConsoleProgressBarConsumer(bars)).build()) {
            while (true) {
                JsonNode f = watch.frames.poll(30, TimeUnit.MINUTES);
                if (f == null) {
                    throw new CliException(ExitCodes.FAILURE, label + ": no progress for 30 minutes");
                }
                long total = f.path("bytes").path("total").asLong(-1);
                if (total > 0) {
                    bar.maxHint(total);
                    bar.stepTo(f.path("bytes").path("downloaded").asLong());
                }
                String status = f.path("status").asText();
                bar.setExtraMessage(status.equals("IN-PROGRESS") ? "" : status.toLowerCase());
                if (TERMINAL.contains(status)) {
                    return f;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CliException(ExitCodes.FAILURE, "interrupted");
        } finally {
            ws.abort();
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
