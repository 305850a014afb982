package io.modeld.runtime;

import java.io.IOException;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The command line that starts a runner: the daemon's own Java and class path, a small heap, the
 * serial collector, C1 only (the work is native), and two things that cut its start: the daemon's
 * class-data archive when it has one, and llama.cpp's native library unpacked once into
 * {@code <data-dir>/lib/<version>/} rather than by every runner into the system's temp dir.
 */
public final class RunnerLauncher {

    private static final Logger LOG = LoggerFactory.getLogger(RunnerLauncher.class);

    private RunnerLauncher() {
    }

    /** The command, up to and including {@code io.modeld.Main runner}. */
    public static List<String> of(Path libRoot) {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:+UseSerialGC", "-Xms8m", "-Xmx64m", "-Xss1m", "-XX:TieredStopAtLevel=1"));
        for (String arg : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (arg.startsWith("-XX:SharedArchiveFile=")) {
                cmd.addAll(List.of(arg, "-Xshare:auto", "-Xlog:cds=off", "-Xlog:cds+dynamic=off"));
            }
        }
        Path lib = unpackNativeLibrary(libRoot.resolve(io.modeld.config.BuildInfo.version()));
        if (lib != null) {
            cmd.add("-Dde.kherud.llama.lib.path=" + lib);
        }
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), "io.modeld.Main", "runner"));
        return List.copyOf(cmd);
    }

    /** Copies java-llama.cpp's library for this platform into {@code dir}; null when there is none. */
    static Path unpackNativeLibrary(Path dir) {
        String os = System.getProperty("os.name").toLowerCase(Locale.ROOT);
        String platform = os.contains("linux") ? "Linux" : os.contains("mac") ? "Mac" : os.contains("win") ? "Windows" : null;
        String arch = switch (System.getProperty("os.arch")) {
            case "amd64", "x86_64" -> "x86_64";
            case "aarch64", "arm64" -> "aarch64";
            default -> null;
        };
        if (platform == null || arch == null) {
            return null;
        }
        String name = System.mapLibraryName("jllama");
        String resource = "/de/kherud/llama/" + platform + "/" + arch + "/" + name;
        try (InputStream in = RunnerLauncher.class.getResourceAsStream(resource)) {
            if (in == null) {
                return null;
            }
            Path target = dir.resolve(name);
            if (!Files.isRegularFile(target)) {
                Files.createDirectories(dir);
                Path tmp = Files.createTempFile(dir, name, ".tmp");
                Files.copy(in, tmp, StandardCopyOption.REPLACE_EXISTING);
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            }
            return dir;
        } catch (IOException e) {
            LOG.warn("cannot unpack llama.cpp's library into {} ({}); each runner will unpack its own", dir,
                    e.getMessage());
            return null;
        }
    }
}
