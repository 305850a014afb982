package io.modeld.api.ollama;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.http.Context;
import io.modeld.Json;
import io.modeld.ModeldException;
import io.modeld.download.DownloadProgress;
import io.modeld.api.ErrorMapping;
import io.modeld.api.ErrorStyle;
import io.modeld.api.Ndjson;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * Ollama's progress lines for a job modeld runs (a pull, a push): {@code {"status": ...}} lines streamed
 * as NDJSON, or, with {@code stream: false}, one answer at the end. The job goes on when its client
 * leaves; others may follow the same job.
 */
final class OllamaLines {

    static final long LINE_EVERY_MS = 100;

    private final Context ctx;
    private final Ndjson lines;

    OllamaLines(Context ctx, boolean stream) {
        this.ctx = ctx;
        this.lines = stream ? new Ndjson(ctx) : null;
    }

    static ObjectNode status(String status) {
        return Json.MAPPER.createObjectNode().put("status", status);
    }

    void emit(ObjectNode line) {
        if (lines != null) {
            lines.line(line);
        }
    }

    /** Starts the job; a refusal is the error line when streaming (false), else thrown. */
    boolean start(Runnable start) {
        try {
            start.run();
            return true;
        } catch (ModeldException e) {
            if (lines == null) {
                throw e;
            }
            lines.error(ErrorStyle.OLLAMA.describe(e));
            return false;
        }
    }

    /**
     * Follows the job's frames until the terminal one, writing {@code lineOf} a frame at most every
     * {@value #LINE_EVERY_MS} ms and for the last; returns the terminal frame, or null when the client left.
     */
    DownloadProgress follow(Function<Consumer<DownloadProgress>, AutoCloseable> subscribe,
                            Function<DownloadProgress, ObjectNode> lineOf) throws InterruptedException {
        BlockingQueue<DownloadProgress> frames = new LinkedBlockingQueue<>();
        try (AutoCloseable following = subscribe.apply(frames::add)) {
            long lastLine = 0;
            while (true) {
                DownloadProgress p = frames.poll(LINE_EVERY_MS, TimeUnit.MILLISECONDS);
                if (p == null) {
                    continue;
                }
                long now = System.currentTimeMillis();
                if (p.terminal() || now - lastLine >= LINE_EVERY_MS) {
                    ObjectNode line = lineOf.apply(p);
                    if (line != null) {
                        emit(line);
                    }
                    lastLine = now;
                }
                if (p.terminal()) {
                    return p;
                }
            }
        } catch (InterruptedException e) {
            throw e;
        } catch (Exception e) {
            if (ErrorMapping.clientLeft(e)) {
                return null;   // the job goes on
            }
            throw e instanceof RuntimeException re ? re : new IllegalStateException(e);
        }
    }

    /** The job failed: the error line, or (not streaming) the error of that kind. */
    void fail(ModeldException.Kind kind, String why) {
        if (lines == null) {
            throw new ModeldException(kind, why);
        }
        lines.error(why);
    }

    /** The job is done: these status lines, then success. */
    void succeed(String... statuses) {
        for (String s : statuses) {
            emit(status(s));
        }
        ObjectNode success = status("success");
        if (lines == null) {
            ctx.json(success);
        } else {
            lines.line(success);
        }
    }
}
