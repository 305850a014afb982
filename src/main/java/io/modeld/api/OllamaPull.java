package io.modeld.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.modeld.ModeldException;
import io.modeld.catalog.ModelRecord;
import io.modeld.catalog.ModelService;
import io.modeld.catalog.ModelSpec;
import io.modeld.catalog.OllamaNames;
import io.modeld.download.DownloadProgress;
import io.modeld.download.DownloadStatus;
import io.modeld.download.Downloads;
import io.modeld.download.Pushes;

/**
 * Ollama's {@code /api/pull}: a model modeld knows (by Ollama name, unique name or id) downloads
 * through the download engine, parallel, resumable and verified, and the pull streams Ollama's lines:
 * {@code pulling manifest}, {@code pulling <digest>} with total and completed about every 100 ms,
 * {@code verifying sha256 digest}, {@code writing manifest}, {@code success}. Clients pulling one model
 * share its download, and one that leaves does not cancel it. {@code stream: false} answers once, at
 * the end. A name modeld does not know is pulled from its registry ({@code ollama://}), as Ollama does.
 */
final class OllamaPull {

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
        routes.post("/api/push", new OllamaPush(pushes, ollama)::push);
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
        OllamaLines lines = new OllamaLines(ctx, Fields.bool(body, "stream", true));
        String digest = "sha256:" + digestOf(r);
        String short12 = digest.substring(7, 19);
        lines.emit(OllamaLines.status("pulling manifest"));
        ModelRecord model = r;
        if (!r.downloaded() && !lines.start(() -> downloads.start(model.id()))) {
            return;
        }
        DownloadProgress last = lines.follow(f -> downloads.follow(model.id(), f), p -> {
            ObjectNode line = OllamaLines.status("pulling " + short12).put("digest", digest);
            if (p.total() > 0) {
                line.put("total", p.total());
            }
            if (p.downloaded() > 0) {
                line.put("completed", p.downloaded());
            }
            return line;
        });
        if (last == null) {
            return;   // the client left; the download goes on
        }
        if (last.status() != DownloadStatus.COMPLETED) {
            String why = last.status() == DownloadStatus.CANCELED ? "the download was canceled"
                    : last.error() == null ? "the download failed" : last.error();
            ModeldException.Kind kind = ModeldException.Kind.UNAVAILABLE;
            if (made) {
                forget(r);   // as with Ollama, a pull that found nothing leaves nothing behind
                if (why.contains(" has no manifest ")) {
                    why = "pull model manifest: file does not exist";
                    kind = ModeldException.Kind.NOT_FOUND;
                }
            }
            lines.fail(kind, why);
            return;
        }
        lines.succeed("verifying sha256 digest", "writing manifest");
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

}
