package io.modeld.api.schema;

/** EmbeddedModelSchema: the store's migration number and the schema's semantic version. */
public record Schema(int migration, String semantic) {

    public static Schema of(int migration) {
        return new Schema(migration, "MAJOR_0_MINOR_0_PATCH_1");
    }
}
