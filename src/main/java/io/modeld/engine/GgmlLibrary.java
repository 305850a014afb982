package io.modeld.engine;

import com.sun.jna.Library;

/** The few ggml functions that decide which compute backends (CPU variants, GPUs) are loaded. */
interface GgmlLibrary extends Library {

    long ggml_backend_reg_count();

    long ggml_backend_dev_count();

    void ggml_backend_load_all_from_path(String dir);

    /** Loads one backend library; null when it does not load or its score says this machine cannot run it. */
    com.sun.jna.Pointer ggml_backend_load(String path);
}
