package io.modeld.api.ollama;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.http.Context;
import io.modeld.ModeldException;
import io.modeld.catalog.ModelRecord;
import io.modeld.catalog.OllamaNames;
import io.modeld.download.DownloadProgress;
import io.modeld.download.DownloadStatus;
import io.modeld.download.Pushes;
import io.modeld.inference.Inference;
import io.modeld.api.Bodies;
import io.modeld.api.Fields;

/**
 * Ollama's {@code /api/push}: the model goes to the registry its name names (as Ollama's does, so
 * {@code host/namespace/model:tag}; a name without a host goes to Ollama's registry). Lines:
 * {@code retrieving manifest}, {@code pushing <12hex>} with digest, total and completed,
 * {@code pushing manifest}, {@code success}.
 */
final class OllamaPush {

    private final Pushes pushes;
    private final Inference inference;

    OllamaPush(Pushes pushes, Inference inference) {
        this.pushes = pushes;
        this.inference = inference;
    }

    void push(Context ctx) throws InterruptedException {
        JsonNode body = Bodies.json(ctx);
        String name = OllamaRequest.model(body);
        if (!OllamaNames.valid(name)) {
            throw ModeldException.invalid("invalid model name");
        }
        ModelRecord r = inference.model(name);
        String target = "ollama://" + OllamaNames.withTag(name.strip());
        OllamaLines lines = new OllamaLines(ctx, Fields.bool(body, "stream", true));
        lines.emit(OllamaLines.status("retrieving manifest"));
        if (!lines.start(() -> pushes.start(r.id(), target))) {
            return;
        }
        // The blob being pushed; the last line of a push that ended names the last one seen (else the weights).
        String[] blob = {r.file() != null && r.file().sha256() != null ? "sha256:" + r.file().sha256() : null};
        DownloadProgress last = lines.follow(f -> pushes.follow(r.id(), f), p -> {
            String now = pushes.blob(r.id());
            if (now != null && !p.terminal()) {
                blob[0] = now;
            }
            if (p.terminal() && (p.status() != DownloadStatus.COMPLETED || blob[0] == null)) {
                return null;
            }
            String digest = p.terminal() ? blob[0] : now;
            ObjectNode line = OllamaLines.status(digest == null ? "pushing" : "pushing " + digest.substring(7, 19));
            if (digest != null) {
                line.put("digest", digest);
            }
            if (p.total() > 0) {
                line.put("total", p.total()).put("completed", p.downloaded());
            }
            return line;
        });
        if (last == null) {
            return;   // the client left; the push goes on
        }
        if (last.status() != DownloadStatus.COMPLETED) {
            lines.fail(ModeldException.Kind.UNAVAILABLE, last.error() == null ? "push failed" : last.error());
            return;
        }
        lines.succeed("pushing manifest");
    }
}
