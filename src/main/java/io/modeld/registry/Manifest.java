package io.modeld.registry;

import com.fasterxml.jackson.databind.JsonNode;
import io.modeld.Json;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * An image manifest (Docker schema 2 or OCI) as modeld reads it: its digest (the SHA-256 of its bytes),
 * its config and its layers in order. {@link #parse} also reads an index (an OCI index or a Docker list),
 * which names the manifest to fetch instead: the linux/amd64 one, or its only entry.
 */
public record Manifest(String digest, String mediaType, Descriptor config, List<Descriptor> layers, byte[] raw) {

    public static final String DOCKER_V2 = "application/vnd.docker.distribution.manifest.v2+json";
    public static final String OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
    public static final String OCI_INDEX = "application/vnd.oci.image.index.v1+json";
    public static final String DOCKER_LIST = "application/vnd.docker.distribution.manifest.list.v2+json";
    /** What a pull accepts, in the order a registry should prefer. */
    public static final String ACCEPT = String.join(", ", DOCKER_V2, OCI_MANIFEST, OCI_INDEX, DOCKER_LIST);

    /** What every digest modeld puts in a URL must look like. */
    static final java.util.regex.Pattern DIGEST = java.util.regex.Pattern.compile("sha256:[0-9a-f]{64}");

    private static String abbreviate(String s) {
        return s.length() > 80 ? s.substring(0, 80) + "…" : s;
    }

    /** A blob: its media type, digest, size and, for ModelPack and Docker Model Runner, its file path. */
    public record Descriptor(String mediaType, String digest, long size, String filePath) {
        public LayerKind kind() {
            return LayerKind.of(mediaType, filePath);
        }

        /** The hex of a {@code sha256:} digest. */
        public String hex() {
            return digest.substring("sha256:".length());
        }
    }

    /** The manifest to fetch in place of an index: linux/amd64's, or the only one. */
    public record IndexChoice(String digest) {
    }

    /**
     * Reads a manifest; for an index, returns null and {@code choice} names the manifest to fetch.
     * IOException when the bytes are not a manifest this reads.
     */
    static Manifest parse(byte[] raw, String digest, String contentType, IndexChoice[] choice) throws IOException {
        JsonNode m;
        try {
            m = Json.MAPPER.readTree(raw);
        } catch (IOException e) {
            throw new IOException("the manifest is not JSON");
        }
        String type = m.path("mediaType").asText(contentType == null ? "" : contentType.split(";")[0].strip());
        if (type.equals(OCI_INDEX) || type.equals(DOCKER_LIST) || m.has("manifests")) {
            JsonNode pick = null;
            for (JsonNode entry : m.path("manifests")) {
                JsonNode p = entry.path("platform");
                if (p.path("os").asText("").equals("linux") && p.path("architecture").asText("").equals("amd64")) {
                    pick = entry;
                }
            }
            if (pick == null && m.path("manifests").size() == 1) {
                pick = m.path("manifests").get(0);
            }
            if (pick == null || !pick.path("digest").isTextual()) {
                throw new IOException("the index names no linux/amd64 manifest");
            }
            String named = pick.get("digest").asText();
            if (!DIGEST.matcher(named).matches()) {
                throw new IOException("the index names its manifest by '" + abbreviate(named)
                        + "', which is not sha256:<64 hex digits>");
            }
            choice[0] = new IndexChoice(named);
            return null;
        }
        if (m.path("schemaVersion").asInt() != 2 || !m.path("layers").isArray()) {
            throw new IOException("not a schema 2 or OCI image manifest");
        }
        List<Descriptor> layers = new ArrayList<>();
        for (JsonNode l : m.get("layers")) {
            layers.add(descriptor(l));
        }
        return new Manifest(digest, type, m.has("config") ? descriptor(m.get("config")) : null, List.copyOf(layers), raw);
    }

    private static Descriptor descriptor(JsonNode d) throws IOException {
        String digest = d.path("digest").asText("");
        if (!DIGEST.matcher(digest).matches()) {
            throw new IOException("a layer's digest is not sha256:<64 hex digits>: " + digest);
        }
        long size = d.path("size").asLong(-1);
        if (size < 0) {
            throw new IOException("a layer has no size");
        }
        String path = d.path("annotations").path("org.cncf.model.filepath").asText(null);
        return new Descriptor(d.path("mediaType").asText(""), digest, size, path);
    }

    /** The layers of one kind, in manifest order. */
    public List<Descriptor> layers(LayerKind kind) {
        return layers.stream().filter(l -> l.kind() == kind).toList();
    }
}
