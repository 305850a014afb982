package io.modeld.engine;

import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import com.sun.jna.StringArray;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A model loaded into llama.cpp, its weights mapped from the file (the layers of its {@link Placement} on a GPU):
 * its shape, its tokenizer and its chat template. Closing it frees everything llama.cpp holds for it.
 */
public final class LlamaModel implements AutoCloseable {

    /** How the model is meant to be used, read from what llama.cpp loaded. */
    public enum Role {
        GENERATOR, EMBEDDER, RERANKER
    }

    private static final int LLAMA_LOAD_MODE_MMAP = 1;
    private static final int POOLING_RANK = 4;

    final LlamaEngine engine;
    final LlamaLibrary llama;
    private Pointer model;
    final Pointer vocab;
    private final int vocabSize;
    private int[] endOfGeneration;

    private LlamaModel(LlamaEngine engine, Pointer model) {
        this.engine = engine;
        this.llama = engine.llama;
        this.model = model;
        this.vocab = llama.llama_model_get_vocab(model);
        this.vocabSize = llama.llama_vocab_n_tokens(vocab);
    }

    static LlamaModel load(LlamaEngine engine, List<Path> files, Placement placement) throws EngineException {
        LlamaLibrary llama = engine.llama;
        Structs.ModelParams.ByValue params = llama.llama_model_default_params();
        params.load_mode = LLAMA_LOAD_MODE_MMAP;
        // The devices it may use, null-terminated: its one device, or none at all, so that a model on the CPU
        // never has an operation moved to a GPU the runner loaded for another
        Memory devices = new Memory(2L * Native.POINTER_SIZE);
        devices.clear();
        if (placement.onDevice()) {
            devices.setPointer(0, engine.device(placement.device()));
        }
        params.devices = devices;
        params.n_gpu_layers = placement.layers();
        Pointer m;
        engine.clearLog();
        if (files.size() == 1) {
            m = llama.llama_model_load_from_file(files.get(0).toString(), params);
        } else {
            String[] paths = files.stream().map(Path::toString).toArray(String[]::new);
            m = llama.llama_model_load_from_splits(new StringArray(paths, "UTF-8"), paths.length, params);
        }
        java.lang.ref.Reference.reachabilityFence(devices);   // llama.cpp read the list during the call
        if (LlamaEngine.orNull(m) == null) {
            throw new EngineException(EngineException.Kind.MODEL, "llama.cpp could not load "
                    + files.get(0).getFileName() + engine.logSummary());
        }
        LlamaModel made = new LlamaModel(engine, m);
        made.placement = placement;
        return made;
    }

    private Placement placement = Placement.CPU;

    /** Where its layers are. */
    public Placement placement() {
        return placement;
    }

    Pointer pointer() {
        if (model == null) {
            throw new IllegalStateException("the model was freed");
        }
        return model;
    }

    public int contextTrained() {
        return llama.llama_model_n_ctx_train(pointer());
    }

    public int embeddingSize() {
        return llama.llama_model_n_embd(pointer());
    }

    /** The size of the vectors the model outputs as embeddings (usually {@link #embeddingSize()}). */
    public int embeddingOutputSize() {
        return llama.llama_model_n_embd_out(pointer());
    }

    public int vocabularySize() {
        return vocabSize;
    }

    public long parameters() {
        return llama.llama_model_n_params(pointer());
    }

    /** A GGUF metadata value as text, or null when the model has no such key (arrays are not readable). */
    public String meta(String key) {
        byte[] buf = new byte[4096];
        int n = llama.llama_model_meta_val_str(pointer(), key, buf, buf.length);
        if (n < 0) {
            return null;
        }
        if (n >= buf.length) {
            buf = new byte[n + 1];
            n = llama.llama_model_meta_val_str(pointer(), key, buf, buf.length);
        }
        return new String(buf, 0, n, StandardCharsets.UTF_8);
    }

    public String architecture() {
        return meta("general.architecture");
    }

    /** Generator, embedder or reranker, from its pooling type and whether it has a classifier head. */
    public Role role() {
        String arch = architecture();
        String pooling = arch == null ? null : meta(arch + ".pooling_type");
        if (pooling != null && pooling.trim().equals(String.valueOf(POOLING_RANK))) {
            return Role.RERANKER;
        }
        boolean hasDecoder = LlamaEngine.isTrue(llama.llama_model_has_decoder(pointer()));
        String causal = arch == null ? null : meta(arch + ".attention.causal");
        if (pooling != null && !pooling.trim().equals("0") || "false".equals(causal) || !hasDecoder) {
            return Role.EMBEDDER;
        }
        return Role.GENERATOR;
    }

    /** The model's own chat template (Jinja source), or null. */
    public String chatTemplate() {
        return llama.llama_model_chat_template(pointer(), null);
    }

    /** The model's template for the named purpose (e.g. {@code rerank}), or null. */
    public String template(String name) {
        return llama.llama_model_chat_template(pointer(), name);
    }

    /**
     * The tokens of {@code text}. {@code addSpecial} adds what the model puts around text (BOS);
     * {@code parseSpecial} reads special tokens written as text (as a chat template writes them).
     */
    public int[] tokenize(String text, boolean addSpecial, boolean parseSpecial) {
        byte[] utf8 = text.getBytes(StandardCharsets.UTF_8);
        int[] tokens = new int[utf8.length + 8];
        int n = llama.llama_tokenize(vocab, utf8, utf8.length, tokens, tokens.length, flag(addSpecial), flag(parseSpecial));
        if (n < 0) {
            tokens = new int[-n];
            n = llama.llama_tokenize(vocab, utf8, utf8.length, tokens, tokens.length, flag(addSpecial), flag(parseSpecial));
        }
        return java.util.Arrays.copyOf(tokens, Math.max(0, n));
    }

