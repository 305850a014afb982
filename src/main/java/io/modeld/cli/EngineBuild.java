package io.modeld.cli;

import io.modeld.config.DataDir;
import io.modeld.engine.NativeBundle;
import io.modeld.runtime.RunnerLauncher;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code modeld engine build}: compiles the same llama.cpp release as the bundled one, from the source
 * bundle that the npm package {@code node-llama-cpp} carries, with {@code GGML_NATIVE} (every
 * instruction this CPU has), into {@code <data-dir>/lib/llama-native/}; the daemon prefers it from its
 * next runner on. Needs npm, git, cmake and a C++ compiler; takes about 10 minutes on 2 cores.
 */
@Command(name = "build", mixinStandardHelpOptions = true,
        description = "Build llama.cpp for this machine's CPU (about 10 minutes); modeld then prefers it.")
final class EngineBuild implements Callable<Integer> {

    private static final Pattern PERCENT = Pattern.compile("^\\[\\s*(\\d+)%\\]");

    @Option(names = "--data-dir", defaultValue = "${env:MODELD_DATA_DIR}", description = "The daemon's data dir.")
    Path dataDir;

    @Option(names = "--jobs", description = "Parallel compile jobs (default: the number of cores).")
    Integer jobs;

    @Override
    public Integer call() throws Exception {
        for (String tool : List.of("npm", "git", "cmake", "c++")) {
            if (!onPath(tool)) {
                throw new CliException(ExitCodes.FAILURE, tool + " is needed to build llama.cpp; install it "
                        + "(on Debian: apt-get install npm git cmake g++)");
            }
        }
        Path lib = EngineCommand.libRoot(dataDir);
        Files.createDirectories(lib);
        Path work = Files.createTempDirectory(lib, "engine-build-");
        try {
            System.err.println("fetching the llama.cpp source of node-llama-cpp " + NativeBundle.NODE_LLAMA_CPP + " ...");
            run(work, null, "npm", "pack", "--silent", "node-llama-cpp@" + NativeBundle.NODE_LLAMA_CPP);
            Path tgz = onlyFile(work, ".tgz");
            run(work, null, "tar", "xzf", tgz.getFileName().toString(), "package/llama/gitRelease.bundle",
                    "package/llama/llama.cpp.info.json");
            run(work, null, "git", "clone", "--quiet", "package/llama/gitRelease.bundle", "src");
            Path src = work.resolve("src");
            run(src, null, "cmake", "-B", "build", "-DCMAKE_BUILD_TYPE=Release", "-DGGML_NATIVE=ON",
                    "-DBUILD_SHARED_LIBS=ON", "-DLLAMA_CURL=OFF", "-DLLAMA_BUILD_TESTS=OFF",
                    "-DLLAMA_BUILD_EXAMPLES=OFF", "-DLLAMA_BUILD_TOOLS=OFF", "-DLLAMA_BUILD_SERVER=OFF",
                    "-DCMAKE_BUILD_WITH_INSTALL_RPATH=ON", "-DCMAKE_INSTALL_RPATH=$ORIGIN");
            int n = jobs != null ? jobs : Runtime.getRuntime().availableProcessors();
            try (ProgressBar bar = new ProgressBarBuilder().setTaskName("compiling llama.cpp").setInitialMax(100)
                    .setUnit("%", 1).setStyle(ProgressBarStyle.ASCII).build()) {
                run(src, line -> {
                    Matcher m = PERCENT.matcher(line);
                    if (m.find()) {
                        bar.stepTo(Integer.parseInt(m.group(1)));
                    }
                }, "cmake", "--build", "build", "-j", String.valueOf(n), "--target", "llama");
                bar.stepTo(100);
            }
            Path staged = Files.createTempDirectory(lib, "llama-native-");
            try (Stream<Path> built = Files.list(src.resolve("build").resolve("bin"))) {
                for (Path f : built.filter(p -> p.getFileName().toString().matches("lib(llama|ggml.*)\\.so.*")).toList()) {
                    Files.copy(f, staged.resolve(f.getFileName()), LinkOption.NOFOLLOW_LINKS);
                }
            }
            check(staged);
            Path target = lib.resolve(RunnerLauncher.NATIVE_BUILD);
            DataDir.deleteTree(target);
            Files.move(staged, target, StandardCopyOption.ATOMIC_MOVE);
            System.out.println("built llama.cpp for this CPU into " + target + "; modeld uses it from its next runner "
                    + "on (restart the daemon to replace the spare one); remove the folder to go back to the bundled one");
            return ExitCodes.OK;
        } finally {
            DataDir.deleteTree(work);
        }
    }

    /** Loads the build in a child JVM (a process can load one llama.cpp only) and checks its API. */
    private static void check(Path dir) throws IOException, InterruptedException {
        List<String> cmd = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
                System.getProperty("java.class.path"), "io.modeld.Main", "engine", "info", "--llama-lib", dir.toString());
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.waitFor() != 0) {
            throw new CliException(ExitCodes.FAILURE, "the build does not load: " + out.strip());
        }
        System.err.print(out);
    }

    private interface Lines {
        void line(String line);
    }

    private static void run(Path dir, Lines lines, String... cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
        List<String> tail = new ArrayList<>();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                if (lines != null) {
                    lines.line(line);
                }
                tail.add(line);
                if (tail.size() > 20) {
                    tail.remove(0);
                }
            }
        }
        if (p.waitFor() != 0) {
            throw new CliException(ExitCodes.FAILURE, String.join(" ", cmd) + " failed:\n" + String.join("\n", tail));
        }
    }

    private static boolean onPath(String tool) {
        String path = System.getenv("PATH");
        return path != null && Stream.of(path.split(java.io.File.pathSeparator))
                .anyMatch(d -> Files.isExecutable(Path.of(d, tool)));
    }

    private static Path onlyFile(Path dir, String suffix) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(f -> f.getFileName().toString().endsWith(suffix)).findFirst()
                    .orElseThrow(() -> new CliException(ExitCodes.FAILURE, "npm pack left no " + suffix + " in " + dir));
        }
    }
}
