package io.modeld.catalog;

/** What the running process is doing with a model right now; these flags are never stored. */
public interface ModelActivity {

    boolean downloading(String id);

    boolean loaded(String id);

    /** No downloads and no loaded models: what the daemon reports until those features run. */
    ModelActivity IDLE = new ModelActivity() {
        @Override
        public boolean downloading(String id) {
            return false;
        }

        @Override
        public boolean loaded(String id) {
            return false;
        }
    };
}
