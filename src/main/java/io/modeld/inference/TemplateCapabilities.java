package io.modeld.inference;

import io.modeld.catalog.ModelRecord;
import io.modeld.catalog.ModelRoles;
import io.modeld.catalog.ModelService;
import io.modeld.catalog.ModelStore;
import io.modeld.gguf.GgufFile;
import io.modeld.gguf.GgufFormatException;
import io.modeld.gguf.GgufHeaders;
import io.modeld.gguf.ModelRole;
import io.modeld.runtime.RunnerFailure;
import io.modeld.runtime.Scheduler;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Each model's capabilities. Its template's part (tools, thinking) is read by llama.cpp's chat layer in a
 * runner of its own ({@link Scheduler#templateCaps}: in the budget, limited, one at a time), once per template
 * ever: what it read is kept in the store by the template's SHA-256. Checks run in the background for every
 * downloaded chat model as it appears (at start, on download, import, a library scan), so a listing never
 * starts one and never waits; until a model's check is done its listing tells what the template's own words
 * say, and a request that must know (tools, a load) waits for the check. A template the check cannot read
 * (it broke a limit, or raised) makes its model unusable, with the reason, until the daemon starts again.
 */
final class TemplateCapabilities implements AutoCloseable {

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(TemplateCapabilities.class);

    /** What a template can do; {@code problem} says why its model cannot be used (null when it can). */
    record Read(boolean tools, boolean thinking, String problem) {
    }

    private final ModelService models;
    private final Scheduler scheduler;
    private final ModelStore store;
    /** Templates read (from the store, or checked in this run), by SHA-256. */
    private final Map<String, Read> known = new ConcurrentHashMap<>();
    /** Checks queued or running, by SHA-256. */
    private final Map<String, CompletableFuture<Read>> checking = new ConcurrentHashMap<>();
    /** Each downloaded file's template and FIM tokens, by model id, size and digest: read once. */
    private final Map<FileKey, FileFacts> files = new ConcurrentHashMap<>();
    private final ExecutorService checks = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "modeld-template-check");
        t.setDaemon(true);
        return t;
    });

    /** What a generator's file says of its template (and the template's SHA-256). */
    /** A model's file as it is now: a new download or an edit in place gives a new key. */
    private record FileKey(String id, long size, String sha256) {
        static FileKey of(ModelRecord r) {
            return new FileKey(r.id(), r.file().size(), r.file().sha256());
        }
    }

    private record FileFacts(String template, String sha256, boolean insert) {
    }

    TemplateCapabilities(ModelService models, Scheduler scheduler, ModelStore store) {
        this.models = models;
        this.scheduler = scheduler;
        this.store = store;
        store.templateChecks().forEach(c -> known.put(c.sha256(), new Read(c.tools(), c.thinking(), null)));
    }

    /** The model's capabilities now, never waiting: a template not checked yet is read by its words meanwhile. */
    ModelCapabilities of(ModelRecord r) {
        return capabilities(r, false);
    }

    /** The model's capabilities once its template is checked (waiting for the check when it runs). */
    ModelCapabilities checked(ModelRecord r) {
        return capabilities(r, true);
    }

    /** Why the model cannot be used (its template broke a limit when read), or null; never waits, never reads. */
    String problem(ModelRecord r) {
        FileFacts f = r.downloaded() ? files.get(FileKey.of(r)) : null;
        Read read = f == null || f.sha256() == null ? null : known.get(f.sha256());
        return read == null || read.problem() == null ? null : "its chat template " + read.problem();
    }

    /** Queues the check of every downloaded chat model's template not read yet. */
    void checkAll() {
        for (ModelRecord r : models.list()) {
            capabilities(r, false);
        }
    }

    /** Forgets what was read of a model's file (it changed, or went), and checks its template anew if need be. */
    void changed(String id) {
        files.keySet().removeIf(k -> k.id().equals(id));
        try {
            capabilities(models.get(id), false);
        } catch (io.modeld.ModeldException gone) {
            // deleted
        }
    }

    private ModelCapabilities capabilities(ModelRecord r, boolean wait) {
        ModelRole role = ModelRoles.of(r.spec());
        if (role != ModelRole.GENERATOR) {
            return new ModelCapabilities(false, false, false, false, role == ModelRole.EMBEDDER,
                    role == ModelRole.RERANKER, null);
        }
        FileFacts f = facts(r);
        if (f == null) {
            return new ModelCapabilities(true, false, false, false, false, false, null);
        }
        if (f.template() == null) {
            return new ModelCapabilities(true, false, false, f.insert(), false, false, null);
        }
        String sha = f.sha256();
        Read read = known.get(sha);
        if (read == null) {
            CompletableFuture<Read> check = checking.computeIfAbsent(sha, k -> CompletableFuture.supplyAsync(
                    () -> check(k, f.template()), checks));
            read = wait ? check.join() : byWords(f.template());
        }
        return new ModelCapabilities(true, read.tools(), read.thinking(), f.insert(), false, false,
                read.problem() == null ? null : "its chat template " + read.problem());
    }

    /** Reads one template in a checking runner; keeps what it read (a success in the store too). */
    private Read check(String sha, String template) {
        Read read;
        try {
            Map<String, Object> caps = scheduler.templateCaps(template, "", "");
            read = new Read(Boolean.TRUE.equals(caps.get("supports_tools")) && Boolean.TRUE.equals(
                    caps.get("supports_tool_calls")), Boolean.TRUE.equals(caps.get("supports_enable_thinking")), null);
            store.saveTemplateCheck(new ModelStore.TemplateCheck(sha, read.tools(), read.thinking()));
            LOG.info("read a chat template ({}): tools {}, thinking {}", sha.substring(0, 12), read.tools(),
                    read.thinking());
        } catch (RunnerFailure e) {
            if (e.kind() == RunnerFailure.Kind.LIBRARY) {
                // a llama.cpp without its chat layer: the template's words are all there is to go by
                read = byWords(template);
            } else {
                LOG.warn("a chat template cannot be used: {}", e.getMessage());
                read = new Read(false, false, "cannot be read: " + e.getMessage());
            }
        } catch (io.modeld.ModeldException e) {
            // no room in the budget now: read by its words, and check again when next asked
            LOG.info("a chat template is read by its words for now: {}", e.getMessage());
            checking.remove(sha);
            return byWords(template);
        }
        known.put(sha, read);
        checking.remove(sha);
        return read;
    }

    private static Read byWords(String template) {
        return new Read(template.contains("tools"), template.contains("<think>") || template.contains("enable_thinking")
                || template.contains("reasoning_content"), null);
    }

    private FileFacts facts(ModelRecord r) {
        if (!r.downloaded()) {
            return null;
        }
        FileKey key = FileKey.of(r);
        FileFacts f = files.get(key);
        if (f == null) {
            try {
                GgufFile g = GgufHeaders.shared().read(models.fileOf(r));
                String template = g.string("tokenizer.chat_template.tool_use");
                template = template != null ? template : g.string("tokenizer.chat_template");
                f = new FileFacts(template, template == null ? null : sha256(template),
                        g.metadata().containsKey("tokenizer.ggml.fim_pre_token_id"));
            } catch (IOException | GgufFormatException e) {
                return null;
            }
            files.put(key, f);
        }
        return f;
    }

    private static String sha256(String s) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        checks.shutdownNow();
    }
}
