package io.modeld.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.modeld.Json;
import io.modeld.ModeldException;
import io.modeld.catalog.ModelRecord;
import io.modeld.catalog.ModelService;
import io.modeld.catalog.ModelSpec;
import io.modeld.catalog.OllamaNames;
import io.modeld.download.DownloadProgress;
import io.modeld.download.DownloadStatus;
import io.modeld.download.Downloads;
import io.modeld.download.Pushes;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Ollama's {@code /api/pull}: a model modeld knows (by Ollama name, unique name or id) downloads
 * through the download engine, parallel, resumable and verified, and the pull streams Ollama's lines:
 * {@code pulling manifest}, {@code pulling <digest>} with total and completed about every 100 ms,
 * {@code verifying sha256 digest}, {@code writing manifest}, {@code success}. Clients pulling one model
 * share its download, and one that leaves does not cancel it. {@code stream: false} answers once, at
 * the end. A name modeld does not know is pulled from its registry ({@code ollama://}), as Ollama does.
 */
final class OllamaPull {

    private static final long LINE_EVERY_MS = 100;

    private final ModelService models;
    private final Downloads downloads;
    private final Pushes pushes;
    private final OllamaRoutes ollama;

    OllamaPull(ModelService models, Downloads downloads, Pushes pushes, OllamaRoutes ollama) {
        this.models = models;
        this.downloads = downloads;
        this.pushes = pushes;
        this.ollama = ollama;
    }

    void register(RoutesConfig routes) {
        routes.post("/api/pull", this::pull);
        routes.post("/api/push", this::push);
    }

    /**
     * Ollama's {@code /api/push}: the model goes to the registry its name names (as Ollama's does, so
     * {@code host/namespace/model:tag}; a name without a host goes to Ollama's registry). Lines:
     * {@code retrieving manifest}, {@code pushing <12hex>} with digest, total and completed,
     * {@code pushing manifest}, {@code success}.
     */
    private void push(Context ctx) throws InterruptedException {
        JsonNode body = Bodies.json(ctx);
        String name = OllamaRequest.model(body);
        if (!OllamaNames.valid(name)) {
            throw ModeldException.invalid("invalid model name");
        }
        ModelRecord r = ollama.resolve(name);
        String target = "ollama://" + OllamaNames.withTag(name.strip());
        boolean stream = Fields.bool(body, "stream", true);
        Ndjson lines = stream ? new Ndjson(ctx) : null;
        emit(lines, status("retrieving manifest"));
        try {
            pushes.start(r.id(), target);
        } catch (ModeldException e) {
            if (lines == null) {
                throw e;
            }
            lines.error(e.getMessage());
            return;
        }
        BlockingQueue<DownloadProgress> frames = new LinkedBlockingQueue<>();
        DownloadProgress last;
        try (AutoCloseable following = pushes.follow(r.id(), frames::add)) {
            while (true) {
                DownloadProgress p = frames.poll(LINE_EVERY_MS, TimeUnit.MILLISECONDS);
                if (p == null) {
                    continue;
                }
                last = p;
                if (p.terminal()) {
                    break;
                }
                String step = pushes.step(r.id());
                ObjectNode line = status(step == null ? "pushing" : step);
                if (step != null && step.startsWith("pushing ") && !step.equals("pushing manifest")) {
                    line.put("digest", "sha256:" + step.substring(8));
                }
                if (p.total() > 0) {
                    line.put("total", p.total()).put("completed", p.downloaded());
                }
                emit(lines, line);
            }
        } catch (InterruptedException e) {
            throw e;
        } catch (Exception e) {
            if (ErrorMapping.clientLeft(e)) {
                return;   // the push goes on
            }
            throw e instanceof RuntimeException re ? re : new IllegalStateException(e);
        }
        if (last.status() != DownloadStatus.COMPLETED) {
            String why = last.error() == null ? "push failed" : last.error();
            if (lines == null) {
                throw new ModeldException(ModeldException.Kind.UNAVAILABLE, why);
            }
            lines.error(why);
            return;
        }
        emit(lines, status("pushing manifest"));
        ObjectNode success = status("success");
        if (lines == null) {
            ctx.json(success);
        } else {
            lines.line(success);
        }
    }

    private void pull(Context ctx) throws InterruptedException {
        JsonNode body = Bodies.json(ctx);
        String name = OllamaRequest.model(body);
        if (!OllamaNames.valid(name) && !ModelSpec.UNIQUE_NAME.matcher(name).matches()) {
            throw ModeldException.invalid("invalid model name");
        }
        ModelRecord r;
        boolean made = false;
        try {
            r = ollama.resolve(name);
        } catch (ModeldException e) {
            if (!OllamaNames.valid(name)) {
                throw new ModeldException(ModeldException.Kind.NOT_FOUND, "pull model manifest: file does not exist");
            }
            // Not a model modeld knows: the name is a model in its registry, as for Ollama.
            r = models.createForPull(OllamaNames.normalize(name), "ollama://" + name.strip());
            made = !r.downloaded() && !downloads.downloading(r.id());
        }
        boolean stream = Fields.bool(body, "stream", true);
        Ndjson lines = stream ? new Ndjson(ctx) : null;
        String digest = "sha256:" + digestOf(r);
        String short12 = digest.substring(7, 19);
        emit(lines, status("pulling manifest"));
        if (!r.downloaded()) {
            try {
                downloads.start(r.id());
            } catch (ModeldException e) {
                if (lines == null) {
                    throw e;
                }
                lines.error(e.getMessage());
                return;
            }
        }
        BlockingQueue<DownloadProgress> frames = new LinkedBlockingQueue<>();
        DownloadProgress last;
        try (AutoCloseable following = downloads.follow(r.id(), frames::add)) {
            long lastLine = 0;
            while (true) {
                DownloadProgress p = frames.poll(LINE_EVERY_MS, TimeUnit.MILLISECONDS);
                if (p == null) {
                    continue;
                }
                last = p;
                boolean end = p.terminal();
                long now = System.currentTimeMillis();
                if (end || now - lastLine >= LINE_EVERY_MS) {
                    ObjectNode line = status("pulling " + short12).put("digest", digest);
                    if (p.total() > 0) {
                        line.put("total", p.total());
                    }
                    if (p.downloaded() > 0) {
                        line.put("completed", p.downloaded());
                    }
                    emit(lines, line);
                    lastLine = now;
                }
                if (end) {
                    break;
                }
            }
        } catch (InterruptedException e) {
            throw e;
        } catch (Exception e) {
            if (ErrorMapping.clientLeft(e)) {
                return;   // the download goes on
            }
            throw e instanceof RuntimeException re ? re : new IllegalStateException(e);
        }
        if (last.status() != DownloadStatus.COMPLETED) {
            String why = last.status() == DownloadStatus.CANCELED ? "the download was canceled"
                    : last.error() == null ? "the download failed" : last.error();
            if (made) {
                forget(r);   // as with Ollama, a pull that found nothing leaves nothing behind
                if (why.contains(" has no manifest ")) {
                    why = "pull model manifest: file does not exist";
                    if (lines == null) {
                        throw new ModeldException(ModeldException.Kind.NOT_FOUND, why);
                    }
                }
            }
            if (lines == null) {
                throw new ModeldException(ModeldException.Kind.UNAVAILABLE, why);
            }
            lines.error(why);
            return;
        }
        emit(lines, status("verifying sha256 digest"));
        emit(lines, status("writing manifest"));
        ObjectNode success = status("success");
        if (lines == null) {
            ctx.json(success);
        } else {
            lines.line(success);
        }
    }

    private void forget(ModelRecord r) {
        try {
            downloads.delete(r.id());
        } catch (ModeldException e) {
            // someone else is using it by now: it stays
        }
    }

    /** The digest a model's file has or will have: the verified one, the expected one, else one named after it. */
    private static String digestOf(ModelRecord r) {
        if (r.file() != null && r.file().sha256() != null) {
            return r.file().sha256();
        }
        if (r.spec().source() != null && r.spec().source().sha256() != null) {
            return r.spec().source().sha256();
        }
        return io.modeld.download.Digests.sha256Hex(r.id());
    }

    private static ObjectNode status(String status) {
        return Json.MAPPER.createObjectNode().put("status", status);
    }

    private static void emit(Ndjson lines, ObjectNode line) {
        if (lines != null) {
            lines.line(line);
        }
    }
}
