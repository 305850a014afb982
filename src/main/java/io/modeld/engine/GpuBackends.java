package io.modeld.engine;

import com.sun.jna.NativeLibrary;
import com.sun.jna.Pointer;
import com.sun.jna.ptr.LongByReference;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Supplier;

/**
 * Loads the GPU backend the {@link Gpu} mode asks for, beside the CPU one, and lists its devices. The bundle
 * keeps the GPU backends of the same release in {@code gpu/} (a folder of their own, so ggml's search for
 * CPU variants never picks one up): {@code libggml-vulkan.so}, and with {@code mvn -Pcuda} the CUDA 13
 * {@code libggml-cuda.so} and the CUDA 12 one in {@code gpu/cuda12/}. Each links to the {@code libggml-base}
 * the CPU build already loaded (the same file in every package of the release).
 *
 * <p>What each needs on the machine, checked before loading so that the message names it: Vulkan, the
 * loader ({@code libvulkan.so.1}) and a driver that finds a device; CUDA, the NVIDIA driver
 * ({@code libcuda.so.1}) and the runtime the backend was built against ({@code libcudart}, {@code libcublas}).
 */
final class GpuBackends {

    /** The devices that serve (empty: the CPU alone), and the one line that says which backend and why. */
    record Outcome(List<Device> devices, String note) {
        static final Outcome NONE = new Outcome(List.of(), "GPU off (--gpu none): the CPU serves");
    }

    private GpuBackends() {
    }

    static Outcome load(GgmlLibrary ggml, Path dir, Gpu gpu, Supplier<String> logSummary) throws EngineException {
        if (gpu == Gpu.NONE) {
            return Outcome.NONE;
        }
        List<String> why = new ArrayList<>();
        for (String backend : gpu.backends()) {
            List<Device> devices = devices(ggml, backend, gpu.named());
            if (devices.isEmpty() && registered(ggml, backend)) {
                why.add(backend + " found no device" + (gpu.named() ? "" : skippedIntegrated(ggml, backend)));
                continue;
            }
            if (devices.isEmpty()) {
                String problem = backend.equals("cuda") ? cudaProblem(dir) : null;
                Path file = backend.equals("cuda") && problem == null ? cudaFile(dir) : library(dir, backend);
                if (problem != null || file == null) {
                    why.add(backend + ": " + (problem != null ? problem : "this build carries no " + backend
                            + " backend"));
                    continue;
                }
                if (LlamaEngine.orNull(ggml.ggml_backend_load(file.toString())) == null) {
                    why.add(backend + ": " + file.getFileName() + " did not load" + (backend.equals("vulkan")
                            ? " (is the Vulkan loader, libvulkan.so.1, installed?)" : "") + logSummary.get());
                    continue;
                }
                devices = devices(ggml, backend, gpu.named());
                if (devices.isEmpty()) {
                    why.add(backend + " found no device" + (gpu.named() ? "" : skippedIntegrated(ggml, backend)));
                    continue;
                }
            }
            StringBuilder note = new StringBuilder("GPU: " + backend + " on");
            for (Device d : devices) {
                note.append(' ').append(d.name()).append(" (").append(d.description()).append(", ")
                        .append(d.free() >> 20).append(" MiB free)");
            }
            return new Outcome(List.copyOf(devices), note.toString());
        }
        String all = String.join("; ", why);
        if (gpu.named()) {
            throw new EngineException(EngineException.Kind.LIBRARY, "--gpu " + gpu.wire() + " cannot be used: " + all
                    + "; use --gpu auto to fall back to the CPU");
        }
        return new Outcome(List.of(), "no GPU: the CPU serves (" + all + ")");
    }

    /** The GPUs of {@code backend}; integrated ones only when the backend was {@code named}. */
    static List<Device> devices(GgmlLibrary ggml, String backend, boolean named) {
        List<Device> found = new ArrayList<>();
        for (long i = 0; i < ggml.ggml_backend_dev_count(); i++) {
            Pointer dev = ggml.ggml_backend_dev_get(i);
            int type = ggml.ggml_backend_dev_type(dev);
            if (!of(ggml, dev, backend) || type != GgmlLibrary.DEVICE_GPU && !(named && type == GgmlLibrary.DEVICE_IGPU)) {
                continue;
            }
            LongByReference free = new LongByReference();
            LongByReference total = new LongByReference();
            ggml.ggml_backend_dev_memory(dev, free, total);
            found.add(new Device(ggml.ggml_backend_dev_name(dev), ggml.ggml_backend_dev_description(dev), backend,
                    type == GgmlLibrary.DEVICE_IGPU, free.getValue(), total.getValue()));
        }
        return found;
    }

    private static boolean registered(GgmlLibrary ggml, String backend) {
        for (long i = 0; i < ggml.ggml_backend_dev_count(); i++) {
            if (of(ggml, ggml.ggml_backend_dev_get(i), backend)) {
                return true;
            }
        }
        return false;
    }

    private static String skippedIntegrated(GgmlLibrary ggml, String backend) {
        for (long i = 0; i < ggml.ggml_backend_dev_count(); i++) {
            Pointer dev = ggml.ggml_backend_dev_get(i);
            if (of(ggml, dev, backend) && ggml.ggml_backend_dev_type(dev) == GgmlLibrary.DEVICE_IGPU) {
                return " but an integrated GPU, used only when asked for (--gpu " + backend + ")";
            }
        }
        return "";
    }

    private static boolean of(GgmlLibrary ggml, Pointer dev, String backend) {
        Pointer reg = ggml.ggml_backend_dev_backend_reg(dev);
        return reg != null && ggml.ggml_backend_reg_name(reg).toLowerCase(Locale.ROOT).equals(backend);
    }

    /** {@code libggml-<backend>.so} in the bundle's {@code gpu/} folder, or beside the libraries (a build of one's own). */
    private static Path library(Path dir, String backend) {
        for (Path p : List.of(dir.resolve("gpu").resolve("libggml-" + backend + ".so"),
                dir.resolve("libggml-" + backend + ".so"))) {
            if (Files.isRegularFile(p)) {
                return p;
            }
        }
        return null;
    }

    /** Why CUDA cannot serve here: no backend in this build, no driver, no runtime it was built for; null when it can. */
    static String cudaProblem(Path dir) {
        if (library(dir, "cuda") == null && !Files.isRegularFile(dir.resolve("gpu/cuda12/libggml-cuda.so"))) {
            return "this build carries no CUDA backend (build the jar with mvn -Pcuda package)";
        }
        if (!loads("libcuda.so.1")) {
            return "the NVIDIA driver (libcuda.so.1) is not installed";
        }
        if (cudaFile(dir) == null) {
            return "no CUDA runtime the backend was built for: it needs libcudart.so.13 and libcublas.so.13 (CUDA 13)"
                    + " or, for the CUDA 12 build, libcudart.so.12 and libcublas.so.12";
        }
        return null;
    }

    /** The CUDA build whose runtime this machine has: CUDA 13's, else CUDA 12's; null for neither. */
    private static Path cudaFile(Path dir) {
        Path thirteen = library(dir, "cuda");
        if (thirteen != null && loads("libcudart.so.13") && loads("libcublas.so.13")) {
            return thirteen;
        }
        Path twelve = dir.resolve("gpu/cuda12/libggml-cuda.so");
        return Files.isRegularFile(twelve) && loads("libcudart.so.12") && loads("libcublas.so.12") ? twelve : null;
    }

    private static boolean loads(String soname) {
        try {
            NativeLibrary.getInstance(soname);
            return true;
        } catch (UnsatisfiedLinkError e) {
            return false;
        }
    }
}
