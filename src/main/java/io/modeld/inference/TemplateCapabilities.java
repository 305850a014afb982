package io.modeld.inference;

import io.modeld.ModeldException;
import io.modeld.catalog.ModelRecord;
import io.modeld.catalog.ModelRoles;
import io.modeld.catalog.ModelService;
import io.modeld.gguf.GgufFile;
import io.modeld.gguf.GgufFormatException;
import io.modeld.gguf.GgufReader;
import io.modeld.gguf.ModelRole;
import io.modeld.runtime.Scheduler;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Each model's capabilities, the template's part asked of llama.cpp's chat layer in a runner that holds no
 * model (the spare), once per template (its SHA-256; at most {@link #KEPT} kept). Where no runner can say
 * (llama.cpp without its chat layer), the template's own words decide: it reads {@code tools}, it writes
 * thinking tags or reads {@code enable_thinking}.
 */
final class TemplateCapabilities {

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(TemplateCapabilities.class);
    private static final int KEPT = 256;

    private record Read(boolean tools, boolean thinking) {
    }

    private final ModelService models;
    private final Scheduler scheduler;
    private final Map<String, Read> byTemplate = java.util.Collections.synchronizedMap(
            new LinkedHashMap<>(16, 0.75f, true) {
                @Override
                protected boolean removeEldestEntry(Map.Entry<String, Read> eldest) {
                    return size() > KEPT;
                }
            });

    private final Map<String, ModelCapabilities> byFile = new java.util.concurrent.ConcurrentHashMap<>();

    TemplateCapabilities(ModelService models, Scheduler scheduler) {
        this.models = models;
        this.scheduler = scheduler;
    }

    ModelCapabilities of(ModelRecord r) {
        String key = r.downloaded() ? r.id() + ":" + r.file().size() + ":" + r.file().sha256() : null;
        ModelCapabilities known = key == null ? null : byFile.get(key);
        if (known != null) {
            return known;
        }
        ModelCapabilities caps = read(r);
        if (key != null) {
            byFile.put(key, caps);
        }
        return caps;
    }

    private ModelCapabilities read(ModelRecord r) {
        ModelRole role = ModelRoles.of(r.spec());
        if (role != ModelRole.GENERATOR) {
            return new ModelCapabilities(false, false, false, false, role == ModelRole.EMBEDDER,
                    role == ModelRole.RERANKER);
        }
        GgufFile g = header(r);
        if (g == null) {
            return new ModelCapabilities(true, false, false, false, false, false);
        }
        String template = g.string("tokenizer.chat_template");
        String toolUse = g.string("tokenizer.chat_template.tool_use");
        Read read = template == null && toolUse == null ? new Read(false, false)
                : read(toolUse != null ? toolUse : template);
        return new ModelCapabilities(true, read.tools(), read.thinking(),
                g.metadata().containsKey("tokenizer.ggml.fim_pre_token_id"), false, false);
    }

    /** Forgets what was read of a model's file (it changed, or went). */
    void forget(String id) {
        byFile.keySet().removeIf(k -> k.startsWith(id + ":"));
    }

    private Read read(String template) {
        String key = sha256(template);
        Read known = byTemplate.get(key);
        if (known != null) {
            return known;
        }
        Read read;
        try {
            Map<String, Object> caps = scheduler.templateCaps(template, "", "");
            read = new Read(Boolean.TRUE.equals(caps.get("supports_tools")) && Boolean.TRUE.equals(
                    caps.get("supports_tool_calls")), Boolean.TRUE.equals(caps.get("supports_enable_thinking")));
        } catch (ModeldException e) {
            LOG.debug("chat template read by its words: {}", e.getMessage());
            read = new Read(template.contains("tools"), template.contains("<think>") || template.contains("enable_thinking")
                    || template.contains("reasoning_content"));
        }
        byTemplate.put(key, read);
        return read;
    }

    private GgufFile header(ModelRecord r) {
        if (!r.downloaded()) {
            return null;
        }
        try {
            return GgufReader.read(models.fileOf(r));
        } catch (IOException | GgufFormatException e) {
            return null;
        }
    }

    private static String sha256(String s) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
