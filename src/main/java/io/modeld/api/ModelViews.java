package io.modeld.api;

import io.modeld.api.schema.ByteDescriptor;
import io.modeld.api.schema.Capabilities;
import io.modeld.api.schema.GroupedTimestamp;
import io.modeld.api.schema.MaxTokens;
import io.modeld.api.schema.Model;
import io.modeld.api.schema.Models;
import io.modeld.api.schema.ReferencedModel;
import io.modeld.api.schema.Schema;
import io.modeld.api.schema.Source;
import io.modeld.catalog.ModelActivity;
import io.modeld.catalog.ModelRecord;
import io.modeld.catalog.ModelSpec;
import java.util.List;

/** Turns stored models plus what the process is doing with them into the Pieces JSON objects. */
final class ModelViews {

    private final Schema schema;
    private final ModelActivity activity;

    ModelViews(int migration, ModelActivity activity) {
        this.schema = Schema.of(migration);
        this.activity = activity;
    }

    Schema schema() {
        return schema;
    }

    Models of(List<ModelRecord> records) {
        return new Models(schema, records.stream().map(this::of).toList());
    }

    ReferencedModel reference(String id) {
        return new ReferencedModel(schema, id);
    }

    Model of(ModelRecord r) {
        ModelSpec s = r.spec();
        boolean downloading = activity.downloading(r.id());
        return new Model(schema, r.id(), s.version(), GroupedTimestamp.of(schema, r.created()), s.name(),
                s.description(), s.cloud(), s.type(), s.usage(),
                ByteDescriptor.of(schema, s.bytes()), ByteDescriptor.of(schema, s.ram()),
                s.quantization(), s.foundation(),
                r.downloaded() && !downloading, activity.loaded(r.id()), s.unique(), s.parameters(), s.provider(),
                s.cpu(), downloading,
                s.maxTokens() == null ? null : new MaxTokens(schema, s.maxTokens().total(), s.maxTokens().input(),
                        s.maxTokens().output()),
                r.custom(),
                s.capabilities() == null ? null : new Capabilities(schema, s.capabilities().temporal(),
                        s.capabilities().images(), s.capabilities().videos(), s.capabilities().documents(),
                        s.capabilities().codebases(), s.capabilities().assets(), s.capabilities().websites()),
                s.source() == null ? null : new Source(schema, s.source().url(), s.source().sha256()));
    }
}
