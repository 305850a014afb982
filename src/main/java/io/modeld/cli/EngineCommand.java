package io.modeld.cli;

import io.modeld.config.Config;
import io.modeld.config.DataDir;
import io.modeld.engine.EngineException;
import io.modeld.engine.LlamaEngine;
import io.modeld.engine.NativeBundle;
import io.modeld.runtime.RunnerLauncher;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code modeld engine}: which llama.cpp modeld runs, and building one for this very machine. */
@Command(name = "engine", mixinStandardHelpOptions = true,
        description = "Show which llama.cpp modeld uses, or build one for this machine.",
        subcommands = {EngineCommand.Info.class, EngineBuild.class})
final class EngineCommand implements Runnable {

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    /** The data dir's lib folder, where the bundled libraries are unpacked and a native build goes. */
    static Path libRoot(Path dataDir) {
        return new DataDir(dataDir == null ? Config.defaultDataDir() : dataDir).lib();
    }

    /** {@code modeld engine info}: the llama.cpp a daemon on this data dir would load, checked. */
    @Command(name = "info", mixinStandardHelpOptions = true, description = "Show the llama.cpp modeld would load.")
    static final class Info implements Callable<Integer> {

        @Option(names = "--data-dir", defaultValue = "${env:MODELD_DATA_DIR}", description = "The daemon's data dir.")
        Path dataDir;

        @Option(names = "--llama-lib", defaultValue = "${env:MODELD_LLAMA_LIB}",
                description = "A folder with your own llama.cpp libraries (MODELD_LLAMA_LIB).")
        Path llamaLib;

        @Option(names = "--gpu", defaultValue = "${env:MODELD_GPU:-auto}",
                description = "The GPU backend to look for, as serve's --gpu: auto, vulkan, cuda or none (MODELD_GPU; "
                        + "default ${DEFAULT-VALUE}).")
        String gpu;

        @Option(names = "--gpu-devices", defaultValue = "${env:MODELD_GPU_DEVICES:-}",
                description = "The GPUs to look at, by the driver's numbers, as serve's --gpu-devices (MODELD_GPU_DEVICES).")
        String gpuDevices;

        @Override
        public Integer call() {
            io.modeld.engine.Gpu mode;
            try {
                mode = io.modeld.engine.Gpu.of(gpu);
            } catch (IllegalArgumentException e) {
                throw new CliException(ExitCodes.USAGE, e.getMessage());
            }
            Path dir = RunnerLauncher.llamaDir(llamaLib, libRoot(dataDir));
            if (dir == null) {
                throw new CliException(ExitCodes.FAILURE, "no llama.cpp is bundled for this platform; give one with "
                        + "--llama-lib");
            }
            String kind = llamaLib != null ? "yours (--llama-lib)"
                    : dir.endsWith(RunnerLauncher.NATIVE_BUILD) ? "built for this machine (modeld engine build)"
                    : "bundled (node-llama-cpp " + NativeBundle.NODE_LLAMA_CPP + " prebuilt)";
            try {
                NativeBundle.useJnaFrom(libRoot(dataDir));
                io.modeld.runtime.RunnerLauncher.visibleDevices(gpuDevices);
                LlamaEngine engine = LlamaEngine.load(dir, false, mode);
                System.out.println("llama.cpp " + engine.version() + ", " + kind);
                System.out.println("from " + dir);
                System.out.println(engine.tunedCpu() ? "CPU backend: built for this machine's instructions by modeld's build"
                        : "CPU backend: ggml's choice among the prebuilt variants");
                System.out.println(engine.gpuNote());
                System.out.println(engine.systemInfo().strip());
                return ExitCodes.OK;
            } catch (EngineException e) {
                throw new CliException(ExitCodes.FAILURE, e.getMessage());
            }
        }
    }
}
