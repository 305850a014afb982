package io.modeld.testing;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.modeld.Json;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Model folders laid out exactly as the tools that own them lay them out, for tests and benchmarks:
 * Ollama's store (manifests naming content-addressed blobs), the Hugging Face hub cache (snapshots
 * linking into blobs, refs naming revisions) and LM Studio's publisher/repo folders.
 */
public final class LibraryLayouts {

    private LibraryLayouts() {
    }

    /**
     * Puts {@code gguf} into the Ollama store at {@code root} as a blob and writes the manifest
     * {@code manifests/registry.ollama.ai/<namespace>/<model>/<tag>}, with a template, system and params
     * layer when {@code system} is not null. Returns the model blob.
     */
    public static Path ollama(Path root, String namespace, String model, String tag, Path gguf, String system)
            throws IOException {
        Path blobs = Files.createDirectories(root.resolve("blobs"));
        ObjectNode manifest = Json.MAPPER.createObjectNode().put("schemaVersion", 2)
                .put("mediaType", "application/vnd.docker.distribution.manifest.v2+json");
        byte[] config = "{\"model_format\":\"gguf\",\"model_family\":\"qwen3\",\"architecture\":\"amd64\",\"os\":\"linux\"}"
                .getBytes(StandardCharsets.UTF_8);
        manifest.set("config", layer("application/vnd.docker.container.image.v1+json", blob(blobs, config), config.length));
        ArrayNode layers = manifest.putArray("layers");
        String digest = sha256(gguf);
        Path blob = blobs.resolve("sha256-" + digest);
        if (!Files.exists(blob)) {
            Files.copy(gguf, blob);
        }
        layers.add(layer("application/vnd.ollama.image.model", digest, Files.size(gguf)));
        if (system != null) {
            for (String[] part : new String[][] {
                    {"template", "{{ if .System }}<|im_start|>system\n{{ .System }}<|im_end|>\n{{ end }}{{ .Prompt }}"},
                    {"system", system}, {"params", "{\"stop\":[\"<|im_end|>\"],\"temperature\":0.6}"}}) {
                byte[] text = part[1].getBytes(StandardCharsets.UTF_8);
                layers.add(layer("application/vnd.ollama.image." + part[0], blob(blobs, text), text.length));
            }
        }
        Path manifestFile = root.resolve("manifests/registry.ollama.ai").resolve(namespace).resolve(model).resolve(tag);
        Files.createDirectories(manifestFile.getParent());
        Files.write(manifestFile, Json.MAPPER.writeValueAsBytes(manifest));
        return blob;
    }

    /**
     * Puts {@code gguf} into the Hugging Face hub cache at {@code hub} as {@code owner/repo} at
     * {@code revision}: the blob named by its SHA-256, the snapshot file a relative link to it, and
     * {@code refs/main} naming the revision when {@code main}. Returns the snapshot file.
     */
    public static Path huggingFace(Path hub, String owner, String repo, String revision, String file, Path gguf,
                                   boolean main) throws IOException {
        Path dir = hub.resolve("models--" + owner + "--" + repo);
        Path blobs = Files.createDirectories(dir.resolve("blobs"));
        String digest = sha256(gguf);
        Path blob = blobs.resolve(digest);
        if (!Files.exists(blob)) {
            Files.copy(gguf, blob);
        }
        Path snapshot = dir.resolve("snapshots").resolve(revision).resolve(file);
        Files.createDirectories(snapshot.getParent());
        Files.createSymbolicLink(snapshot, snapshot.getParent().relativize(blob));
        if (main) {
            Files.createDirectories(dir.resolve("refs"));
            Files.writeString(dir.resolve("refs/main"), revision);
        }
        return snapshot;
    }

    /** Copies {@code gguf} to LM Studio's {@code <root>/<publisher>/<repo>/<file>}; returns it. */
    public static Path lmStudio(Path root, String publisher, String repo, String file, Path gguf) throws IOException {
        Path target = root.resolve(publisher).resolve(repo).resolve(file);
        Files.createDirectories(target.getParent());
        return Files.copy(gguf, target);
    }

    private static ObjectNode layer(String mediaType, String digest, long size) {
        return Json.MAPPER.createObjectNode().put("mediaType", mediaType).put("digest", "sha256:" + digest)
                .put("size", size);
    }

    private static String blob(Path blobs, byte[] content) throws IOException {
        String digest = HexFormat.of().formatHex(digest().digest(content));
        Files.write(blobs.resolve("sha256-" + digest), content);
        return digest;
    }

    /** The SHA-256 of a file, in hex. */
    public static String sha256(Path file) throws IOException {
        MessageDigest md = digest();
        try (InputStream in = Files.newInputStream(file)) {
            byte[] buf = new byte[1 << 16];
            for (int n; (n = in.read(buf)) > 0; ) {
                md.update(buf, 0, n);
            }
        }
        return HexFormat.of().formatHex(md.digest());
    }

    private static MessageDigest digest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
