package io.modeld.catalog;

/** What the running process is doing with a model, or knows of it, right now; none of it is stored. */
public interface ModelActivity {

    boolean downloading(String id);

    boolean loaded(String id);

    /** Why the model cannot be used now (its chat template broke a limit when it was read); null when it can. */
    default String problem(ModelRecord r) {
        return null;
    }

    /** Whether the model is loaded with layers on a GPU. */
    default boolean onGpu(String id) {
        return false;
    }

    /** Whether the model reads images (it has a projector that does). */
    default boolean sees(ModelRecord r) {
        return false;
    }

}
