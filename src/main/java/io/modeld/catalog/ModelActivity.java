package io.modeld.catalog;

/** What the running process is doing with a model right now; these flags are never stored. */
public interface ModelActivity {

    boolean downloading(String id);

    boolean loaded(String id);

}
