package io.modeld.download;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.modeld.Json;
import io.modeld.ModeldException;
import io.modeld.catalog.ModelRecord;
import io.modeld.catalog.ModelService;
import io.modeld.catalog.OllamaNames;

/**
 * A pull by any name, for every door that takes one (Ollama's {@code /api/pull}, the dashboard's Pull,
 * {@code POST /models/pull}): a model modeld has (id, unique name, Ollama name) downloads; a source URL
 * ({@code hf://}, {@code oci://}, {@code https://}, ...) becomes a custom model named after it, unless one
 * has that source already; any other Ollama name is a model in its registry ({@code ollama://}), as
 * Ollama pulls it.
 */
public final class Pulls {

    private final ModelService models;
    private final Downloads downloads;

    public Pulls(ModelService models, Downloads downloads) {
        this.models = models;
        this.downloads = downloads;
    }

    /** The model pulled, and whether this pull made it (a pull that finds nothing may then forget it). */
    public record Pull(ModelRecord model, boolean made) {
    }

    /** Starts (or joins) the download of the model {@code name} names; a downloaded one is returned as it is. */
    public Pull pull(String name) {
        String n = name.strip();
        if (n.contains("://")) {
            ModelRecord existing = models.list().stream().filter(r -> r.spec().source() != null
                    && r.spec().source().url().equals(n)).findFirst().orElse(null);
            boolean made = existing == null;
            if (made) {
                ObjectNode seeded = Json.MAPPER.createObjectNode().put("name", nameOf(n));
                seeded.putObject("source").put("url", n);
                existing = models.create(seeded);
            }
            return new Pull(downloads.start(existing.id()), made);
        }
        ModelRecord known = null;
        try {
            known = models.get(n);
        } catch (ModeldException e) {
            if (e.kind() != ModeldException.Kind.UNKNOWN_MODEL && e.kind() != ModeldException.Kind.INVALID) {
                throw e;
            }
        }
        if (known != null) {
            return new Pull(downloads.start(known.id()), false);
        }
        if (!OllamaNames.valid(n)) {
            throw ModeldException.invalid("name: '" + n + "' is neither a model modeld knows, a source URL, nor an "
                    + "Ollama name");
        }
        ModelRecord r = models.createForPull(OllamaNames.normalize(n), "ollama://" + n);
        boolean made = !r.downloaded() && !downloads.downloading(r.id());
        return new Pull(downloads.start(r.id()), made);
    }

    /** A display name for a model made from a source: its file's name, or the reference. */
    private static String nameOf(String url) {
        String tail = url.replaceFirst("[?#].*$", "");
        tail = tail.substring(tail.lastIndexOf('/') + 1);
        return tail.isBlank() ? url : tail;
    }
}
