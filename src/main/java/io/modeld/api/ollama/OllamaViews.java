package io.modeld.api.ollama;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.modeld.Json;
import io.modeld.catalog.ModelRecord;
import io.modeld.catalog.ModelService;
import io.modeld.catalog.OllamaNames;
import io.modeld.gguf.GgufFile;
import io.modeld.gguf.GgufFormatException;
import io.modeld.gguf.GgufHeaders;
import io.modeld.gguf.GgufReader;
import io.modeld.inference.Inference;
import io.modeld.inference.ModelCapabilities;
import java.io.IOException;
import java.nio.file.Files;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * How models look on Ollama's API: the entries of {@code /api/tags} and {@code /api/ps}, the
 * {@code details} object, and {@code /api/show}'s {@code model_info} (at most {@link #MAX_INFO_KEYS} scalar keys
 * cut to {@link #MAX_INFO_VALUE} characters) and capabilities, all read from the GGUF header, which
 * {@link GgufHeaders} keeps.
 */
final class OllamaViews {

    static final int MAX_INFO_KEYS = 1024;
    static final int MAX_INFO_VALUE = 4096;

    /** What the views need of a header (read through {@link GgufHeaders}: once per version of the file). */
    private record Header(String architecture, long parameters, String quantization, Long contextLength,
                          Long embeddingLength, String chatTemplate, GgufFile file) {

        static Header of(GgufFile g) {
            return new Header(g.architecture(), g.parameterCount(), g.quantization(), g.archInteger("context_length"),
                    g.archInteger("embedding_length"), g.string("tokenizer.chat_template"), g);
        }

        /** {@code model_info}: scalar keys as they are; long arrays (the tokenizer's) as empty arrays, as Ollama shows them. */
        private static ObjectNode info(GgufFile g) {
            ObjectNode info = Json.MAPPER.createObjectNode();
            for (Map.Entry<String, Object> e : g.metadata().entrySet()) {
                if (info.size() >= MAX_INFO_KEYS) {
                    break;
                }
                Object v = e.getValue();
                if (e.getKey().equals("tokenizer.chat_template")) {
                    continue;
                }
                if (v instanceof List<?> || v instanceof GgufReader.SkippedArray) {
                    info.putArray(e.getKey());
                } else if (v instanceof String text) {
                    info.put(e.getKey(), text.length() > MAX_INFO_VALUE ? text.substring(0, MAX_INFO_VALUE) : text);
                } else {
                    info.set(e.getKey(), Json.MAPPER.valueToTree(v));
                }
            }
            info.put("general.parameter_count", g.parameterCount());
            return info;
        }
    }

    private final ModelService models;
    private final Inference inference;

    OllamaViews(ModelService models, Inference inference) {
        this.models = models;
        this.inference = inference;
    }

    /** What the header of a downloaded model holds, or null when it cannot be read. */
    private Header header(ModelRecord r) {
        if (!r.downloaded()) {
            return null;
        }
        try {
            return Header.of(GgufHeaders.shared().read(models.fileOf(r)));
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
        if (!r.downloaded()) {
            return r.created();
        }
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
                .put("modified_at", localTime(modified(r))).put("size", r.downloaded() ? r.file().size() : 0)
                .put("digest", r.file() == null || r.file().sha256() == null ? "" : r.file().sha256());
        remote(m, r);
        m.set("details", details(r));
        capabilities(m, inference.capabilities(r));
        return m;
    }

    /** A remote model's {@code remote_model} and {@code remote_host}, as Ollama lists its remote models. */
    static void remote(ObjectNode m, ModelRecord r) {
        if (r.remote() != null) {
            m.put("remote_model", r.remote().model()).put("remote_host", r.remote().host());
        }
    }

    /** {@code details}: format, family, families, parameter_size, quantization_level. */
    ObjectNode details(ModelRecord r) {
        Header g = header(r);
        String family = g != null && g.architecture() != null ? g.architecture()
                : r.spec().family() != null ? r.spec().family() : "";
        ObjectNode d = Json.MAPPER.createObjectNode().put("parent_model", "").put("format", "gguf").put("family", family);
        d.putArray("families").add(family);
        d.put("parameter_size", parameterSize(g != null ? g.parameters() : r.spec().parameters() == null ? 0
                : (long) (r.spec().parameters() * 1e9)));
        String quant = g != null && g.quantization() != null ? g.quantization() : r.spec().quantization();
        d.put("quantization_level", quant == null ? "" : quant);
        if (g != null && g.contextLength() != null) {
            d.put("context_length", g.contextLength());
        }
        if (g != null && g.embeddingLength() != null) {
            d.put("embedding_length", g.embeddingLength());
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

    /**
     * What the model can do, in Ollama's words ({@code completion}, {@code tools}, {@code thinking}, ...), into
     * {@code out}'s {@code capabilities}, and modeld's {@code unusable} when it cannot be used now.
     */
    static void capabilities(ObjectNode out, ModelCapabilities caps) {
        ArrayNode list = out.putArray("capabilities");
        caps.ollama().forEach(list::add);
        if (caps.problem() != null) {
            out.put("unusable", caps.problem());
        }
    }

    /** The model's chat template: the one it was created with, else the GGUF's own; null when none. */
    String chatTemplate(ModelRecord r) {
        if (r.spec().modelfile() != null && r.spec().modelfile().template() != null) {
            return r.spec().modelfile().template();
        }
        Header g = header(r);
        return g == null ? null : g.chatTemplate();
    }

    /** {@code model_info}: the GGUF's keys, bounded; {@code {}} when the header cannot be read. */
    ObjectNode modelInfo(ModelRecord r) {
        Header g = header(r);
        return g == null ? Json.MAPPER.createObjectNode() : Header.info(g.file());
    }

    /** {@code projector_info}: the keys of the model's projector, as Ollama shows them; null when it has none. */
    ObjectNode projectorInfo(ModelRecord r) {
        io.modeld.gguf.ProjectorFacts p = inference.projector(r);
        if (p == null) {
            return null;
        }
        try {
            ObjectNode info = Header.info(GgufHeaders.shared().read(p.file()));
            info.remove("general.parameter_count");
            return info;
        } catch (IOException | GgufFormatException e) {
            return null;
        }
    }
}
