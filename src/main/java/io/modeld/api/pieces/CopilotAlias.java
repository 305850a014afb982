package io.modeld.api.pieces;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.modeld.Json;
import io.modeld.api.ModelViews;
import io.modeld.catalog.ModelRecord;
import io.modeld.copilot.CopilotModel;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * The Model JSON of the {@value CopilotModel#ALIAS_NAME} alias ({@link CopilotModel} says why it exists):
 * its target's own view (downloaded, loaded, size and RAM are the target's) under the alias's id and name,
 * with a description naming the target and {@code alias}, modeld's extension, holding the target's id.
 */
final class CopilotAlias {

    private final CopilotModel copilotModel;
    private final ModelViews views;

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

    /** Models JSON with the alias after the models (unchanged when there is no alias). */
    byte[] appendTo(byte[] models) {
        ObjectNode alias = view();
        if (alias == null) {
            return models;
        }
        String list = new String(models, StandardCharsets.UTF_8);
        int end = list.lastIndexOf("]}");
        String sep = list.charAt(end - 1) == '[' ? "" : ",";
        return (list.substring(0, end) + sep + alias + list.substring(end)).getBytes(StandardCharsets.UTF_8);
    }
}
