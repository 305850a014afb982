package io.modeld.download;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.modeld.Json;
import io.modeld.catalog.ModelRecord;
import io.modeld.catalog.ModelSpec;
import io.modeld.catalog.Modelfile;
import io.modeld.gguf.GgufFormatException;
import io.modeld.gguf.GgufReader;
import io.modeld.registry.Manifest;
import io.modeld.registry.RegistryPush;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A downloaded model as an image in Ollama's layout, so that Ollama and modeld both pull it: a config
 * blob ({@code model_format}, {@code model_family}, {@code model_type}, {@code file_type}), the GGUF as
 * the {@code .model} layer, then its template, system prompt, parameters and license as their own
 * layers. A model in several files (a split model, which Ollama cannot hold) is pushed as Docker Model
 * Runner lays shards out, one {@code gguf.v3} layer each, in an OCI manifest.
 */
record ModelImage(String manifestType, RegistryPush.Blob config, List<RegistryPush.Blob> layers) {

    static ModelImage of(ModelRecord r, List<Path> files) throws IOException {
        ModelSpec s = r.spec();
        List<RegistryPush.Blob> layers = new ArrayList<>();
        boolean split = files.size() > 1;
        for (int i = 0; i < files.size(); i++) {
            Path f = files.get(i);
            requireGguf(f);
            String sha = i == 0 && r.file().sha256() != null && !split ? r.file().sha256() : Digests.sha256Hex(f);
            layers.add(new RegistryPush.Blob(split ? "application/vnd.docker.ai.gguf.v3" : "application/vnd.ollama.image.model",
                    "sha256:" + sha, Files.size(f), f, null));
        }
        Modelfile mf = s.modelfile();
        if (mf != null && !split) {
            text(layers, "template", mf.template());
            text(layers, "system", mf.system());
            text(layers, "params", mf.parameters() == null ? null : Json.MAPPER.writeValueAsString(mf.parameters()));
            text(layers, "license", mf.license());
        }
        ObjectNode config = Json.MAPPER.createObjectNode().put("model_format", "gguf")
                .put("model_family", s.family() == null ? "" : s.family());
        if (s.parameters() != null) {
            config.put("model_type", String.format(Locale.ROOT, "%.1fB", s.parameters()));
        }
        if (s.quantization() != null) {
            config.put("file_type", s.quantization());
        }
        config.put("architecture", "amd64").put("os", "linux");
        ObjectNode rootfs = config.putObject("rootfs").put("type", "layers");
        layers.forEach(l -> rootfs.withArray("diff_ids").add(l.digest()));
        String configType = split ? "application/vnd.docker.ai.model.config.v0.1+json"
                : "application/vnd.docker.container.image.v1+json";
        return new ModelImage(split ? Manifest.OCI_MANIFEST : Manifest.DOCKER_V2,
                RegistryPush.Blob.of(configType, Json.MAPPER.writeValueAsBytes(config)), List.copyOf(layers));
    }

    /** Only a model is pushed: a file that is not GGUF now (swapped since it was kept) stops the push. */
    private static void requireGguf(Path f) throws IOException {
        try {
            GgufReader.read(f);
        } catch (GgufFormatException e) {
            throw new IOException(f + " is not a GGUF model (" + e.getMessage() + "); nothing was pushed");
        }
    }

    private static void text(List<RegistryPush.Blob> layers, String kind, String text) {
        if (text != null) {
            layers.add(RegistryPush.Blob.of("application/vnd.ollama.image." + kind, text.getBytes(StandardCharsets.UTF_8)));
        }
    }
}
