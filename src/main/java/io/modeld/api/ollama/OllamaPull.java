package io.modeld.api.ollama;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.modeld.ModeldException;
import io.modeld.catalog.ModelRecord;
import io.modeld.catalog.ModelSpec;
import io.modeld.catalog.OllamaNames;
import io.modeld.download.DownloadProgress;
import io.modeld.download.DownloadStatus;
import io.modeld.download.Downloads;
import io.modeld.download.Pulls;
import io.modeld.download.Pushes;
import io.modeld.inference.Inference;
import io.modeld.api.Bodies;
import io.modeld.api.Fields;

/**
 * Ollama's {@code /api/pull}: a model modeld knows (by Ollama name, unique name or id) downloads
 * through the download engine, parallel, resumable and verified, and the pull streams Ollama's lines:
 * {@code pulling manifest}, {@code pulling <digest>} with total and completed about every 100 ms,
 * {@code verifying sha256 digest}, {@code writing manifest}, {@code success}. Clients pulling one model
 * share its download, and one that leaves does not cancel it. {@code stream: false} answers once, at
 * the end. A name modeld does not know is pulled from its registry ({@code ollama://}), as Ollama does.
 */
final class OllamaPull {

    private final Downloads downloads;
    private final Pulls pulls;
    private final Pushes pushes;
    private final Inference inference;

    OllamaPull(Downloads downloads, Pulls pulls, Pushes pushes, Inference inference) {
        this.downloads = downloads;
        this.pulls = pulls;
        this.pushes = pushes;
        this.inference = inference;
    }

    void register(RoutesConfig routes) {
        routes.post("/api/pull", this::pull);
        routes.post("/api/push", new OllamaPush(pushes, inference)::push);
    }

    private void pull(Context ctx) throws InterruptedException {
        JsonNode body = Bodies.json(ctx);
        String name = OllamaRequest.model(body);
        if (!OllamaNames.valid(name) && !ModelSpec.UNIQUE_NAME.matcher(name).matches()) {
            throw ModeldException.invalid("invalid model name");
        }
        OllamaLines lines = new OllamaLines(ctx, Fields.bool(body, "stream", true));
        lines.emit(OllamaLines.status("pulling manifest"));
        Pulls.Pull[] started = new Pulls.Pull[1];
        if (!lines.start(() -> started[0] = pullOrNotFound(name))) {
            return;
        }
        ModelRecord r = started[0].model();
        boolean made = started[0].made();
        String digest = "sha256:" + digestOf(r);
        String short12 = digest.substring(7, 19);
        ModelRecord model = r;
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
                if (last.missing()) {
                    why = "pull model manifest: file does not exist";
                    kind = ModeldException.Kind.NOT_FOUND;
                }
            }
            lines.fail(kind, why);
            return;
        }
        lines.succeed("verifying sha256 digest", "writing manifest");
    }

    /** The pull of {@code name}; a name that is nothing modeld knows nor can look up is Ollama's 404. */
    private Pulls.Pull pullOrNotFound(String name) {
        try {
            return pulls.pull(name);
        } catch (ModeldException e) {
            if (e.kind() == ModeldException.Kind.INVALID) {
                throw new ModeldException(ModeldException.Kind.NOT_FOUND, "pull model manifest: file does not exist");
            }
            throw e;
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

}
