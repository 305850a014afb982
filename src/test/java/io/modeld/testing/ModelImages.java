package io.modeld.testing;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.modeld.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Models put into a registry in the layouts of the tools that publish them, with the test's own
 * uploader: Ollama's (a Docker schema 2 manifest, a config blob, the GGUF as {@code .model}, template,
 * system and params layers) and Docker Model Runner's (an OCI manifest, its config, one
 * {@code gguf.v3} layer per shard).
 */
public final class ModelImages {

    private ModelImages() {
    }

    /** Pushes an Ollama-style model; returns the manifest digest. */
    public static String ollama(LocalRegistry registry, String repo, String tag, byte[] gguf, String template,
                                String system, String params) throws IOException, InterruptedException {
        byte[] config = "{\"model_format\":\"gguf\",\"model_family\":\"qwen3\",\"architecture\":\"amd64\",\"os\":\"linux\"}"
                .getBytes(StandardCharsets.UTF_8);
        ObjectNode m = Json.MAPPER.createObjectNode().put("schemaVersion", 2)
                .put("mediaType", "application/vnd.docker.distribution.manifest.v2+json");
        m.set("config", layer("application/vnd.docker.container.image.v1+json", registry.putBlob(repo, config), config.length));
        ArrayNode layers = m.putArray("layers");
        layers.add(layer("application/vnd.ollama.image.model", registry.putBlob(repo, gguf), gguf.length));
        String[][] texts = {{"template", template}, {"system", system}, {"params", params}};
        for (String[] t : texts) {
            if (t[1] != null) {
                byte[] b = t[1].getBytes(StandardCharsets.UTF_8);
                layers.add(layer("application/vnd.ollama.image." + t[0], registry.putBlob(repo, b), b.length));
            }
        }
        return registry.putManifest(repo, tag, "application/vnd.docker.distribution.manifest.v2+json",
                Json.MAPPER.writeValueAsBytes(m));
    }

    /** Pushes a Docker-Model-Runner-style model of these shards; returns the manifest digest. */
    public static String dockerModelRunner(LocalRegistry registry, String repo, String tag, List<byte[]> shards)
            throws IOException, InterruptedException {
        byte[] config = "{\"config\":{\"format\":\"gguf\",\"architecture\":\"qwen3\"},\"descriptor\":{},\"rootfs\":{\"type\":\"rootfs\",\"diff_ids\":[]}}"
                .getBytes(StandardCharsets.UTF_8);
        ObjectNode m = Json.MAPPER.createObjectNode().put("schemaVersion", 2)
                .put("mediaType", "application/vnd.oci.image.manifest.v1+json");
        m.set("config", layer("application/vnd.docker.ai.model.config.v0.1+json", registry.putBlob(repo, config),
                config.length));
        ArrayNode layers = m.putArray("layers");
        for (byte[] shard : shards) {
            layers.add(layer("application/vnd.docker.ai.gguf.v3", registry.putBlob(repo, shard), shard.length));
        }
        return registry.putManifest(repo, tag, "application/vnd.oci.image.manifest.v1+json", Json.MAPPER.writeValueAsBytes(m));
    }

    /**
     * Pushes a model and its projector: in Ollama's layout ({@code application/vnd.ollama.image.projector}) or, with
     * {@code docker}, Docker Model Runner's ({@code application/vnd.docker.ai.mmproj}); returns the manifest digest.
     */
    public static String withProjector(LocalRegistry registry, String repo, String tag, byte[] gguf, byte[] projector,
                                       boolean docker) throws IOException, InterruptedException {
        String type = docker ? "application/vnd.oci.image.manifest.v1+json"
                : "application/vnd.docker.distribution.manifest.v2+json";
        byte[] config = "{\"model_format\":\"gguf\"}".getBytes(StandardCharsets.UTF_8);
        ObjectNode m = Json.MAPPER.createObjectNode().put("schemaVersion", 2).put("mediaType", type);
        m.set("config", layer(docker ? "application/vnd.docker.ai.model.config.v0.1+json"
                : "application/vnd.docker.container.image.v1+json", registry.putBlob(repo, config), config.length));
        ArrayNode layers = m.putArray("layers");
        layers.add(layer(docker ? "application/vnd.docker.ai.gguf.v3" : "application/vnd.ollama.image.model",
                registry.putBlob(repo, gguf), gguf.length));
        layers.add(layer(docker ? "application/vnd.docker.ai.mmproj" : "application/vnd.ollama.image.projector",
                registry.putBlob(repo, projector), projector.length));
        return registry.putManifest(repo, tag, type, Json.MAPPER.writeValueAsBytes(m));
    }

    private static ObjectNode layer(String mediaType, String digest, long size) {
        return Json.MAPPER.createObjectNode().put("mediaType", mediaType).put("digest", digest).put("size", size);
    }
}
