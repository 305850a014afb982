package io.modeld.engine;

import com.sun.jna.Library;
import com.sun.jna.Pointer;
import com.sun.jna.ptr.LongByReference;

/** The few ggml functions that decide which compute backends (CPU variants, GPUs) are loaded, and list their devices. */
interface GgmlLibrary extends Library {

    /** {@code enum ggml_backend_dev_type}: the CPU, a GPU with its own memory, one that shares the host's, an accelerator. */
    int DEVICE_CPU = 0;
    int DEVICE_GPU = 1;
    int DEVICE_IGPU = 2;

    long ggml_backend_reg_count();

    long ggml_backend_dev_count();

    void ggml_backend_load_all_from_path(String dir);

    /** Loads one backend library; null when it does not load or its score says this machine cannot run it. */
    Pointer ggml_backend_load(String path);

    Pointer ggml_backend_dev_get(long index);

    Pointer ggml_backend_dev_by_name(String name);

    String ggml_backend_dev_name(Pointer device);

    String ggml_backend_dev_description(Pointer device);

    int ggml_backend_dev_type(Pointer device);

    void ggml_backend_dev_memory(Pointer device, LongByReference free, LongByReference total);

    Pointer ggml_backend_dev_backend_reg(Pointer device);

    String ggml_backend_reg_name(Pointer reg);
}
