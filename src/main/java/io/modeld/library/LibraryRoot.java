package io.modeld.library;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;

/** A folder of models modeld uses in place and never writes to, and the kind of layout it has. */
public record LibraryRoot(LibraryKind kind, Path dir) {

    /**
     * {@code [KIND=]DIR}: {@code ollama=}, {@code huggingface=}, {@code lmstudio=} or {@code folder=} (the
     * default) before an absolute or relative folder. IllegalArgumentException names what is wrong.
     */
    public static LibraryRoot parse(String spec) {
        String s = spec.strip();
        LibraryKind kind = LibraryKind.FOLDER;
        int eq = s.indexOf('=');
        if (eq > 0 && LibraryKind.of(s.substring(0, eq)) != null) {
            kind = LibraryKind.of(s.substring(0, eq));
            s = s.substring(eq + 1);
        } else if (eq > 0 && s.substring(0, eq).matches("[a-z]+")) {
            throw new IllegalArgumentException("--library " + spec + ": '" + s.substring(0, eq) + "' is not a kind "
                    + "of library (ollama, huggingface, lmstudio or folder)");
        }
        if (s.isEmpty()) {
            throw new IllegalArgumentException("--library needs a folder, e.g. --library ~/models");
        }
        return new LibraryRoot(kind, Path.of(s).toAbsolutePath().normalize());
    }

    /**
     * Where Ollama, the Hugging Face hub, llama.cpp and LM Studio keep their models for this user, as
     * their own code finds them (environment first), whether or not the folders exist yet.
     */
    public static List<LibraryRoot> defaults(Map<String, String> env, Path home) {
        List<LibraryRoot> roots = new ArrayList<>();
        roots.add(new LibraryRoot(LibraryKind.OLLAMA, env.containsKey("OLLAMA_MODELS")
                ? Path.of(env.get("OLLAMA_MODELS")) : home.resolve(".ollama/models")));
        roots.add(new LibraryRoot(LibraryKind.OLLAMA, Path.of("/usr/share/ollama/.ollama/models")));
        Path cache = env.containsKey("XDG_CACHE_HOME") ? Path.of(env.get("XDG_CACHE_HOME")) : home.resolve(".cache");
        Path hfHome = env.containsKey("HF_HOME") ? Path.of(env.get("HF_HOME")) : cache.resolve("huggingface");
        roots.add(new LibraryRoot(LibraryKind.HUGGING_FACE, env.containsKey("HF_HUB_CACHE")
                ? Path.of(env.get("HF_HUB_CACHE")) : hfHome.resolve("hub")));
        roots.add(new LibraryRoot(LibraryKind.FOLDER, env.containsKey("LLAMA_CACHE")
                ? Path.of(env.get("LLAMA_CACHE")) : cache.resolve("llama.cpp")));
        roots.add(new LibraryRoot(LibraryKind.LM_STUDIO, home.resolve(".lmstudio/models")));
        roots.add(new LibraryRoot(LibraryKind.LM_STUDIO, cache.resolve("lm-studio/models")));
        return List.copyOf(new LinkedHashSet<>(roots.stream()
                .map(r -> new LibraryRoot(r.kind(), r.dir().toAbsolutePath().normalize())).toList()));
    }

    @Override
    public String toString() {
        return kind.wire() + "=" + dir;
    }
}
