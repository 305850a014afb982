package io.modeld.engine;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Pointer;
import com.sun.jna.ptr.PointerByReference;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;

/**
 * llama.cpp's chat layer in this process, when the libraries it was loaded from have it
 * ({@code libllama-common} and modeld's {@code libmodeld-chat}, bundled together): each model's own Jinja
 * template rendered as llama-server renders it, with tools, tool results and thinking; the parsers of the
 * output formats it knows; and llama-server's sampler (lazy grammars, triggers). A llama.cpp of the user's
 * own without it falls back to llama.cpp's built-in templates and no tools.
 */
public final class ChatLayer {

    private static final ObjectMapper JSON = new ObjectMapper();
    /**
     * For tests that compare renders with llama-server's: an instant (ISO-8601, e.g.
     * {@code 2026-12-05T12:00:00Z}) that templates see as now, in UTC, instead of the clock.
     */
    public static final String PINNED_CLOCK = "MODELD_CHAT_CLOCK";

    final ChatLibrary lib;
    private final Pointer abortCheck;

    private ChatLayer(ChatLibrary lib, Pointer abortCheck) {
        this.lib = lib;
        this.abortCheck = abortCheck;
    }

    /** The chat layer beside the llama.cpp in {@code dir}, or empty when it is not there or does not load. */
    static Optional<ChatLayer> load(Path dir) {
        Optional<Path> common = LlamaEngine.find(dir, "llama-common");
        Optional<Path> shim = LlamaEngine.find(dir, "modeld-chat");
        if (common.isEmpty() || shim.isEmpty()) {
            return Optional.empty();
        }
        try {
            NativeLibrary.getInstance(common.get().toString());
            Map<String, Object> options = Map.of(Library.OPTION_STRING_ENCODING, "UTF-8");
            ChatLayer layer = new ChatLayer(Native.load(shim.get().toString(), ChatLibrary.class, options),
                    NativeLibrary.getInstance(shim.get().toString(), options).getFunction("modeld_abort_check"));
            layer.pinClock(System.getenv(PINNED_CLOCK));
            return Optional.of(layer);
        } catch (UnsatisfiedLinkError e) {
            System.err.println("modeld: llama.cpp's chat layer in " + dir + " does not load (" + e.getMessage()
                    + "); chat falls back to llama.cpp's built-in templates, without tools");
            return Optional.empty();
        }
    }

    private void pinClock(String instant) {
        if (instant == null || instant.isBlank()) {
            return;
        }
        if (lib.modeld_chat_pin_clock(Instant.parse(instant.strip()).getEpochSecond()) == 0) {
            throw new IllegalStateException(PINNED_CLOCK + " is set, but the chat layer's clock cannot be pinned");
        }
    }

    /** The shim's {@code ggml_abort_callback}, which lets a decode be aborted midway ({@link LlamaContext#abort}). */
    Pointer abortCheck() {
        return abortCheck;
    }

    /** The templates of a loaded model (its own, and its {@code tool_use} variant). */
    public ChatTemplates templates(LlamaModel model) throws EngineException {
        return init(model.pointer(), null, null, null);
    }

    /** A template given as source, with the BOS and EOS text the model's vocabulary has (no model needed). */
    public ChatTemplates templates(String source, String bos, String eos) throws EngineException {
        return init(null, source, bos, eos);
    }

    private ChatTemplates init(Pointer model, String source, String bos, String eos) throws EngineException {
        PointerByReference err = new PointerByReference();
        Pointer handle = lib.modeld_chat_init(model, source, bos, eos, err);
        if (handle == null) {
            throw new EngineException(EngineException.Kind.MODEL, "the chat template does not parse: " + take(err.getValue()));
        }
        return new ChatTemplates(this, handle);
    }

    /** A parser of one generation's output, from what {@link ChatTemplates#apply} answered. */
    public ChatParser parser(String appliedJson, boolean separateReasoning, boolean parseToolCalls)
            throws EngineException {
        PointerByReference err = new PointerByReference();
        Pointer handle = lib.modeld_parser_new(appliedJson, separateReasoning ? "deepseek" : "none", parseToolCalls ? 1 : 0,
                err);
        if (handle == null) {
            throw new EngineException(EngineException.Kind.RUNTIME, "cannot parse the model's output format: "
                    + take(err.getValue()));
        }
        return new ChatParser(this, handle);
    }

    /** llama-server's sampler with these settings ({@link Sampling#settings} and what the template's output needs). */
    public TokenSampler sampler(LlamaModel model, ObjectNode settings) throws EngineException {
        PointerByReference err = new PointerByReference();
        Pointer handle = lib.modeld_sampler_new(model.pointer(), settings.toString(), err);
        if (handle == null) {
            throw new EngineException(EngineException.Kind.INPUT, "the sampler cannot be made: " + take(err.getValue()));
        }
        return new TokenSampler() {
            private Pointer h = handle;
            /** One per sampler: it samples on one thread. */
            private final PointerByReference failure = new PointerByReference();

            @Override
            public int sample(LlamaContext ctx, int index) throws EngineException {
                int token = lib.modeld_sampler_sample(h, ctx.pointer(), index, failure);
                if (token < 0) {
                    throw new EngineException(EngineException.Kind.RUNTIME, "sampling failed: "
                            + take(failure.getValue()));
                }
                return token;
            }

            @Override
            public void close() {
                if (h != null) {
                    lib.modeld_sampler_free(h);
                    h = null;
                }
            }
        };
    }

    /** A string the library returned, as Java's, freed there. */
    String take(Pointer p) {
        if (p == null) {
            return "";
        }
        try {
            return p.getString(0, StandardCharsets.UTF_8.name());
        } finally {
            lib.modeld_string_free(p);
        }
    }

    /** The JSON a call answered ({@code call} given the error slot); its failure becomes an exception of {@code kind}. */
    JsonNode json(java.util.function.Function<PointerByReference, Pointer> call, EngineException.Kind kind)
            throws EngineException {
        PointerByReference err = new PointerByReference();
        Pointer answer = call.apply(err);
        if (answer == null) {
            throw new EngineException(kind, take(err.getValue()));
        }
        String text = take(answer);
        try {
            return JSON.readTree(text);
        } catch (IOException e) {
            throw new EngineException(EngineException.Kind.RUNTIME, "the chat layer answered no JSON: " + text);
        }
    }
}
