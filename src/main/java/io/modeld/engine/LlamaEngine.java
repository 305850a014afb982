package io.modeld.engine;

import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Pointer;
import java.io.IOException;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * llama.cpp loaded into this process from one folder: the libraries found there, their API checked,
 * the compute backends loaded and initialised. One per process ({@link #load}).
 *
 * <p>The API check guards what JNA cannot: struct layouts. Every function modeld calls must be
 * exported, and the library's default model and context parameters, read through modeld's struct
 * definitions, must have the values of the supported release. A library of another release whose
 * structs moved fails here with a clear message, instead of misreading memory later.
 */
public final class LlamaEngine {

    /** What the check accepts, for messages. */
    public static final String SUPPORTED = "llama.cpp of the v0.5.0 release series (as in node-llama-cpp 3.22.x)";
    private static final int LOG_LINES_KEPT = 30;

    private static LlamaEngine loaded;

    final LlamaLibrary llama;
    private final Path dir;
    private final String version;
    private final Deque<String> log = new ArrayDeque<>();
    private ChatLayer chat;
    private MediaLayer media;
    @SuppressWarnings("unused") // kept reachable: llama.cpp calls it for as long as the process lives
    private final LlamaLibrary.LogCallback logCallback;

    private LlamaEngine(LlamaLibrary llama, Path dir, String version, boolean echoLog) {
        this.llama = llama;
        this.dir = dir;
        this.version = version;
        this.logCallback = (level, text, user) -> {
            synchronized (log) {
                log.addLast(text.strip());
                if (log.size() > LOG_LINES_KEPT) {
                    log.removeFirst();
                }
            }
            if (echoLog) {
                System.err.print(text);
            }
        };
        llama.llama_log_set(logCallback, null);
    }

    /**
     * Loads llama.cpp from {@code dir} (once per process; later calls return the same engine).
     * {@code echoLog} sends llama.cpp's log to standard error as well.
     */
    public static synchronized LlamaEngine load(Path dir, boolean echoLog) throws EngineException {
        return load(dir, echoLog, Gpu.NONE);
    }

    /**
     * The same, with the GPU backend {@code gpu} asks for loaded beside the CPU one ({@link GpuBackends}): its
     * devices are {@link #devices()}, and {@link #gpuNote()} says which backend serves and why.
     */
    public static synchronized LlamaEngine load(Path dir, boolean echoLog, Gpu gpu) throws EngineException {
        if (loaded != null) {
            return loaded;
        }
        System.setProperty("jna.encoding", "UTF-8");
        Path llamaFile = find(dir, "llama").orElseThrow(() -> new EngineException(EngineException.Kind.LIBRARY,
                "no llama.cpp library (libllama) in " + dir + "; modeld needs " + SUPPORTED));
        LlamaLibrary llama;
        GgmlLibrary ggml;
        try {
            Path ggmlFile = find(dir, "ggml").orElseThrow(() -> new EngineException(EngineException.Kind.LIBRARY,
                    "no ggml library (libggml) beside " + llamaFile));
            find(dir, "ggml-base").ifPresent(base -> NativeLibrary.getInstance(base.toString()));
            Map<String, Object> options = Map.of(Library.OPTION_STRING_ENCODING, "UTF-8");
            ggml = Native.load(ggmlFile.toString(), GgmlLibrary.class, options);
            llama = Native.load(llamaFile.toString(), LlamaLibrary.class, options);
        } catch (UnsatisfiedLinkError e) {
            throw new EngineException(EngineException.Kind.LIBRARY, "cannot load llama.cpp from " + dir + ": "
                    + e.getMessage());
        }
        String version = checkApi(llamaFile, llama);
        LlamaEngine engine = new LlamaEngine(llama, dir, version, echoLog);
        ggml.ggml_backend_reg_count();
        if (hasDynamicBackends(dir)) {
            Path tuned = dir.resolve(TUNED_CPU);
            engine.tunedCpu = Files.isRegularFile(tuned) && ggml.ggml_backend_load(tuned.toString()) != null;
            if (!engine.tunedCpu) {
                ggml.ggml_backend_load_all_from_path(dir.toString());
            }
        }
        GpuBackends.Outcome gpus = GpuBackends.load(ggml, dir, gpu, engine::logSummary);
        engine.devices = gpus.devices();
        engine.gpuNote = gpus.note();
        engine.ggml = ggml;
        if (ggml.ggml_backend_dev_count() == 0) {
            throw new EngineException(EngineException.Kind.LIBRARY, "llama.cpp in " + dir + " found no compute "
                    + "backend for this machine (no libggml-cpu-* variant loaded)" + engine.logSummary());
        }
        llama.llama_backend_init();
        engine.chat = ChatLayer.load(dir).orElse(null);
        engine.media = MediaLayer.load(dir).orElse(null);
        if (engine.media != null) {
            engine.media.lib.mtmd_helper_log_set(engine.logCallback, null);   // libmtmd's log (and clip's) as llama.cpp's
        }
        loaded = engine;
        return engine;
    }

    /**
     * The CPU backend the build compiled for the instructions of the machine it ran on
     * ({@code src/main/native/cpu/build.sh}): loaded by name, before ggml's own choice among the prebuilt
     * variants, which ran 0.5-0.6× its speed on prompts and batches (and would tie with it on score). ggml's
     * score function in it refuses a CPU that lacks its instructions; then the prebuilt variants serve.
     */
    static final String TUNED_CPU = "libggml-cpu-modeld.so";

    private boolean tunedCpu;
    private List<Device> devices = List.of();
    private String gpuNote = GpuBackends.Outcome.NONE.note();
    private GgmlLibrary ggml;

    /** The GPUs models may be placed on (empty: the CPU alone). */
    public List<Device> devices() {
        return devices;
    }

    /** Which GPU backend serves and on what, or why none does: one line for the log. */
    public String gpuNote() {
        return gpuNote;
    }

    /** ggml's handle of the device named {@code name}; EngineException when there is none. */
    Pointer device(String name) throws EngineException {
        Pointer dev = ggml == null ? null : orNull(ggml.ggml_backend_dev_by_name(name));
        if (dev == null) {
            throw new EngineException(EngineException.Kind.MODEL, "no device " + name + " in this runner");
        }
        return dev;
    }

    /** Whether the CPU backend in use is the one built for this machine rather than a prebuilt variant. */
    public boolean tunedCpu() {
        return tunedCpu;
    }

    /** The library file {@code lib<name>} in {@code dir}: plain, versioned ({@code .v0.5.0}) or numbered. */
    static Optional<Path> find(Path dir, String name) {
        List<String> exact = List.of("lib" + name + ".so", "lib" + name + ".dylib", name + ".dll");
        for (String f : exact) {
            if (Files.isRegularFile(dir.resolve(f))) {
                return Optional.of(dir.resolve(f));
            }
        }
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(p -> p.getFileName().toString().matches("lib" + java.util.regex.Pattern.quote(name)
                    + "\\.(v[0-9.]+\\.so|so\\.[0-9.]+|[0-9.]+\\.dylib)")).sorted().findFirst();
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    private static boolean hasDynamicBackends(Path dir) {
        try (Stream<Path> files = Files.list(dir)) {
            return files.anyMatch(p -> p.getFileName().toString().matches("libggml-(cpu-[a-z0-9_]+|cuda|vulkan|metal)\\.so"));
        } catch (IOException e) {
            return false;
        }
    }

    /** Checks the library speaks the API modeld was written against; returns its version. */
    private static String checkApi(Path file, LlamaLibrary llama) throws EngineException {
        NativeLibrary lib = NativeLibrary.getInstance(file.toString());
        for (Method m : LlamaLibrary.class.getMethods()) {
            try {
                lib.getFunction(m.getName());
            } catch (UnsatisfiedLinkError e) {
                throw unsupported(file, "it lacks " + m.getName() + "()", null);
            }
        }
        String version = llama.llama_version();
        Structs.ModelParams.ByValue mp = llama.llama_model_default_params();
        Structs.ContextParams.ByValue cp = llama.llama_context_default_params();
        boolean modelOk = mp.devices == null && mp.n_gpu_layers == -1 && mp.split_mode == 1 && mp.load_mode == -1
                && mp.lazy_mode == 1 && mp.main_gpu == 0 && mp.tensor_split == null && mp.kv_overrides == null
                && mp.vocab_only == 0 && mp.use_extra_bufts == 1 && mp.load_mtp == 0;
        boolean contextOk = cp.n_ctx == 512 && cp.n_batch == 2048 && cp.n_ubatch == 512 && cp.n_seq_max == 1
                && cp.n_outputs_max_per_seq == 1 && cp.ctx_type == 0 && cp.rope_scaling_type == -1
                && cp.pooling_type == -1 && cp.attention_type == -1 && cp.flash_attn_type == -1
                && cp.yarn_ext_factor == -1f && cp.defrag_thold == -1f && cp.cb_eval == null && cp.type_k == 1
                && cp.type_v == 1 && cp.abort_callback == null && cp.embeddings == 0 && cp.offload_kqv == 1
                && cp.no_perf == 1 && cp.swa_full == 1 && cp.kv_unified == 0 && cp.samplers == null
                && cp.n_samplers == 0 && cp.ctx_other == null;
        if (!modelOk || !contextOk) {
            throw unsupported(file, "its parameter structs are laid out differently", version);
        }
        return version;
    }

    private static EngineException unsupported(Path file, String why, String version) {
        return new EngineException(EngineException.Kind.LIBRARY, "llama.cpp at " + file + (version == null ? ""
                : " (version " + version + ")") + " is not supported: " + why + "; modeld supports " + SUPPORTED
                + "; use the bundled one (drop --llama-lib) or build a matching one with ./modeld engine build");
    }

    /** llama.cpp's version string, e.g. {@code 0.5.0-dev}. */
    public String version() {
        return version;
    }

    /** llama.cpp's libmtmd (projectors: images and audio), or null when these libraries lack it. */
    public MediaLayer media() {
        return media;
    }

    /** llama.cpp's chat layer (templates, tool calls, reasoning), or null when these libraries lack it. */
    public ChatLayer chat() {
        return chat;
    }

    /** The folder the libraries were loaded from. */
    public Path dir() {
        return dir;
    }

    /** What llama.cpp says about this machine (SIMD features, backends). */
    public String systemInfo() {
        return llama.llama_print_system_info();
    }

    /** Loads a model (the parts of a split model in order), mapped from its file(s). */
    public LlamaModel loadModel(List<Path> files) throws EngineException {
        return LlamaModel.load(this, files, Placement.CPU);
    }

    /** Loads a model with {@code placement}'s layers on its device, the rest on the CPU. */
    public LlamaModel loadModel(List<Path> files, Placement placement) throws EngineException {
        return LlamaModel.load(this, files, placement);
    }

    /** The last lines llama.cpp logged that name an error or failure, for messages; "" when none. */
    String logSummary() {
        List<String> lines;
        synchronized (log) {
            lines = log.stream().filter(l -> l.contains("error") || l.contains("failed") || l.contains("invalid")
                    || l.contains("unknown")).toList();
        }
        return lines.isEmpty() ? "" : "; llama.cpp said: " + String.join(" | ", lines);
    }

    void clearLog() {
        synchronized (log) {
            log.clear();
        }
    }

    static boolean isTrue(byte b) {
        return b != 0;
    }

    static Pointer orNull(Pointer p) {
        return p == null || Pointer.nativeValue(p) == 0 ? null : p;
    }
}
