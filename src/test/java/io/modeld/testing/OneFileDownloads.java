package io.modeld.testing;

import io.modeld.config.Config;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

/**
 * The fixture of the download tests: a 6 MiB file on a local file server and a daemon (2 downloads,
 * 4 connections, 1 s stall timeout) on a fresh data dir, both new for every test.
 */
public abstract class OneFileDownloads {

    protected static final int SIZE = 6 << 20;

    @TempDir
    protected Path dataDir;
    protected FileServer files;
    protected TestDaemon daemon;
    protected byte[] data;

    @BeforeEach
    void startFileServerAndDaemon() throws Exception {
        data = FileServer.content(SIZE, 42);
        files = FileServer.start().serve("/model.gguf", data);
        daemon = TestDaemon.start(Config.forDataDir(dataDir).withDownloads(2, 4, true, Duration.ofSeconds(1)));
    }

    @AfterEach
    void stopFileServerAndDaemon() {
        daemon.close();
        files.close();
    }

    /** A custom model of that file, with its size and SHA-256. */
    protected String createModel(String unique) {
        return Downloading.createModel(daemon, unique, files.uri("/model.gguf").toString(), FileServer.sha256(data), SIZE);
    }

    /** Where the finished file of model {@code id} is. */
    protected Path finalFile(String id) {
        return dataDir.resolve("models").resolve(id).resolve("model.gguf");
    }
}
