package io.modeld.copilot;

import io.modeld.ModeldException;
import io.modeld.catalog.ModelRecord;
import io.modeld.catalog.ModelRoles;
import io.modeld.catalog.ModelService;
import io.modeld.gguf.ModelRole;
import java.nio.charset.StandardCharsets;
import java.util.UUID;

/**
 * The model behind the name the Pieces SDKs' client asks for. {@code PiecesClient} selects a model named
 * exactly {@value #ALIAS_NAME} when it starts and raises unless {@code /models} lists one that is downloaded
 * (or in the cloud). modeld runs no cloud model and does not pretend to: it lists an alias of that name,
 * {@code cloud: false}, downloaded exactly when its target is, whose description names the target, and
 * resolves questions to it to the target. The target is the chat model the {@code copilotModel} setting
 * names; without one, the first downloaded chat model in {@code /models} order, or (none downloaded) the
 * first chat model of the catalog, which then shows the alias as not downloaded.
 */
public final class CopilotModel {

    public static final String ALIAS_NAME = "GPT-3.5-turbo Chat Model";
    /** The alias's id: the same on every machine and every start, a UUID like every model id. */
    public static final String ALIAS_ID = UUID.nameUUIDFromBytes(("modeld alias: " + ALIAS_NAME)
            .getBytes(StandardCharsets.UTF_8)).toString();

    private final ModelService models;
    /** The chosen model's id, or null for the first downloaded chat model. */
    private volatile String chosen;

    public CopilotModel(ModelService models) {
        this.models = models;
    }

    /** The model the alias stands for now, or null when there is no chat model at all. */
    public ModelRecord target() {
        String id = chosen;
        if (id != null) {
            try {
                return models.get(id);
            } catch (ModeldException deleted) {
                // the chosen model was deleted: the automatic choice stands in
            }
        }
        ModelRecord first = null;
        for (ModelRecord r : models.list()) {
            if (ModelRoles.of(r.spec()) == ModelRole.GENERATOR) {
                if (r.downloaded()) {
                    return r;
                }
                first = first == null ? r : first;
            }
        }
        return first;
    }

    /** The chosen model's id, or null when the choice is automatic. */
    public String chosen() {
        return chosen;
    }

    /**
     * Makes the alias stand for the chat model named (by id, unique name or Ollama name); null or empty goes
     * back to the automatic choice. Returns the model's id (null for automatic); INVALID for a model that
     * does not chat, UNKNOWN_MODEL for no model.
     */
    public String choose(String name) {
        String id = check(name);
        chosen = id;
        return id;
    }

    /** The id {@link #choose} would choose for {@code name} (null for automatic), choosing nothing. */
    public String check(String name) {
        if (name == null || name.isEmpty()) {
            return null;
        }
        if (isAlias(name)) {
            throw ModeldException.invalid("copilotModel: name a chat model, not the alias itself");
        }
        ModelRecord r = models.get(name);
        ModelRole role = ModelRoles.of(r.spec());
        if (role != ModelRole.GENERATOR) {
            throw ModeldException.invalid("copilotModel: '" + r.spec().name() + "' is " + role.withArticle()
                    + ", not a chat model");
        }
        return r.id();
    }

    /** Whether a client names the alias (by its id or its name). */
    public static boolean isAlias(String name) {
        return ALIAS_ID.equals(name) || ALIAS_NAME.equals(name);
    }

    /** The id of the model a client names (by any name), the alias resolved to its target; UNKNOWN_MODEL when there is none. */
    public String resolve(String name) {
        if (!isAlias(name)) {
            return models.get(name).id();
        }
        ModelRecord r = target();
        if (r == null) {
            throw ModeldException.unknownModel(name);
        }
        return r.id();
    }
}
