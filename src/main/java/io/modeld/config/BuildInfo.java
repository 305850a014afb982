package io.modeld.config;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

/** Facts about this build, read once from the jar. */
public final class BuildInfo {

    private static final String VERSION = readVersion();

    private BuildInfo() {
    }

    /** This build's version, e.g. {@code 0.1.0}; {@code dev} when run from unpackaged classes without it. */
    public static String version() {
        return VERSION;
    }

    private static String readVersion() {
        try (InputStream in = BuildInfo.class.getResourceAsStream("/modeld-version.txt")) {
            return in == null ? "dev" : new String(in.readAllBytes(), StandardCharsets.UTF_8).trim();
        } catch (IOException e) {
            return "dev";
        }
    }
}
