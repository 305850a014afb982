package io.modeld.engine;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Locale;

/**
 * Where the runner finds its native libraries, without loading them: llama.cpp's prebuilt libraries
 * that the build put into the jar under {@code native/<platform>/}, and JNA's own stub. Run from
 * unpacked classes (tests, development) they are used where they lie; from the jar they are unpacked
 * once into {@code <data-dir>/lib/} (a file is written again only when its size differs), so runners
 * never write into the system's temp dir and start without copying anything.
 */
public final class NativeBundle {

    private static final String INDEX = "files.txt";
    /**
     * The npm package version of node-llama-cpp whose prebuilt libraries are bundled (pinned in
     * src/main/native/package.json, checked by a test) and whose source bundle {@code engine build} builds.
     */
    public static final String NODE_LLAMA_CPP = "3.22.1";

    private NativeBundle() {
    }

    /** This machine's platform folder name, e.g. {@code linux-x64}; null when no bundle is built for it. */
    static String platform() {
        String os = System.getProperty("os.name").toLowerCase(Locale.ROOT);
        String arch = System.getProperty("os.arch");
        if (os.contains("linux") && (arch.equals("amd64") || arch.equals("x86_64"))) {
            return "linux-x64";
        }
        return null;
    }

    /** The folder holding the bundled llama.cpp, unpacked into {@code libRoot} if needed; null when there is none. */
    public static Path llamaDir(Path libRoot) {
        String platform = platform();
        if (platform == null) {
            return null;
        }
        String base = "/native/" + platform + "/";
        URL index = NativeBundle.class.getResource(base + INDEX);
        if (index == null) {
            return null;
        }
        if (index.getProtocol().equals("file")) {
            try {
                return Path.of(index.toURI()).getParent();
            } catch (URISyntaxException e) {
                throw new IllegalStateException(e);
            }
        }
        Path dir = libRoot.resolve("llama-bundled");
        try (InputStream in = index.openStream()) {
            List<String> names = new String(in.readAllBytes(), StandardCharsets.UTF_8).lines()
                    .map(String::strip).filter(n -> !n.isEmpty()).toList();
            for (String name : names) {
                unpack(base + name, dir.resolve(name));
            }
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot unpack llama.cpp's libraries into " + dir + ": " + e.getMessage(), e);
        }
    }

    /**
     * The folder holding JNA's native stub for this platform, unpacked into {@code libRoot}; the runner
     * is pointed at it with {@code jna.boot.library.path}. Null when JNA has none for this platform.
     */
    public static Path jnaDir(Path libRoot) {
        String os = System.getProperty("os.name").toLowerCase(Locale.ROOT);
        String arch = System.getProperty("os.arch");
        String prefix = os.contains("linux") && (arch.equals("amd64") || arch.equals("x86_64")) ? "linux-x86-64"
                : os.contains("linux") && arch.equals("aarch64") ? "linux-aarch64"
                : os.contains("mac") ? "darwin-" + (arch.equals("aarch64") ? "aarch64" : "x86-64") : null;
        if (prefix == null) {
            return null;
        }
        String name = System.mapLibraryName("jnidispatch");
        String resource = "/com/sun/jna/" + prefix + "/" + name;
        URL url = NativeBundle.class.getResource(resource);
        if (url == null) {
            return null;
        }
        Path dir = libRoot.resolve("jna-" + jnaVersion());
        try {
            unpack(resource, dir.resolve(name));
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot unpack JNA's library into " + dir + ": " + e.getMessage(), e);
        }
    }

    /**
     * Points JNA, in this process, at its stub unpacked into {@code libRoot} (so it writes nothing into
     * the system's temp dir); call before JNA is first used.
     */
    public static void useJnaFrom(Path libRoot) {
        Path dir = jnaDir(libRoot);
        if (dir != null) {
            System.setProperty("jna.boot.library.path", dir.toString());
            System.setProperty("jna.nounpack", "true");
            System.setProperty("jna.nosys", "true");
        }
    }

    private static String jnaVersion() {
        Package p = com.sun.jna.Native.class.getPackage();
        String v = p == null ? null : p.getImplementationVersion();
        return v == null ? "5" : v;
    }

    /** Copies a resource to {@code target} unless a file of the same size is there (temp file, then rename). */
    private static void unpack(String resource, Path target) throws IOException {
        URL url = NativeBundle.class.getResource(resource);
        if (url == null) {
            throw new IOException(resource + " is missing from the jar");
        }
        long size = url.openConnection().getContentLengthLong();
        if (Files.isRegularFile(target) && Files.size(target) == size) {
            return;
        }
        Files.createDirectories(target.getParent());
        Path tmp = Files.createTempFile(target.getParent(), target.getFileName().toString(), ".tmp");
        try (InputStream in = url.openStream()) {
            Files.copy(in, tmp, StandardCopyOption.REPLACE_EXISTING);
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }
}
