package io.modeld.catalog;

import java.nio.file.Path;
import java.time.Instant;
import java.util.List;

/**
 * A model as the store keeps it: identity, its spec, and the state that survives restarts: the
 * verified file under {@code models/<id>/} when downloaded, and why the last download failed, if it did.
 * A model found in a library root ({@code inPlace}) is not stored: it is found again at each start.
 */
public record ModelRecord(String id, Instant created, boolean custom, ModelSpec spec, LocalFile file,
                          String failure, InPlace inPlace) {

    /** What a downloaded model's projector (images, audio) is called beside its files in {@code models/<id>/}. */
    public static final String PROJECTOR_FILE = "mmproj.gguf";

    /**
     * A finished, verified model file: its name under {@code models/<id>/}, size (of all its parts) and
     * SHA-256 (of the first), what identified that version at its source ({@code origin}: a registry
     * manifest's digest, an ETag or Hugging Face's X-Linked-Etag; null when unknown), and how many parts it
     * has: 1, or the shards modeld itself named {@code <name>-00001-of-0000N.gguf}. The count is recorded
     * when the files are kept, never read from a name a client chose.
     */
    public record LocalFile(String name, long size, String sha256, String origin, int parts) {

        public LocalFile {
            if (parts < 1) {
                throw new IllegalArgumentException("a model has at least one file");
            }
        }

        public LocalFile(String name, long size, String sha256) {
            this(name, size, sha256, null, 1);
        }

        public LocalFile(String name, long size, String sha256, String origin) {
            this(name, size, sha256, origin, 1);
        }
    }

    /**
     * A model used where it lies, in a folder modeld never writes to: a library root's kind (e.g.
     * {@code ollama}, or {@code link} for a file registered with {@code link: true}), what the owner of
     * that folder is called ("Ollama's store"), the folder, the model's files (the parts of a split
     * model, in order), its projector ({@code mmproj}) if one lies beside it, and how its owner removes it.
     */
    public record InPlace(Root root, String owner, Path rootDir, List<Path> files, Path projector, String removal) {

        /** Whose folder it is: a tool's store, a folder the user named, or a file registered in place. */
        public enum Root {
            OLLAMA("ollama"), HUGGING_FACE("huggingface"), LM_STUDIO("lmstudio"), FOLDER("folder"), LINK("link");

            private final String wire;

            Root(String wire) {
                this.wire = wire;
            }

            /** As {@code --library KIND=DIR} and a model's {@code library.root} spell it. */
            @com.fasterxml.jackson.annotation.JsonValue
            public String wire() {
                return wire;
            }
        }

        public InPlace {
            files = List.copyOf(files);
        }

        /**
         * Refuses to change model {@code name}, found in a library root (FORBIDDEN, naming the root and how its
         * owner removes it), or to remove the file of a model registered in place. {@code forget}: the change
         * is a delete, which forgets a registered file (and keeps it).
         */
        public void refuseChange(String name, boolean forget) {
            if (forget && isLink()) {
                return;
            }
            if (isLink()) {
                throw io.modeld.ModeldException.forbidden("model '" + name + "' uses " + files.get(0) + " in place "
                        + "and modeld never deletes it; delete the model to forget it, and the file yourself");
            }
            throw io.modeld.ModeldException.forbidden("model '" + name + "' is in " + owner + " (" + rootDir
                    + ") and is used in place: modeld never changes or deletes files there; remove it with the tool "
                    + "that owns it (" + removal + ")");
        }

        /** A single file the user registered in place. */
        public static InPlace linked(Path file) {
            return new InPlace(Root.LINK, "your file", file.getParent(), List.of(file), null, "delete the file yourself");
        }

        /** Where a model registered in place lies, from its spec; null for a model whose file is copied. */
        public static InPlace of(ModelSpec spec) {
            return spec.source() != null && spec.source().linked()
                    ? linked(Path.of(java.net.URI.create(spec.source().url()).getPath())) : null;
        }

        /** Whether this is a file the user registered (it may be forgotten), not one found in a library root. */
        public boolean isLink() {
            return root == Root.LINK;
        }
    }

    public ModelRecord(String id, Instant created, boolean custom, ModelSpec spec, LocalFile file, String failure) {
        this(id, created, custom, spec, file, failure, null);
    }

    public boolean downloaded() {
        return file != null;
    }

    /** Where the model lives when it is a remote one (it has no files here), else null. */
    public Remote remote() {
        return spec.remote();
    }

    /** Whether it can answer now without a download: downloaded, or remote. */
    public boolean usable() {
        return file != null || spec.remote() != null;
    }

    public ModelRecord withSpec(ModelSpec newSpec) {
        return new ModelRecord(id, created, custom, newSpec, file, failure,
                inPlace != null && !inPlace.isLink() ? inPlace : InPlace.of(newSpec));
    }

    public ModelRecord withFile(LocalFile newFile) {
        return new ModelRecord(id, created, custom, spec, newFile, null, inPlace);
    }

    public ModelRecord withFailure(String reason) {
        return new ModelRecord(id, created, custom, spec, file, reason, inPlace);
    }
}
