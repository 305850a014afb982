package io.modeld.config;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * The layout of the data dir: {@code modeld.db}, {@code models/<id>/} (finished files),
 * {@code partial/<id>/} (downloads in flight), {@code blobs/} (uploads), {@code logs/}, {@code lib/}
 * (native libraries) and {@code library-headers.json} (what the headers of library models held). Folders are named by model ids that
 * must parse as UUIDs, so no client text ever becomes a path.
 */
public record DataDir(Path root) {

    public Path models() {
        return root.resolve("models");
    }

    public Path model(String id) {
        return models().resolve(UUID.fromString(id).toString());
    }

    public Path partial() {
        return root.resolve("partial");
    }

    public Path partial(String id) {
        return partial().resolve(UUID.fromString(id).toString());
    }

    public Path logs() {
        return root.resolve("logs");
    }

    public Path lib() {
        return root.resolve("lib");
    }

    /** Slots saved through llama-server's slot API ({@code POST /slots/{id}?action=save}), by the names given. */
    public Path slots() {
        return root.resolve("slots");
    }

    /** The prompt caches' disk tier: a folder for each model file and its cache settings. */
    public Path promptCache() {
        return root.resolve("prompt-cache");
    }

    /** Files uploaded through Ollama's {@code /api/blobs}, named {@code sha256-<hex>}, until a model takes them. */
    public Path blobs() {
        return root.resolve("blobs");
    }

    /** What was read from the headers of the models in library roots, so a restart reads only what changed. */
    public Path libraryHeaders() {
        return root.resolve("library-headers.json");
    }

    /** Creates the folders of the layout, the data dir private to its user ({@link PrivateFiles}). */
    public void create() throws IOException {
        PrivateFiles.directory(root);
        for (Path dir : new Path[] {models(), partial(), logs(), blobs()}) {
            Files.createDirectories(dir);
        }
    }

    /** Deletes a folder and everything in it; nothing happens when it does not exist. */
    public static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
