package io.modeld.library;

import io.modeld.catalog.ModelRecord;
import java.nio.file.Path;
import java.util.List;

/** The kinds of library root: each knows its layout, how it names models and how its owner removes one. */
public enum LibraryKind {

    /** {@code manifests/<host>/<namespace>/<model>/<tag>} naming {@code blobs/sha256-<hex>}. */
    OLLAMA(ModelRecord.InPlace.Root.OLLAMA, "Ollama's store") {
        @Override
        List<Found> scan(Path root, Scan scan) {
            return OllamaStore.scan(root, scan);
        }

        @Override
        String removal(Found found) {
            return "ollama rm " + found.ollama().replaceFirst(":latest$", "");
        }
    },
    /** {@code models--<owner>--<repo>/snapshots/<revision>/<file>}, symlinks into {@code blobs/}. */
    HUGGING_FACE(ModelRecord.InPlace.Root.HUGGING_FACE, "the Hugging Face cache") {
        @Override
        List<Found> scan(Path root, Scan scan) {
            return HuggingFaceCache.scan(root, scan);
        }

        @Override
        String removal(Found found) {
            return "hf cache delete, or huggingface-cli delete-cache";
        }
    },
    /** {@code <publisher>/<repo>/<file>.gguf}. */
    LM_STUDIO(ModelRecord.InPlace.Root.LM_STUDIO, "LM Studio's models folder") {
        @Override
        List<Found> scan(Path root, Scan scan) {
            return FolderScan.scan(root, scan, true);
        }

        @Override
        String removal(Found found) {
            return "LM Studio's My Models";
        }
    },
    /** Any folder, searched recursively for {@code *.gguf}. */
    FOLDER(ModelRecord.InPlace.Root.FOLDER, "a library folder") {
        @Override
        List<Found> scan(Path root, Scan scan) {
            return FolderScan.scan(root, scan, false);
        }

        @Override
        String removal(Found found) {
            return "delete " + found.files().get(0) + " yourself";
        }
    };

    private final ModelRecord.InPlace.Root root;
    private final String owner;

    LibraryKind(ModelRecord.InPlace.Root root, String owner) {
        this.root = root;
        this.owner = owner;
    }

    /** The name in {@code --library KIND=DIR} and in a model's {@code library.root}. */
    public String wire() {
        return root.wire();
    }

    /** What a model found here says about where it lies. */
    ModelRecord.InPlace.Root root() {
        return root;
    }

    /** What the folder's owner is called in messages. */
    String owner() {
        return owner;
    }

    /** The models under {@code root}; what cannot be read is reported through {@code scan} and skipped. */
    abstract List<Found> scan(Path root, Scan scan);

    /** How the user removes this model with the tool that owns it. */
    abstract String removal(Found found);

    /** The kind with this wire name, or null. */
    static LibraryKind of(String wire) {
        for (LibraryKind k : values()) {
            if (k.wire().equals(wire)) {
                return k;
            }
        }
        return null;
    }
}
