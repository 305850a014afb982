package io.modeld.library;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import io.modeld.Json;
import io.modeld.catalog.Modelfile;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Ollama's store: each manifest {@code manifests/<host>/<namespace>/<model>/<tag>} is a model named as
 * Ollama shows it ({@code qwen3:0.6b}; {@code namespace/model:tag} off the library namespace; with the
 * host off {@code registry.ollama.ai}); its {@code .model} layer is the GGUF in {@code blobs/sha256-<hex>},
 * its template, system and params layers are kept as its Modelfile, its projector attached. Two tags
 * naming one blob are two models, as in Ollama.
 */
final class OllamaStore {

    private static final String LAYER = "application/vnd.ollama.image.";
    private static final Pattern DIGEST = Pattern.compile("sha256[:-]([0-9a-f]{64})");
    private static final long MAX_MANIFEST = 1 << 20;
    private static final long MAX_TEXT_LAYER = 1 << 20;

    private OllamaStore() {
    }

    static List<Found> scan(Path root, Scan scan) {
        Path manifests = root.resolve("manifests");
        Path blobs = root.resolve("blobs");
        scan.looked(root);
        if (Files.isDirectory(blobs)) {
            scan.looked(blobs);
        }
        if (!Files.isDirectory(manifests)) {
            return List.of();
        }
        List<Found> found = new ArrayList<>();
        try (Stream<Path> all = Files.walk(manifests, 4)) {
            for (Path p : all.sorted().toList()) {
                if (Files.isDirectory(p)) {
                    scan.looked(p);
                } else if (manifests.relativize(p).getNameCount() == 4) {
                    Found f = manifest(p, manifests.relativize(p), blobs, scan);
                    if (f != null) {
                        found.add(f);
                    }
                }
            }
        } catch (IOException | java.io.UncheckedIOException e) {
            scan.skip(manifests, "", "cannot read Ollama's manifests: " + e.getMessage());
        }
        return found;
    }

    private static Found manifest(Path file, Path rel, Path blobs, Scan scan) {
        String host = rel.getName(0).toString();
        String namespace = rel.getName(1).toString();
        String name = rel.getName(2) + ":" + rel.getName(3);
        if (!host.equals("registry.ollama.ai")) {
            name = host + "/" + namespace + "/" + name;
        } else if (!namespace.equals("library")) {
            name = namespace + "/" + name;
        }
        JsonNode manifest;
        try {
            if (Files.size(file) > MAX_MANIFEST) {
                scan.skip(file, Long.toString(Files.size(file)), "not an Ollama manifest (too large)");
                return null;
            }
            manifest = Json.MAPPER.readTree(file.toFile());
        } catch (IOException e) {
            scan.skip(file, stamp(file), "not a readable Ollama manifest: " + e.getMessage());
            return null;
        }
        Path model = null;
        Path projector = null;
        String digest = null;
        String template = null;
        String system = null;
        Map<String, Object> parameters = null;
        StringBuilder license = null;
        for (JsonNode layer : manifest.path("layers")) {
            String type = layer.path("mediaType").asText("");
            var m = DIGEST.matcher(layer.path("digest").asText(""));
            if (!type.startsWith(LAYER) || !m.matches()) {
                continue;
            }
            Path blob = blobs.resolve("sha256-" + m.group(1));
            try {
                switch (type.substring(LAYER.length())) {
                    case "model" -> {
                        model = blob;
                        digest = m.group(1);
                    }
                    case "projector" -> projector = blob;
                    case "template", "prompt" -> template = text(blob);
                    case "system" -> system = text(blob);
                    case "params" -> parameters = Json.MAPPER.readValue(text(blob), new TypeReference<>() { });
                    case "license" -> license = (license == null ? new StringBuilder() : license.append("\n\n"))
                            .append(text(blob));
                    default -> { }
                }
            } catch (IOException e) {
                scan.skip(file, stamp(file), "cannot read its " + type + " layer: " + e.getMessage());
            }
        }
        if (model == null) {
            return null;   // a safetensors or remote model: nothing llama.cpp can load
        }
        if (!Files.isRegularFile(model)) {
            scan.skip(file, stamp(file), "its model blob " + model.getFileName() + " is missing");
            return null;
        }
        Modelfile modelfile = template == null && system == null && parameters == null && license == null ? null
                : new Modelfile(template, system, parameters, license == null ? null : license.toString());
        return new Found(name, name, List.of(model), projector != null && Files.isRegularFile(projector) ? projector
                : null, digest, modelfile);
    }

    private static String text(Path blob) throws IOException {
        if (Files.size(blob) > MAX_TEXT_LAYER) {
            throw new IOException("larger than " + MAX_TEXT_LAYER + " bytes");
        }
        return Files.readString(blob, StandardCharsets.UTF_8);
    }

    private static String stamp(Path file) {
        try {
            return Files.size(file) + "@" + Files.getLastModifiedTime(file).toMillis();
        } catch (IOException e) {
            return "";
        }
    }
}
