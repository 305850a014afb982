package io.modeld.api.openai;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.modeld.Json;
import io.modeld.ModeldException;
import io.modeld.api.Bodies;
import io.modeld.engine.SlotFiles;
import io.modeld.inference.Inference;
import io.modeld.runtime.ModelRunner;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Pattern;

/**
 * llama-server's slot API, for tools that save a conversation's KV state and put it back later:
 * {@code GET /slots} and {@code POST /slots/{id}?action=save|restore|erase} (a {@code filename} in the body for
 * save and restore), in llama-server's shapes, with {@code ?model=} (a daemon of many models; without it, the one
 * chat model loaded). Files live in the data dir's {@code slots/} folder only: a name is a plain file name
 * (letters, digits, {@code . _ -}, not beginning with a dot), never a path. A saved file is the prompt cache's
 * format, so a restore checks that it is whole and of the same model file and settings. Behind the API key, as
 * every route.
 */
public final class SlotRoutes {

    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_-][A-Za-z0-9._-]{0,127}");

    private final Inference inference;
    private final Path folder;

    public SlotRoutes(Inference inference, Path folder) {
        this.inference = inference;
        this.folder = folder;
    }

    public void register(RoutesConfig routes) {
        routes.get("/slots", ctx -> {
            ModelRunner.Slots s = inference.slots(ctx.queryParam("model"), "list", 0, null);
            ArrayNode out = Json.MAPPER.createArrayNode();
            for (SlotFiles.SlotState slot : s.slots()) {
                out.addObject().put("id", slot.id()).put("n_ctx", slot.context()).put("is_processing", slot.busy())
                        .put("n_past", slot.cachedTokens());
            }
            ctx.json(out);
        });
        routes.post("/slots/{id}", this::act);
    }

    private void act(Context ctx) {
        int id;
        try {
            id = Integer.parseInt(ctx.pathParam("id"));
        } catch (NumberFormatException e) {
            throw ModeldException.invalid("the slot id must be a whole number, not '" + ctx.pathParam("id") + "'");
        }
        String action = ctx.queryParam("action");
        String model = ctx.queryParam("model");
        ObjectNode out = Json.MAPPER.createObjectNode().put("id_slot", id);
        long started = System.nanoTime();
        if ("erase".equals(action)) {
            ModelRunner.Slots s = inference.slots(model, "erase", id, null);
            ctx.json(out.put("n_erased", s.tokens()));
            return;
        }
        if (!"save".equals(action) && !"restore".equals(action)) {
            throw ModeldException.invalid("action: save, restore or erase, not '" + action + "'");
        }
        String name = filename(ctx);
        Path file = folder.resolve(name);
        if ("save".equals(action)) {
            try {
                Files.createDirectories(folder);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot create " + folder, e);
            }
        }
        ModelRunner.Slots s = inference.slots(model, action, id, file);
        double ms = (System.nanoTime() - started) / 1e6;
        out.put("filename", name);
        if ("save".equals(action)) {
            out.put("n_saved", s.tokens()).put("n_written", s.bytes());
            out.putObject("timings").put("save_ms", ms);
        } else {
            out.put("n_restored", s.tokens()).put("n_read", s.bytes());
            out.putObject("timings").put("restore_ms", ms);
        }
        ctx.json(out);
    }

    private static String filename(Context ctx) {
        JsonNode body = Bodies.json(ctx);
        JsonNode name = body.get("filename");
        if (name == null || !name.isTextual() || !NAME.matcher(name.asText()).matches()) {
            throw ModeldException.invalid("filename: required, a plain file name (letters, digits, '.', '_' and '-', "
                    + "at most 128, not beginning with a dot); it is kept in the data dir's slots folder");
        }
        return name.asText();
    }
}
