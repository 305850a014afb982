package io.modeld.api.workbench;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.modeld.Json;
import io.modeld.catalog.ModelRecord;
import io.modeld.catalog.ModelRoles;
import io.modeld.catalog.ModelService;
import io.modeld.catalog.OllamaNames;
import io.modeld.download.Downloads;
import io.modeld.gguf.GgufFile;
import io.modeld.gguf.GgufFormatException;
import io.modeld.gguf.GgufHeaders;
import io.modeld.gguf.GgufReader;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code GET /model/{model}/details} (extension): everything modeld knows about a model, for the
 * dashboard's model page: its spec, where its files lie (the store or a library root), SHA-256 and
 * the version at its source, role, Ollama name and Modelfile, the GGUF header (architecture, context,
 * quantization, parameters, tensors, chat template, every scalar metadata key) and its last download.
 */
final class ModelDetails {

    private static final int MAX_VALUE = 2048;
    /** Metadata keys shown; real models have about 50 (the reader refuses more than a few thousand). */
    private static final int MAX_KEYS = 1024;
    private static final int MAX_TEMPLATE = 64 << 10;

    private ModelDetails() {
    }

    static ObjectNode of(ModelRecord r, ModelService models, Downloads downloads) {
        ObjectNode out = Json.MAPPER.createObjectNode().put("id", r.id()).put("name", r.spec().name())
                .put("unique", r.spec().unique()).put("ollama", OllamaNames.of(r)).put("role", ModelRoles.of(r.spec()).wire())
                .put("custom", r.custom()).put("catalog", models.inCatalog(r.id())).put("downloaded", r.downloaded());
        out.set("spec", Json.MAPPER.valueToTree(r.spec()));
        if (r.failure() != null) {
            out.put("failure", r.failure());
        }
        if (r.downloaded()) {
            ObjectNode file = out.putObject("file").put("size", r.file().size()).put("sha256", r.file().sha256())
                    .put("origin", r.file().origin())
                    .put("where", r.inPlace() == null ? "store" : r.inPlace().root().wire());
            ArrayNode paths = file.putArray("paths");
            List<Path> files = models.filesOf(r);
            files.forEach(p -> paths.add(p.toString()));
            if (r.inPlace() != null && r.inPlace().projector() != null) {
                file.put("projector", r.inPlace().projector().toString());
            }
            out.set("gguf", gguf(files.get(0)));
        }
        out.set("downloadHistory", Json.MAPPER.valueToTree(downloads.history(r.id())));
        return out;
    }

    private static ObjectNode gguf(Path file) {
        ObjectNode g = Json.MAPPER.createObjectNode();
        GgufFile f;
        try {
            f = GgufHeaders.shared().read(file);
        } catch (GgufFormatException | IOException e) {
            return g.put("error", "not a readable GGUF file: " + e.getMessage());
        }
        g.put("version", f.version()).put("architecture", f.architecture()).put("tensors", f.tensors().size())
                .put("parameters", f.parameterCount()).put("quantization", f.quantization());
        Long context = f.archInteger("context_length");
        if (context != null) {
            g.put("context", context);
        }
        Object template = f.metadata().get("tokenizer.chat_template");
        if (template instanceof String t) {
            g.put("chatTemplate", t.length() > MAX_TEMPLATE ? t.substring(0, MAX_TEMPLATE) + "…" : t);
        }
        ObjectNode meta = g.putObject("metadata");
        for (Map.Entry<String, Object> e : f.metadata().entrySet()) {
            if (e.getKey().equals("tokenizer.chat_template")) {
                continue;
            }
            if (meta.size() >= MAX_KEYS) {
                g.put("metadataLeftOut", f.metadata().size() - MAX_KEYS);
                break;
            }
            Object v = e.getValue();
            if (v instanceof GgufReader.SkippedArray a) {
                meta.put(e.getKey(), "[" + a.length() + " × " + a.elementType().toLowerCase(Locale.ROOT) + "]");
            } else if (v instanceof List<?> list) {
                String s = list.toString();
                meta.put(e.getKey(), s.length() > MAX_VALUE ? s.substring(0, MAX_VALUE) + "…" : s);
            } else {
                String s = String.valueOf(v);
                meta.put(e.getKey(), s.length() > MAX_VALUE ? s.substring(0, MAX_VALUE) + "…" : s);
            }
        }
        return g;
    }
}
