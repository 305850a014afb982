package io.modeld.api;

import io.modeld.api.schema.ByteDescriptor;
import io.modeld.api.schema.Capabilities;
import io.modeld.api.schema.GroupedTimestamp;
import io.modeld.api.schema.Library;
import io.modeld.api.schema.MaxTokens;
import io.modeld.api.schema.Model;
import io.modeld.api.schema.ReferencedModel;
import io.modeld.api.schema.Schema;
import io.modeld.api.schema.Source;
import io.modeld.catalog.ModelActivity;
import io.modeld.catalog.ModelRecord;
import io.modeld.catalog.ModelRoles;
import io.modeld.catalog.OllamaNames;
import io.modeld.catalog.ModelSpec;
import com.fasterxml.jackson.core.JsonProcessingException;
import io.modeld.Json;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Turns stored models plus what the process is doing with them into the Pieces JSON objects.
 *
 * <p>Snapshots are read far more often than models change, so the serialized JSON of each model, and
 * of the whole list, is kept and reused while the record (compared by identity: records are immutable
 * and replaced on every change) and its runtime flags stay the same.
 */
public final class ModelViews {

    private final Schema schema;
    private final ModelActivity activity;
    private final Map<String, Rendered> rendered = new ConcurrentHashMap<>();
    private volatile RenderedList renderedList;
    private final byte[] listPrefix;

    private record Rendered(ModelRecord record, boolean downloading, boolean loaded, String problem, boolean sees,
                            boolean onGpu,
                            byte[] json) {
    }

    private record RenderedList(List<byte[]> parts, byte[] json) {
    }

    ModelViews(int migration, ModelActivity activity) {
        this.schema = Schema.of(migration);
        this.activity = activity;
        try {
            this.listPrefix = ("{\"schema\":" + Json.MAPPER.writeValueAsString(schema) + ",\"iterable\":[")
                    .getBytes(StandardCharsets.UTF_8);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The JSON of one Model, reused while neither the record nor its flags change. */
    public byte[] json(ModelRecord r) {
        boolean downloading = activity.downloading(r.id());
        boolean loaded = activity.loaded(r.id());
        boolean onGpu = loaded && activity.onGpu(r.id());
        String problem = activity.problem(r);
        boolean sees = activity.sees(r);
        Rendered cached = rendered.get(r.id());
        if (cached != null && cached.record() == r && cached.downloading() == downloading && cached.loaded() == loaded
                && java.util.Objects.equals(cached.problem(), problem) && cached.sees() == sees && cached.onGpu() == onGpu) {
            return cached.json();
        }
        try {
            byte[] json = Json.MAPPER.writeValueAsBytes(of(r, downloading, loaded, problem, sees, onGpu));
            rendered.put(r.id(), new Rendered(r, downloading, loaded, problem, sees, onGpu, json));
            return json;
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The JSON of Models for these records, reused while every model's JSON is the same. */
    public byte[] json(List<ModelRecord> records) {
        List<byte[]> parts = new ArrayList<>(records.size());
        for (ModelRecord r : records) {
            parts.add(json(r));
        }
        RenderedList cached = renderedList;
        if (cached != null && sameInstances(cached.parts(), parts)) {
            return cached.json();
        }
        if (rendered.size() > records.size()) {
            Set<String> ids = new HashSet<>();
            records.forEach(r -> ids.add(r.id()));
            rendered.keySet().retainAll(ids);
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(listPrefix.length + parts.size() * 1600);
        out.writeBytes(listPrefix);
        for (int i = 0; i < parts.size(); i++) {
            if (i > 0) {
                out.write(',');
            }
            out.writeBytes(parts.get(i));
        }
        out.writeBytes("]}".getBytes(StandardCharsets.UTF_8));
        byte[] json = out.toByteArray();
        renderedList = new RenderedList(parts, json);
        return json;
    }

    private static boolean sameInstances(List<byte[]> a, List<byte[]> b) {
        if (a.size() != b.size()) {
            return false;
        }
        for (int i = 0; i < a.size(); i++) {
            if (a.get(i) != b.get(i)) {
                return false;
            }
        }
        return true;
    }

    public Schema schema() {
        return schema;
    }

    public ReferencedModel reference(String id) {
        return new ReferencedModel(schema, id);
    }

    /**
     * The Pieces Model; {@code sees}: it reads images, whatever its spec says (Model.capabilities.images); {@code onGpu}:
     * it is loaded with layers on a GPU (Model.cpu false; loaded on the CPU alone, true).
     */
    private Model of(ModelRecord r, boolean downloading, boolean loaded, String problem, boolean sees, boolean onGpu) {
        ModelSpec s = r.spec();
        return new Model(schema, r.id(), s.version(), GroupedTimestamp.of(schema, r.created()), s.name(),
                s.description(), s.cloud(), s.type(), s.usage(),
                ByteDescriptor.of(schema, s.bytes()), ByteDescriptor.of(schema, s.ram()),
                s.quantization(), s.foundation(),
                r.downloaded() && !downloading, loaded, s.unique(), s.parameters(), s.provider(),
                onGpu ? Boolean.FALSE : loaded ? Boolean.TRUE : s.cpu(), downloading,
                s.maxTokens() == null ? null : new MaxTokens(schema, s.maxTokens().total(), s.maxTokens().input(),
                        s.maxTokens().output()),
                r.custom(),
                s.capabilities() == null ? sees ? new Capabilities(schema, null, true, null, null, null, null, null) : null
                        : new Capabilities(schema, s.capabilities().temporal(),
                        sees ? Boolean.TRUE : s.capabilities().images(), s.capabilities().videos(),
                        s.capabilities().documents(), s.capabilities().codebases(), s.capabilities().assets(),
                        s.capabilities().websites()),
                s.source() == null ? null : new Source(schema, s.source().url(), s.source().sha256(), s.source().link()),
                s.context(), ModelRoles.of(s).wire(), OllamaNames.of(r), s.family(), s.released(), library(r), r.remote(), problem);
    }

    private Library library(ModelRecord r) {
        ModelRecord.InPlace p = r.inPlace();
        if (p == null) {
            return null;
        }
        return new Library(schema, p.root().wire(), p.rootDir().toString(), p.files().stream().map(Path::toString).toList(),
                p.projector() == null ? null : p.projector().toString());
    }
}
