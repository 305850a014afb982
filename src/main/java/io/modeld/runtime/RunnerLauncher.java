package io.modeld.runtime;

import io.modeld.engine.ChatLayer;
import io.modeld.engine.NativeBundle;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The command line that starts a runner: the daemon's own Java and class path, a small heap, the
 * serial collector, C1 only (the work is native), the daemon's class-data archive when it has one,
 * and where the native libraries are: llama.cpp's ({@link #llamaDir}) and JNA's own stub, both kept
 * under {@code <data-dir>/lib/}, never in the system's temp dir.
 */
public final class RunnerLauncher {

    /** Where {@code modeld engine build} puts a llama.cpp built for this machine; preferred when there. */
    public static final String NATIVE_BUILD = "llama-native";

    private RunnerLauncher() {
    }

    /**
     * The folder of llama.cpp's libraries: the user's own ({@code --llama-lib}) when given, else a build
     * for this machine in {@code <lib>/llama-native}, else the bundled prebuilt one; null when none exists.
     */
    public static Path llamaDir(Path userLib, Path libRoot) {
        if (userLib != null) {
            return userLib.toAbsolutePath();
        }
        Path nativeBuild = libRoot.resolve(NATIVE_BUILD);
        if (Files.isDirectory(nativeBuild)) {
            return nativeBuild;
        }
        return NativeBundle.llamaDir(libRoot);
    }

    /** Variables a runner keeps from the daemon's environment: the system's basics. */
    private static final java.util.Set<String> KEPT = java.util.Set.of("PATH", "HOME", "USER", "LOGNAME", "LANG",
            "LC_ALL", "LC_CTYPE", "TZ", "TMPDIR", "JAVA_HOME", "LD_LIBRARY_PATH", ChatLayer.PINNED_CLOCK);
    /** ...and those that steer llama.cpp, its threads and its GPU backends. */
    private static final List<String> KEPT_PREFIXES = List.of("GGML_", "LLAMA_", "OMP_", "CUDA_", "HIP_", "ROCR_",
            "HSA_", "VK_", "GPU_");

    /**
     * Keeps in {@code env} (a runner's environment, copied from the daemon's) only what a runner needs:
     * llama.cpp and model files get nothing of the daemon's secrets ({@code HF_TOKEN},
     * {@code MODELD_API_KEY}, {@code MODELD_REGISTRY_AUTH}, cloud credentials, ...), which a crash dump
     * or {@code /proc/<pid>/environ} would otherwise show.
     */
    public static void cleanEnvironment(java.util.Map<String, String> env) {
        env.keySet().removeIf(name -> !KEPT.contains(name) && KEPT_PREFIXES.stream().noneMatch(name::startsWith));
    }

    /**
     * The command with the user's llama.cpp or the bundled one, worked out (the libraries unpacked or
     * checked) when first asked for, once; its runners load the GPU backend {@code gpu} asks for, limited to
     * {@code devices} when not blank.
     */
    public static java.util.function.Supplier<List<String>> lazyCommand(Path userLib, Path libRoot,
                                                                         io.modeld.engine.Gpu gpu, String devices) {
        return new java.util.function.Supplier<>() {
            private List<String> command;

            @Override
            public synchronized List<String> get() {
                if (command == null) {
                    List<String> c = new ArrayList<>(command(llamaDir(userLib, libRoot), libRoot));
                    int main = c.indexOf("io.modeld.Main");
                    c.addAll(main - 2, List.of("-D" + RunnerMain.GPU + "=" + gpu.wire(),
                            "-D" + RunnerMain.GPU_DEVICES + "=" + (devices == null ? "" : devices.strip())));
                    command = List.copyOf(c);
                }
                return command;
            }
        };
    }

    /**
     * Limits the GPU backends of this process to the devices {@code list} names ({@code 0,1}: the driver's order),
     * as {@code CUDA_VISIBLE_DEVICES} and {@code GGML_VK_VISIBLE_DEVICES} do: set in the runner's own environment
     * before llama.cpp is loaded (they read it then). Blank: all. Vulkan's software drivers (lavapipe) present the
     * CPU as a device that ggml leaves out unless named here.
     */
    public static void visibleDevices(String list) {
        if (list == null || !list.strip().matches(io.modeld.config.Config.Gpu.DEVICES) || !com.sun.jna.Platform.isLinux()) {
            return;   // the daemon's configuration checked it
        }
        Env env = com.sun.jna.Native.load("c", Env.class);
        for (String name : List.of("GGML_VK_VISIBLE_DEVICES", "CUDA_VISIBLE_DEVICES")) {
            env.setenv(name, list.strip(), 1);
        }
    }

    private interface Env extends com.sun.jna.Library {
        int setenv(String name, String value, int overwrite);
    }

    /** The command, up to and including {@code io.modeld.Main runner}. */
    public static List<String> command(Path llamaDir, Path libRoot) {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:+UseSerialGC", "-Xms8m", "-Xmx64m", "-Xss1m", "-XX:TieredStopAtLevel=1",
                // a crash report goes to the data dir's logs, not into whatever folder the daemon was started in
                "-XX:ErrorFile=" + libRoot.resolveSibling("logs").resolve("runner-crash-%p.log"),
                "-Djna.encoding=UTF-8", "-D" + RunnerMain.LLAMA_DIR + "=" + (llamaDir == null ? "" : llamaDir)));
        Path jna = NativeBundle.jnaDir(libRoot);
        if (jna != null) {
            cmd.addAll(List.of("-Djna.boot.library.path=" + jna, "-Djna.nounpack=true", "-Djna.nosys=true"));
        }
        for (String arg : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (arg.startsWith("-XX:SharedArchiveFile=")) {
                cmd.addAll(List.of(arg, "-Xshare:auto", "-Xlog:cds=off", "-Xlog:cds+dynamic=off"));
            }
        }
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), "io.modeld.Main", "runner"));
        return List.copyOf(cmd);
    }
}
