package io.modeld.catalog;

import io.modeld.ModeldException;
import java.util.List;

/**
 * The one way a name given by a client becomes a model: an id, a unique name, or an Ollama name in any
 * spelling {@link OllamaNames#normalize} accepts. Stored models are looked at before those found in
 * library roots; of several models answering to one Ollama name, the first downloaded one wins.
 * Every door and the CLI reach it through {@link ModelService#get}.
 */
final class ModelNames {

    private ModelNames() {
    }

    /** The model {@code model} names among {@code stored}, then {@code library}; UNKNOWN_MODEL if none. */
    static ModelRecord resolve(String model, ModelSnapshot stored, ModelSnapshot library, List<ModelRecord> all) {
        // A stored model's id is what most requests give: found before the name's shape is read.
        ModelRecord byId = model == null ? null : stored.withId(model);
        if (byId != null) {
            return byId;
        }
        if (model != null && !ModelSpec.UNIQUE_NAME.matcher(model).matches() && OllamaNames.valid(model)) {
            return orUnknown(byOllamaName(model, all), model);
        }
        checkReference(model);
        ModelRecord r = stored.find(model);
        if (r == null) {
            r = library.find(model);
        }
        if (r == null && OllamaNames.valid(model)) {
            r = byOllamaName(model, all);
        }
        return orUnknown(r, model);
    }

    /** INVALID unless {@code model} has the shape of an id or unique name. */
    static void checkReference(String model) {
        if (model == null || !ModelSpec.UNIQUE_NAME.matcher(model).matches()) {
            throw ModeldException.invalid("model: '" + abbreviate(model)
                    + "' is not a model id, unique name or Ollama name (letters, digits, '.', '_', ':', '-', '/')");
        }
    }

    /** The model answering to this Ollama name, or null; of several, the first downloaded one. */
    private static ModelRecord byOllamaName(String name, List<ModelRecord> all) {
        String wanted = OllamaNames.normalize(name);
        ModelRecord first = null;
        for (ModelRecord r : all) {
            if (OllamaNames.normalize(OllamaNames.of(r)).equals(wanted)) {
                if (r.downloaded()) {
                    return r;
                }
                first = first == null ? r : first;
            }
        }
        return first;
    }

    private static ModelRecord orUnknown(ModelRecord r, String model) {
        if (r == null) {
            throw ModeldException.unknownModel(model);
        }
        return r;
    }

    private static String abbreviate(String s) {
        if (s == null) {
            return "";
        }
        return s.length() > 80 ? s.substring(0, 80) + "…" : s;
    }
}
