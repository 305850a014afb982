package io.modeld.download;

import com.fasterxml.jackson.core.type.TypeReference;
import io.modeld.Json;
import io.modeld.catalog.Modelfile;
import io.modeld.registry.LayerKind;
import io.modeld.registry.Manifest;
import io.modeld.registry.RegistryClient;
import io.modeld.registry.RegistryException;
import io.modeld.registry.RegistryRef;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A model in a registry made into a download: the manifest is fetched (through an index if need be),
 * its weights layers become the parts (one file, or the shards of a split model, named
 * {@code <model>-00001-of-0000N.gguf} so the engine loads them as one), each checked against its layer
 * digest; a projector layer (Ollama's, Docker's mmproj; the first if several) is downloaded beside them as the
 * model's projector; the template, system, params and license layers are read into the model's Modelfile; the
 * manifest digest is the version. Other layers stay in the registry.
 */
final class RegistryPull {

    private RegistryPull() {
    }

    static Resolution resolve(RegistryClient client, RegistryRef ref) throws DownloadException {
        try {
            Manifest m = client.manifest(ref);
            List<Manifest.Descriptor> weights = m.layers(LayerKind.WEIGHTS);
            if (weights.isEmpty()) {
                throw DownloadException.fatal(ref + " holds no GGUF weights (layers: "
                        + m.layers().stream().map(Manifest.Descriptor::mediaType).distinct().toList() + ")");
            }
            Authorizer auth = new Authorizer() {
                @Override
                public String header() throws DownloadException {
                    try {
                        return client.authorization(ref, "pull");
                    } catch (RegistryException e) {
                        throw e.retryable() ? DownloadException.retryable(e.getMessage()) : DownloadException.fatal(e.getMessage());
                    }
                }

                @Override
                public boolean renewable() {
                    return true;
                }

                @Override
                public void refused() {
                    client.rejected(ref, "pull");
                }
            };
            String stem = FileNames.safe(ref.fileStem());
            List<Part> parts = new ArrayList<>();
            for (int i = 0; i < weights.size(); i++) {
                Manifest.Descriptor d = weights.get(i);
                String name = weights.size() == 1 ? stem + ".gguf"
                        : String.format(Locale.ROOT, "%s-%05d-of-%05d.gguf", stem, i + 1, weights.size());
                parts.add(new Part(client.blobUri(ref, d.digest()), null, name, d.size(), d.hex(), auth,
                        ref + "#" + d.digest(), null));
            }
            List<Manifest.Descriptor> projectors = m.layers(LayerKind.PROJECTOR);
            Part projector = projectors.isEmpty() ? null : new Part(client.blobUri(ref, projectors.get(0).digest()), null,
                    Resolution.PROJECTOR, projectors.get(0).size(), projectors.get(0).hex(), auth,
                    ref + "#" + projectors.get(0).digest(), null);
            return new Resolution(parts, projector, modelfile(client, ref, m), m.digest());
        } catch (RegistryException e) {
            throw e.notFound() ? DownloadException.missing(e.getMessage()) : e.retryable()
                    ? DownloadException.retryable(e.getMessage()) : DownloadException.fatal(e.getMessage());
        }
    }

    private static Modelfile modelfile(RegistryClient client, RegistryRef ref, Manifest m)
            throws RegistryException, DownloadException {
        String template = text(client, ref, m, LayerKind.TEMPLATE);
        String system = text(client, ref, m, LayerKind.SYSTEM);
        String params = text(client, ref, m, LayerKind.PARAMS);
        String license = text(client, ref, m, LayerKind.LICENSE);
        Map<String, Object> parameters = null;
        if (params != null) {
            try {
                parameters = Json.MAPPER.readValue(params, new TypeReference<Map<String, Object>>() { });
            } catch (IOException e) {
                throw DownloadException.fatal(ref + ": the params layer is not a JSON object");
            }
        }
        return template == null && system == null && parameters == null && license == null ? null
                : new Modelfile(template, system, parameters, license);
    }

    /** The layers of one kind as text (several licenses joined), or null when there are none. */
    private static String text(RegistryClient client, RegistryRef ref, Manifest m, LayerKind kind) throws RegistryException {
        List<Manifest.Descriptor> layers = m.layers(kind);
        if (layers.isEmpty()) {
            return null;
        }
        StringBuilder sb = new StringBuilder();
        for (Manifest.Descriptor d : layers) {
            sb.append(sb.isEmpty() ? "" : "\n\n").append(new String(client.smallBlob(ref, d), StandardCharsets.UTF_8));
        }
        return sb.toString();
    }
}
