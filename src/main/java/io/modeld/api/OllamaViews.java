package io.modeld.api;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.modeld.Json;
import io.modeld.catalog.ModelRecord;
import io.modeld.catalog.ModelRoles;
import io.modeld.catalog.ModelService;
import io.modeld.catalog.OllamaNames;
import io.modeld.gguf.GgufFile;
import io.modeld.gguf.GgufFormatException;
import io.modeld.gguf.GgufReader;
import io.modeld.gguf.ModelRole;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * How models look on Ollama's API: the entries of {@code /api/tags} and {@code /api/ps}, the
 * {@code details} object, and {@code /api/show}'s {@code model_info} and capabilities, all read from the
 * GGUF header (kept per file while its size and time stay the same).
 */
final class OllamaViews {

    private record Cached(long size, FileTime modified, GgufFile gguf) {
    }

    private final ModelService models;
    private final Map<Path, Cached> headers = new ConcurrentHashMap<>();

    OllamaViews(ModelService models) {
        this.models = models;
    }

    /** The GGUF header of a downloaded model, or null when it cannot be read. */
    GgufFile gguf(ModelRecord r) {
        Path file = models.fileOf(r);
        try {
            long size = Files.size(file);
            FileTime modified = Files.getLastModifiedTime(file);
            Cached c = headers.get(file);
            if (c == null || c.size() != size || !c.modified().equals(modified)) {
                c = new Cached(size, modified, GgufReader.read(file));
                headers.put(file, c);
            }
            return c.gguf();
        } catch (IOException | GgufFormatException e) {
            return null;
        }
    }

    /** A time as Ollama writes {@code modified_at}: RFC 3339 with nanoseconds and the local offset. */
    static String localTime(Instant t) {
        return OffsetDateTime.ofInstant(t, ZoneId.systemDefault()).format(DateTimeFormatter.ISO_OFFSET_DATE_TIME);
    }

    /** A time as Ollama writes {@code created_at}: UTC with a Z. */
    static String utcTime(Instant t) {
        return DateTimeFormatter.ISO_INSTANT.format(t);
    }

    Instant modified(ModelRecord r) {
        try {
            return Files.getLastModifiedTime(models.fileOf(r)).toInstant();
        } catch (IOException e) {
            return r.created();
        }
    }

    /** One entry of {@code /api/tags}. */
    ObjectNode tag(ModelRecord r) {
        String name = OllamaNames.of(r);
        ObjectNode m = Json.MAPPER.createObjectNode().put("name", name).put("model", name)
                .put("modified_at", localTime(modified(r))).put("size", r.file().size())
                .put("digest", r.file().sha256() == null ? "" : r.file().sha256());
        m.set("details", details(r));
        m.set("capabilities", capabilities(r));
        return m;
    }

    /** {@code details}: format, family, families, parameter_size, quantization_level. */
    ObjectNode details(ModelRecord r) {
        GgufFile g = r.downloaded() ? gguf(r) : null;
        String family = g != null && g.architecture() != null ? g.architecture()
                : r.spec().family() != null ? r.spec().family() : "";
        ObjectNode d = Json.MAPPER.createObjectNode().put("parent_model", "").put("format", "gguf").put("family", family);
        d.putArray("families").add(family);
        d.put("parameter_size", parameterSize(g != null ? g.parameterCount() : r.spec().parameters() == null ? 0
                : (long) (r.spec().parameters() * 1e9)));
        String quant = g != null && g.quantization() != null ? g.quantization() : r.spec().quantization();
        d.put("quantization_level", quant == null ? "" : quant);
        if (g != null) {
            Long ctx = g.archInteger("context_length");
            Long embd = g.archInteger("embedding_length");
            if (ctx != null) {
                d.put("context_length", ctx);
            }
            if (embd != null) {
                d.put("embedding_length", embd);
            }
        }
        return d;
    }

    /** As Ollama writes parameter counts: {@code 494.03M}, {@code 3.2B}. */
    static String parameterSize(long n) {
        if (n >= 1_000_000_000L) {
            return String.format(Locale.ROOT, "%.1fB", n / 1e9);
        }
        if (n >= 1_000_000L) {
            return String.format(Locale.ROOT, "%.2fM", n / 1e6);
        }
        return String.valueOf(n);
    }

    /** {@code completion}, {@code embedding}, {@code tools}, {@code insert}, as the model supports them. */
    ArrayNode capabilities(ModelRecord r) {
        ArrayNode caps = Json.MAPPER.createArrayNode();
        ModelRole role = ModelRoles.of(r.spec());
        if (role != ModelRole.GENERATOR) {
            caps.add("embedding");
            return caps;
        }
        caps.add("completion");
        String template = chatTemplate(r);
        if (template != null && template.contains("tools")) {
            caps.add("tools");
        }
        GgufFile g = r.downloaded() ? gguf(r) : null;
        if (g != null && g.metadata().containsKey("tokenizer.ggml.fim_pre_token_id")) {
            caps.add("insert");
        }
        return caps;
    }

    /** The model's chat template: the one it was created with, else the GGUF's own; null when none. */
    String chatTemplate(ModelRecord r) {
        if (r.spec().modelfile() != null && r.spec().modelfile().template() != null) {
            return r.spec().modelfile().template();
        }
        GgufFile g = r.downloaded() ? gguf(r) : null;
        return g == null ? null : g.string("tokenizer.chat_template");
    }

    /** {@code model_info}: the GGUF's keys; long arrays (the tokenizer's) as empty arrays, as Ollama shows them. */
    ObjectNode modelInfo(ModelRecord r) {
        ObjectNode info = Json.MAPPER.createObjectNode();
        GgufFile g = r.downloaded() ? gguf(r) : null;
        if (g == null) {
            return info;
        }
        for (Map.Entry<String, Object> e : g.metadata().entrySet()) {
            Object v = e.getValue();
            if (e.getKey().equals("tokenizer.chat_template")) {
                continue;
            }
            if (v instanceof List<?> || v instanceof GgufReader.SkippedArray) {
                info.putArray(e.getKey());
            } else {
                info.set(e.getKey(), Json.MAPPER.valueToTree(v));
            }
        }
        info.put("general.parameter_count", g.parameterCount());
        return info;
    }
}
