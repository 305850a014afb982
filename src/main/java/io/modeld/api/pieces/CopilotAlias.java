package io.modeld.api.pieces;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.modeld.Json;
import io.modeld.api.ModelViews;
import io.modeld.catalog.ModelRecord;
import io.modeld.copilot.CopilotModel;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * The Model JSON of the {@value CopilotModel#ALIAS_NAME} alias ({@link CopilotModel} says why it exists):
 * its target's own view (downloaded, loaded, size and RAM are the target's) under the alias's id and name,
 * with a description naming the target and {@code alias}, modeld's extension, holding the target's id.
 */
final class CopilotAlias {

    private final CopilotModel copilotModel;
    private final ModelViews views;
    private volatile Appended appended;

    CopilotAlias(CopilotModel copilotModel, ModelViews views) {
        this.copilotModel = copilotModel;
        this.views = views;
    }

    /** The id of the model the alias stands for, or null when there is none. */
    String targetId() {
        ModelRecord target = copilotModel.target();
        return target == null ? null : target.id();
    }

    /** The alias's Model, or null when there is no chat model for it to stand for. */
    ObjectNode view() {
        ModelRecord target = copilotModel.target();
        if (target == null) {
            return null;
        }
        ObjectNode n;
        try {
            n = (ObjectNode) Json.MAPPER.readTree(views.json(target));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        String named = target.spec().name() + (target.spec().unique() == null ? "" : " (" + target.spec().unique() + ")");
        n.put("id", CopilotModel.ALIAS_ID).put("name", CopilotModel.ALIAS_NAME).put("cloud", false).put("custom", false)
                .put("description", "An alias of " + named + ", a local model: modeld runs no cloud model. The Pieces "
                        + "SDKs' client selects this name when it starts; questions to it are answered by "
                        + target.spec().name() + (copilotModel.chosen() == null
                        ? " (the first downloaded chat model; the copilotModel setting picks another)."
                        : " (the copilotModel setting)."))
                .put("alias", target.id());
        n.remove("unique");
        n.remove("ollama");
        n.remove("source");
        n.remove("library");
        return n;
    }

    /**
     * Models JSON with the alias after the models (unchanged when there is no alias). The Pieces SDKs poll
     * the list; the answer is kept while the list's bytes and the alias's target view are the same
     * instances ({@link ModelViews} keeps both while nothing changes), so a poll copies nothing.
     */
    byte[] appendTo(byte[] models) {
        ModelRecord target = copilotModel.target();
        if (target == null) {
            return models;
        }
        byte[] targetView = views.json(target);
        String chosen = copilotModel.chosen();
        Appended last = appended;
        if (last != null && last.models() == models && last.targetView() == targetView
                && Objects.equals(last.chosen(), chosen)) {
            return last.json();
        }
        byte[] alias = view().toString().getBytes(StandardCharsets.UTF_8);
        int end = models.length - 2; // before the closing "]}"
        boolean empty = models[end - 1] == '[';
        ByteArrayOutputStream out = new ByteArrayOutputStream(models.length + alias.length + 1);
        out.write(models, 0, end);
        if (!empty) {
            out.write(',');
        }
        out.writeBytes(alias);
        out.write(models, end, 2);
        byte[] json = out.toByteArray();
        appended = new Appended(models, targetView, chosen, json);
        return json;
    }

    private record Appended(byte[] models, byte[] targetView, String chosen, byte[] json) {
    }
}