    /** The bytes a token stands for (UTF-8, possibly part of a character); control tokens give none. */
    public byte[] piece(int token) {
        return piece(token, false);
    }

    /** The same; with {@code special}, a control token gives its text (a template's {@code <tool_call>}). */
    public byte[] piece(int token, boolean special) {
        byte[] buf = new byte[64];
        byte s = flag(special);
        int n = llama.llama_token_to_piece(vocab, token, buf, buf.length, 0, s);
        if (n < 0) {
            buf = new byte[-n];
            n = llama.llama_token_to_piece(vocab, token, buf, buf.length, 0, s);
        }
        return java.util.Arrays.copyOf(buf, Math.max(0, n));
    }

    /** Whether the token ends a generation (end of sequence or of turn). */
    public boolean endsGeneration(int token) {
        return LlamaEngine.isTrue(llama.llama_vocab_is_eog(vocab, token));
    }

    /** Every token that ends a generation; computed once (it walks the whole vocabulary). */
    synchronized int[] endOfGenerationTokens() {
        if (endOfGeneration == null) {
            List<Integer> eog = new ArrayList<>();
            for (int t = 0; t < vocabSize; t++) {
                if (endsGeneration(t)) {
                    eog.add(t);
                }
            }
            endOfGeneration = eog.stream().mapToInt(Integer::intValue).toArray();
        }
        return endOfGeneration;
    }

    /**
     * A fill-in-the-middle prompt: the model's FIM prefix token, the text before the gap, the suffix token,
     * the text after it, and the middle token, where generation then fills the gap.
     */
    public int[] fillInTheMiddle(String prefix, String suffix) throws EngineException {
        int pre = llama.llama_vocab_fim_pre(vocab);
        int suf = llama.llama_vocab_fim_suf(vocab);
        int mid = llama.llama_vocab_fim_mid(vocab);
        if (pre < 0 || suf < 0 || mid < 0) {
            throw new EngineException(EngineException.Kind.INPUT, "the model does not support insert (it has no "
                    + "fill-in-the-middle tokens)");
        }
        int[] p = tokenize(prefix, false, false);
        int[] s = tokenize(suffix, false, false);
        int[] bos = tokenize("", true, false);
        int[] out = new int[bos.length + 3 + p.length + s.length];
        int at = 0;
        System.arraycopy(bos, 0, out, at, bos.length);
        at += bos.length;
        out[at++] = pre;
        System.arraycopy(p, 0, out, at, p.length);
        at += p.length;
        out[at++] = suf;
        System.arraycopy(s, 0, out, at, s.length);
        at += s.length;
        out[at] = mid;
        return out;
    }

    int bos() {
        return llama.llama_vocab_bos(vocab);
    }

    int eos() {
        return llama.llama_vocab_eos(vocab);
    }

    int sep() {
        return llama.llama_vocab_sep(vocab);
    }

    boolean addsBos() {
        return LlamaEngine.isTrue(llama.llama_vocab_get_add_bos(vocab));
    }

    boolean addsEos() {
        return LlamaEngine.isTrue(llama.llama_vocab_get_add_eos(vocab));
    }

    boolean addsSep() {
        return LlamaEngine.isTrue(llama.llama_vocab_get_add_sep(vocab));
    }

    /**
     * The prompt for a conversation, formatted by {@code template} (the model's own when null, ChatML
     * when it has none) with llama.cpp's built-in template support; ends with the assistant's turn
     * opened when {@code addAssistant}.
     */
    public String applyTemplate(String template, List<ChatTurn> messages, boolean addAssistant) throws EngineException {
        String own = chatTemplate();
        // A model without a template gets ChatML, as llama.cpp's own server does.
        String tmpl = template != null ? template : own != null ? own : "chatml";
        Structs.ChatMessage[] chat = messages.isEmpty() ? new Structs.ChatMessage[0]
                : (Structs.ChatMessage[]) new Structs.ChatMessage().toArray(messages.size());
        List<Memory> keep = new ArrayList<>();
        for (int i = 0; i < messages.size(); i++) {
            chat[i].role = cString(messages.get(i).role().wire(), keep);
            chat[i].content = cString(messages.get(i).content(), keep);
            chat[i].write();
        }
        int total = 256;
        for (ChatTurn m : messages) {
            total += (m.role().wire().length() + m.content().length()) * 4 + 64;
        }
        byte[] buf = new byte[total];
        int n = llama.llama_chat_apply_template(tmpl, messages.isEmpty() ? null : chat, messages.size(),
                flag(addAssistant), buf, buf.length);
        if (n > buf.length) {
            buf = new byte[n];
            n = llama.llama_chat_apply_template(tmpl, messages.isEmpty() ? null : chat, messages.size(),
                    flag(addAssistant), buf, buf.length);
        }
        if (n < 0) {
            throw new EngineException(EngineException.Kind.INPUT, "llama.cpp does not know this model's chat "
                    + "template (it supports the common built-in ones); send a prompt instead of messages");
        }
        return new String(buf, 0, n, StandardCharsets.UTF_8);
    }

    private static Pointer cString(String s, List<Memory> keep) {
        byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
        Memory m = new Memory(utf8.length + 1L);
        m.write(0, utf8, 0, utf8.length);
        m.setByte(utf8.length, (byte) 0);
        keep.add(m);
        return m;
    }

    static byte flag(boolean b) {
        return b ? (byte) 1 : (byte) 0;
    }

    /** Frees the model; it must not be used afterwards. */
    @Override
    public synchronized void close() {
        if (model != null) {
            llama.llama_model_free(model);
            model = null;
        }
    }
}
